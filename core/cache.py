"""A Redis cache whose errors are misses (ADR 0013): the cache makes pages faster, it must never make them
fail. While its Redis is down, reads miss, writes are dropped and the page falls back to the database
(sessions under ``cached_db``, the map snapshot's stored row); after an error the process leaves Redis alone
for ``PAUSE`` seconds, so that a Redis that hangs costs one timeout, not one per cache call.

``ping()`` is the one call that raises: the readiness check asks it.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("lingong.cache")

PAUSE = 5.0


class ResilientRedisCache(RedisCache):
    _down_until = 0.0

    def _guard(self, call, fallback, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return call(*args, **kwargs)
        except (RedisError, OSError) as exc:
            if time.monotonic() >= self._down_until:
                logger.warning("cache unavailable, treated as a miss for %ss: %s", PAUSE, exc)
            self._down_until = time.monotonic() + PAUSE
            return fallback

    def ping(self) -> bool:
        """True when Redis answers; raises when it does not (readiness). Clears the pause on success."""
        ok = bool(self._cache.get_client(write=True).ping())
        self._down_until = 0.0
        return ok

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._guard(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guard(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        # A counter that cannot be read counts from nothing (a rate limit is lenient while Redis is down).
        return self._guard(super().incr, delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guard(super().delete_many, None, keys, version)

    def clear(self):
        return self._guard(super().clear, False)

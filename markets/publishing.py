"""Publishing the public market map: a GeoJSON snapshot with a version and an ETag, debounced, and signed
webhooks to subscribers. Status changes that take a market off the map publish at once (workers must not
be sent to a banned market); profile edits are debounced by a periodic publisher."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.queue import backoff as queue_backoff
from core.queue import enqueue

from .choices import DeliveryStatus, PlatformStatus
from .models import MapPublishState, MapSnapshot, Market, OnlinePlatform, WebhookDelivery, WebhookSubscriber

CACHE_KEY = "markets:geojson:current"
# The cached snapshot expires so that a process whose cache is its own (local memory under `make run`, where
# the worker publishes debounced edits) picks up a version another process published.
CACHE_SECONDS = 10
# Each process also keeps the snapshot it last read for a second (issue 6: the public map is the most
# requested body; reading ~100 KB from Redis on every request halved its throughput). A new version reaches
# every process within a second; the one that publishes it sees it at once.
LOCAL_SECONDS = 1.0
_local: tuple[float, tuple[str, str]] | None = None
EVENT = "markets.map.published"
FEATURE_MARKET = "market"
FEATURE_PLATFORM = "online_platform"


def market_feature(market: Market) -> dict:
    return {
        "type": "Feature",
        "id": market.pk,
        "geometry": {"type": "Point", "coordinates": [round(market.lng, 6), round(market.lat, 6)]},
        "properties": {
            "category": FEATURE_MARKET,
            "name": market.name,
            "kind": market.kind,
            "kind_display": str(market.get_kind_display()),
            "county": market.scope_unit.code,
            "county_name": market.scope_unit.name,
            "address": market.address,
            "opens_at": market.opens_at.strftime("%H:%M"),
            "closes_at": market.closes_at.strftime("%H:%M"),
            "open_days": market.open_days,
            "hotline": market.hotline,
            "facilities": [f.code for f in market.facilities.all()],
            "url": f"/markets/{market.pk}/",
        },
    }


def platform_feature(platform: OnlinePlatform) -> dict:
    """An approved online platform (线上零工平台) as a feature without a point (RFC 7946 §3.2 allows a null
    geometry): the notice's §4 puts online and offline markets on one map. Clients tell them apart by
    ``properties.category`` (``market`` or ``online_platform``)."""
    return {
        "type": "Feature",
        "id": f"platform-{platform.pk}",
        "geometry": None,
        "properties": {
            "category": FEATURE_PLATFORM,
            "name": platform.name,
            "kind": platform.kind,
            "kind_display": str(platform.get_kind_display()),
            "county": platform.scope_unit.code,
            "county_name": platform.scope_unit.name,
            "operator_name": platform.operator_name,
            "entry_url": platform.url,
            "hotline": platform.hotline,
            "services": [
                code
                for code, offered in (
                    ("publishing", platform.offers_publishing),
                    ("matching", platform.offers_matching),
                    ("payment", platform.offers_payment),
                )
                if offered
            ],
            "url": f"/markets/platforms/{platform.pk}/",
        },
    }


def public_platforms():
    return (
        OnlinePlatform.objects.filter(status=PlatformStatus.APPROVED)
        .select_related("scope_unit")
        .order_by("scope_unit__code", "name", "pk")
    )


def build_feature_collection() -> dict:
    markets = (
        Market.objects.public()
        .select_related("scope_unit")
        .prefetch_related("facilities")
        .order_by("scope_unit__code", "name", "pk")
    )
    features = [market_feature(m) for m in markets]
    features += [platform_feature(p) for p in public_platforms()]
    return {"type": "FeatureCollection", "features": features}


def _state() -> MapPublishState:
    state, _ = MapPublishState.objects.select_for_update().get_or_create(pk=1)
    return state


def _remember(value: tuple[str, str] | None) -> None:
    global _local
    _local = None if value is None else (time.monotonic(), value)


def current_snapshot() -> tuple[str, str] | None:
    """(etag, body) of the published map: this process's copy for a second, then the shared cache (no query
    on a hit)."""
    local = _local
    if local is not None and time.monotonic() - local[0] < LOCAL_SECONDS:
        return local[1]
    hit = cache.get(CACHE_KEY)
    if hit is not None:
        _remember(hit)
        return hit
    snap = MapSnapshot.objects.order_by("-version").first()
    if snap is None:
        snap = map_publish(force=True)
    if snap is None:
        return None
    value = (snap.etag, snap.body)
    cache.set(CACHE_KEY, value, CACHE_SECONDS)
    _remember(value)
    return value


@transaction.atomic
def map_publish(*, force: bool = False, now=None) -> MapSnapshot | None:
    """Build the snapshot; if it differs from the last, store it as a new version, cache it and queue one
    signed delivery per active subscriber. Without ``force`` only when dirty and quiet for the debounce
    period. Returns the new snapshot, or None when nothing was published."""
    now = now or timezone.now()
    state = _state()
    if not force:
        quiet = timedelta(seconds=settings.LINGONG_MAP_PUBLISH_DEBOUNCE)
        if not state.dirty or (state.changed_at and now - state.changed_at < quiet):
            return None
    collection = build_feature_collection()
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    etag = hashlib.sha256(body.encode()).hexdigest()[:32]
    last = MapSnapshot.objects.order_by("-version").first()
    state.dirty = False
    state.published_at = now
    state.save()
    if last is not None and last.etag == etag:
        cache.set(CACHE_KEY, (last.etag, last.body), CACHE_SECONDS)
        _remember((last.etag, last.body))
        return None
    snap = MapSnapshot.objects.create(
        version=(last.version + 1) if last else 1,
        etag=etag,
        body=body,
        feature_count=len(collection["features"]),
        built_at=now,
    )
    cache.set(CACHE_KEY, (snap.etag, snap.body), CACHE_SECONDS)
    _remember((snap.etag, snap.body))
    payload = json.dumps(
        {
            "event": EVENT,
            "version": snap.version,
            "etag": etag,
            "features": snap.feature_count,
            "published_at": now.isoformat(),
            "feed": "/api/v1/markets/geojson/",
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    deliveries = [
        WebhookDelivery.objects.create(subscriber=s, event=EVENT, body=payload, next_attempt_at=now)
        for s in WebhookSubscriber.objects.filter(is_active=True)
    ]
    for d in deliveries:
        enqueue("markets.tasks.webhook_deliver_task", delivery_id=d.pk)
    return snap


def map_changed(*, urgent: bool = False) -> None:
    """Record that the public map may have changed. Urgent changes (a market leaving the map) publish
    right after the transaction commits; others wait for the debounced publisher."""
    state, _ = MapPublishState.objects.get_or_create(pk=1)
    MapPublishState.objects.filter(pk=state.pk).update(dirty=True, changed_at=timezone.now())
    if urgent:
        transaction.on_commit(lambda: map_publish(force=True))


# --- webhooks -----------------------------------------------------------------------------------------

MAX_ATTEMPTS = 8


def sign(secret: str, timestamp: str, body: str) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what a subscriber recomputes to verify a delivery."""
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min … capped at 6 hours (the shared schedule, ``core.queue.backoff``)."""
    return queue_backoff(attempts, first=30, factor=4, cap=6 * 3600)


def webhook_deliver(*, delivery_id: int, now=None) -> WebhookDelivery | None:
    """Try one delivery once. Safe to run twice: a delivered or abandoned one is left alone, and the row
    is locked while it is tried."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscriber")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        now = now or timezone.now()
        sub = delivery.subscriber
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            sub.url,
            data=delivery.body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Lingong-Webhook/1",
                "X-Lingong-Event": delivery.event,
                "X-Lingong-Delivery": str(delivery.pk),
                "Idempotency-Key": f"lingong-webhook-{delivery.pk}",
                "X-Lingong-Timestamp": timestamp,
                "X-Lingong-Signature": "sha256=" + sign(sub.secret, timestamp, delivery.body),
            },
        )
        delivery.attempts += 1
        try:
            with urllib.request.urlopen(request, timeout=settings.LINGONG_WEBHOOK_TIMEOUT) as response:
                delivery.last_status_code = response.status
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            delivery.last_status_code = getattr(exc, "code", None)
            delivery.last_error = str(exc)[:300]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save()
        return delivery


def due_deliveries(now=None):
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)


def webhook_retry_due(*, now=None, limit: int = 200) -> int:
    """Queue a new try of every delivery whose backoff has passed. A subscriber that is down keeps its own
    schedule and never holds up the others. Returns how many were queued."""
    ids = list(due_deliveries(now).values_list("pk", flat=True)[:limit])
    for pk in ids:
        enqueue("markets.tasks.webhook_deliver_task", delivery_id=pk)
    return len(ids)

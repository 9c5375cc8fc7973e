"""The read-replica router (ADR 0044). With DATABASE_REPLICA_URL set there is a second alias, ``replica``;
reads of the apps in LINGONG_REPLICA_APPS (the reports: their facts and catalogue, which the pull API and
the dashboards read) go there. Everything else stays on ``default``:

- every write, of every app;
- a read made while ``default`` is inside a transaction (the compute service upserting facts, a test
  wrapped in one): it must see the transaction's own writes and take its locks on the primary;
- migrations, which run on ``default`` only (the replica receives them by replication).

Without the alias the router answers nothing and Django's default (``default``) applies. Core knows the apps
only by label, from the settings: nothing here imports an app to its right.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def _routed(self, model) -> bool:
        return model._meta.app_label in getattr(settings, "LINGONG_REPLICA_APPS", ())

    def db_for_read(self, model, **hints):
        if not replica_configured() or not self._routed(model):
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        # also for an instance read from the replica: its save goes to the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # the replica holds the same rows as the primary
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS

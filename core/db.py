"""Small portable SQL helpers (PostgreSQL in deployments and CI, SQLite under ``make run``)."""

from __future__ import annotations

from django.db.models import Aggregate, JSONField, TextField


class GroupConcat(Aggregate):
    """Comma-joined text of the aggregated values: ``string_agg`` on PostgreSQL, ``group_concat`` on SQLite.
    Used to fold a handful of child rows into their parent's query (one query instead of two)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s, ',')"
        )


class JSONGroupArray(Aggregate):
    """A JSON array of the aggregated values: ``jsonb_agg`` on PostgreSQL, ``json_group_array`` on SQLite."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG")

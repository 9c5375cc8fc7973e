"""Workflows: one transition table per status field, one helper that moves a row along it.

Every status field of the project is declared once as a ``Workflow`` beside its model (its table, its event
model and the event row's foreign key to the subject). Services are the only callers of ``Workflow.move``,
which, inside the caller's transaction:

1. locks the row (unless the caller locked it through ``Workflow.lock`` in this transaction) and reads the
   status it has in the database;
2. checks ``from → to`` against the table (409 ``invalid_transition`` otherwise, nothing changed);
3. sets the status and saves it with the further fields the caller set;
4. writes the event row (actor, reason, on-behalf-of and the step's own facts);
5. writes the audit row (ADR 0003).

Access is the caller's: services check it (``<app>/permissions.py``) before they move a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _

from .errors import InvalidTransition, NotFound

LOCK_MARK = "_workflow_lock"


def check_transition(table: Mapping[str, Set[str]], current: str, target: str) -> None:
    """Raise InvalidTransition (409) unless ``current -> target`` is in ``table``."""
    if target not in table.get(current, frozenset()):
        raise InvalidTransition(
            _("不能从“%(current)s”变为“%(target)s”。") % {"current": current, "target": target}
        )


def _transaction_token():
    """The outermost atomic block of the current transaction: a lock taken under it lasts until it ends."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("workflow steps run inside a transaction (transaction.atomic)")
    return connection.atomic_blocks[0]


def _person(actor):
    """The actor as a user row for event and audit rows (an API client principal or a system scan: None)."""
    return actor if getattr(actor, "_meta", None) is not None and getattr(actor, "pk", None) else None


REGISTRY: list[Workflow] = []


@dataclass(frozen=True, eq=False)
class Workflow:
    """The workflow of one status field: ``table`` maps every status to the statuses it may move to (terminal
    statuses to an empty set), ``event_model`` holds one row per transition and points at the subject through
    its foreign key ``subject``."""

    model: type[models.Model]
    table: Mapping[str, Set[str]]
    event_model: type[models.Model]
    subject: str
    field: str = "status"

    def __post_init__(self) -> None:
        REGISTRY.append(self)

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    def edges(self) -> list[tuple[str, str]]:
        return [(a, b) for a, targets in self.table.items() for b in sorted(targets)]

    def check(self, current: str, target: str) -> None:
        check_transition(self.table, current, target)

    def can(self, current: str, target: str) -> bool:
        return target in self.table.get(current, frozenset())

    # --- locking -----------------------------------------------------------------------------------------

    def lock(self, pk, *, queryset=None, select_related: Iterable[str] = (), of: tuple[str, ...] = ("self",)):
        """The row ``pk`` locked for the rest of the transaction (``queryset`` narrows it, e.g. to the
        actor's scope: a row outside it is ``NotFound``, 404). Only the row itself is locked (``of``), never
        the rows it is joined with for reading (PostgreSQL refuses to lock the nullable side of a join)."""
        qs = queryset if queryset is not None else self.model._default_manager.all()
        qs = qs.order_by().select_for_update(of=of)
        if select_related:
            qs = qs.select_related(*select_related)
        try:
            row = qs.get(pk=getattr(pk, "pk", pk))
        except self.model.DoesNotExist:
            raise NotFound() from None
        setattr(row, LOCK_MARK, _transaction_token())
        return row

    def mark_locked(self, row) -> None:
        """For a caller that locked ``row`` itself (select_for_update) in this transaction."""
        setattr(row, LOCK_MARK, _transaction_token())

    def _ensure_locked(self, row) -> None:
        token = _transaction_token()
        if getattr(row, LOCK_MARK, None) is token:
            return
        current = (
            self.model._default_manager.order_by()
            .select_for_update(of=("self",))
            .filter(pk=row.pk)
            .values_list(self.field, flat=True)
            .get()
        )
        setattr(row, self.field, current)
        setattr(row, LOCK_MARK, token)

    # --- moving ------------------------------------------------------------------------------------------

    def move(
        self,
        row,
        to_status: str,
        *,
        actor,
        reason: str = "",
        on_behalf_of=None,
        fields: Iterable[str] = (),
        event: Mapping | None = None,
        audit: Mapping | None = None,
        request=None,
    ):
        """Move ``row`` to ``to_status``: lock, check the table, save the status (and ``fields``, which the
        caller set on the row), write the event row (with ``event``'s extra columns) and the audit row (its
        ``after`` extended by ``audit``). Returns the row."""
        from .audit import audit_record
        from .choices import AuditAction

        self._ensure_locked(row)
        from_status = getattr(row, self.field)
        self.check(from_status, to_status)
        setattr(row, self.field, to_status)
        update = [self.field, *fields]
        if any(f.name == "updated_at" for f in row._meta.concrete_fields):
            update.append("updated_at")
        row.save(update_fields=list(dict.fromkeys(update)))
        self.record(
            row,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            reason=reason,
            on_behalf_of=on_behalf_of,
            event=event,
        )
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=row,
            before={self.field: from_status},
            after={self.field: to_status, **(audit or {})},
            reason=reason,
            request=request,
            on_behalf_of=on_behalf_of,
        )
        return row

    def move_many(
        self,
        queryset,
        to_status: str,
        *,
        actor,
        reason: str = "",
        values: Mapping | None = None,
        audit: Mapping | None = None,
        scope_unit_id: int | None = None,
        request=None,
        chunk: int = 5000,
    ) -> int:
        """``move`` for many rows at once (a disbursement batch's 100,000 payments): locks the rows of
        ``queryset``, checks every row's status against the table (InvalidTransition, nothing changed, if
        any may not move), sets the status and ``values`` with one UPDATE per ``chunk`` rows, and writes one
        event row and one audit row per row (bulk inserts; the audit rows carry ``scope_unit_id``). Returns
        how many rows moved."""
        from django.contrib.contenttypes.models import ContentType

        from .audit import audit_entry
        from .choices import AuditAction
        from .models import AuditLog

        _transaction_token()
        rows = list(queryset.order_by("pk").select_for_update(of=("self",)).values_list("pk", self.field))
        for _pk, current in rows:
            self.check(current, to_status)
        content_type = ContentType.objects.get_for_model(self.model)
        update = {self.field: to_status, **(values or {})}
        if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            from django.utils import timezone

            update["updated_at"] = timezone.now()
        person = _person(actor)
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            self.model._default_manager.filter(pk__in=[pk for pk, _ in part]).update(**update)
            self.event_model._default_manager.bulk_create(
                [
                    self.event_model(
                        **{f"{self.subject}_id": pk},
                        from_status=current,
                        to_status=to_status,
                        actor=person,
                        reason=(reason or "")[:300],
                    )
                    for pk, current in part
                ]
            )
            audits = []
            for pk, current in part:
                entry = audit_entry(
                    actor=actor,
                    action=AuditAction.TRANSITION,
                    before={self.field: current},
                    after={self.field: to_status, **(audit or {})},
                    reason=reason,
                    request=request,
                    scope_unit_id=scope_unit_id,
                )
                entry.content_type, entry.object_id = content_type, str(pk)
                audits.append(entry)
            AuditLog.objects.bulk_create(audits)
        return len(rows)

    def record(
        self,
        row,
        *,
        from_status: str = "",
        to_status: str,
        actor=None,
        reason: str = "",
        on_behalf_of=None,
        event: Mapping | None = None,
    ):
        """Write one event row. ``move`` calls it; creation services call it for the first status
        (``from_status`` empty), next to their own audit row of the creation."""
        return self.event_model._default_manager.create(
            **{self.subject: row},
            from_status=from_status,
            to_status=to_status,
            actor=_person(actor),
            reason=(reason or "")[:300],
            on_behalf_of=on_behalf_of,
            **(event or {}),
        )


def workflow_for(model: type[models.Model], field: str = "status") -> Workflow:
    for workflow in REGISTRY:
        if workflow.model is model and workflow.field == field:
            return workflow
    raise LookupError(f"no workflow for {model._meta.label}.{field}")

"""Writing the audit trail. Every staff change, service-level state change, reveal and login is one row."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from .choices import AuditAction
from .http import client_ip
from .masking import mask_dict, mask_phone
from .models import AuditLog


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, FieldFile):  # an empty one has a name but no url
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of ``obj`` (personal data masked, passwords left out)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("password",) or (fields is not None and f.name not in fields):
            continue
        data[f.name] = _jsonable(getattr(obj, f.attname))
    return mask_dict(type(obj), data)


# Fields that move on every save: not a change anybody made.
UNAUDITED = frozenset({"updated_at"})


def changed(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the keys whose values differ (timestamps that every save moves left out)."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if k not in UNAUDITED and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def scope_unit_id_of(obj: models.Model | None) -> int | None:
    """Follow the model's ``scope_field`` path ("scope_unit" or "market__scope_unit") to a unit id."""
    if obj is None:
        return None
    path = getattr(type(obj), "scope_field", None)
    if not path:
        return None
    *hops, last = path.split("__")
    node = obj
    for hop in hops:
        node = getattr(node, hop, None)
        if node is None:
            return None
    return getattr(node, f"{last}_id", None)


def actor_label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    if getattr(actor, "api_client", None) is not None:
        return f"api:{actor.api_client.name}"
    return mask_phone(getattr(actor, "phone", "")) or str(actor.pk)


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    request=None,
    label: str | None = None,
    on_behalf_of=None,
    scope_unit_id: int | None = None,
) -> AuditLog:
    entry = audit_entry(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after=after,
        reason=reason,
        request=request,
        label=label,
        on_behalf_of=on_behalf_of,
        scope_unit_id=scope_unit_id,
    )
    entry.save()
    return entry


def audit_entry(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    request=None,
    label: str | None = None,
    on_behalf_of=None,
    scope_unit_id: int | None = None,
) -> AuditLog:
    """The row ``audit_record`` writes, unsaved: a batch writes many with ``AuditLog.objects.bulk_create``
    (the escalation scan)."""
    assert action in AuditAction.values, action
    user = actor if getattr(actor, "_meta", None) is not None and getattr(actor, "pk", None) else None
    return AuditLog(
        actor=user,
        actor_label=label if label is not None else actor_label(actor),
        on_behalf_of=on_behalf_of,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        scope_unit_id=scope_unit_id if scope_unit_id is not None else scope_unit_id_of(obj),
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
        ip_address=client_ip(request),
    )


# --- disclosures of a person's contact to the other party of a hire (ADR 0014) --------------------------

_disclosures: ContextVar[list | None] = ContextVar("lingong_disclosures", default=None)
DISCLOSURE_REASON = "录用双方联系：履行用工约定所必需（《个人信息保护法》第十三条第一款第二项）"


def note_disclosure(*, viewer, person_id: int, unit_id: int | None = None) -> None:
    """Remember, for this request, that ``viewer`` was shown ``person``'s name and number in full (the one
    rule of ``jobs.permissions.sees_person``); ``DisclosureAuditMiddleware`` writes the audit rows."""
    pending = _disclosures.get()
    if pending is not None:
        pending.append((viewer, person_id, unit_id))


def disclosures_begin():
    return _disclosures.set([])


def disclosures_flush(token, request=None) -> int:
    """One audit row per (viewer, person, day): the audit trail shows who saw whose number, not how often
    a page was reloaded. Returns the rows written."""
    from django.core.cache import cache
    from django.utils import timezone

    pending = _disclosures.get() or []
    _disclosures.reset(token)
    written = 0
    today = timezone.localdate().isoformat()
    seen = set()
    for viewer, person_id, unit_id in pending:
        if (viewer.pk, person_id) in seen:
            continue
        seen.add((viewer.pk, person_id))
        if not cache.add(f"disclosure:{today}:{viewer.pk}:{person_id}", 1, 24 * 3600):
            continue
        audit_record(
            actor=viewer,
            action=AuditAction.REVEAL,
            after={"contact_of": person_id, "basis": "hire"},
            reason=DISCLOSURE_REASON,
            request=request,
            scope_unit_id=unit_id,
        )
        written += 1
    return written

"""Reads of the reference data and the audit trail (scoped where the rows are)."""

from __future__ import annotations

from .models import AuditLog, Division, ScopeUnit


def division_list():
    return Division.objects.all()


def scope_unit_list():
    """The units a record can belong to (active counties and functional zones)."""
    return ScopeUnit.objects.filter(is_active=True).select_related("division")


def audit_log_list(*, user):
    """The audit rows in the reader's scope (auditors: theirs; everyone else sees what their scope holds)."""
    return AuditLog.objects.visible_to(user).select_related("content_type", "scope_unit")


def inbox_list(*, user):
    """A person's own inbox, newest first (nobody reads another's: a message not theirs is a 404)."""
    from .models import InboxMessage

    if not getattr(user, "is_authenticated", False) or getattr(user, "api_client", None) is not None:
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def inbox_unread_count(*, user) -> int:
    return inbox_list(user=user).filter(read_at__isnull=True).count()

"""Audit rows for logins (signals are kept for the audit trail only)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core.audit import audit_record
from core.choices import AuditAction
from core.masking import mask_phone

from .backends import canonical_phone
from .models import User


@receiver(user_logged_in)
def audit_login_success(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN_SUCCESS, obj=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user, request=request)


@receiver(user_login_failed)
def audit_login_failure(sender, credentials, request=None, **kwargs):
    phone = canonical_phone((credentials or {}).get("username"))
    user = User.objects.filter(phone=phone).first() if phone else None
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILURE,
        obj=user,
        request=request,
        label=mask_phone(phone),
    )

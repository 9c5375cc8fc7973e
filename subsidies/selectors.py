"""Subsidies' scoped reads: every list is ``visible_to`` the reader (another county's rows do not exist for
them; a person sees their own)."""

from __future__ import annotations

from .models import DisbursementBatch, DisbursementRun, PayeeAccount, Payment


def batch_list(*, user):
    return (
        DisbursementBatch.objects.visible_to(user)
        .select_related("program_type", "scope_unit")
        .order_by("-created_at", "-id")
    )


def run_list(*, user):
    return DisbursementRun.objects.visible_to(user).order_by("-created_at", "-id")


def payment_list(*, user):
    return (
        Payment.objects.visible_to(user).select_related("batch", "application").order_by("-created_at", "-id")
    )


def my_payments(*, person):
    """A person's own payments, newest first, with the program's name (their subsidy page)."""
    return (
        Payment.objects.filter(person=person)
        .select_related("batch__program_type", "application")
        .order_by("-created_at", "-id")
    )


def payee_account_of(*, person) -> PayeeAccount | None:
    return PayeeAccount.objects.filter(person=person).first()

"""Scoped reads of people and county systems: staff see the people of their scope (404 for anyone else)."""

from __future__ import annotations

from .cards import card_presented
from .models import ApiClient, Consent, CounterAccount, User
from .permissions import keeps_counter_accounts


def user_list(*, user):
    return User.objects.visible_to(user).select_related("scope_unit").prefetch_related("role_grants")


def api_client_list(*, user):
    return ApiClient.objects.visible_to(user).select_related("scope_unit")


def counter_account_for(*, actor, pk: int, request) -> CounterAccount | None:
    """A counter-managed account that this counter may work on (print the card, attach a phone): the staff
    member who opened it, staff whose scope covers the worker, or a counter the card was presented to in
    this session. None (a 404) for anyone else: market counter staff cannot walk the ids to read cards."""
    if not keeps_counter_accounts(actor):
        return None
    account = CounterAccount.objects.select_related("user", "user__scope_unit").filter(pk=pk).first()
    if account is None:
        return None
    if (
        account.created_by_id == actor.pk
        or card_presented(request, account.user_id)
        or CounterAccount.objects.visible_to(actor).filter(pk=pk).exists()
    ):
        return account
    return None


def consent_scan_for(*, actor, pk: int) -> Consent | None:
    """A signed consent form's scan for staff who may read consents of that person (in scope) or the staff
    member who recorded it; None otherwise."""
    consent = Consent.objects.select_related("user").filter(pk=pk).exclude(paper_scan="").first()
    if consent is None or not getattr(actor, "is_authenticated", False):
        return None
    if consent.recorded_by_id == actor.pk:
        return consent
    if (
        actor.has_perm("accounts.view_consent")
        and User.objects.visible_to(actor).filter(pk=consent.user_id).exists()
    ):
        return consent
    return None

"""Scoped reads of people and county systems: staff see the people of their scope (404 for anyone else)."""

from __future__ import annotations

from .models import ApiClient, User


def user_list(*, user):
    return User.objects.visible_to(user).select_related("scope_unit").prefetch_related("role_grants")


def api_client_list(*, user):
    return ApiClient.objects.visible_to(user).select_related("scope_unit")

"""The public arrears blacklist (失信联合惩戒对象名单公示), as bureaus publish it: every employer listed today
with its credit code, the basis and the period; responsible persons by masked name only (ADR 0026)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from ..models import BlacklistEntry


def blacklist_public(request):
    today = timezone.localdate()
    entries = (
        BlacklistEntry.objects.in_force(today)
        .select_related("employer__organization", "employer__scope_unit")
        .prefetch_related("persons")
        .order_by("-listed_from", "-id")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "disputes/blacklist_public.html", {"page": page, "today": today})


urlpatterns = [path("blacklist/", blacklist_public, name="blacklist_public")]

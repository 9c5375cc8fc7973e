"""Reads of policy consultation and career guidance."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from .choices import BookingStatus, QuestionStatus
from .models import GuidanceBooking, GuidanceSlot, PolicyArticle, Question


def article_list_public(*, q: str = "", category: str = ""):
    qs = PolicyArticle.objects.public().select_related("scope_unit")
    if category:
        qs = qs.filter(category=category)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(summary__icontains=q)
            | Q(body__icontains=q)
            | Q(doc_number__icontains=q)
        )
    return qs.order_by("-effective_from", "-id")


def faq_list(*, q: str = "", category: str = ""):
    qs = Question.objects.faq()
    if category:
        qs = qs.filter(category=category)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(faq_question__icontains=q) | Q(faq_answer__icontains=q))
    return qs.order_by("-faq_published_at", "-id")


def question_queue(*, user, status: str = ""):
    """The questions a staff member answers: their scope, open first, the nearest deadline first."""
    qs = Question.objects.visible_to(user).select_related("scope_unit")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status=QuestionStatus.OPEN)
    return qs.order_by("due_at", "id")


def slots_open(*, market=None):
    qs = (
        GuidanceSlot.objects.upcoming()
        .select_related("market", "market__scope_unit")
        .filter(market__status="operating")
        .annotate(booked=Count("bookings", filter=~Q(bookings__status=BookingStatus.CANCELLED)))
    )
    if market is not None:
        qs = qs.filter(market=market)
    return qs.order_by("starts_at", "id")


def bookings_of(user):
    return (
        GuidanceBooking.objects.filter(person=user)
        .select_related("slot", "slot__market")
        .order_by("-slot__starts_at")
    )


def bookings_to_serve(markets):
    since = timezone.now() - dt.timedelta(days=1)
    return (
        GuidanceBooking.objects.filter(slot__market__in=markets, slot__starts_at__gte=since)
        .select_related("slot", "slot__market", "person")
        .order_by("slot__starts_at", "id")
    )

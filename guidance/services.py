"""Writes of policy consultation and career guidance: transactional, audited, workflow steps through the
transition tables. Deadlines are counted in working days (``core.calendar``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.audit import audit_record, snapshot
from core.calendar import SHANGHAI, add_working_days, end_of_day
from core.choices import AuditAction, MessageChannel
from core.errors import DomainError, NotFound, NotPermitted
from core.models import ScopeUnit
from core.notifications import message_queue
from core.permissions import require_access, signed_in
from core.scope import scope_of
from jobs.notifications import notify
from markets.models import Market

from .choices import ArticleStatus, BookingStatus, QuestionChannel, QuestionStatus
from .models import (
    ARTICLE_WORKFLOW,
    BOOKING_WORKFLOW,
    QUESTION_WORKFLOW,
    GuidanceBooking,
    GuidanceSlot,
    PolicyArticle,
    Question,
)
from .permissions import can_answer, can_record_questions, can_serve_market

REMIND_AT = dt.time(9, 0)  # reminders go out at the start of the office day


# --- deadlines ----------------------------------------------------------------------------------------------


def question_deadlines(asked_at: dt.datetime) -> dict:
    """The answer is due ``LINGONG_QUESTION_ANSWER_WORKING_DAYS`` working days after the day it was asked
    (that day not counted), at 24:00 Asia/Shanghai; staff are reminded at 09:00 of the working day
    ``LINGONG_QUESTION_REMIND_WORKING_DAYS`` before the due date."""
    asked_on = timezone.localtime(asked_at, SHANGHAI).date()
    due_on = add_working_days(asked_on, settings.LINGONG_QUESTION_ANSWER_WORKING_DAYS)
    remind_on = add_working_days(due_on, -settings.LINGONG_QUESTION_REMIND_WORKING_DAYS)
    remind_on = max(remind_on, asked_on)
    return {
        "due_on": due_on,
        "due_at": end_of_day(due_on),
        "remind_at": dt.datetime.combine(remind_on, REMIND_AT, tzinfo=SHANGHAI),
    }


# --- policy articles ------------------------------------------------------------------------------------------


@transaction.atomic
def article_publish(*, article: PolicyArticle, actor, request=None) -> PolicyArticle:
    locked = ARTICLE_WORKFLOW.lock(article, queryset=PolicyArticle.objects.visible_to(actor))
    require_access(allowed=actor.has_perm("guidance.change_policyarticle"), visible=True)
    locked.published_at = timezone.now()
    return ARTICLE_WORKFLOW.move(
        locked, ArticleStatus.PUBLISHED, actor=actor, fields=["published_at"], request=request
    )


@transaction.atomic
def article_withdraw(*, article: PolicyArticle, actor, reason: str = "", request=None) -> PolicyArticle:
    locked = ARTICLE_WORKFLOW.lock(article, queryset=PolicyArticle.objects.visible_to(actor))
    require_access(allowed=actor.has_perm("guidance.change_policyarticle"), visible=True)
    return ARTICLE_WORKFLOW.move(locked, ArticleStatus.WITHDRAWN, actor=actor, reason=reason, request=request)


# --- questions --------------------------------------------------------------------------------------------------


def _clean_text(value: str, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(
            _("请填写%(label)s。") % {"label": label}, code="required", fields={field: [_("必填。")]}
        )
    if len(value) > max_length:
        raise DomainError(
            _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length},
            code="too_long",
            fields={field: [_("不能超过 %(n)s 个字。") % {"n": max_length}]},
        )
    return value


@transaction.atomic
def question_ask(
    *,
    actor,
    category: str,
    title: str,
    body: str,
    scope_unit=None,
    asker=None,
    asker_name: str = "",
    contact_phone: str = "",
    channel: str = QuestionChannel.ONLINE,
    request=None,
) -> Question:
    """Record a question. Online: the signed-in person asks for themselves (their own county answers unless
    they choose another). At a counter or on the hotline: staff record it for the person (an account, or a
    name and a number to call back)."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    if channel == QuestionChannel.ONLINE:
        asker, recorded_by = actor, None
    else:
        if not can_record_questions(actor):
            raise NotPermitted()
        recorded_by = actor
        scope = scope_of(actor)
        if scope_unit is not None and not scope.covers(scope_unit.pk):
            raise NotPermitted(_("只能登记本辖区的咨询。"))
        if scope_unit is None and len(scope.unit_ids) == 1:
            scope_unit = ScopeUnit.objects.get(pk=next(iter(scope.unit_ids)))
        if asker is None and not contact_phone:
            raise DomainError(
                _("请留下回复的联系电话。"), code="required", fields={"contact_phone": [_("必填。")]}
            )
    if scope_unit is None:
        scope_unit = getattr(asker, "scope_unit", None)
    if scope_unit is None:
        raise DomainError(_("请选择答复单位。"), code="required", fields={"scope_unit": [_("必填。")]})
    now = timezone.now()
    question = Question(
        scope_unit=scope_unit,
        asker=asker,
        asker_name=(asker_name or "").strip()[:40],
        contact_phone=(contact_phone or "").strip()[:20],
        channel=channel,
        category=category,
        title=_clean_text(title, "title", _("问题摘要"), 100),
        body=_clean_text(body, "body", _("问题详情"), 2000),
        asked_at=now,
        recorded_by=recorded_by,
        **question_deadlines(now),
    )
    question.full_clean(exclude=["asker", "recorded_by", "answered_by"])
    question.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=question,
        after=snapshot(question),
        request=request,
        on_behalf_of=asker if recorded_by else None,
    )
    return question


def _tell_asker(question: Question, body: str, key: str) -> None:
    url = f"/guidance/questions/{question.pk}/"
    if question.asker_id:
        notify(question.asker_id, body, url=url, key=key)
    elif question.contact_phone:
        message_queue(channel=MessageChannel.SMS, to=question.contact_phone, body=body, key=f"{key}:sms")


@transaction.atomic
def question_answer(*, question: Question, actor, answer: str, request=None) -> Question:
    """County staff answer; the asker is told on their channels (an SMS to the callback number for a
    counter question without an account)."""
    locked = QUESTION_WORKFLOW.lock(question, queryset=Question.objects.visible_to(actor))
    require_access(allowed=can_answer(actor, locked), visible=True)
    locked.answer = _clean_text(answer, "answer", _("答复"), 4000)
    locked.answered_by = actor if getattr(actor, "pk", None) else None
    locked.answered_at = timezone.now()
    QUESTION_WORKFLOW.move(
        locked,
        QuestionStatus.ANSWERED,
        actor=actor,
        fields=["answer", "answered_by", "answered_at"],
        request=request,
    )
    _tell_asker(
        locked,
        _("您咨询的“%(title)s”已有答复，请登录查看。") % {"title": locked.title[:30]},
        key=f"question:{locked.pk}:answered",
    )
    return locked


@transaction.atomic
def question_close(*, question: Question, actor, reason: str = "", request=None) -> Question:
    locked = QUESTION_WORKFLOW.lock(question, queryset=Question.objects.visible_to(actor))
    require_access(allowed=can_answer(actor, locked), visible=True)
    return QUESTION_WORKFLOW.move(locked, QuestionStatus.CLOSED, actor=actor, reason=reason, request=request)


@transaction.atomic
def question_publish_faq(
    *, question: Question, actor, faq_question: str, faq_answer: str, request=None
) -> Question:
    """Publish an answered question as FAQ, in the wording staff give it (nothing of the asker's)."""
    locked = QUESTION_WORKFLOW.lock(question, queryset=Question.objects.visible_to(actor))
    require_access(allowed=can_answer(actor, locked), visible=True)
    if locked.status == QuestionStatus.OPEN:
        raise DomainError(_("答复后才能公开为常见问题。"), code="not_answered")
    before = {"faq_published": locked.faq_published}
    locked.faq_question = _clean_text(faq_question, "faq_question", _("公开的问题"), 1000)
    locked.faq_answer = _clean_text(faq_answer, "faq_answer", _("公开的答复"), 4000)
    locked.faq_published = True
    locked.faq_published_at = timezone.now()
    locked.save(
        update_fields=["faq_question", "faq_answer", "faq_published", "faq_published_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=before,
        after={"faq_published": True},
        request=request,
    )
    return locked


def _county_staff(scope_unit_id: int) -> list[int]:
    return list(
        User.objects.filter(
            is_active=True, role_grants__role=Role.COUNTY_STAFF, role_grants__scope_unit_id=scope_unit_id
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def question_remind_due(*, now=None, limit: int = 500) -> int:
    """Tell the county's staff about each open question whose reminder time has come (once per question:
    ``reminded_at`` is set in the same transaction, and the message key makes a rerun send nothing)."""
    now = now or timezone.now()
    done = 0
    staff_of: dict[int, list[int]] = {}  # one query per county, not per question
    for pk in list(Question.objects.due_for_reminder(now).values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            question = (
                Question.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=QuestionStatus.OPEN, reminded_at__isnull=True)
                .first()
            )
            if question is None:
                continue
            question.reminded_at = now
            question.save(update_fields=["reminded_at", "updated_at"])
            body = _("政策咨询“%(title)s”将于 %(due)s 到期，请及时答复。") % {
                "title": question.title[:30],
                "due": f"{question.due_on:%Y-%m-%d}",
            }
            if question.scope_unit_id not in staff_of:
                staff_of[question.scope_unit_id] = _county_staff(question.scope_unit_id)
            for user_id in staff_of[question.scope_unit_id]:
                message_queue(
                    channel=MessageChannel.INBOX,
                    to=str(user_id),
                    body=body,
                    url=f"/guidance/counter/questions/{question.pk}/",
                    key=f"question:{question.pk}:remind:{user_id}",
                )
            done += 1
    return done


# --- career-guidance appointments ---------------------------------------------------------------------------------


@transaction.atomic
def slot_create(*, market: Market, actor, data: dict, request=None) -> GuidanceSlot:
    require_access(allowed=can_serve_market(actor, market), visible=True)
    slot = GuidanceSlot(market=market, **data)
    slot.full_clean()
    slot.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=slot, after=snapshot(slot), request=request)
    return slot


@transaction.atomic
def booking_create(*, slot: GuidanceSlot, person, actor, need: str = "", request=None) -> GuidanceBooking:
    """Book a place; the slot row is locked so that capacity holds under concurrency. Staff at a counter
    may book for a person (recorded as assisted)."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    assisted = actor.pk != person.pk
    slot = GuidanceSlot.objects.select_for_update().select_related("market").filter(pk=slot.pk).first()
    if slot is None:
        raise NotFound()
    if assisted and not can_serve_market(actor, slot.market):
        raise NotPermitted()
    if not slot.is_open or slot.starts_at <= timezone.now():
        raise DomainError(_("该时段已不能预约。"), code="slot_closed")
    if slot.bookings.live().count() >= slot.capacity:
        raise DomainError(_("该时段已约满，请选择其他时段。"), code="slot_full")
    booking = GuidanceBooking(
        slot=slot,
        person=person,
        need=(need or "").strip()[:200],
        assisted=assisted,
        recorded_by=actor if assisted else None,
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        raise DomainError(_("您已预约过这个时段。"), code="already_booked") from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=booking,
        after=snapshot(booking),
        request=request,
        on_behalf_of=person if assisted else None,
    )
    return booking


@transaction.atomic
def booking_cancel(*, booking: GuidanceBooking, actor, request=None) -> GuidanceBooking:
    locked = BOOKING_WORKFLOW.lock(booking, queryset=GuidanceBooking.objects.visible_to(actor))
    require_access(
        allowed=locked.person_id == getattr(actor, "pk", None) or can_serve_market(actor, locked.slot.market),
        visible=True,
    )
    return BOOKING_WORKFLOW.move(locked, BookingStatus.CANCELLED, actor=actor, request=request)


@transaction.atomic
def booking_record(
    *, booking: GuidanceBooking, actor, attended: bool, guidance_given: str = "", request=None
) -> GuidanceBooking:
    """The counter records whether the person came and, if so, the guidance given."""
    locked = BOOKING_WORKFLOW.lock(booking, select_related=("slot__market",))
    allowed = can_serve_market(actor, locked.slot.market)
    visible = allowed or GuidanceBooking.objects.visible_to(actor).filter(pk=locked.pk).exists()
    require_access(allowed=allowed, visible=visible)
    if attended:
        locked.guidance_given = _clean_text(guidance_given, "guidance_given", _("指导内容"), 2000)
    locked.recorded_by = actor
    return BOOKING_WORKFLOW.move(
        locked,
        BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW,
        actor=actor,
        on_behalf_of=locked.person,
        fields=["guidance_given", "recorded_by"],
        request=request,
    )

"""Policy consultation (政策咨询) and career guidance (职业指导), notice §5: policy articles staff publish,
questions anyone asks online or at a counter (answered within a number of working days), answered questions
published anonymised as FAQ, and career-guidance appointments at a market's counter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import masking
from core.models import ScopeUnit, TimeStampedModel, TransitionEvent
from core.scope import ScopedQuerySet
from core.workflow import Workflow
from markets.models import Market

from .choices import (
    ARTICLE_TRANSITIONS,
    BOOKING_TRANSITIONS,
    QUESTION_TRANSITIONS,
    ArticleStatus,
    BookingStatus,
    PolicyCategory,
    QuestionChannel,
    QuestionStatus,
)
from .validators import validate_attachment


class PolicyArticleQuerySet(ScopedQuerySet):
    def public(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=ArticleStatus.PUBLISHED, effective_from__lte=today).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )


class PolicyArticle(TimeStampedModel):
    """A policy as staff publish it for workers and employers: the document's number (文号) and issuer, its
    effective dates, a plain-language summary and the text. City-wide when no county is set."""

    scope_field = "scope_unit"

    scope_unit = models.ForeignKey(
        ScopeUnit,
        verbose_name=_("县（市、区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_articles",
        help_text=_("留空表示全市适用"),
    )
    title = models.CharField(_("标题"), max_length=120)
    category = models.CharField(_("类别"), max_length=20, choices=PolicyCategory.choices)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=80, blank=True)
    effective_from = models.DateField(_("施行日期"))
    expires_on = models.DateField(_("失效日期"), null=True, blank=True)
    summary = models.TextField(_("要点解读"), max_length=1000, blank=True)
    body = models.TextField(_("正文"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = PolicyArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策文章")
        verbose_name_plural = _("政策文章")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ArticleStatus.values), name="policy_status_valid"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("effective_from")),
                name="policy_expires_after_effective",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PolicyArticleEvent(TransitionEvent):
    subject_field = "article"

    article = models.ForeignKey(
        PolicyArticle, verbose_name=_("政策文章"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ArticleStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ArticleStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("政策发布记录")
        verbose_name_plural = _("政策发布记录")


ARTICLE_WORKFLOW = Workflow(
    model=PolicyArticle, table=ARTICLE_TRANSITIONS, event_model=PolicyArticleEvent, subject="article"
)


class PolicyAttachment(models.Model):
    """The original document (PDF, Word, Excel or an image), served only while its article is public."""

    article = models.ForeignKey(
        PolicyArticle, verbose_name=_("政策文章"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("附件名称"), max_length=120)
    file = models.FileField(_("文件"), upload_to="guidance/policies/%Y/", validators=[validate_attachment])
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("政策附件")
        verbose_name_plural = _("政策附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class QuestionQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(asker=user)

    def faq(self):
        return self.filter(faq_published=True).exclude(faq_answer="")

    def due_for_reminder(self, now=None):
        now = now or timezone.now()
        return self.filter(status=QuestionStatus.OPEN, reminded_at__isnull=True, remind_at__lte=now)


class Question(TimeStampedModel):
    """A policy question (政策咨询) asked online, at a counter or by phone, answered by the county's staff
    within the configured number of working days (``due_at``: 24:00 of the due date, Asia/Shanghai)."""

    scope_field = "scope_unit"
    personal_fields = {"asker_name": masking.NAME, "contact_phone": masking.PHONE}

    scope_unit = models.ForeignKey(
        ScopeUnit, verbose_name=_("答复单位"), on_delete=models.PROTECT, related_name="policy_questions"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("咨询人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="policy_questions",
    )
    asker_name = models.CharField(_("咨询人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=QuestionChannel.choices)
    category = models.CharField(_("类别"), max_length=20, choices=PolicyCategory.choices)
    title = models.CharField(_("问题摘要"), max_length=100)
    body = models.TextField(_("问题详情"), max_length=2000)
    status = models.CharField(
        _("状态"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    asked_at = models.DateTimeField(_("提问时间"), default=timezone.now)
    due_on = models.DateField(_("答复期限"))
    due_at = models.DateTimeField(_("答复截止"))
    remind_at = models.DateTimeField(_("提醒时间"))
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("答复"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    faq_published = models.BooleanField(_("作为常见问题公开"), default=False)
    faq_question = models.TextField(_("公开的问题（已去除个人信息）"), max_length=1000, blank=True)
    faq_answer = models.TextField(_("公开的答复"), max_length=4000, blank=True)
    faq_published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策咨询")
        verbose_name_plural = _("政策咨询")
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["status", "remind_at"], name="question_reminder_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=QuestionStatus.values), name="question_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=QuestionChannel.values), name="question_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == QuestionStatus.OPEN and timezone.now() >= self.due_at


class QuestionEvent(TransitionEvent):
    subject_field = "question"

    question = models.ForeignKey(
        Question, verbose_name=_("咨询"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=QuestionStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=QuestionStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("咨询处理记录")
        verbose_name_plural = _("咨询处理记录")


QUESTION_WORKFLOW = Workflow(
    model=Question, table=QUESTION_TRANSITIONS, event_model=QuestionEvent, subject="question"
)


class GuidanceSlotQuerySet(ScopedQuerySet):
    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now(), is_open=True)


class GuidanceSlot(TimeStampedModel):
    """A time at a market's counter when a career counsellor (职业指导师) sees people who booked."""

    scope_field = "market__scope_unit"

    market = models.ForeignKey(
        Market, verbose_name=_("市场"), on_delete=models.PROTECT, related_name="guidance_slots"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"), default=4)
    counsellor = models.CharField(_("职业指导师"), max_length=40)
    topic = models.CharField(
        _("主题"), max_length=80, blank=True, help_text=_("例：求职指导、技能提升、新就业形态")
    )
    is_open = models.BooleanField(_("开放预约"), default=True)

    objects = GuidanceSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("职业指导时段")
        verbose_name_plural = _("职业指导时段")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.market} {timezone.localtime(self.starts_at):%m-%d %H:%M}"


class BookingQuerySet(ScopedQuerySet):
    def owner_q(self, user):
        return Q(person=user)

    def live(self):
        return self.exclude(status=BookingStatus.CANCELLED)


class GuidanceBooking(TimeStampedModel):
    """One person's appointment in a slot; the counter records attendance and the guidance given."""

    scope_field = "slot__market__scope_unit"

    slot = models.ForeignKey(
        GuidanceSlot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="bookings"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        related_name="guidance_bookings",
    )
    need = models.CharField(_("想咨询的问题"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    assisted = models.BooleanField(_("窗口代办"), default=False)
    guidance_given = models.TextField(_("指导内容"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("职业指导预约")
        verbose_name_plural = _("职业指导预约")
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=~Q(status=BookingStatus.CANCELLED),
                name="booking_one_live_per_person_and_slot",
            ),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} · {self.person_id}"


class BookingEvent(TransitionEvent):
    subject_field = "booking"

    booking = models.ForeignKey(
        GuidanceBooking, verbose_name=_("预约"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=BookingStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=BookingStatus.choices)
    reason = models.TextField(_("原因"), blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("预约记录")
        verbose_name_plural = _("预约记录")


BOOKING_WORKFLOW = Workflow(
    model=GuidanceBooking, table=BOOKING_TRANSITIONS, event_model=BookingEvent, subject="booking"
)

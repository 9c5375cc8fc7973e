"""Ratings both ways (双向评价): after a work order is completed (approved or settled), the worker rates the
employer and the employer rates the worker, once each, 1–5 stars with tags from a fixed list. The rated
party may appeal a rating once, with a reason; county staff in scope uphold or remove it (audited). A
removed rating no longer counts (``Rating.counts``) in ``work.selectors.ratings``. The appeal is a workflow
of its own (``APPEAL_WORKFLOW`` over ``Rating.appeal_outcome``: table, event row, audit row)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.permissions import require_access
from core.scope import scope_of

from ..choices import AppealOutcome, RatingDirection, WorkOrderStatus
from ..models import APPEAL_WORKFLOW, Rating, WorkOrder
from ..permissions import is_rating_staff
from ..selectors import effective_status
from .records import refresh_worker_records

COMPLETED = frozenset({WorkOrderStatus.APPROVED, WorkOrderStatus.SETTLED})

# Tags an employer may give a worker, and a worker an employer: stored as the Chinese label, marked for
# translation and translated on display.
WORKER_TAGS = (
    gettext_noop("准时"),
    gettext_noop("技术好"),
    gettext_noop("活儿干净"),
    gettext_noop("态度好"),
    gettext_noop("沟通顺畅"),
    gettext_noop("吃苦耐劳"),
    gettext_noop("迟到"),
    gettext_noop("返工"),
)
EMPLOYER_TAGS = (
    gettext_noop("结算及时"),
    gettext_noop("态度好"),
    gettext_noop("沟通顺畅"),
    gettext_noop("描述属实"),
    gettext_noop("安全防护到位"),
    gettext_noop("按时开工"),
    gettext_noop("拖延结算"),
    gettext_noop("与描述不符"),
)
TAGS = {
    RatingDirection.EMPLOYER_TO_WORKER: WORKER_TAGS,
    RatingDirection.WORKER_TO_EMPLOYER: EMPLOYER_TAGS,
}
MAX_TAGS = 5


def tag_values(direction: str) -> list[str]:
    """The stored values (the untranslated Chinese labels) of the tags allowed in ``direction``."""
    return list(TAGS[direction])


@transaction.atomic
def rating_create(
    *, work_order: WorkOrder, actor, stars: int, tags=(), comment: str = "", request=None
) -> Rating:
    """The worker or the employer of a completed work order rates the other party, once."""
    order = WorkOrder.objects.select_related("posting__employer").get(pk=work_order.pk)
    employer_user_id = order.posting.employer.user_id
    if actor.pk == order.worker_id:
        direction, ratee_id = RatingDirection.WORKER_TO_EMPLOYER, employer_user_id
    elif actor.pk == employer_user_id:
        direction, ratee_id = RatingDirection.EMPLOYER_TO_WORKER, order.worker_id
    else:
        require_access(
            allowed=False,
            visible=scope_of(actor).covers(order.posting.scope_unit_id),
            message=_("只有用工单的双方可以评价。"),
        )
    if effective_status(order) not in COMPLETED:
        raise InvalidTransition(_("用工单完工（确认工时）后才能评价。"))
    errors = {}
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        errors["stars"] = [_("星级须为1到5。")]
    tags = list(dict.fromkeys(tags or []))
    allowed = tag_values(direction)
    bad = [t for t in tags if t not in allowed]
    if bad:
        errors["tags"] = [_("不可用的标签：%(tags)s") % {"tags": _("、").join(bad)}]
    elif len(tags) > MAX_TAGS:
        errors["tags"] = [_("最多选择%(n)s个标签。") % {"n": MAX_TAGS}]
    if errors:
        raise DomainError(fields=errors)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                work_order=order,
                direction=direction,
                rater=actor,
                ratee_id=ratee_id,
                stars=stars,
                tags=tags,
                comment=comment[:300],
            )
    except IntegrityError:
        raise DomainError(_("您已评价过这个用工单。"), code="already_rated") from None
    if direction == RatingDirection.EMPLOYER_TO_WORKER:
        refresh_worker_records([ratee_id])  # the rating matching reads
    audit_record(actor=actor, action=AuditAction.CREATE, obj=rating, after=snapshot(rating), request=request)
    return rating


@transaction.atomic
def rating_appeal(*, rating: Rating, actor, reason: str, request=None) -> Rating:
    """The rated party appeals a rating to staff, once, with a reason."""
    rating = APPEAL_WORKFLOW.lock(rating)
    require_access(
        allowed=actor.pk == rating.ratee_id,
        visible=actor.pk == rating.rater_id or scope_of(actor).covers(_unit_id(rating)),
        message=_("只有被评价人可以申诉。"),
    )
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(fields={"reason": [_("请写明申诉理由。")]})
    if rating.appeal_outcome != AppealOutcome.NONE or rating.appealed_at is not None:
        raise InvalidTransition(_("每条评价只能申诉一次。"))
    rating.appeal_reason, rating.appealed_at = reason[:300], timezone.now()
    return APPEAL_WORKFLOW.move(
        rating,
        AppealOutcome.PENDING,
        actor=actor,
        reason=reason,
        fields=("appeal_reason", "appealed_at"),
        request=request,
    )


def _unit_id(rating: Rating) -> int:
    return (
        WorkOrder.objects.filter(pk=rating.work_order_id)
        .values_list("posting__scope_unit_id", flat=True)
        .get()
    )


@transaction.atomic
def rating_decide_appeal(*, rating: Rating, actor, outcome: str, note: str = "", request=None) -> Rating:
    """County staff in scope decide a pending appeal: the rating is upheld, or removed (it stops counting)."""
    rating = APPEAL_WORKFLOW.lock(rating)
    in_scope = scope_of(actor).covers(_unit_id(rating))
    if not in_scope:
        require_access(
            allowed=False,
            visible=actor.pk in (rating.rater_id, rating.ratee_id),
            message=_("申诉由工作人员处理。"),
        )
    require_access(allowed=is_rating_staff(actor), visible=True)
    if outcome not in (AppealOutcome.UPHELD, AppealOutcome.REMOVED):
        raise DomainError(fields={"outcome": [_("请选择维持或撤销。")]})
    if rating.appeal_outcome != AppealOutcome.PENDING:
        raise InvalidTransition(_("这条评价没有待处理的申诉。"))
    rating.appeal_decided_by, rating.appeal_decided_at = actor, timezone.now()
    APPEAL_WORKFLOW.move(
        rating,
        outcome,
        actor=actor,
        reason=note,
        fields=("appeal_decided_by", "appeal_decided_at"),
        request=request,
    )
    if rating.direction == RatingDirection.EMPLOYER_TO_WORKER and outcome == AppealOutcome.REMOVED:
        refresh_worker_records([rating.ratee_id])
    return rating

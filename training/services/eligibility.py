"""The training-subsidy calculator: a pure, explainable reading of the records (it writes nothing).

``assess(worker, item, training_date, …)`` answers whether a completion of ``item`` is subsidised for
``worker`` and how much, with every figure it used, so a claim stores the calculation and a reviewer (or the
person) can follow it. The rules are data in force on the training date (the class's first day):

- **the person's category** (``jobs.PersonCategory``) in force on the training date; one of the eligible
  categories (``ELIGIBLE_CATEGORIES``) is needed. Without a recorded one, new-form work is *derived* from the
  work history: a settled work order in the ``DERIVE_MONTHS`` months before the training date whose posting's
  occupation is new-form work (``NEW_FORM_OCCUPATIONS``: rider, ride-hailing, live selling). Nothing on record
  and nothing derived → unknown, needs the category (never a silent no).
- **the rate row** (``CatalogueRate``) in force on the training date, the county's row preferred over the
  city-wide one; the **claim rule** (``ClaimRule``) in force on the training date;
- ``same_level_once``: any earlier claim of the person for the same occupation and level that is not withdrawn
  (by any claimant kind: a claim paid to an institution or an employer counts against the person) refuses;
- ``higher_level_held``: for a ranked level (五级 … 一级; ``LEVEL_RANK``), a training certificate of a higher
  level in the same occupation, or an earlier live claim for one, refuses. Unranked items (special operations,
  special abilities, training certificates) are not compared with levels;
- ``yearly_limit``: the person's live claims whose training date falls in the same calendar year as this one
  are counted; at most ``claims_per_year`` (``claims_per_year_shortage`` when this rate row is a shortage
  occupation, 急需紧缺);
- ``claim_window``: the claim date is at most ``claim_window_months`` calendar months after the certificate
  date (the same day of the month, or the month's last day when it has fewer days): 2025-08-10 → last day
  2026-08-10; 2026-08-11 is too late. No certificate date → unknown, needs it;
- **amount**: ``employed_rate`` when the row has one and the person has a settled work order with a work date
  in (completion, completion + ``employment_window_months``]; the plain ``rate`` otherwise — also while the
  window is still open and no work is on record yet (said so in the reasons: the higher rate may apply
  later). The amount is then capped by the row's ``cap``, and by the class fee when the fee is set (non-zero)
  and lower: the subsidy never pays more than the person was charged (a free class is not capped by its fee).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import ScopeUnit
from jobs.choices import PersonCategoryKind, PersonCategorySource
from jobs.models import PersonCategory
from work.choices import WorkOrderStatus
from work.models import WorkOrder

from ..choices import LEVEL_RANK, ClaimStatus, SkillLevel
from ..models import CatalogueItem, CatalogueRate, ClaimRule, TrainingCertificate, TrainingClaim

ELIGIBLE_CATEGORIES = (
    PersonCategoryKind.REGISTERED_UNEMPLOYED,
    PersonCategoryKind.RURAL_MIGRANT,
    PersonCategoryKind.FLEXIBLE,
    PersonCategoryKind.NEW_FORM,
    PersonCategoryKind.HARD_TO_EMPLOY,
    PersonCategoryKind.GRADUATE,
)
# occupations (jobs.Occupation codes) whose settled work makes a person a new-form worker
NEW_FORM_OCCUPATIONS = {
    "rider": "rider",
    "ride_hailing": "driver",
    "live_seller": "streamer",
    "live_assistant": "streamer",
}
DERIVE_MONTHS = 12
SOURCE_RANK = {PersonCategorySource.STAFF_VERIFIED: 0, PersonCategorySource.SELF_DECLARED: 1}

NEED_CATEGORY = "category"
NEED_CERTIFICATE_DATE = "certificate_date"
NEED_CLAIM_RULE = "claim_rule"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the month's last day (as PostgreSQL's interval)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


@dataclass(frozen=True)
class Assessment:
    """The calculator's answer. ``eligible`` is True, False, or None (unknown: ``needs`` names the missing
    data). ``reasons`` are (rule code, plain words) for every rule applied; ``refused`` the codes that
    refused."""

    eligible: bool | None
    amount: Decimal | None
    worker_id: int
    item_id: int
    occupation: str
    level: str
    training_date: dt.date
    certificate_date: dt.date | None
    claim_date: dt.date
    completed_on: dt.date | None
    category: str = ""
    category_source: str = ""
    new_form_kind: str = ""
    category_row_id: int | None = None
    rate: dict | None = None
    rule_version: str = ""
    rule: dict | None = None
    claims_this_year: int = 0
    yearly_limit: int | None = None
    prior_same_level: tuple[int, ...] = ()
    higher_levels_held: tuple[str, ...] = ()
    months_since_certificate: int | None = None
    claim_deadline: dt.date | None = None
    employed_within_window: bool | None = None
    employment_window_ends: dt.date | None = None
    base_amount: Decimal | None = None
    fee: Decimal | None = None
    reasons: tuple[tuple[str, str], ...] = ()
    refused: tuple[str, ...] = ()
    needs: tuple[str, ...] = field(default=())

    @property
    def rule_versions(self) -> str:
        """What a claim stores as its rule version: the rate row and the claim rule."""
        if not self.rate:
            return self.rule_version
        return f"rate#{self.rate['id']}@{self.rate['effective_from']}+{self.rule_version}"

    def as_json(self) -> dict:
        data = asdict(self)

        def plain(value):
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        data = {k: plain(v) for k, v in data.items()}
        data["rule_versions"] = self.rule_versions
        return data


def category_on(worker, day: dt.date):
    """The person's recorded category in force on ``day`` (an eligible one first, staff-verified before
    self-declared, the latest start first), or None."""
    rows = list(PersonCategory.objects.on(day).filter(user_id=worker.pk))
    if not rows:
        return None
    rows.sort(
        key=lambda r: (
            r.category not in ELIGIBLE_CATEGORIES,
            SOURCE_RANK.get(r.source, 2),
            -r.valid_from.toordinal(),
            -r.pk,
        )
    )
    return rows[0]


def derived_new_form(worker, day: dt.date) -> str:
    """The new-form kind (rider, driver, streamer) shown by settled work in the ``DERIVE_MONTHS`` months
    before ``day``, or ""."""
    code = (
        WorkOrder.objects.filter(
            worker_id=worker.pk,
            status=WorkOrderStatus.SETTLED,
            work_date__gte=add_months(day, -DERIVE_MONTHS),
            work_date__lt=day,
            posting__occupation__code__in=list(NEW_FORM_OCCUPATIONS),
        )
        .order_by("-work_date")
        .values_list("posting__occupation__code", flat=True)
        .first()
    )
    return NEW_FORM_OCCUPATIONS.get(code, "") if code else ""


def rate_on(item: CatalogueItem, day: dt.date, county: ScopeUnit | None):
    return CatalogueRate.objects.in_force(item.pk, county.pk if county else None, day)


def _live_claims(worker_id: int, exclude_enrollment_id: int | None):
    claims = TrainingClaim.objects.filter(enrollment__worker_id=worker_id).exclude(
        status=ClaimStatus.WITHDRAWN
    )
    if exclude_enrollment_id:
        claims = claims.exclude(enrollment_id=exclude_enrollment_id)
    return claims


def assess(
    worker,
    catalogue_item: CatalogueItem,
    training_date: dt.date,
    certificate_date: dt.date | None = None,
    claim_date: dt.date | None = None,
    county: ScopeUnit | None = None,
    *,
    completed_on: dt.date | None = None,
    fee: Decimal | None = None,
    exclude_enrollment_id: int | None = None,
) -> Assessment:
    """Assess a completion of ``catalogue_item`` by ``worker`` (see the module's docstring for the rules).
    ``completed_on`` (default: the certificate date, else the training date) anchors the employment window;
    ``fee`` is the class fee; ``exclude_enrollment_id`` leaves the enrollment's own claim out of the counts."""
    claim_date = claim_date or timezone.localdate()
    completed_on = completed_on or certificate_date or training_date
    item = catalogue_item
    reasons: list[tuple[str, str]] = []
    refused: list[str] = []
    needs: list[str] = []
    facts: dict = {}

    # the person's category on the training date
    row = category_on(worker, training_date)
    if row is not None and row.category in ELIGIBLE_CATEGORIES:
        facts.update(
            category=row.category,
            category_source=row.source,
            new_form_kind=row.new_form_kind,
            category_row_id=row.pk,
        )
        reasons.append(
            (
                "category",
                _("培训开始日（%(day)s）的人员类别：%(category)s（%(source)s，自 %(start)s 起）。")
                % {
                    "day": training_date,
                    "category": row.get_category_display(),
                    "source": row.get_source_display(),
                    "start": row.valid_from,
                },
            )
        )
    else:
        kind = derived_new_form(worker, training_date)
        if kind:
            facts.update(
                category=PersonCategoryKind.NEW_FORM,
                category_source=PersonCategorySource.DERIVED_FROM_WORK,
                new_form_kind=kind,
            )
            reasons.append(
                (
                    "category",
                    _("培训开始日前%(n)s个月内有已结算的新就业形态用工记录，按新就业形态劳动者认定。")
                    % {"n": DERIVE_MONTHS},
                )
            )
        elif row is not None:
            facts.update(category=row.category, category_source=row.source, category_row_id=row.pk)
            refused.append("category_not_eligible")
            reasons.append(
                (
                    "category_not_eligible",
                    _("培训开始日的人员类别“%(category)s”不在培训补贴对象范围内。")
                    % {"category": row.get_category_display()},
                )
            )
        else:
            needs.append(NEED_CATEGORY)
            reasons.append(
                (
                    "category_missing",
                    _(
                        "培训开始日（%(day)s）没有登记人员类别，也没有可推定的用工记录：需要工作人员登记人员类别。"
                    )
                    % {"day": training_date},
                )
            )

    # the rate row and the claim rule in force on the training date
    rate = rate_on(item, training_date, county)
    if rate is None:
        refused.append("not_in_catalogue")
        reasons.append(("not_in_catalogue", _("培训开始日该项目没有有效的补贴标准，不属于补贴目录。")))
    else:
        facts["rate"] = {
            "id": rate.pk,
            "effective_from": rate.effective_from,
            "scope_unit_id": rate.scope_unit_id,
            "rate": rate.rate,
            "cap": rate.cap,
            "employed_rate": rate.employed_rate,
            "shortage": rate.shortage,
            "source": rate.source,
        }
        reasons.append(
            (
                "rate",
                _("适用 %(start)s 起施行的%(where)s标准：每人 %(rate)s 元%(shortage)s。")
                % {
                    "start": rate.effective_from,
                    "where": _("本县") if rate.scope_unit_id else _("全市"),
                    "rate": rate.rate,
                    "shortage": _("（急需紧缺工种）") if rate.shortage else "",
                },
            )
        )
    rule = ClaimRule.objects.effective_on(training_date).order_by("-effective_from", "-pk").first()
    if rule is None:
        needs.append(NEED_CLAIM_RULE)
        reasons.append(("claim_rule_missing", _("培训开始日没有有效的补贴申领规则。")))
    else:
        facts["rule_version"] = rule.version
        facts["rule"] = {
            "version": rule.version,
            "effective_from": rule.effective_from,
            "claims_per_year": rule.claims_per_year,
            "claims_per_year_shortage": rule.claims_per_year_shortage,
            "claim_window_months": rule.claim_window_months,
            "employment_window_months": rule.employment_window_months,
        }

    live = _live_claims(worker.pk, exclude_enrollment_id).select_related("enrollment__training_class__item")
    live = list(live)
    # same occupation and level once
    same = [
        c.pk
        for c in live
        if c.enrollment.training_class.item.occupation_id == item.occupation_id
        and c.enrollment.training_class.item.level == item.level
    ]
    facts["prior_same_level"] = tuple(same)
    if same:
        refused.append("same_level_once")
        reasons.append(
            (
                "same_level_once",
                _(
                    "同一职业（工种）同一等级只能享受一次培训补贴：已有申领 %(ids)s（不论由本人、培训机构或用人单位申领）。"
                )
                % {"ids": "、".join(f"#{pk}" for pk in same)},
            )
        )
    else:
        reasons.append(("same_level_once", _("此前没有同一职业同一等级的补贴申领。")))

    # a higher level held blocks a lower one
    rank = LEVEL_RANK.get(item.level, 0)
    if item.level != SkillLevel.NONE:
        held = set()
        certificates = TrainingCertificate.objects.filter(
            enrollment__worker_id=worker.pk,
            enrollment__training_class__item__occupation_id=item.occupation_id,
            issued_on__lte=claim_date,
        ).values_list("level", flat=True)
        for level in certificates:
            if level != SkillLevel.NONE and LEVEL_RANK.get(level, 0) > rank:
                held.add(level)
        for c in live:
            other = c.enrollment.training_class.item
            if other.occupation_id == item.occupation_id and LEVEL_RANK.get(other.level, 0) > rank:
                held.add(other.level)
        facts["higher_levels_held"] = tuple(sorted(held, key=lambda lv: LEVEL_RANK.get(lv, 0)))
        if held:
            refused.append("higher_level_held")
            reasons.append(
                (
                    "higher_level_held",
                    _("已取得或已申领同一职业更高等级（%(levels)s），不再补贴较低等级。")
                    % {"levels": "、".join(str(SkillLevel(lv).label) for lv in facts["higher_levels_held"])},
                )
            )

    # claims a year
    if rule is not None:
        limit = rule.claims_per_year_shortage if rate is not None and rate.shortage else rule.claims_per_year
        counted = sum(1 for c in live if c.enrollment.training_class.starts_on.year == training_date.year)
        facts.update(claims_this_year=counted, yearly_limit=limit)
        if counted >= limit:
            refused.append("yearly_limit")
            reasons.append(
                (
                    "yearly_limit",
                    _("%(year)s年已申领 %(n)s 次，已达每年 %(limit)s 次的上限。")
                    % {"year": training_date.year, "n": counted, "limit": limit},
                )
            )
        else:
            reasons.append(
                (
                    "yearly_limit",
                    _("%(year)s年已申领 %(n)s 次，每年最多 %(limit)s 次。")
                    % {"year": training_date.year, "n": counted, "limit": limit},
                )
            )

    # within the claim window of the certificate
    if certificate_date is None:
        needs.append(NEED_CERTIFICATE_DATE)
        reasons.append(("certificate_missing", _("还没有证书日期：取得证书后才能申领。")))
    elif rule is not None:
        deadline = add_months(certificate_date, rule.claim_window_months)
        facts.update(
            claim_deadline=deadline,
            months_since_certificate=whole_months_between(certificate_date, claim_date),
        )
        if claim_date > deadline:
            refused.append("claim_window")
            reasons.append(
                (
                    "claim_window",
                    _("须在取得证书后 %(n)s 个月内申领（最迟 %(deadline)s），现已超过期限。")
                    % {"n": rule.claim_window_months, "deadline": deadline},
                )
            )
        else:
            reasons.append(
                (
                    "claim_window",
                    _("在取得证书后 %(n)s 个月的申领期限内（最迟 %(deadline)s）。")
                    % {"n": rule.claim_window_months, "deadline": deadline},
                )
            )

    # the amount
    amount = None
    if rate is not None and rule is not None:
        window_ends = add_months(completed_on, rule.employment_window_months)
        worked = WorkOrder.objects.filter(
            worker_id=worker.pk,
            status=WorkOrderStatus.SETTLED,
            work_date__gt=completed_on,
            work_date__lte=window_ends,
        ).exists()
        employed = True if worked else (False if claim_date > window_ends else None)
        facts.update(employed_within_window=employed, employment_window_ends=window_ends)
        base = rate.rate
        if rate.employed_rate is not None:
            if employed:
                base = rate.employed_rate
                reasons.append(
                    (
                        "employed_rate",
                        _("结业后 %(n)s 个月内有已结算的用工记录，按就业标准 %(rate)s 元计算。")
                        % {"n": rule.employment_window_months, "rate": rate.employed_rate},
                    )
                )
            elif employed is None:
                reasons.append(
                    (
                        "employed_rate",
                        _(
                            "结业后就业期限（至 %(end)s）尚未届满且暂无用工记录：先按基本标准 %(rate)s 元计算。"
                        )
                        % {"end": window_ends, "rate": rate.rate},
                    )
                )
            else:
                reasons.append(
                    (
                        "employed_rate",
                        _("结业后 %(n)s 个月内没有已结算的用工记录，按基本标准 %(rate)s 元计算。")
                        % {"n": rule.employment_window_months, "rate": rate.rate},
                    )
                )
        amount = base
        if rate.cap is not None and amount > rate.cap:
            amount = rate.cap
            reasons.append(("cap", _("超过每人补贴上限，按上限 %(cap)s 元计算。") % {"cap": rate.cap}))
        if fee is not None and fee > 0 and fee < amount:
            amount = fee
            reasons.append(
                ("fee_cap", _("补贴不超过实际收取的培训费，按培训费 %(fee)s 元计算。") % {"fee": fee})
            )
        amount = amount.quantize(Decimal("0.01"))
        facts["base_amount"] = base

    if refused:
        eligible = False
    elif needs:
        eligible = None
    else:
        eligible = True
    return Assessment(
        eligible=eligible,
        amount=amount if eligible else (amount if eligible is None else None),
        worker_id=worker.pk,
        item_id=item.pk,
        occupation=item.occupation.code,
        level=item.level,
        training_date=training_date,
        certificate_date=certificate_date,
        claim_date=claim_date,
        completed_on=completed_on,
        fee=fee,
        reasons=tuple(reasons),
        refused=tuple(refused),
        needs=tuple(needs),
        **facts,
    )


NEED_LABELS = {
    NEED_CATEGORY: gettext_lazy("培训开始日的人员类别"),
    NEED_CERTIFICATE_DATE: gettext_lazy("证书日期"),
    NEED_CLAIM_RULE: gettext_lazy("有效的补贴申领规则"),
}


def need_labels(needs) -> list[str]:
    return [str(NEED_LABELS.get(n, n)) for n in needs]


def assess_enrollment(enrollment, *, claim_date: dt.date | None = None) -> Assessment:
    """The calculator for a completed enrollment: its class's first day, item, county and fee, its
    certificate date and completion date; its own claim left out of the counts."""
    training_class = enrollment.training_class
    certificate = enrollment.certificate if _has(enrollment, "certificate") else None
    result = enrollment.result if _has(enrollment, "result") else None
    return assess(
        enrollment.worker,
        training_class.item,
        training_class.starts_on,
        certificate_date=certificate.issued_on if certificate else None,
        claim_date=claim_date,
        county=training_class.scope_unit,
        completed_on=result.completed_on if result and result.completed_on else None,
        fee=training_class.fee,
        exclude_enrollment_id=enrollment.pk,
    )


def _has(obj, name: str) -> bool:
    try:
        getattr(obj, name)
    except ObjectDoesNotExist:  # a missing reverse one-to-one
        return False
    return True

"""Jobs services at the service level: minimum wage, the posting review workflow and its keyword screen,
expiry, licensed occupations and minors, applications and counter/referral service. Every test asserts the
stored state (refresh_from_db, event rows, audit rows), not only the answer."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.choices import Role
from core.choices import AuditAction, ScopeUnitKind
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog, Division, MinimumWageTier, ScopeUnit
from jobs import selectors, services
from jobs.choices import ApplicationSource, ApplicationStatus, PostingStatus, ReportReason, WageUnit
from jobs.models import (
    Application,
    ApplicationEvent,
    Certificate,
    EmployerProfile,
    Occupation,
    Posting,
    PostingEvent,
    PostingReport,
)
from tests.accounts.factories import UserFactory

from .factories import (
    draft_posting,
    make_employer,
    make_worker,
    occupation,
    posting_data,
    published_posting,
    worker_profile,
)

pytestmark = pytest.mark.django_db

FULL_CHECKLIST = {key: True for key, _label in services.REVIEW_CHECKLIST}
FEE_LABEL = "向劳动者收费或押金"


def ensure_jobs_seed() -> None:
    """The occupations and minimum wages that migration 0002 seeds (a transactional test flushes them)."""
    if not Occupation.objects.exists() or not MinimumWageTier.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(django_apps, None)


@pytest.fixture(autouse=True)
def _jobs_seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_jobs_seed()


def today() -> dt.date:
    return timezone.localdate()


def posting_audits(posting, action=AuditAction.TRANSITION):
    return AuditLog.objects.filter(
        action=action, content_type=ContentType.objects.get_for_model(Posting), object_id=str(posting.pk)
    )


def application_audits(application, action=AuditAction.TRANSITION):
    return AuditLog.objects.filter(
        action=action,
        content_type=ContentType.objects.get_for_model(Application),
        object_id=str(application.pk),
    )


def events(posting) -> list[tuple[str, str]]:
    return list(
        PostingEvent.objects.filter(posting=posting).order_by("id").values_list("from_status", "to_status")
    )


def reviewer_for(posting):
    return UserFactory(scope_unit=posting.scope_unit, roles=[Role.COUNTY_STAFF])


def add_certificate(user, code: str = "electrician", expires_on: dt.date | None = None) -> Certificate:
    return Certificate.objects.create(
        profile=worker_profile(user),
        occupation=occupation(code),
        name="特种作业操作证",
        number="T370702000001",
        issuer="潍坊市应急管理局",
        expires_on=expires_on,
        status="verified",  # checked by staff at a counter: only then does it open licensed work (issue 13)
    )


def make_minor(**profile):
    """A 17-year-old worker with a registration (求职登记)."""
    user = UserFactory(birth_date=today() - dt.timedelta(days=17 * 365 + 60), roles=[Role.WORKER])
    assert user.is_minor and user.age == 17
    services.worker_profile_save(
        user=user, actor=user, data={"home_lat": 36.71, "home_lng": 119.03, **profile}
    )
    return user


# --- minimum wage -----------------------------------------------------------------------------------------


def test_posting_below_the_county_minimum_is_refused_naming_the_standard(county_a):
    employer = make_employer(unit=county_a)
    postings, audits = Posting.objects.count(), AuditLog.objects.filter(action=AuditAction.CREATE).count()
    with pytest.raises(DomainError) as info:
        services.posting_create(
            employer=employer,
            actor=employer.user,
            data=posting_data(scope_unit=county_a, wage_amount=Decimal("21"), wage_unit=WageUnit.HOUR),
        )
    error = info.value
    assert error.code == "below_minimum_wage"
    message = str(error.message)
    for part in ("168.00", "22.00", "176.00", county_a.name, "2025-10-01", "第1档"):
        assert part in message, (part, message)
    assert error.fields["wage_amount"] == [error.message]
    assert Posting.objects.count() == postings
    assert AuditLog.objects.filter(action=AuditAction.CREATE).count() == audits


@pytest.mark.parametrize(
    ("amount", "unit", "daily"),
    [("22", WageUnit.HOUR, "176.00"), ("176", WageUnit.DAY, "176.00"), ("22.5", WageUnit.HOUR, "180.00")],
)
def test_posting_at_or_above_the_minimum_is_saved_with_its_daily_equivalent(county_a, amount, unit, daily):
    posting = draft_posting(
        make_employer(unit=county_a), scope_unit=county_a, wage_amount=Decimal(amount), wage_unit=unit
    )
    posting.refresh_from_db()
    assert posting.status == PostingStatus.DRAFT
    assert posting.daily_wage == Decimal(daily)


@pytest.mark.parametrize(("amount", "unit"), [("175.99", WageUnit.DAY), ("21.99", WageUnit.HOUR)])
def test_posting_a_cent_below_the_minimum_is_refused(county_a, amount, unit):
    employer = make_employer(unit=county_a)
    with pytest.raises(DomainError) as info:
        services.posting_create(
            employer=employer,
            actor=employer.user,
            data=posting_data(scope_unit=county_a, wage_amount=Decimal(amount), wage_unit=unit),
        )
    assert info.value.code == "below_minimum_wage"
    assert not Posting.objects.filter(employer=employer).exists()


@pytest.mark.parametrize("unit", [WageUnit.PIECE, WageUnit.JOB])
def test_piece_and_job_rates_need_an_estimated_daily_wage(county_a, unit):
    employer = make_employer(unit=county_a)
    with pytest.raises(DomainError) as info:
        services.posting_create(
            employer=employer,
            actor=employer.user,
            data=posting_data(scope_unit=county_a, wage_amount=Decimal("0.8"), wage_unit=unit),
        )
    assert "estimated_daily_wage" in info.value.fields
    assert not Posting.objects.filter(employer=employer).exists()

    with pytest.raises(DomainError) as info:
        services.posting_create(
            employer=employer,
            actor=employer.user,
            data=posting_data(
                scope_unit=county_a,
                wage_amount=Decimal("0.8"),
                wage_unit=unit,
                estimated_daily_wage=Decimal("150"),
            ),
        )
    assert info.value.code == "below_minimum_wage"
    assert not Posting.objects.filter(employer=employer).exists()

    posting = services.posting_create(
        employer=employer,
        actor=employer.user,
        data=posting_data(
            scope_unit=county_a,
            wage_amount=Decimal("0.8"),
            wage_unit=unit,
            estimated_daily_wage=Decimal("230"),
        ),
    ).posting
    posting.refresh_from_db()
    assert posting.daily_wage == Decimal("230.00") and posting.wage_amount == Decimal("0.8")


def test_a_functional_zone_uses_its_countys_tier():
    """A zone (kind zone) without its own tier row falls back to the tier of the county it lies in: 临朐县
    (370724) is tier 2, 20.00/hour → 160.00/day, so 19.50/hour is refused there and 20/hour is accepted, while
    the same 20/hour is refused in tier-1 潍城区."""
    zone = ScopeUnit.objects.create(
        code="370790",
        name="临朐经济开发区",
        kind=ScopeUnitKind.ZONE,
        division=Division.objects.get(code="370724"),
    )
    employer = make_employer(unit=zone)
    with pytest.raises(DomainError) as info:
        services.posting_create(
            employer=employer,
            actor=employer.user,
            data=posting_data(scope_unit=zone, wage_amount=Decimal("19.5"), wage_unit=WageUnit.HOUR),
        )
    assert info.value.code == "below_minimum_wage"
    message = str(info.value.message)
    assert "20.00" in message and "160.00" in message and "第2档" in message and "临朐经济开发区" in message
    assert not Posting.objects.filter(scope_unit=zone).exists()

    posting = draft_posting(employer, scope_unit=zone, wage_amount=Decimal("20"), wage_unit=WageUnit.HOUR)
    posting.refresh_from_db()
    assert posting.scope_unit == zone and posting.daily_wage == Decimal("160.00")

    county_employer = make_employer()
    with pytest.raises(DomainError) as info:
        services.posting_create(
            employer=county_employer,
            actor=county_employer.user,
            data=posting_data(wage_amount=Decimal("20"), wage_unit=WageUnit.HOUR),
        )
    assert info.value.code == "below_minimum_wage"


def test_editing_a_draft_below_the_minimum_is_refused_and_changes_nothing(county_a):
    posting = draft_posting(make_employer(unit=county_a))
    with pytest.raises(DomainError) as info:
        services.posting_update(
            posting=posting, actor=posting.employer.user, data={"wage_amount": Decimal("150")}
        )
    assert info.value.code == "below_minimum_wage"
    posting.refresh_from_db()
    assert posting.wage_amount == Decimal("220") and posting.daily_wage == Decimal("220.00")


# --- review workflow --------------------------------------------------------------------------------------


def test_posting_goes_draft_pending_review_published_with_events(county_a, officer):
    employer = make_employer(unit=county_a)
    posting = draft_posting(employer)
    assert posting.status == PostingStatus.DRAFT and posting.published_at is None
    assert posting_audits(posting, AuditAction.CREATE).count() == 1

    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW
    assert posting.published_at is None
    assert posting not in Posting.objects.open()

    services.posting_approve(posting=posting, actor=officer, checklist=FULL_CHECKLIST, note="核实无误")
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PUBLISHED
    assert posting.published_at is not None
    assert posting.reviewed_by == officer and posting.review_note == "核实无误"
    assert posting in Posting.objects.open()

    rows = list(PostingEvent.objects.filter(posting=posting).order_by("id"))
    assert [(e.from_status, e.to_status, e.actor) for e in rows] == [
        ("draft", "pending_review", employer.user),
        ("pending_review", "published", officer),
    ]
    audits = posting_audits(posting).order_by("id")
    assert [(a.before, a.after, a.actor) for a in audits] == [
        ({"status": "draft"}, {"status": "pending_review"}, employer.user),
        ({"status": "pending_review"}, {"status": "published"}, officer),
    ]


def test_reject_sends_the_posting_back_to_draft_with_the_reason(county_a, officer):
    employer = make_employer(unit=county_a)
    posting = draft_posting(employer)
    services.posting_submit(posting=posting, actor=employer.user)
    services.posting_reject(posting=posting, actor=officer, reason="工作时间未写明")
    posting.refresh_from_db()
    assert posting.status == PostingStatus.DRAFT
    assert posting.review_note == "工作时间未写明" and posting.reviewed_by == officer
    assert posting.published_at is None
    event = PostingEvent.objects.filter(posting=posting).order_by("-id").first()
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        "pending_review",
        "draft",
        "工作时间未写明",
        officer,
    )
    assert posting_audits(posting).filter(reason="工作时间未写明", actor=officer).count() == 1

    # the employer fixes the draft and sends it again
    services.posting_update(
        posting=posting, actor=employer.user, data={"description": "三室一厅开荒保洁，8:00-17:00。"}
    )
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW
    assert events(posting) == [
        ("draft", "pending_review"),
        ("pending_review", "draft"),
        ("draft", "pending_review"),
    ]


def test_reject_needs_a_reason_and_changes_nothing_without_one(county_a, officer):
    employer = make_employer(unit=county_a)
    posting = draft_posting(employer)
    services.posting_submit(posting=posting, actor=employer.user)
    with pytest.raises(DomainError) as info:
        services.posting_reject(posting=posting, actor=officer, reason=" ")
    assert "reason" in info.value.fields
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW
    assert events(posting) == [("draft", "pending_review")]


def _posting_in(status: str):
    """A posting in ``status``, walked there through the services."""
    employer = make_employer()
    if status == PostingStatus.DRAFT:
        return draft_posting(employer)
    if status == PostingStatus.PENDING_REVIEW:
        posting = draft_posting(employer)
        services.posting_submit(posting=posting, actor=employer.user)
        posting.refresh_from_db()
        return posting
    posting = published_posting(employer, headcount=1)
    if status == PostingStatus.FILLED:
        worker = make_worker()
        application = services.application_apply(posting=posting, worker=worker, actor=worker)
        services.application_accept(application=application, actor=employer.user)
    elif status == PostingStatus.CLOSED:
        services.posting_close(posting=posting, actor=employer.user, reason="不招了")
    posting.refresh_from_db()
    assert posting.status == status
    return posting


ILLEGAL = [
    ("draft", "approve"),
    ("draft", "reject"),
    ("pending_review", "submit"),
    ("published", "submit"),
    ("published", "approve"),
    ("published", "reject"),
    ("filled", "approve"),
    ("filled", "reject"),
    ("closed", "approve"),
    ("closed", "submit"),
]


@pytest.mark.parametrize(("status", "step"), ILLEGAL)
def test_illegal_review_transitions_raise_invalid_transition_and_change_nothing(status, step):
    posting = _posting_in(status)
    before_events = PostingEvent.objects.filter(posting=posting).count()
    before_audits = posting_audits(posting).count()
    before_published_at = posting.published_at
    officer = reviewer_for(posting)
    with pytest.raises(InvalidTransition) as info:
        if step == "submit":
            services.posting_submit(posting=posting, actor=posting.employer.user)
        elif step == "approve":
            services.posting_approve(posting=posting, actor=officer, checklist=FULL_CHECKLIST)
        else:
            services.posting_reject(posting=posting, actor=officer, reason="不符合要求")
    assert info.value.code == "invalid_transition" and info.value.status == 409
    posting.refresh_from_db()
    assert posting.status == status
    assert posting.published_at == before_published_at
    assert PostingEvent.objects.filter(posting=posting).count() == before_events
    assert posting_audits(posting).count() == before_audits


def test_approving_without_the_full_checklist_is_refused(county_a, officer):
    posting = _posting_in(PostingStatus.PENDING_REVIEW)
    checklist = {**FULL_CHECKLIST, "no_fees": False}
    with pytest.raises(DomainError) as info:
        services.posting_approve(posting=posting, actor=officer, checklist=checklist)
    assert info.value.code == "checklist_incomplete"
    assert info.value.fields["checklist"] == ["不向劳动者收取任何费用或押金"]
    with pytest.raises(DomainError):
        services.posting_approve(posting=posting, actor=officer, checklist={})
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW and posting.published_at is None
    assert events(posting) == [("draft", "pending_review")]


def test_an_officer_of_another_county_cannot_review(officer_b):
    posting = _posting_in(PostingStatus.PENDING_REVIEW)
    with pytest.raises(NotFound):
        services.posting_approve(posting=posting, actor=officer_b, checklist=FULL_CHECKLIST)
    with pytest.raises(NotFound):
        services.posting_reject(posting=posting, actor=officer_b, reason="不符合要求")
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW
    assert events(posting) == [("draft", "pending_review")]


def test_an_unapproved_employers_posting_cannot_be_published(county_a, officer, city_staff):
    employer = make_employer(unit=county_a, approved=False, trusted=True)
    posting = draft_posting(employer)
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW  # trusted, but not approved: never auto-published
    with pytest.raises(DomainError) as info:
        services.posting_approve(posting=posting, actor=officer, checklist=FULL_CHECKLIST)
    assert info.value.code == "employer_not_approved"
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW and posting.published_at is None
    assert events(posting) == [("draft", "pending_review")]

    services.employer_review(employer=employer, actor=officer, approve=True)
    employer.refresh_from_db()
    assert employer.status == "approved" and employer.reviewed_by == officer
    services.posting_approve(posting=posting, actor=officer, checklist=FULL_CHECKLIST)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PUBLISHED


def test_a_trusted_employers_clean_posting_is_published_at_once(county_a, settings):
    settings.LINGONG_POSTING_AUTO_APPROVE_TRUSTED = True
    employer = make_employer(unit=county_a, trusted=True)
    posting = draft_posting(employer)
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PUBLISHED and posting.published_at is not None
    rows = list(PostingEvent.objects.filter(posting=posting).order_by("id"))
    assert [(e.from_status, e.to_status, e.actor) for e in rows] == [
        ("draft", "pending_review", employer.user),
        ("pending_review", "published", None),
    ]
    assert "自动通过" in rows[1].reason


def test_auto_approval_is_a_setting(county_a, settings):
    settings.LINGONG_POSTING_AUTO_APPROVE_TRUSTED = False
    employer = make_employer(unit=county_a, trusted=True)
    posting = draft_posting(employer)
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW
    assert events(posting) == [("draft", "pending_review")]


def test_a_trusted_employers_flagged_posting_still_goes_to_review(county_a, settings):
    settings.LINGONG_POSTING_AUTO_APPROVE_TRUSTED = True
    employer = make_employer(unit=county_a, trusted=True)
    posting = draft_posting(employer, description="开荒保洁，需交押金200元，完工退还。")
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW and posting.published_at is None
    assert [f["category"] for f in posting.screen_flags] == ["fee"]
    assert events(posting) == [("draft", "pending_review")]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("需交押金200元", "fee"),
        ("入职先交服装费50元", "fee"),
        ("限男性，18-35岁", "discrimination"),
        ("在家刷单，日赚三百", "scam"),
    ],
)
def test_the_keyword_screen_stores_flags_on_the_posting(county_a, text, category):
    posting = draft_posting(make_employer(unit=county_a), description=f"开荒保洁。{text}")
    posting.refresh_from_db()
    assert category in [f["category"] for f in posting.screen_flags]


def test_a_clean_posting_has_no_flags(county_a):
    posting = draft_posting(make_employer(unit=county_a))
    posting.refresh_from_db()
    assert posting.screen_flags == []


def test_a_fee_charging_posting_reaches_the_reviewer_flagged(county_a, officer, officer_b, client_as):
    employer = make_employer(unit=county_a)
    posting = draft_posting(employer, title="小区保洁 长期", description="小区楼道保洁，需交押金200元。")
    posting.refresh_from_db()
    assert posting.status == PostingStatus.DRAFT
    flag = next(f for f in posting.screen_flags if f["category"] == "fee")
    assert flag["label"] == FEE_LABEL and flag["match"] == "押金"
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW
    assert [f["category"] for f in posting.screen_flags] == ["fee"]

    # the review page in the admin shows the flag beside the checklist
    page = client_as(officer).get(f"/admin/jobs/posting/{posting.pk}/review/")
    assert page.status_code == 200
    html = page.content.decode()
    assert FEE_LABEL in html and "押金" in html and "小区保洁 长期" in html
    for _key, label in services.REVIEW_CHECKLIST:
        assert str(label) in html
    # another county's officer does not learn that it exists
    assert client_as(officer_b).get(f"/admin/jobs/posting/{posting.pk}/review/").status_code == 404

    # the dashboard panel lists it with the flag's label
    dashboard = client_as(officer).get("/admin/").content.decode()
    assert "待审核的招聘信息" in dashboard
    assert "小区保洁 长期" in dashboard and f"⚠ {FEE_LABEL}" in dashboard
    other = client_as(officer_b).get("/admin/").content.decode()
    assert "待审核的招聘信息" in other and "小区保洁 长期" not in other


def test_the_admin_review_page_approves_through_the_service(client_as):
    posting = _posting_in(PostingStatus.PENDING_REVIEW)
    client = client_as(reviewer_for(posting))
    # an incomplete checklist is refused on the page and changes nothing
    response = client.post(
        f"/admin/jobs/posting/{posting.pk}/review/", {"decision": "approve", "check_no_fees": "on"}
    )
    assert response.status_code == 200 and "请逐项确认审核要点" in response.content.decode()
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW

    data = {"decision": "approve", "note": "已核实", **{f"check_{key}": "on" for key in FULL_CHECKLIST}}
    response = client.post(f"/admin/jobs/posting/{posting.pk}/review/", data)
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PUBLISHED and posting.review_note == "已核实"
    assert events(posting)[-1] == ("pending_review", "published")


def test_a_report_reaches_the_countys_reviewers(county_a, officer, officer_b, client_as):
    posting = published_posting(make_employer(unit=county_a), title="仓库分拣 日结")
    report = services.posting_report(
        posting=posting, reporter=AnonymousUser(), reason=ReportReason.FEE, detail="电话里要求先交报名费"
    )
    report.refresh_from_db()
    assert (report.posting, report.reason, report.reporter, report.handled_at) == (posting, "fee", None, None)
    assert report.detail == "电话里要求先交报名费"

    signed_in = make_worker()
    second = services.posting_report(posting=posting, reporter=signed_in, reason=ReportReason.SCAM)
    assert PostingReport.objects.get(pk=second.pk).reporter == signed_in

    changelist = client_as(officer).get("/admin/jobs/postingreport/")
    assert changelist.status_code == 200
    assert "仓库分拣 日结" in changelist.content.decode()
    assert "仓库分拣 日结" not in client_as(officer_b).get("/admin/jobs/postingreport/").content.decode()
    assert list(PostingReport.objects.visible_to(officer).order_by("id")) == [report, second]
    assert not PostingReport.objects.visible_to(officer_b).exists()

    dashboard = client_as(officer).get("/admin/").content.decode()
    assert "待处理的举报" in dashboard and "仓库分拣 日结" in dashboard


# --- expiry -----------------------------------------------------------------------------------------------


def _age(posting, *, start: int, end: int) -> None:
    """Move a posting's work dates (relative to today) as if time had passed."""
    Posting.objects.filter(pk=posting.pk).update(
        work_start_date=today() + dt.timedelta(days=start), work_end_date=today() + dt.timedelta(days=end)
    )
    posting.refresh_from_db()


def test_a_posting_past_its_last_work_date_is_not_open_even_before_the_scan():
    posting = published_posting(headcount=1)
    current = published_posting(headcount=1)
    _age(posting, start=-3, end=-1)
    _age(current, start=-1, end=0)  # its last work day is today: still open
    assert posting.status == PostingStatus.PUBLISHED  # the scan has not run
    assert not posting.is_open()
    assert posting not in Posting.objects.open()
    assert posting not in selectors.posting_list_public()
    assert current in Posting.objects.open() and current.is_open()

    worker = make_worker()
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=worker, actor=worker)
    assert info.value.code == "posting_not_open"
    assert not Application.objects.filter(posting=posting).exists()


def test_the_expiry_scan_moves_past_postings_to_expired_with_an_event():
    past = published_posting(headcount=1)
    filled = _posting_in(PostingStatus.FILLED)
    current = published_posting(headcount=1)
    pending = _posting_in(PostingStatus.PENDING_REVIEW)
    for posting in (past, filled, pending):
        _age(posting, start=-3, end=-1)

    assert services.posting_expire_due() == 2
    for posting in (past, filled, current, pending):
        posting.refresh_from_db()
    assert past.status == PostingStatus.EXPIRED and filled.status == PostingStatus.EXPIRED
    assert current.status == PostingStatus.PUBLISHED
    assert pending.status == PostingStatus.PENDING_REVIEW
    event = PostingEvent.objects.filter(posting=past).order_by("-id").first()
    assert (event.from_status, event.to_status, event.actor) == ("published", "expired", None)
    assert event.reason
    assert events(filled)[-1] == ("filled", "expired")
    assert posting_audits(past).filter(after={"status": "expired"}).count() == 1

    # running it again changes nothing
    assert services.posting_expire_due() == 0
    assert PostingEvent.objects.filter(posting=past, to_status="expired").count() == 1


# --- licensed occupations and minors ---------------------------------------------------------------------


def electrician_posting(**overrides):
    overrides.setdefault("title", "厂房线路改造")
    overrides.setdefault("description", "车间照明线路改造，需持电工证。")
    return published_posting(
        occupation=occupation("electrician"), headcount=2, wage_amount=Decimal("350"), **overrides
    )


def test_licensed_occupation_without_a_certificate_is_refused():
    posting = electrician_posting()
    assert posting.occupation.licensed
    worker = make_worker(skills=(("electrician", "skilled", 5),))
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=worker, actor=worker)
    assert info.value.code == "not_eligible"
    assert not Application.objects.filter(posting=posting).exists()

    # a certificate for another occupation is not enough
    add_certificate(worker, "welder")
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=worker, actor=worker)
    assert info.value.code == "not_eligible"


def test_licensed_occupation_with_a_valid_certificate_is_allowed():
    posting = electrician_posting()
    worker = make_worker(skills=(("electrician", "skilled", 5),))
    add_certificate(worker, expires_on=posting.work_end_date + dt.timedelta(days=365))
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    services.application_accept(application=application, actor=posting.employer.user)
    application.refresh_from_db()
    posting.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and posting.accepted_count == 1

    # a certificate without an expiry date is valid too
    other = make_worker()
    add_certificate(other, expires_on=None)
    assert (
        services.application_apply(posting=posting, worker=other, actor=other).status
        == ApplicationStatus.APPLIED
    )


def test_licensed_occupation_with_an_expired_certificate_is_refused():
    posting = electrician_posting()
    worker = make_worker()
    add_certificate(worker, expires_on=posting.work_start_date - dt.timedelta(days=1))
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=worker, actor=worker)
    assert info.value.code == "not_eligible"
    assert not Application.objects.filter(posting=posting).exists()


def test_accepting_rechecks_the_certificate():
    posting = electrician_posting()
    worker = make_worker()
    certificate = add_certificate(worker, expires_on=posting.work_end_date)
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=today() - dt.timedelta(days=1))

    with pytest.raises(DomainError) as info:
        services.application_accept(application=application, actor=posting.employer.user)
    assert info.value.code == "not_eligible"
    application.refresh_from_db()
    posting.refresh_from_db()
    assert application.status == ApplicationStatus.APPLIED
    assert posting.accepted_count == 0 and posting.status == PostingStatus.PUBLISHED
    assert not ApplicationEvent.objects.filter(application=application, to_status="accepted").exists()


def test_a_minor_is_refused_for_licensed_work_even_with_a_certificate():
    posting = electrician_posting()
    minor = make_minor()
    add_certificate(minor, expires_on=None)
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=minor, actor=minor)
    assert info.value.code == "not_eligible"
    assert "18" in str(info.value.message)
    assert not Application.objects.filter(worker=minor).exists()


def test_a_minor_is_refused_for_minors_forbidden_work_and_allowed_otherwise():
    bricklayer = occupation("bricklayer")
    assert bricklayer.minors_forbidden and not bricklayer.licensed
    posting = published_posting(occupation=bricklayer, title="砌墙小工")
    minor = make_minor()
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=minor, actor=minor)
    assert info.value.code == "not_eligible"

    cleaning = published_posting(title="家庭保洁")
    assert not cleaning.occupation.closed_to_minors
    application = services.application_apply(posting=cleaning, worker=minor, actor=minor)
    services.application_accept(application=application, actor=cleaning.employer.user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED


def test_a_minor_cannot_be_accepted_for_a_closed_occupation_even_if_the_application_exists():
    """Eligibility is checked again when accepting (an application made by any other path)."""
    posting = electrician_posting()
    minor = make_minor()
    add_certificate(minor)
    application = Application.objects.create(posting=posting, worker=minor)
    with pytest.raises(DomainError) as info:
        services.application_accept(application=application, actor=posting.employer.user)
    assert info.value.code == "not_eligible"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPLIED
    posting.refresh_from_db()
    assert posting.accepted_count == 0


# --- applications -----------------------------------------------------------------------------------------


def test_applying_twice_is_refused():
    posting = published_posting()
    worker = make_worker()
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=worker, actor=worker)
    assert info.value.code == "already_applied"
    assert list(Application.objects.filter(posting=posting, worker=worker)) == [application]
    assert ApplicationEvent.objects.filter(application=application).count() == 1
    assert application_audits(application, AuditAction.CREATE).count() == 1


def test_apply_records_an_event_and_an_audit_row():
    posting = published_posting()
    worker = make_worker()
    application = services.application_apply(posting=posting, worker=worker, actor=worker, note="周末有空")
    application.refresh_from_db()
    assert (application.status, application.source, application.acted_by) == ("applied", "self", None)
    event = ApplicationEvent.objects.get(application=application)
    assert (event.from_status, event.to_status, event.actor, event.on_behalf_of) == (
        "",
        "applied",
        worker,
        None,
    )
    assert application_audits(application, AuditAction.CREATE).get().actor == worker


def test_the_last_accept_marks_the_posting_filled():
    posting = published_posting(headcount=2)
    employer = posting.employer.user
    workers = [make_worker() for _ in range(3)]
    applications = [services.application_apply(posting=posting, worker=w, actor=w) for w in workers]

    services.application_accept(application=applications[0], actor=employer)
    posting.refresh_from_db()
    assert posting.accepted_count == 1 and posting.status == PostingStatus.PUBLISHED

    services.application_accept(application=applications[1], actor=employer)
    posting.refresh_from_db()
    assert posting.accepted_count == 2 and posting.status == PostingStatus.FILLED
    filled = PostingEvent.objects.get(posting=posting, to_status="filled")
    assert (filled.from_status, filled.actor) == ("published", employer)
    assert ApplicationEvent.objects.filter(application__posting=posting, to_status="accepted").count() == 2

    with pytest.raises(DomainError) as info:
        services.application_accept(application=applications[2], actor=employer)
    assert info.value.code in {"posting_not_open", "headcount_reached"}
    applications[2].refresh_from_db()
    posting.refresh_from_db()
    assert applications[2].status == ApplicationStatus.APPLIED and posting.accepted_count == 2
    assert posting not in Posting.objects.open()

    latecomer = make_worker()
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=latecomer, actor=latecomer)
    assert info.value.code == "posting_not_open"


def test_withdrawing_an_accepted_application_before_work_frees_the_place():
    posting = published_posting(headcount=1)
    employer = posting.employer.user
    worker = make_worker()
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    services.application_accept(application=application, actor=employer)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.FILLED and posting.accepted_count == 1

    services.application_withdraw(application=application, actor=worker, reason="家里有事")
    application.refresh_from_db()
    posting.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert posting.accepted_count == 0 and posting.status == PostingStatus.PUBLISHED
    assert posting in Posting.objects.open()
    assert events(posting)[-2:] == [("published", "filled"), ("filled", "published")]
    event = ApplicationEvent.objects.filter(application=application).order_by("-id").first()
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        "accepted",
        "withdrawn",
        "家里有事",
        worker,
    )

    # the freed place can be taken by someone else
    other = make_worker()
    second = services.application_apply(posting=posting, worker=other, actor=other)
    services.application_accept(application=second, actor=employer)
    posting.refresh_from_db()
    assert posting.status == PostingStatus.FILLED and posting.accepted_count == 1


def test_an_accepted_worker_cannot_withdraw_once_work_has_started():
    posting = published_posting(headcount=1)
    worker = make_worker()
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    services.application_accept(application=application, actor=posting.employer.user)
    _age(posting, start=0, end=1)
    with pytest.raises(DomainError) as info:
        services.application_withdraw(application=application, actor=worker)
    assert info.value.code == "work_started"
    application.refresh_from_db()
    posting.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert posting.accepted_count == 1 and posting.status == PostingStatus.FILLED


def test_a_rejected_application_cannot_be_accepted_or_withdrawn():
    posting = published_posting()
    worker = make_worker()
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    services.application_reject(application=application, actor=posting.employer.user, reason="人已够")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    for call in (
        lambda: services.application_accept(application=application, actor=posting.employer.user),
        lambda: services.application_withdraw(application=application, actor=worker),
    ):
        with pytest.raises(InvalidTransition):
            call()
    application.refresh_from_db()
    posting.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED and posting.accepted_count == 0
    assert [e.to_status for e in ApplicationEvent.objects.filter(application=application).order_by("id")] == [
        "applied",
        "rejected",
    ]


def test_only_the_postings_employer_or_county_staff_can_accept(officer_b):
    posting = published_posting()
    worker = make_worker()
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    stranger = make_employer().user
    for actor in (stranger, officer_b):
        with pytest.raises(NotFound):
            services.application_accept(application=application, actor=actor)
    with pytest.raises(NotPermitted):  # the applicant sees their application but may not decide it
        services.application_accept(application=application, actor=worker)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPLIED


def test_a_staff_referral_records_source_and_acting_officer(officer):
    posting = published_posting()
    worker = make_worker()
    application = services.application_apply(
        posting=posting, worker=worker, actor=officer, source=ApplicationSource.REFERRAL, note="服务台推荐"
    )
    application.refresh_from_db()
    assert (application.source, application.acted_by, application.worker) == ("referral", officer, worker)
    assert application.note == "服务台推荐"
    event = ApplicationEvent.objects.get(application=application)
    assert (event.to_status, event.actor, event.on_behalf_of) == ("applied", officer, worker)
    audit = application_audits(application, AuditAction.CREATE).get()
    assert (audit.actor, audit.on_behalf_of) == (officer, worker)
    assert audit.after == {"posting": posting.pk, "source": "referral"}


def test_a_counter_application_is_marked_as_assisted(officer):
    posting = published_posting()
    worker = make_worker()
    application = services.application_apply(posting=posting, worker=worker, actor=officer)
    application.refresh_from_db()
    assert (application.source, application.acted_by) == (ApplicationSource.COUNTER, officer)
    event = ApplicationEvent.objects.get(application=application)
    assert (event.actor, event.on_behalf_of) == (officer, worker)

    # withdrawing for the worker is recorded on their behalf as well
    services.application_withdraw(application=application, actor=officer, reason="本人电话告知")
    event = ApplicationEvent.objects.filter(application=application).order_by("-id").first()
    assert (event.to_status, event.actor, event.on_behalf_of) == ("withdrawn", officer, worker)
    assert application_audits(application).get().on_behalf_of == worker


def test_a_worker_cannot_claim_a_referral_for_themselves():
    posting = published_posting()
    worker = make_worker()
    application = services.application_apply(
        posting=posting, worker=worker, actor=worker, source=ApplicationSource.REFERRAL
    )
    application.refresh_from_db()
    assert (application.source, application.acted_by) == ("self", None)


def test_staff_of_another_county_cannot_apply_for_a_worker(officer_b):
    posting = published_posting()
    worker = make_worker()
    with pytest.raises(NotPermitted):
        services.application_apply(
            posting=posting, worker=worker, actor=officer_b, source=ApplicationSource.REFERRAL
        )
    assert not Application.objects.filter(posting=posting).exists()


def test_an_employer_cannot_apply_to_their_own_posting():
    employer = make_employer()
    posting = published_posting(employer)
    with pytest.raises(DomainError) as info:
        services.application_apply(posting=posting, worker=employer.user, actor=employer.user)
    assert info.value.code == "own_posting"
    assert not EmployerProfile.objects.filter(pk=employer.pk, postings__applications__isnull=False).exists()

"""Admin actions on jobs call the services: each status change writes its event row and its audit row, and
a step the table refuses is reported, not done (ADR 0012)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from core.choices import AuditAction
from core.models import AuditLog
from jobs import services
from jobs.choices import ReportReason, ReportStatus, VerificationStatus
from jobs.models import EmployerProfile, PostingReport

from .factories import make_employer, posting_data, published_posting

pytestmark = pytest.mark.django_db


def transitions(obj):
    return AuditLog.objects.filter(
        action=AuditAction.TRANSITION,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )


def test_report_admin_actions_handle_and_dismiss_through_the_service(client_as, officer, officer_b):
    posting = published_posting()
    handled = services.posting_report(
        posting=posting, reporter=None, reason=ReportReason.FEE, detail="收押金"
    )
    dismissed = services.posting_report(posting=posting, reporter=None, reason=ReportReason.OTHER)
    client = client_as(officer)

    client.post("/admin/jobs/postingreport/", {"action": "mark_handled", "_selected_action": [handled.pk]})
    client.post("/admin/jobs/postingreport/", {"action": "dismiss", "_selected_action": [dismissed.pk]})

    handled.refresh_from_db()
    dismissed.refresh_from_db()
    assert (handled.status, handled.handled_by) == (ReportStatus.HANDLED, officer)
    assert (dismissed.status, dismissed.handled_by) == (ReportStatus.DISMISSED, officer)
    event = handled.events.latest("id")
    assert (event.from_status, event.to_status, event.actor) == ("open", "handled", officer)
    assert transitions(handled).get().after == {"status": "handled"}
    assert transitions(dismissed).get().after == {"status": "dismissed"}

    # handled once: doing it again is refused and writes nothing more; another county cannot see it
    client.post("/admin/jobs/postingreport/", {"action": "mark_handled", "_selected_action": [handled.pk]})
    client_as(officer_b).post(
        "/admin/jobs/postingreport/", {"action": "dismiss", "_selected_action": [handled.pk]}
    )
    handled.refresh_from_db()
    assert handled.status == ReportStatus.HANDLED and handled.events.count() == 2  # open, handled
    assert transitions(handled).count() == 1


def test_open_reports_reach_the_dashboard_until_handled(officer):
    from core.dashboard import panels_for

    report = services.posting_report(posting=published_posting(), reporter=None, reason=ReportReason.SCAM)
    assert {p.title: len(p.rows) for p in panels_for(officer)}["待处理的举报"] == 1
    services.posting_report_handle(report=report, actor=officer, note="已约谈用工方")
    assert {p.title: len(p.rows) for p in panels_for(officer)}["待处理的举报"] == 0
    assert PostingReport.objects.get(pk=report.pk).events.latest("id").reason == "已约谈用工方"


def test_employer_admin_review_actions_follow_the_table(client_as, officer):
    pending = make_employer(approved=False)
    approved = make_employer(approved=True)
    client = client_as(officer)

    client.post(
        "/admin/jobs/employerprofile/",
        {"action": "reject", "_selected_action": [pending.pk, approved.pk]},
    )

    pending.refresh_from_db()
    approved.refresh_from_db()
    assert pending.status == VerificationStatus.REJECTED  # pending → rejected
    assert approved.status == VerificationStatus.APPROVED  # an approved one is not reviewed again
    assert pending.events.latest("id").to_status == "rejected" and not approved.events.exists()
    assert transitions(pending).get().after == {"status": "rejected"}

    client.post("/admin/jobs/employerprofile/", {"action": "approve", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.APPROVED  # a second look after the papers came in
    assert list(pending.events.order_by("id").values_list("to_status", flat=True)) == ["rejected", "approved"]
    assert EmployerProfile.objects.get(pk=pending.pk).reviewed_by == officer


# --- the posting's admin page as a reviewer meets it (issue 13) ---------------------------------------------


def test_posting_admin_page_lists_only_the_countys_towns_shows_flags_and_review_on_top(client_as, officer):
    from core.models import Division

    employer = make_employer()
    posting = services.posting_create(
        employer=employer,
        actor=employer.user,
        data=posting_data(description="日结，先交押金200元再上岗。"),
    ).posting
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    assert posting.status == "pending_review" and posting.screen_flags
    client = client_as(officer)
    html = client.get(f"/admin/jobs/posting/{posting.pk}/change/").content.decode()
    towns = Division.objects.filter(level="town")
    county_towns = towns.filter(parent_id=posting.scope_unit.division_id)
    assert county_towns.exists()
    select = html[html.index('name="town"') : html.index("</select>", html.index('name="town"'))]
    assert select.count("<option") == county_towns.count() + 1  # and the blank choice
    assert '"label"' not in html and "[{" not in html  # the screen's findings, not its JSON
    review = f"/admin/jobs/posting/{posting.pk}/review/"
    assert html.index(review) < html.index("<fieldset")  # the 审核 button heads the page
    index = client.get("/admin/").content.decode()
    assert review in index  # the dashboard leads to the review page, not the change page


def test_dashboard_lists_resident_ids_waiting_for_a_person_and_the_profile_says_so(
    client_as, officer, county_a
):
    from accounts.choices import ReviewFlag
    from accounts.models import User
    from tests.accounts.factories import UserFactory

    flagged = UserFactory(scope_unit=county_a, roles=["worker"])
    User.objects.filter(pk=flagged.pk).update(id_review_flag=ReviewFlag.UNKNOWN_AREA)
    index = client_as(officer).get("/admin/").content.decode()
    assert "待人工核验的身份证号" in index and f"/admin/accounts/user/{flagged.pk}/change/" in index
    flagged.refresh_from_db()
    profile = client_as(flagged).get("/accounts/profile/").content.decode()
    assert "待人工核验" in profile and "已核验" not in profile.replace("待人工核验", "")

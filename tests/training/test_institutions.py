"""Institutions: applying (credit code and licence scan checked), filing by county staff, returning and
resubmitting, suspending (its classes stop taking enrollments), reinstating, revoking, grading, spot
checks, members, sign-up points — through the services, the pages and the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import RoleGrant
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog
from markets.choices import MarketStatus
from training.choices import ClassStatus, InstitutionGrade, InstitutionStatus, SignUpPointKind
from training.models import Institution, InstitutionEvent, InstitutionMember, SignUpPoint, SpotCheck
from training.services import classes as class_services
from training.services import institutions as services

from ..accounts.factories import UserFactory
from ..markets.factories import MarketFactory
from .factories import institution_member, make_class, make_institution
from .factories_institutions import application, pdf_upload, png_upload, script_as_jpg

pytestmark = pytest.mark.django_db


def test_apply_makes_the_applicant_its_admin_with_the_role(county_a):
    person = UserFactory(roles=[])
    institution = services.institution_apply(person, application(county_a), png_upload())
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED
    assert institution.scope_unit == county_a
    assert institution.licence_scan.name.endswith(".jpg")  # re-encoded, the upload's name not kept
    member = InstitutionMember.objects.get(user=person)
    assert member.institution == institution and member.is_admin
    grant = RoleGrant.objects.get(user=person, role=Role.TRAINING_INSTITUTION)
    assert grant.scope_unit_id is None
    event = InstitutionEvent.objects.get(institution=institution)
    assert (event.from_status, event.to_status) == ("", InstitutionStatus.APPLIED)


def test_apply_takes_a_pdf_licence(county_a):
    institution = services.institution_apply(UserFactory(roles=[]), application(county_a), pdf_upload())
    assert institution.licence_scan.name.endswith(".pdf")
    assert institution.licence_scan.read().startswith(b"%PDF-")


def test_apply_refuses_a_wrong_check_character(county_a):
    person = UserFactory(roles=[])
    data = application(county_a)
    last = data["uscc"][-1]
    data["uscc"] = data["uscc"][:-1] + ("1" if last != "1" else "2")
    with pytest.raises(DomainError) as exc:
        services.institution_apply(person, data, png_upload())
    assert exc.value.code == "uscc_invalid" and "uscc" in exc.value.fields
    assert not Institution.objects.exists()
    assert not RoleGrant.objects.filter(user=person, role=Role.TRAINING_INSTITUTION).exists()


def test_a_code_taken_while_the_application_was_checked_is_a_field_error(county_a, monkeypatch):
    """Two applications with one code at once: the first saves, the second's uniqueness check ran before that
    save, so the unique index answers; it is the same field error, and the second applicant gets no role."""
    first = services.institution_apply(UserFactory(roles=[]), application(county_a), png_upload())
    data = application(county_a)
    data["uscc"] = first.uscc
    real_filter = Institution.objects.filter

    def filter_missing_the_race(*args, **kwargs):
        if "uscc" in kwargs:  # the check ran before the other application was saved
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Institution.objects, "filter", filter_missing_the_race)
    second = UserFactory(roles=[])
    with pytest.raises(DomainError) as exc:
        services.institution_apply(second, data, png_upload())
    assert exc.value.code == "uscc_taken" and "uscc" in exc.value.fields
    assert Institution.objects.count() == 1
    assert not InstitutionMember.objects.filter(user=second).exists()
    assert not RoleGrant.objects.filter(user=second, role=Role.TRAINING_INSTITUTION).exists()


def test_a_script_renamed_jpg_is_refused_and_nothing_stored(county_a, tmp_path, settings):
    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path)
    person = UserFactory(roles=[])
    with pytest.raises(DomainError) as exc:
        services.institution_apply(person, application(county_a), script_as_jpg())
    assert exc.value.code == "scan_type" and "licence_scan" in exc.value.fields
    assert not Institution.objects.exists()
    assert not InstitutionMember.objects.filter(user=person).exists()
    assert not list(tmp_path.rglob("*.*"))


def test_filing_gives_a_number_and_tells_the_admin(county_a, officer):
    person = UserFactory(roles=[])
    institution = services.institution_apply(person, application(county_a), png_upload())
    services.institution_review(institution, officer, True, "材料齐全")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.FILED
    assert institution.filing_number == f"PX370702{dt.date.today().year}{institution.pk:05d}"
    assert institution.reviewed_by == officer and institution.filed_at is not None
    event = institution.events.order_by("-id").first()
    assert (event.from_status, event.to_status, event.actor) == ("applied", "filed", officer)
    assert AuditLog.objects.filter(object_id=str(institution.pk), action="transition").count() == 1
    assert person.inbox.filter(body__contains=institution.filing_number).exists()


def test_return_needs_a_note_then_resubmit_goes_back_to_applied(county_a, officer):
    person = UserFactory(roles=[])
    institution = services.institution_apply(person, application(county_a), png_upload())
    with pytest.raises(DomainError) as exc:
        services.institution_review(institution, officer, False, "")
    assert "note" in exc.value.fields
    services.institution_review(institution, officer, False, "许可证扫描件不清晰")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.RETURNED
    assert institution.review_note == "许可证扫描件不清晰"
    services.institution_resubmit(institution, person, {"address": "潍坊市潍城区新华路1号"}, pdf_upload())
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED
    assert institution.address == "潍坊市潍城区新华路1号"
    assert [e.to_status for e in institution.events.order_by("id")] == ["applied", "returned", "applied"]


def test_other_county_staff_cannot_see_the_institution(county_a, officer_b):
    institution = make_institution(status=InstitutionStatus.APPLIED)
    with pytest.raises(NotFound):
        services.institution_review(institution, officer_b, True, "")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPLIED


def test_filing_twice_is_an_invalid_transition(officer):
    institution = make_institution()
    with pytest.raises(InvalidTransition):
        services.institution_review(institution, officer, True, "")


def test_suspending_stops_enrollment_and_reinstating_reopens_it(officer):
    institution = make_institution()
    training_class = make_class(institution, status=ClassStatus.APPROVED)
    class_services.open_for_enrollment(training_class)  # open
    assert training_class.takes_enrollments
    with pytest.raises(DomainError):
        services.institution_suspend(institution, officer, "")
    services.institution_suspend(institution, officer, "抽查发现虚报学员")
    training_class.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        class_services.open_for_enrollment(training_class)
    assert exc.value.status == 409 and "暂停" in str(exc.value.message)
    assert not training_class.takes_enrollments
    services.institution_reinstate(institution, officer, "整改完成")
    training_class.refresh_from_db()
    class_services.open_for_enrollment(training_class)
    services.institution_revoke(institution, officer, "严重违规")
    training_class.refresh_from_db()
    assert not training_class.takes_enrollments
    with pytest.raises(InvalidTransition):
        services.institution_reinstate(institution, officer, "再议")
    assert [e.to_status for e in institution.events.order_by("id")] == ["suspended", "filed", "revoked"]


def test_a_worker_cannot_suspend(worker):
    institution = make_institution()
    with pytest.raises(NotFound):
        services.institution_suspend(institution, worker, "x")


def test_grade_and_spot_check(officer):
    institution = make_institution()
    services.institution_grade(institution, officer, InstitutionGrade.A)
    check = services.spot_check_record(
        institution,
        officer,
        checked_on=dt.date(2026, 12, 1),
        result="rectify",
        findings="签到表不全",
        trainees_present=12,
    )
    institution.refresh_from_db()
    assert institution.grade == "A"
    check = SpotCheck.objects.get(pk=check.pk)
    assert (check.checked_by, check.result, check.trainees_present) == (officer, "rectify", 12)


def test_members_added_by_phone_and_removed(county_a):
    institution = make_institution()
    admin = institution_member(institution)
    teacher = UserFactory(roles=[])
    member = services.member_add(institution, admin, phone=teacher.phone)
    assert member.is_teacher and not member.is_admin
    assert RoleGrant.objects.filter(user=teacher, role=Role.TRAINING_INSTITUTION).exists()
    with pytest.raises(DomainError) as exc:
        services.member_add(institution, admin, phone="13000000000")
    assert "phone" in exc.value.fields
    with pytest.raises(NotPermitted):  # a teacher sees the institution but does not manage it
        services.member_add(institution, _refetch(teacher), phone=UserFactory(roles=[]).phone)
    services.member_remove(institution, admin, member_id=member.pk)
    assert not InstitutionMember.objects.filter(user=teacher).exists()
    assert not RoleGrant.objects.filter(user=teacher, role=Role.TRAINING_INSTITUTION).exists()


def _refetch(user):
    from accounts.models import User

    return User.objects.get(pk=user.pk)


def test_signup_point_at_an_operating_market_of_another_county(county_b):
    institution = make_institution()
    admin = institution_member(institution)
    market = MarketFactory(scope_unit=county_b)
    point = services.signup_point_save(
        institution, admin, {"market": market.pk, "kind": SignUpPointKind.SIGNUP, "location": "东门2号窗口"}
    )
    point.refresh_from_db()
    assert (point.market, point.is_active, point.location) == (market, True, "东门2号窗口")
    closed = MarketFactory(status=MarketStatus.CLOSED)
    with pytest.raises(DomainError) as exc:
        services.signup_point_save(institution, admin, {"market": closed.pk, "location": "x"})
    assert "market" in exc.value.fields
    services.signup_point_close(point, admin)
    point.refresh_from_db()
    assert not point.is_active


def test_signup_point_needs_a_filed_institution():
    institution = make_institution(status=InstitutionStatus.APPLIED)
    admin = institution_member(institution)
    with pytest.raises(InvalidTransition):
        services.signup_point_save(institution, admin, {"market": MarketFactory().pk, "location": "x"})
    assert not SignUpPoint.objects.exists()


# --- market page and board --------------------------------------------------------------------------------


def test_market_page_and_board_list_points_and_upcoming_classes(client):
    institution = make_institution(name="潍城技工培训学校")
    market = MarketFactory()
    training_class = make_class(
        institution,
        market=market,
        status=ClassStatus.APPROVED,
        starts_on=dt.date.today() + dt.timedelta(days=5),
    )
    draft = make_class(institution, market=market, status=ClassStatus.DRAFT, title="草稿班不公开")
    hidden = make_institution(name="未备案的学校", status=InstitutionStatus.SUSPENDED)
    SignUpPoint.objects.create(institution=hidden, market=market, kind="signup", location="西门")
    for url in (reverse("markets:detail", args=[market.pk]), reverse("board:market", args=[market.pk])):
        page = client.get(url).content.decode()
        assert "潍城技工培训学校" in page, url
        assert "服务大厅二楼培训教室" in page
        assert training_class.title in page
        assert draft.title not in page
        assert "未备案的学校" not in page


# --- pages and admin: the whole path ------------------------------------------------------------------------


def test_apply_page_then_staff_files_in_admin(client, county_a, officer):
    person = UserFactory(roles=[])
    client.force_login(person)
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in application(county_a).items()}
    response = client.post(reverse("training:institution_apply"), {**data, "licence_scan": png_upload()})
    assert response.status_code == 302, response.content.decode()[:2000]
    institution = Institution.objects.get()
    assert institution.status == InstitutionStatus.APPLIED
    home = client.get(reverse("training:institution_home"))
    assert home.status_code == 200 and institution.name in home.content.decode()

    client.force_login(officer)
    changelist = reverse("admin:training_institution_changelist")
    response = client.post(
        changelist, {"action": "file_institutions", "_selected_action": [institution.pk], "note": "同意备案"}
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.FILED and institution.reviewed_by == officer


def test_admin_refuses_editing_a_rate_in_force(client_as, city_staff):
    from training.admin.catalogue import RateForm
    from training.models import CatalogueRate

    from .factories import item

    rate = CatalogueRate.objects.get(item=item("electrician-special"), scope_unit=None)
    data = {
        "item": rate.item_id,
        "effective_from": rate.effective_from,
        "min_class_hours": 60,  # was 80: the notice in force cannot be rewritten
        "rate": rate.rate,
        "cap": rate.cap,
        "shortage": rate.shortage,
        "source": rate.source,
    }
    form = RateForm(data, instance=rate)
    assert not form.is_valid()
    rate.refresh_from_db()
    assert rate.min_class_hours == 80
    # setting its end date is allowed (the new notice is a new row)
    form = RateForm({**data, "min_class_hours": 80, "effective_to": "2026-12-31"}, instance=rate)
    assert form.is_valid(), form.errors


def test_open_for_enrollment_reads_the_institution_afresh(officer):
    institution = make_institution()
    training_class = make_class(institution)
    assert training_class.institution.is_filed  # cached on the row the caller holds
    services.institution_suspend(institution, officer, "停业整顿")
    with pytest.raises(InvalidTransition):
        class_services.open_for_enrollment(training_class)


def test_market_panel_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    from training.views.institution import market_panel

    market = MarketFactory()
    for _ in range(5):
        make_class(make_institution(), market=market, starts_on=dt.date.today() + dt.timedelta(days=3))
    with django_assert_max_num_queries(2):  # the points with their institutions, the classes with theirs
        panel = market_panel(market)
    assert len(panel.rows) == 10  # 5 classrooms + 5 classes


def test_points_and_members_pages(client_as):
    institution = make_institution()
    admin = institution_member(institution)
    client = client_as(admin)
    market = MarketFactory()
    response = client.post(
        reverse("training:institution_points"),
        {"market": market.pk, "kind": "signup", "location": "北门服务窗口"},
    )
    assert response.status_code == 302
    point = SignUpPoint.objects.get(institution=institution)
    assert point.location == "北门服务窗口" and point.is_active
    response = client.post(reverse("training:institution_points"), {"op": "close", "point": point.pk})
    point.refresh_from_db()
    assert not point.is_active
    teacher = UserFactory(roles=[])
    response = client.post(reverse("training:institution_members"), {"phone": teacher.phone, "teacher": "on"})
    assert response.status_code == 302
    assert InstitutionMember.objects.get(user=teacher).is_teacher
    page = client.get(reverse("training:institution_members")).content.decode()
    assert teacher.phone not in page and teacher.phone[-4:] in page
    response = client.post(reverse("training:institution_members"), {"phone": "13000000000"})
    assert response.status_code == 200 and "没有找到使用该手机号的账号" in response.content.decode()


def test_api_lists_are_query_bounded(api, django_assert_max_num_queries):
    for _ in range(4):
        make_class(make_institution())
    with django_assert_max_num_queries(3):  # count, page (with institution, item, county)
        assert api.get("/api/v1/training-classes/").status_code == 200
    with django_assert_max_num_queries(3):
        assert api.get("/api/v1/training-institutions/").status_code == 200
    with django_assert_max_num_queries(3):
        assert api.get("/api/v1/training-courses/").status_code == 200


def test_staff_view_the_licence_scan_in_scope_and_it_is_audited(
    client_as, county_a, officer, officer_b, tmp_path, settings
):
    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path)
    institution = services.institution_apply(UserFactory(roles=[]), application(county_a), pdf_upload())
    url = reverse("admin:training_institution_licence", args=[institution.pk])
    response = client_as(officer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditLog.objects.filter(object_id=str(institution.pk), action="export", actor=officer).count() == 1
    assert client_as(officer_b).get(url).status_code == 404


def test_spot_check_added_in_the_admin_goes_through_the_service(client_as, officer):
    institution = make_institution()
    response = client_as(officer).post(
        reverse("admin:training_spotcheck_add"),
        {
            "institution": institution.pk,
            "checked_on": "2026-12-01",
            "result": "pass",
            "findings": "",
            "trainees_present": "18",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    check = SpotCheck.objects.get(institution=institution)
    assert (check.checked_by, check.result, check.trainees_present) == (officer, "pass", 18)
    assert AuditLog.objects.filter(object_id=str(check.pk), action="create").count() == 1


def test_returned_application_is_corrected_on_the_apply_page(client_as, county_a, officer):
    person = UserFactory(roles=[])
    institution = services.institution_apply(person, application(county_a), png_upload())
    services.institution_review(institution, officer, False, "地址不详")
    client = client_as(person)
    page = client.get(reverse("training:institution_apply")).content.decode()
    assert "地址不详" in page and institution.name in page
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in application(county_a).items()}
    data["address"] = "潍坊市潍城区胜利西街8号3楼"
    response = client.post(reverse("training:institution_apply"), data)
    assert response.status_code == 302
    institution.refresh_from_db()
    assert (
        institution.status == InstitutionStatus.APPLIED
        and institution.address == "潍坊市潍城区胜利西街8号3楼"
    )

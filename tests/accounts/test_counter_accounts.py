"""Counter-managed accounts (issue 14 item 5, ADR 0019): a worker without a phone gets an account at the
counter (ID card checked in person, signed paper consent scanned), a printed worker card any counter in the
city serves them by, and later the same account with their own phone; the resident ID stays one account
across both kinds; a relative's number is a contact, never unique, never a login."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from stdnum import luhn

from accounts import services
from accounts.cards import is_card_number
from accounts.choices import CodePurpose, Role
from accounts.idgen import make_resident_id
from accounts.models import Consent, CounterAccount, PhoneCode, User
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.masking import mask_name, mask_phone
from core.models import AuditLog
from core.notifications import outbox
from tests.conftest import nothing_written

from .factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PHONE = "13612345678"
COUNTER_URL = "/jobs/counter/"
CREATE_URL = "/accounts/counter/new/"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def notice():
    return services.current_privacy_notice()


@pytest.fixture
def operator(county_a):
    """A market operator's counter staff (no staff scope: they serve whoever comes to the market)."""
    return UserFactory(scope_unit=county_a, roles=[Role.MARKET_OPERATOR])


def scan(fmt="JPEG", name="consent.jpg", exif=True) -> SimpleUploadedFile:
    image = Image.new("RGB", (400, 560), (250, 250, 250))
    out = io.BytesIO()
    if fmt == "JPEG" and exif:
        exif_data = Image.Exif()
        exif_data[0x010F] = "PhoneMaker"  # Make
        image.save(out, format="JPEG", exif=exif_data.tobytes())
    else:
        image.save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def rid(seq=31, birth=dt.date(1958, 6, 1), area="370702") -> str:
    return make_resident_id(area, birth, seq=seq, male=True)


def open_account(actor, unit, *, id_number=None, **extra) -> User:
    data = {
        "actor": actor,
        "real_name": "马长顺",
        "id_number": id_number or rid(),
        "scope_unit": unit,
        "id_checked": True,
        "notice_version": services.current_privacy_notice().version,
        "consent_scan": scan(),
    }
    data.update(extra)
    return services.counter_account_create(**data)


@contextlib.contextmanager
def no_account_written():
    """Refused: no user, grant, counter account or consent (the audited ID lookup is the one row written)."""
    from accounts.models import RoleGrant

    models = (User, RoleGrant, CounterAccount, Consent)
    before = [m.objects.count() for m in models]
    yield
    assert [m.objects.count() for m in models] == before


def sms_to(phone: str) -> list[str]:
    return [m.body for m in outbox if m.channel == "sms" and m.to == phone]


# --- opening the account --------------------------------------------------------------------------------


def test_counter_account_is_created_without_a_phone_with_card_consent_scan_and_audit(
    officer, county_a, notice
):
    worker = open_account(officer, county_a, relative_phone="139 0000 0002", relative_relation="子女")
    worker.refresh_from_db()
    assert worker.phone is None and not is_password_usable(worker.password)
    assert worker.has_role(Role.WORKER) and worker.real_name_verified_at is not None
    assert worker.birth_date == dt.date(1958, 6, 1) and worker.gender == "M"
    account = CounterAccount.objects.get(user=worker)
    assert account.created_by == officer and account.id_checked_at is not None
    assert account.relative_phone == "13900000002" and account.relative_relation == "子女"
    # 8 digits and a Luhn check digit, not derived from the person
    assert re.fullmatch(r"[1-9]\d{8}", account.card_number) and luhn.is_valid(account.card_number)
    assert account.card_number not in worker.id_number
    consent = Consent.objects.get(user=worker)
    assert consent.notice == notice and consent.recorded_by == officer
    data = consent.paper_scan.read()
    assert data[:3] == b"\xff\xd8\xff"  # a JPEG …
    assert b"PhoneMaker" not in data  # … written anew: the upload's metadata is gone
    assert consent.paper_scan.name.startswith("consents/")
    row = AuditLog.objects.get(action=AuditAction.CREATE, object_id=str(worker.pk))
    assert row.actor == officer and row.on_behalf_of == worker
    assert worker.id_number not in str(row.after)  # masked in the audit row


def test_counter_account_needs_counter_staff(worker, employer, county_a):
    for actor in (worker, employer):
        with nothing_written(), pytest.raises(NotPermitted):
            open_account(actor, county_a)


def test_counter_account_refuses_without_the_in_person_check_and_with_bad_input(operator, county_a):
    with nothing_written(), pytest.raises(DomainError) as exc:
        open_account(
            operator,
            county_a,
            id_checked=False,
            id_number="370702195806010000",
            real_name=" ",
            relative_phone="12345",
            notice_version="0",
        )
    fields = exc.value.fields
    assert {"id_checked", "id_number", "real_name", "relative_phone", "notice_version"} <= set(fields)
    assert all(re.search(r"[\u4e00-\u9fff]", str(m[0])) for m in fields.values())  # Chinese messages


@pytest.mark.parametrize(
    "upload,message",
    [
        (
            SimpleUploadedFile("consent.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg"),
            "JPEG 或 PNG",
        ),
        (SimpleUploadedFile("x.gif", b"GIF89a" + b"\0" * 40, content_type="image/gif"), "JPEG 或 PNG"),
        (None, "请上传"),
    ],
)
def test_consent_scan_type_is_checked_by_content(operator, county_a, upload, message):
    with no_account_written(), pytest.raises(DomainError) as exc:
        open_account(operator, county_a, consent_scan=upload)
    assert message in str(exc.value.fields["consent_scan"][0])


def test_consent_scan_png_named_txt_is_taken_by_its_content(operator, county_a):
    worker = open_account(operator, county_a, consent_scan=scan("PNG", name="scan.txt"))
    assert Consent.objects.get(user=worker).paper_scan.read()[:3] == b"\xff\xd8\xff"


def test_consent_scan_over_the_size_limit_is_refused(operator, county_a, settings):
    settings.LINGONG_CONSENT_SCAN_MAX_BYTES = 1000
    with no_account_written(), pytest.raises(DomainError) as exc:
        open_account(operator, county_a)
    assert "文件过大" in str(exc.value.fields["consent_scan"][0])


def test_a_resubmitted_create_form_returns_the_same_account(operator, county_a):
    first = open_account(operator, county_a, request_key="k-1")
    again = open_account(operator, county_a, request_key="k-1")
    assert again.pk == first.pk and CounterAccount.objects.count() == 1 and Consent.objects.count() == 1


# --- one resident ID, one account ------------------------------------------------------------------------


def test_counter_refuses_an_id_that_has_a_phone_account_and_points_to_it(officer, worker, county_a):
    with pytest.raises(DomainError) as exc:
        open_account(officer, county_a, id_number=worker.id_number)
    message = str(exc.value.fields["id_number"][0])
    assert mask_phone(worker.phone) in message and worker.phone not in message
    assert mask_name(worker.real_name) in message and worker.real_name not in message
    assert User.objects.filter(id_number=worker.id_number).count() == 1
    assert not CounterAccount.objects.exists() and not Consent.objects.filter(user__phone=None).exists()
    lookup = AuditLog.objects.get(action=AuditAction.REVEAL, actor=officer)
    assert lookup.after["lookup"] == "id_number" and lookup.after["found"] is True


def test_counter_refuses_an_id_that_has_a_counter_account_and_points_to_its_card(officer, operator, county_a):
    first = open_account(operator, county_a)
    with pytest.raises(DomainError) as exc:
        open_account(officer, county_a, id_number=first.id_number)
    message = str(exc.value.fields["id_number"][0])
    card = first.counter_account.card_number
    assert card[-4:] in message and card not in message and first.id_number not in message
    assert User.objects.filter(id_number=first.id_number).count() == 1


def test_self_registration_refuses_an_id_kept_at_the_counter_with_the_same_answer_as_any_taken_id(
    operator, worker, county_a, notice, django_capture_on_commit_callbacks
):
    """The registrant proved only their own phone: they learn the ID is taken and where to go, not which
    kind of account it has, whose it is or its card."""
    kept = open_account(operator, county_a)
    answers = []
    for n, taken in enumerate((kept.id_number, worker.id_number)):
        phone = f"1381234567{n}"
        with django_capture_on_commit_callbacks(execute=True):
            services.phone_code_send(phone=phone, purpose=CodePurpose.REGISTER)
        code = re.search(r"\d{6}", sms_to(phone)[-1]).group()
        response = Client().post(
            "/accounts/register/",
            {
                "action": "register",
                "account_type": "worker",
                "phone": phone,
                "code": code,
                "real_name": "冒名者",
                "id_number": taken,
                "scope_unit": county_a.pk,
                "password": "gig-work-2026",
                "consent": "on",
                "notice_version": notice.version,
            },
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert kept.counter_account.card_number[-4:] not in body and kept.real_name not in body
        answers.append(response.context["form"].errors["id_number"])
    assert answers[0] == answers[1] == [str(services.DUPLICATE_ID_ONLINE)]
    assert "服务台" in answers[0][0]
    assert User.objects.filter(id_number=kept.id_number).count() == 1
    assert not User.objects.filter(real_name="冒名者").exists()


# --- a relative's number ---------------------------------------------------------------------------------


def test_relative_number_is_not_unique_and_never_a_login(operator, worker, county_a):
    """Two workers' contact is the same daughter, whose number is also someone's own login."""
    worker.set_password("pass-word-123")
    worker.save()
    a = open_account(
        operator, county_a, id_number=rid(41), relative_phone=worker.phone, relative_relation="子女"
    )
    b = open_account(
        operator, county_a, id_number=rid(42), relative_phone=worker.phone, relative_relation="子女"
    )
    assert CounterAccount.objects.filter(relative_phone=worker.phone).count() == 2
    assert a.phone is None and b.phone is None
    # the number logs in as its owner only; no password opens a counter-managed account
    client = Client()
    response = client.post("/accounts/login/", {"username": worker.phone, "password": "pass-word-123"})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == worker.pk
    assert User.objects.filter(phone=worker.phone).get() == worker
    # an SMS code to the relative's number for a login or reset is about the owner's account, never theirs
    other = Client()
    other.post("/accounts/login/code/", {"action": "send_code", "phone": "13900000099"})
    assert not sms_to("13900000099")  # no account has it as its login: no code, no word
    assert not PhoneCode.objects.filter(phone="13900000099").exists()


# --- the worker card and the counter --------------------------------------------------------------------


def test_card_lookup_checks_the_digit_before_looking_and_audits_every_lookup(officer_b, operator, county_a):
    holder = open_account(operator, county_a)
    card = holder.counter_account.card_number
    typo = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert not is_card_number(typo)
    before = AuditLog.objects.count()
    with pytest.raises(DomainError) as exc:
        services.card_holder_find(actor=officer_b, card_number=typo)
    assert exc.value.code == "invalid_card" and AuditLog.objects.count() == before
    found = services.card_holder_find(actor=officer_b, card_number=f"{card[:4]} {card[4:8]} {card[8]}")
    assert found == holder
    row = AuditLog.objects.filter(action=AuditAction.ASSISTED).latest("at")
    assert row.actor == officer_b and row.on_behalf_of == holder and row.scope_unit_id == county_a.pk
    assert row.after == {"lookup": "card", "card": "*****" + card[-4:], "found": True}


def test_card_lookup_is_rate_limited_with_the_personal_lookups(officer, settings):
    settings.LINGONG_PERSONAL_LOOKUP_LIMIT = 2
    number = "12345678" + luhn.calc_check_digit("12345678")
    for _ in range(2):
        with pytest.raises(DomainError) as exc:
            services.card_holder_find(actor=officer, card_number=number)
        assert exc.value.code == "card_not_found"
    with pytest.raises(DomainError) as exc:
        services.card_holder_find(actor=officer, card_number=number)
    assert exc.value.status == 429


def test_card_lookup_refused_to_workers_and_employers(worker, employer):
    for actor in (worker, employer):
        with pytest.raises(NotPermitted):
            services.card_holder_find(actor=actor, card_number="123456782")


def test_out_of_county_counter_serves_the_card_holder_and_every_access_is_audited(
    client_as, officer_b, operator, county_a
):
    from jobs.choices import ApplicationSource
    from jobs.models import Application

    from ..jobs.factories import published_posting

    holder = open_account(operator, county_a)
    posting = published_posting()  # in county A, outside officer_b's scope
    client = client_as(officer_b)
    # by phone number the holder is nobody officer_b may serve; by the card they are
    response = client.post(
        COUNTER_URL, {"action": "card", "card_number": holder.counter_account.card_number}, follow=True
    )
    assert response.status_code == 200 and "马**" in response.content.decode()
    before = AuditLog.objects.filter(action=AuditAction.ASSISTED, on_behalf_of=holder).count()
    response = client.post(f"/jobs/{posting.pk}/apply/")
    assert response.status_code == 302
    application = Application.objects.get(worker=holder)
    assert application.source == ApplicationSource.COUNTER and application.acted_by == officer_b
    notes = AuditLog.objects.filter(action=AuditAction.ASSISTED, on_behalf_of=holder, actor=officer_b)
    assert notes.count() > before
    assert set(notes.values_list("scope_unit_id", flat=True)) == {county_a.pk}


def test_card_page_shows_the_card_and_no_personal_data_and_is_closed_to_other_counters(
    client_as, operator, county_a, county_b
):
    holder = open_account(operator, county_a, relative_phone="13900000002", relative_relation="子女")
    account = holder.counter_account
    response = client_as(operator).get(f"/accounts/counter/{account.pk}/card/")
    body = response.content.decode()
    assert response.status_code == 200
    assert account.card_display in body and 'class="qr"' in body
    assert holder.id_number not in body and "13900000002" not in body and "马**" in body
    other_market = UserFactory(scope_unit=county_b, roles=[Role.MARKET_OPERATOR])
    assert client_as(other_market).get(f"/accounts/counter/{account.pk}/card/").status_code == 404


def test_consent_scan_is_served_only_through_the_checked_view(
    client_as, operator, officer, officer_b, worker, county_a
):
    holder = open_account(operator, county_a)
    consent = Consent.objects.get(user=holder)
    url = f"/accounts/consents/{consent.pk}/scan/"
    for reader in (operator, officer):
        response = client_as(reader).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    for outsider in (officer_b, worker):
        assert client_as(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert AuditLog.objects.filter(action=AuditAction.REVEAL, object_id=str(holder.pk)).count() == 2
    # nothing under MEDIA_ROOT: no public URL reaches it
    with pytest.raises(ValueError):
        consent.paper_scan.url  # noqa: B018


def test_counter_create_page_opens_the_account_and_the_card(client_as, operator, county_a, notice):
    client = client_as(operator)
    page = client.get(CREATE_URL)
    key = page.context["form"].initial["request_key"]
    data = {
        "real_name": "马长顺",
        "id_number": rid(),
        "id_checked": "on",
        "scope_unit": county_a.pk,
        "relative_phone": "",
        "relative_relation": "",
        "notice_version": notice.version,
        "request_key": key,
        "consent_scan": scan(),
    }
    response = client.post(CREATE_URL, data)
    account = CounterAccount.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/accounts/counter/{account.pk}/card/"
    data["consent_scan"] = scan()
    again = client.post(CREATE_URL, data)  # the same form sent twice: the same account
    assert again["Location"] == response["Location"] and CounterAccount.objects.count() == 1


def test_counter_create_page_shows_field_errors_in_chinese(client_as, operator, county_a, notice):
    response = client_as(operator).post(
        CREATE_URL,
        {
            "real_name": "马长顺",
            "id_number": "123",
            "scope_unit": county_a.pk,
            "notice_version": notice.version,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "身份证" in errors["id_number"][0] and "查验" in errors["id_checked"][0]
    assert not User.objects.filter(real_name="马长顺").exists()


def test_counter_pages_refuse_workers(client_as, worker):
    assert client_as(worker).get(CREATE_URL).status_code == 403


def test_no_sms_goes_to_a_counter_managed_worker_or_their_relative(operator, county_a):
    from jobs.notifications import notify_user

    holder = open_account(operator, county_a, relative_phone="13900000002", relative_relation="子女")
    outbox.clear()
    notify_user(user_id=holder.pk, body="您已被录用")
    assert not [m for m in outbox if m.channel == "sms"]
    assert not sms_to("13900000002")


# --- the worker gets a phone ----------------------------------------------------------------------------


def test_upgrade_keeps_the_same_account_and_its_history_and_logs_in_by_sms(
    client_as, operator, county_a, django_capture_on_commit_callbacks
):
    from jobs import services as jobs_services
    from jobs.models import Application
    from work.models import WorkOrder

    from ..jobs.factories import published_posting

    holder = open_account(operator, county_a)
    posting = published_posting()
    application = jobs_services.application_apply(posting=posting, worker=holder, actor=operator)
    jobs_services.application_accept(application=application, actor=posting.employer.user)
    orders = set(WorkOrder.objects.filter(worker=holder).values_list("pk", flat=True))
    assert orders

    # at the counter: the worker's new phone gets a code, they read it out
    client = client_as(operator)
    url = f"/accounts/counter/{holder.counter_account.pk}/upgrade/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send_code", "phone": NEW_PHONE})
    code = re.search(r"\d{6}", sms_to(NEW_PHONE)[-1]).group()
    response = client.post(url, {"action": "upgrade", "phone": NEW_PHONE, "code": code})
    assert response.status_code == 302

    holder.refresh_from_db()
    assert holder.phone == NEW_PHONE and holder.phone_verified_at is not None
    assert User.objects.filter(id_number=holder.id_number).count() == 1
    assert set(WorkOrder.objects.filter(worker=holder).values_list("pk", flat=True)) == orders
    assert Application.objects.get(pk=application.pk).worker_id == holder.pk
    account = CounterAccount.objects.get(user=holder)
    assert account.upgraded_at is not None and account.upgraded_by == operator
    assert AuditLog.objects.filter(
        action=AuditAction.UPDATE, object_id=str(holder.pk), actor=operator
    ).exists()

    # the worker logs in with an SMS code to their own number
    own = Client()
    with django_capture_on_commit_callbacks(execute=True):
        own.post("/accounts/login/code/", {"action": "send_code", "phone": NEW_PHONE})
    code = re.search(r"\d{6}", sms_to(NEW_PHONE)[-1]).group()
    response = own.post("/accounts/login/code/", {"action": "login", "phone": NEW_PHONE, "code": code})
    assert response.status_code == 302 and int(own.session["_auth_user_id"]) == holder.pk


def test_upgrade_refuses_a_number_that_is_another_account_login(
    operator, worker, county_a, django_capture_on_commit_callbacks
):
    holder = open_account(operator, county_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=worker.phone, purpose=CodePurpose.UPGRADE)
    code = re.search(r"\d{6}", sms_to(worker.phone)[-1]).group()
    with pytest.raises(DomainError) as exc:
        services.counter_account_upgrade(worker=holder, actor=operator, phone=worker.phone, code=code)
    assert "phone" in exc.value.fields
    holder.refresh_from_db()
    assert holder.phone is None and CounterAccount.objects.get(user=holder).upgraded_at is None


def test_upgrade_with_a_wrong_code_changes_nothing(operator, county_a, django_capture_on_commit_callbacks):
    holder = open_account(operator, county_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=NEW_PHONE, purpose=CodePurpose.UPGRADE)
    with pytest.raises(DomainError) as exc:
        services.counter_account_upgrade(worker=holder, actor=operator, phone=NEW_PHONE, code="000000")
    assert exc.value.code == "invalid_code"
    holder.refresh_from_db()
    assert holder.phone is None


def test_upgrade_page_is_closed_to_a_counter_that_was_not_shown_the_card(
    client_as, operator, county_b, county_a
):
    holder = open_account(operator, county_a)
    other_market = UserFactory(scope_unit=county_b, roles=[Role.MARKET_OPERATOR])
    assert (
        client_as(other_market).get(f"/accounts/counter/{holder.counter_account.pk}/upgrade/").status_code
        == 404
    )


def test_worker_binds_their_own_phone_online_with_card_and_id(
    operator, county_a, django_capture_on_commit_callbacks
):
    holder = open_account(operator, county_a)
    card = holder.counter_account.card_number
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/card/bind/", {"action": "send_code", "phone": NEW_PHONE})
    code = re.search(r"\d{6}", sms_to(NEW_PHONE)[-1]).group()
    data = {"action": "bind", "card_number": card, "id_number": rid(seq=99), "phone": NEW_PHONE, "code": code}
    wrong = client.post("/accounts/card/bind/", data)  # someone else's ID with this card
    assert wrong.status_code == 400 and "不符" in wrong.context["form"].errors["card_number"][0]
    holder.refresh_from_db()
    assert holder.phone is None
    data["id_number"] = holder.id_number
    response = client.post("/accounts/card/bind/", data)
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == holder.pk
    holder.refresh_from_db()
    assert holder.phone == NEW_PHONE and User.objects.filter(id_number=holder.id_number).count() == 1
    account = CounterAccount.objects.get(user=holder)
    assert account.upgraded_by == holder and account.upgraded_at is not None


def test_card_and_id_mismatches_use_up_the_code(county_a, operator, django_capture_on_commit_callbacks):
    holder = open_account(operator, county_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_code_send(phone=NEW_PHONE, purpose=CodePurpose.UPGRADE)
    code = re.search(r"\d{6}", sms_to(NEW_PHONE)[-1]).group()
    for _ in range(5):
        with pytest.raises(DomainError):
            services.counter_account_claim(
                card_number=holder.counter_account.card_number,
                id_number=rid(seq=98),
                phone=NEW_PHONE,
                code=code,
            )
    with pytest.raises(DomainError) as exc:  # now even the right pair is refused: the code is void
        services.counter_account_claim(
            card_number=holder.counter_account.card_number,
            id_number=holder.id_number,
            phone=NEW_PHONE,
            code=code,
        )
    assert exc.value.code == "invalid_code"
    holder.refresh_from_db()
    assert holder.phone is None


def test_admin_shows_counter_accounts_masked_in_scope_and_keeps_the_login_number_read_only(
    client_as, officer, officer_b, operator, county_a
):
    holder = open_account(operator, county_a, relative_phone="13900000002", relative_relation="子女")
    account = holder.counter_account
    page = client_as(officer).get(f"/admin/accounts/counteraccount/{account.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200 and "139****0002" in body and "13900000002" not in body
    assert account.card_number not in body  # the card's last digits only
    assert client_as(officer_b).get(f"/admin/accounts/counteraccount/{account.pk}/change/").status_code in (
        302,
        404,
    )
    user_page = client_as(officer).get(f"/admin/accounts/user/{holder.pk}/change/")
    assert user_page.status_code == 200
    assert 'name="phone"' not in user_page.content.decode()  # not settable without the SMS code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_counters_opening_the_same_resident_id_at_once_make_one_account(
    postgres, county_a, tmp_path, settings
):
    from ..jobs.test_concurrency import run_together

    counters = [UserFactory(scope_unit=county_a, roles=[Role.MARKET_OPERATOR]) for _ in range(4)]
    number = rid(seq=77)

    def attempt(i):
        return open_account(counters[i], county_a, id_number=number)

    results = run_together(attempt, count=4)
    made = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == 3, results
    assert all("id_number" in r.fields for r in refused)
    assert User.objects.filter(id_number=number).count() == 1
    assert CounterAccount.objects.count() == 1 and Consent.objects.filter(user=made[0]).count() == 1


def test_counter_page_lists_the_cards_its_staff_member_issued_and_no_one_elses(
    client_as, operator, officer, county_a
):
    holder = open_account(operator, county_a)
    url = f"/accounts/counter/{holder.counter_account.pk}/card/"
    assert url in client_as(operator).get(COUNTER_URL).content.decode()
    assert url not in client_as(officer).get(COUNTER_URL).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_existing_number_and_then_allows_none(county_a):
    """0007 only relaxes NOT NULL on User.phone: rows made before it keep their numbers, unique still holds."""
    from django.db import IntegrityError, connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_phonecode_delivery")])
    old_user = executor.loader.project_state([("accounts", "0005_phonecode_delivery")]).apps.get_model(
        "accounts", "User"
    )
    old_user.objects.create(phone="13512345678", password="!", real_name="老用户")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.get(real_name="老用户").phone == "13512345678"
    User.objects.create(phone=None, password="!", real_name="甲")
    User.objects.create(phone=None, password="!", real_name="乙")  # NULLs do not collide
    with pytest.raises(IntegrityError):
        User.objects.create(phone="13512345678", password="!", real_name="丙")


def test_a_lost_card_is_reissued_in_the_admin_and_the_old_number_stops_working(
    client_as, officer, officer_b, operator, county_a
):
    from core.errors import NotFound

    holder = open_account(operator, county_a)
    old = holder.counter_account.card_number
    response = client_as(officer).post(
        "/admin/accounts/counteraccount/",
        {"action": "reissue_card", "_selected_action": [holder.counter_account.pk]},
    )
    assert response.status_code == 302
    account = CounterAccount.objects.get(user=holder)
    assert account.card_number != old and is_card_number(account.card_number)
    with pytest.raises(DomainError) as exc:
        services.card_holder_find(actor=operator, card_number=old)
    assert exc.value.code == "card_not_found"
    assert services.card_holder_find(actor=operator, card_number=account.card_number) == holder
    row = AuditLog.objects.get(action=AuditAction.UPDATE, object_id=str(account.pk))
    assert row.actor == officer and row.before == {"card": "*****" + old[-4:]}
    with pytest.raises(NotFound):
        services.counter_card_reissue(account=account, actor=officer_b)
    assert CounterAccount.objects.get(user=holder).card_number == account.card_number

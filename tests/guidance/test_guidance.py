"""Policy consultation and career guidance (issue 14 item 7): the working-day calendar behind the answer
deadline, asking online and at a counter, answering within the county (404 outside it), the reminder before
the deadline, the anonymised FAQ, policy search without JavaScript, and career-guidance bookings."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from core.calendar import SHANGHAI, add_working_days, end_of_day, is_working_day
from core.errors import DomainError
from core.models import CalendarDay, InboxMessage
from guidance import services
from guidance.choices import ArticleStatus, BookingStatus, QuestionStatus
from guidance.models import GuidanceBooking, GuidanceSlot, PolicyArticle, PolicyAttachment, Question
from tests.accounts.factories import UserFactory
from tests.markets.factories import MarketFactory

pytestmark = pytest.mark.django_db

# 2026: Mid-Autumn Festival 25–27 September (Fri–Sun), National Day 1–7 October, make-up working days
# Sunday 20 September and Saturday 10 October (the State Council's notice for 2026).
ASKED = dt.datetime(2026, 9, 23, 15, 0, tzinfo=SHANGHAI)  # a Wednesday afternoon


# --- the calendar -----------------------------------------------------------------------------------------


def test_the_calendar_is_seeded_with_holidays_and_make_up_days():
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).is_working_day is False
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).is_working_day is True
    assert is_working_day(dt.date(2026, 9, 25)) is False  # Friday, Mid-Autumn
    assert is_working_day(dt.date(2026, 9, 20)) is True  # Sunday, make-up day
    assert is_working_day(dt.date(2026, 9, 22)) is True  # an ordinary Tuesday


def test_add_working_days_skips_holidays_and_counts_make_up_days():
    # Wed 23 Sep + 5: Thu 24 (1), [Fri 25–Sun 27 holiday], Mon 28 (2), Tue 29 (3), Wed 30 (4),
    # [1–7 Oct holiday], Thu 8 Oct (5)
    assert add_working_days(dt.date(2026, 9, 23), 5) == dt.date(2026, 10, 8)
    assert add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)  # Saturday make-up day
    assert add_working_days(dt.date(2026, 10, 8), -1) == dt.date(2026, 9, 30)
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)  # Friday → Monday
    assert end_of_day(dt.date(2026, 10, 8)) == dt.datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)


def test_staff_corrections_in_the_calendar_take_effect():
    CalendarDay.objects.create(date=dt.date(2026, 11, 30), is_working_day=False, name="临时停工")
    assert add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 12, 1)


# --- asking and answering ---------------------------------------------------------------------------------


@pytest.fixture
def asked(worker):
    with time_machine.travel(ASKED, tick=False):
        return services.question_ask(
            actor=worker,
            category="social_insurance",
            title="打零工怎么交社保",
            body="没有单位，想自己交养老保险。",
        )


def test_a_question_asked_online_gets_its_working_day_deadline(client, worker):
    client.force_login(worker)
    with time_machine.travel(ASKED, tick=False):
        response = client.post(
            "/guidance/ask/",
            {
                "category": "social_insurance",
                "title": "打零工怎么交社保",
                "body": "没有单位，想自己交养老保险。",
            },
        )
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/guidance/questions/{question.pk}/"
    assert question.asker == worker and question.scope_unit == worker.scope_unit
    assert question.status == QuestionStatus.OPEN and question.channel == "online"
    assert question.due_on == dt.date(2026, 10, 8)
    assert question.due_at == dt.datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)
    # reminded at 09:00 of the working day before the due date
    assert question.remind_at == dt.datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI)


def test_an_empty_question_gets_field_errors_and_writes_nothing(client, worker):
    client.force_login(worker)
    response = client.post("/guidance/ask/", {"category": "social_insurance", "title": " ", "body": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert "title" in form.errors and "body" in form.errors
    assert not Question.objects.exists()


def test_county_staff_answer_and_the_asker_is_told(client, asked, officer, worker):
    client.force_login(officer)
    assert asked.title in client.get("/guidance/counter/questions/").content.decode()
    response = client.post(
        f"/guidance/counter/questions/{asked.pk}/", {"action": "answer", "answer": "可以按灵活就业人员参保。"}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == QuestionStatus.ANSWERED and asked.answered_by == officer
    assert asked.answer == "可以按灵活就业人员参保。" and asked.answered_at is not None
    assert asked.events.get().to_status == QuestionStatus.ANSWERED
    told = InboxMessage.objects.filter(user=worker)
    assert told.count() == 1 and asked.title in told.get().body
    assert told.get().url == f"/guidance/questions/{asked.pk}/"
    # the asker reads the answer on their page
    client.force_login(worker)
    assert "可以按灵活就业人员参保。" in client.get(f"/guidance/questions/{asked.pk}/").content.decode()


def test_an_out_of_county_officer_cannot_see_or_answer_it(client, api_as, asked, officer_b):
    client.force_login(officer_b)
    assert client.get(f"/guidance/counter/questions/{asked.pk}/").status_code == 404
    assert (
        client.post(
            f"/guidance/counter/questions/{asked.pk}/", {"action": "answer", "answer": "越权答复"}
        ).status_code
        == 404
    )
    assert asked.title not in client.get("/guidance/counter/questions/").content.decode()
    api = api_as(officer_b)
    assert api.get(f"/api/v1/policy-questions/{asked.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/policy-questions/{asked.pk}/answer/", {"answer": "越权"}, format="json"
        ).status_code
        == 404
    )
    assert api.get("/api/v1/policy-questions/").json()["results"] == []
    asked.refresh_from_db()
    assert asked.status == QuestionStatus.OPEN and asked.answer == ""
    with pytest.raises(DomainError) as exc:
        services.question_answer(question=asked, actor=officer_b, answer="越权")
    assert exc.value.status == 404


def test_another_person_cannot_read_someone_elses_question(client, asked, worker_b):
    client.force_login(worker_b)
    assert client.get(f"/guidance/questions/{asked.pk}/").status_code == 404


def test_the_reminder_fires_before_the_deadline_once(asked, officer):
    with time_machine.travel(dt.datetime(2026, 9, 30, 8, 59, tzinfo=SHANGHAI), tick=False):
        assert services.question_remind_due() == 0
    with time_machine.travel(dt.datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert services.question_remind_due() == 1
        assert services.question_remind_due() == 0  # a second run tells nobody again
    reminders = InboxMessage.objects.filter(user=officer)
    assert reminders.count() == 1 and "2026-10-08" in reminders.get().body
    asked.refresh_from_db()
    assert asked.reminded_at == dt.datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI)


def test_an_answered_question_is_not_reminded(asked, officer):
    services.question_answer(question=asked, actor=officer, answer="已答复。")
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert services.question_remind_due() == 0
    assert not InboxMessage.objects.filter(user=officer).exists()


def test_a_counter_question_without_an_account_is_answered_by_sms(client, officer):
    from core.models import MessageDelivery

    client.force_login(officer)
    response = client.post(
        "/guidance/counter/questions/new/",
        {
            "channel": "hotline",
            "category": "rights",
            "title": "工钱被拖欠",
            "body": "干了三天活没给钱。",
            "asker_name": "王大叔",
            "contact_phone": "13912345678",
        },
    )
    question = Question.objects.get()
    assert response.status_code == 302
    assert question.channel == "hotline" and question.recorded_by == officer and question.asker is None
    assert question.scope_unit == officer.scope_unit
    services.question_answer(question=question, actor=officer, answer="请到市场服务台登记投诉。")
    sms = MessageDelivery.objects.get(channel="sms")
    assert sms.recipient == "13912345678" and "工钱被拖欠" in sms.body


def test_faq_is_published_in_staff_wording_only(client, api, asked, officer, worker):
    with pytest.raises(DomainError):
        services.question_publish_faq(question=asked, actor=officer, faq_question="问", faq_answer="答")
    services.question_answer(question=asked, actor=officer, answer="可以按灵活就业人员参保。")
    client.force_login(officer)
    client.post(
        f"/guidance/counter/questions/{asked.pk}/",
        {
            "action": "faq",
            "faq_question": "没有单位能自己交社保吗？",
            "faq_answer": "可以按灵活就业人员参保。",
        },
    )
    asked.refresh_from_db()
    assert asked.faq_published
    client.logout()
    html = client.get("/guidance/faq/").content.decode()
    assert "没有单位能自己交社保吗？" in html and worker.real_name not in html
    rows = api.get("/api/v1/policy-faq/").json()["results"]
    assert [r["question"] for r in rows] == ["没有单位能自己交社保吗？"]
    assert set(rows[0]) == {"id", "category", "question", "answer", "published_at"}


def test_the_api_asks_with_the_same_deadline(api_as, worker):
    with time_machine.travel(ASKED, tick=False):
        response = api_as(worker).post(
            "/api/v1/policy-questions/",
            {"category": "training", "title": "培训补贴", "body": "怎么领？"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["due_on"] == "2026-10-08"
    assert Question.objects.get().asker == worker


# --- policies ------------------------------------------------------------------------------------------------


@pytest.fixture
def policies(county_a, city_staff):
    today = dt.date(2026, 12, 1)
    made = {
        "live": PolicyArticle.objects.create(
            title="灵活就业人员社会保险补贴",
            category="social_insurance",
            doc_number="鲁人社规〔2023〕4号",
            effective_from=today - dt.timedelta(days=30),
            body="按实际缴费的三分之二给予补贴。",
        ),
        "draft": PolicyArticle.objects.create(
            title="未发布的社会保险草稿", category="social_insurance", effective_from=today, body="草稿。"
        ),
        "expired": PolicyArticle.objects.create(
            title="已失效的社会保险旧规",
            category="social_insurance",
            effective_from=today - dt.timedelta(days=900),
            expires_on=today - dt.timedelta(days=1),
            body="旧规。",
        ),
    }
    services.article_publish(article=made["live"], actor=city_staff)
    services.article_publish(article=made["expired"], actor=city_staff)
    return made


def test_policy_search_works_without_javascript(client, policies):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        html = client.get("/guidance/", {"q": "社会保险"}).content.decode()
        by_number = client.get("/guidance/", {"q": "鲁人社规〔2023〕4号"}).context["articles"]
        detail = client.get(f"/guidance/policies/{policies['live'].pk}/")
        draft = client.get(f"/guidance/policies/{policies['draft'].pk}/")
    assert "灵活就业人员社会保险补贴" in html
    assert "未发布的社会保险草稿" not in html and "已失效的社会保险旧规" not in html
    assert [a.pk for a in by_number] == [policies["live"].pk]
    assert detail.status_code == 200 and "鲁人社规〔2023〕4号" in detail.content.decode()
    assert draft.status_code == 404
    policies["live"].refresh_from_db()
    assert policies["live"].status == ArticleStatus.PUBLISHED and policies["live"].events.count() == 1


def test_an_attachment_is_checked_by_content_and_served_only_while_public(
    client, policies, city_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    fake = SimpleUploadedFile("通知.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError):
        PolicyAttachment(article=policies["live"], title="原文", file=fake).full_clean()
    real = SimpleUploadedFile("通知.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    attachment = PolicyAttachment(article=policies["live"], title="原文", file=real)
    attachment.full_clean()
    attachment.save()
    response = client.get(f"/guidance/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    services.article_withdraw(article=policies["live"], actor=city_staff)
    assert client.get(f"/guidance/attachments/{attachment.pk}/").status_code == 404


# --- career-guidance appointments --------------------------------------------------------------------------------


@pytest.fixture
def slot(county_a):
    market = MarketFactory(scope_unit=county_a, name="潍城区零工市场")
    start = dt.datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI)
    return GuidanceSlot.objects.create(
        market=market, starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=1, counsellor="张老师"
    )


def test_booking_holds_capacity_and_the_counter_records_the_guidance(client, slot, worker, worker_b, officer):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(worker)
        assert slot.market.name in client.get("/guidance/appointments/").content.decode()
        client.post(f"/guidance/appointments/{slot.pk}/book/", {"need": "想转行做网约配送员"})
        booking = GuidanceBooking.objects.get()
        assert booking.person == worker and booking.status == BookingStatus.BOOKED and not booking.assisted
        with pytest.raises(DomainError) as full:
            services.booking_create(slot=slot, person=worker_b, actor=worker_b)
        assert full.value.code == "slot_full"
        client.force_login(officer)
        assert client.get("/guidance/counter/appointments/").status_code == 200
        client.post(
            f"/guidance/counter/bookings/{booking.pk}/",
            {"attended": "1", "guidance_given": "建议参加网约配送员培训。"},
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ATTENDED and booking.guidance_given == "建议参加网约配送员培训。"
    assert booking.recorded_by == officer
    assert booking.events.get().on_behalf_of == worker
    assert GuidanceBooking.objects.count() == 1


def test_an_out_of_county_counter_cannot_record_a_booking(client, slot, worker, officer_b):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        booking = services.booking_create(slot=slot, person=worker, actor=worker)
        client.force_login(officer_b)
        response = client.post(f"/guidance/counter/bookings/{booking.pk}/", {"attended": "0"})
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_overfill_a_slot(county_a):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    market = MarketFactory(scope_unit=county_a)
    start = dt.datetime.now(SHANGHAI) + dt.timedelta(days=2)
    slot = GuidanceSlot.objects.create(
        market=market, starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=3, counsellor="李老师"
    )
    people = [UserFactory(roles=[Role.WORKER]) for _ in range(10)]
    barrier = threading.Barrier(len(people))
    outcomes = []

    def book(person):
        from django.db import connections

        barrier.wait()
        try:
            services.booking_create(slot=slot, person=person, actor=person)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3 and outcomes.count("slot_full") == 7
    assert GuidanceBooking.objects.filter(slot=slot).count() == 3


def test_the_api_books_a_slot_and_lists_it_as_the_persons_own(api, api_as, slot, worker, worker_b):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        listed = api.get("/api/v1/guidance-slots/").json()["results"]
        assert [(s["id"], s["booked"], s["capacity"]) for s in listed] == [(slot.pk, 0, 1)]
        assert api.post(f"/api/v1/guidance-slots/{slot.pk}/book/", {}, format="json").status_code in (
            401,
            403,
        )
        made = api_as(worker).post(f"/api/v1/guidance-slots/{slot.pk}/book/", {"need": "求职"}, format="json")
        assert made.status_code == 201 and made.json()["status"] == "booked"
        full = api_as(worker_b).post(f"/api/v1/guidance-slots/{slot.pk}/book/", {}, format="json")
        assert full.status_code == 400 and full.json()["code"] == "slot_full"
        assert api_as(worker_b).get("/api/v1/guidance-bookings/").json()["results"] == []
        booking_id = made.json()["id"]
        assert api_as(worker_b).post(f"/api/v1/guidance-bookings/{booking_id}/cancel/").status_code == 404
        done = api_as(worker).post(f"/api/v1/guidance-bookings/{booking_id}/cancel/")
    assert done.status_code == 200
    assert GuidanceBooking.objects.get(pk=booking_id).status == BookingStatus.CANCELLED


def test_a_market_page_links_to_its_guidance_times(client, slot):
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        html = client.get(f"/markets/{slot.market.pk}/").content.decode()
        assert f"/guidance/appointments/?market={slot.market.pk}" in html
        listed = client.get("/guidance/appointments/", {"market": slot.market.pk}).context["slots"]
    assert [s.pk for s in listed] == [slot.pk]

"""The inbox (ADR 0017): every notification a person is sent lands there whatever else is sent; a page and
an API list the person's own messages (another's is a 404), the header shows the unread count, and one or
all are marked read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.models import InboxMessage
from jobs import services as job_services
from jobs.notifications import notify

from ..jobs.factories import make_worker, published_posting

pytestmark = pytest.mark.django_db

API = "/api/v1/inbox/"


def messages_for(user, *bodies):
    return [InboxMessage.objects.create(user=user, body=body) for body in bodies]


def test_notifications_from_the_apps_land_in_the_inbox_whatever_the_channels(
    django_capture_on_commit_callbacks,
):
    worker = make_worker(notify_sms=True, notify_inbox=False, notify_wechat=False)
    posting = published_posting()
    with django_capture_on_commit_callbacks(execute=True):
        application = job_services.application_apply(posting=posting, worker=worker, actor=worker)
        job_services.application_accept(application=application, actor=posting.employer.user)
    bodies = list(InboxMessage.objects.filter(user=worker).values_list("body", flat=True))
    assert bodies == [f"您已被“{posting.title}”录用，请查看联系方式。"]
    employer_bodies = InboxMessage.objects.filter(user=posting.employer.user).values_list("body", flat=True)
    assert list(employer_bodies) == [f"“{posting.title}”有新的报名。"]


def test_the_api_lists_only_the_callers_own_messages_newest_first(worker, worker_b, api_as):
    old, new = messages_for(worker, "旧消息", "新消息")
    InboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(hours=1))
    (theirs,) = messages_for(worker_b, "别人的消息")
    response = api_as(worker).get(API)
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["results"]] == [new.pk, old.pk]
    assert all(m["unread"] for m in response.json()["results"])
    assert api_as(worker).get(f"{API}{theirs.pk}/").status_code == 404
    assert api_as(worker).post(f"{API}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_then_all_read_through_the_api(worker, worker_b, api_as):
    first, second, third = messages_for(worker, "一", "二", "三")
    (other,) = messages_for(worker_b, "别人的")
    api = api_as(worker)
    response = api.post(f"{API}{first.pk}/read/")
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 2}
    first.refresh_from_db()
    read_at = first.read_at
    assert read_at is not None
    assert api.post(f"{API}{first.pk}/read/").json() == {"marked": 0, "unread": 2}  # idempotent
    first.refresh_from_db()
    assert first.read_at == read_at
    assert api.post(f"{API}read-all/").json() == {"marked": 2, "unread": 0}
    assert InboxMessage.objects.filter(user=worker, read_at__isnull=True).count() == 0
    other.refresh_from_db()
    assert other.read_at is None  # another's inbox is untouched


def test_anonymous_and_county_systems_have_no_inbox(worker, api_client_a):
    from rest_framework.test import APIClient

    messages_for(worker, "一")
    response = APIClient().get(API)
    assert response.status_code in (401, 403) and "code" in response.json()
    response = api_client_a.get(API)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_a_bad_id_is_a_404_in_the_error_shape(worker, api_as):
    response = api_as(worker).post(f"{API}abc/read/")
    assert response.status_code == 404


def test_the_inbox_list_pins_its_query_count(worker, api_as, django_assert_max_num_queries):
    messages_for(worker, *[f"消息{i}" for i in range(30)])
    api = api_as(worker)
    with django_assert_max_num_queries(6):
        response = api.get(API)
    assert len(response.json()["results"]) == 30


def test_the_inbox_page_shows_every_message_and_marks_read(worker, worker_b, client_as):
    first, second = messages_for(worker, "明天8点上工", "劳务费已支付")
    messages_for(worker_b, "别人的消息")
    client = client_as(worker)
    home = client.get("/").content.decode()
    assert 'href="/accounts/inbox/"' in home and "2 条未读" in home
    page = client.get("/accounts/inbox/").content.decode()
    assert "明天8点上工" in page and "劳务费已支付" in page and "别人的消息" not in page

    response = client.post("/accounts/inbox/", {"action": "read", "message": str(first.pk)})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert "1 条未读" in client.get("/").content.decode()

    client.post("/accounts/inbox/", {"action": "read_all"})
    second.refresh_from_db()
    assert second.read_at is not None
    assert "条未读" not in client.get("/").content.decode()


def test_the_inbox_page_ignores_another_persons_message_and_bad_input(worker, worker_b, client_as):
    (theirs,) = messages_for(worker_b, "别人的消息")
    client = client_as(worker)
    assert client.post("/accounts/inbox/", {"action": "read", "message": str(theirs.pk)}).status_code == 302
    assert client.post("/accounts/inbox/", {"action": "read", "message": "abc"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_page_needs_a_login(client):
    response = client.get("/accounts/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_notify_writes_the_inbox_row_in_the_senders_transaction(worker):
    notify(worker.pk, "通知")
    assert InboxMessage.objects.filter(user=worker, body="通知").count() == 1

"""The worker's door to pause and resume finding work (ADR 0041's ``WorkerProfile.seeking``): a button on
"我的找活", for the worker and for counter staff acting for one; the stored flag, the seeking spells and the
audit row follow; a worker with no registration gets a plain message, not a 500."""

from __future__ import annotations

import pytest

from core.models import AuditLog
from jobs.models import SeekerSpell, WorkerProfile

from .factories import make_worker

pytestmark = pytest.mark.django_db


def test_the_worker_pauses_and_resumes_from_their_home(client_as, county_a):
    user = make_worker(unit=county_a)
    client = client_as(user)
    home = client.get("/jobs/me/").content.decode()
    assert "正在找活" in home and 'name="seeking" value="0"' in home

    response = client.post("/jobs/me/seeking/", {"seeking": "0"}, follow=True)

    profile = WorkerProfile.objects.get(user=user)
    assert profile.seeking is False
    assert not SeekerSpell.objects.filter(profile=profile, ended_at__isnull=True).exists()
    html = response.content.decode()
    assert "已暂停找活" in html and 'name="seeking" value="1"' in html
    assert AuditLog.objects.filter(object_id=str(profile.pk), after={"seeking": False}, actor=user).exists()

    client.post("/jobs/me/seeking/", {"seeking": "1"})
    assert WorkerProfile.objects.get(user=user).seeking is True
    assert SeekerSpell.objects.filter(profile=profile, ended_at__isnull=True).exists()


def test_a_get_is_refused_and_no_registration_is_a_message(client_as, worker):
    client = client_as(worker)
    assert client.get("/jobs/me/seeking/").status_code == 405
    response = client.post("/jobs/me/seeking/", {"seeking": "0"}, follow=True)
    assert response.status_code == 200 and "尚未进行求职登记" in response.content.decode()
    assert not WorkerProfile.objects.filter(user=worker).exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.post("/jobs/me/seeking/", {"seeking": "0"})
    assert response.status_code == 302 and "/accounts/" in response["Location"]

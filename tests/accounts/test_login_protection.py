"""Login protection: django-axes locks one (account, address) pair after 5 failures; staff sessions end
after 30 idle minutes on shared counter PCs."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.middleware import SESSION_KEY
from core.choices import AuditAction
from core.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
LOCKOUT_TEXT = "该账号在本设备上连续输错密码5次"
HOME_A, HOME_B = "10.0.0.1", "10.0.0.2"


def login(client, phone, password, ip):
    return client.post("/accounts/login/", {"username": phone, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client, phone, ip):
    responses = [login(client, phone, "wrong-password", ip) for _ in range(5)]
    assert all(r.status_code in (200, 429) for r in responses)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    return responses


def test_sixth_attempt_is_refused_even_with_the_right_password(worker):
    client = Client()
    fail_five_times(client, worker.phone, HOME_A)

    response = login(client, worker.phone, PASSWORD, HOME_A)
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert "15分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditLog.objects.filter(action=AuditAction.LOGIN_SUCCESS).exists()
    attempt = AccessAttempt.objects.get(username=worker.phone, ip_address=HOME_A)
    assert attempt.failures_since_start >= 5


def test_fewer_than_five_failures_do_not_lock(worker):
    client = Client()
    for _ in range(4):
        assert login(client, worker.phone, "wrong-password", HOME_A).status_code == 200
    response = login(client, worker.phone, PASSWORD, HOME_A)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(worker.pk)
    # Success resets the count for that pair.
    assert not AccessAttempt.objects.filter(
        username=worker.phone, ip_address=HOME_A, failures_since_start__gt=0
    ).exists()


def test_locked_pair_does_not_lock_the_account_from_another_address(worker):
    fail_five_times(Client(), worker.phone, HOME_A)

    other = Client()
    response = login(other, worker.phone, PASSWORD, HOME_B)
    assert response.status_code == 302
    assert response["Location"] == "/jobs/me/"  # a worker lands on their home (issue 13)
    assert other.session["_auth_user_id"] == str(worker.pk)
    assert AuditLog.objects.get(action=AuditAction.LOGIN_SUCCESS).actor_id == worker.pk


def test_locked_pair_does_not_lock_another_account_from_the_same_address(worker, employer):
    client = Client()
    fail_five_times(client, worker.phone, HOME_A)

    response = login(client, employer.phone, PASSWORD, HOME_A)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(employer.pk)
    # ... while the first account stays locked there.
    assert login(Client(), worker.phone, PASSWORD, HOME_A).status_code == 429


def test_number_written_differently_counts_for_the_same_account(worker):
    client = Client()
    spaced = f"{worker.phone[:3]} {worker.phone[3:7]} {worker.phone[7:]}"
    for _ in range(5):
        login(client, spaced, "wrong-password", HOME_A)
    assert login(client, worker.phone, PASSWORD, HOME_A).status_code == 429


# --- staff idle timeout ------------------------------------------------------------------------------------


def set_last_activity(client, seconds_ago: float) -> None:
    session = client.session
    session[SESSION_KEY] = time.time() - seconds_ago
    session.save()


def test_idle_staff_session_ends_on_next_request(client_as, officer):
    client = client_as(officer)
    set_last_activity(client, 31 * 60)

    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert "自动退出" in client.get(response["Location"]).content.decode()  # told why
    assert client.get("/admin/").status_code == 302
    row = AuditLog.objects.get(action=AuditAction.LOGOUT)
    assert row.actor_id == officer.pk


def test_active_staff_session_continues_and_is_refreshed(client_as, officer):
    client = client_as(officer)
    set_last_activity(client, 29 * 60)

    assert client.get("/accounts/profile/").status_code == 200
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert time.time() - client.session[SESSION_KEY] < 60
    assert not AuditLog.objects.filter(action=AuditAction.LOGOUT).exists()


def test_idle_worker_session_is_kept(client_as, worker):
    client = client_as(worker)
    set_last_activity(client, 3 * 3600)

    assert client.get("/accounts/profile/").status_code == 200
    assert client.session["_auth_user_id"] == str(worker.pk)
    assert not AuditLog.objects.filter(action=AuditAction.LOGOUT).exists()

"""Publishing the map: many edits publish once after a quiet period (debounce state in the database), and
signed webhooks reach every subscriber; one that is down is retried with backoff and blocks nobody. The
webhooks go to real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from markets import publishing, services, tasks
from markets.choices import DeliveryStatus
from markets.models import MapPublishState, MapSnapshot, WebhookDelivery

from .factories import MarketFactory, WebhookSubscriberFactory

pytestmark = pytest.mark.django_db

LATER = timedelta(seconds=60)


def versions() -> list[int]:
    return list(MapSnapshot.objects.order_by("version").values_list("version", flat=True))


def ten_edits(market, officer):
    for i in range(10):
        services.market_update_profile(market=market, actor=officer, data={"hotline": f"0536-88{i:05d}"})


def test_ten_edits_publish_once_when_quiet(officer, market, settings):
    settings.LINGONG_MAP_PUBLISH_DEBOUNCE = 20
    assert publishing.map_publish(force=True).version == 1
    ten_edits(market, officer)
    state = MapPublishState.objects.get()
    assert state.dirty and state.changed_at is not None
    assert publishing.map_publish() is None  # still within the quiet period
    assert publishing.map_publish(now=timezone.now() + timedelta(seconds=5)) is None
    assert versions() == [1]

    snap = publishing.map_publish(now=timezone.now() + LATER)
    assert snap is not None and versions() == [1, 2]
    body = json.loads(snap.body)
    assert body["features"][0]["properties"]["hotline"] == "0536-8800009"  # the last edit
    assert not MapPublishState.objects.get().dirty
    # nothing more to publish
    assert publishing.map_publish(now=timezone.now() + 2 * LATER) is None
    assert versions() == [1, 2]


def test_debounce_period_is_a_setting(officer, market, settings):
    publishing.map_publish(force=True)
    ten_edits(market, officer)
    settings.LINGONG_MAP_PUBLISH_DEBOUNCE = 3600
    assert publishing.map_publish(now=timezone.now() + LATER) is None
    settings.LINGONG_MAP_PUBLISH_DEBOUNCE = 0
    assert publishing.map_publish() is not None
    assert versions() == [1, 2]


def test_publish_task_publishes_once_after_many_edits(officer, market, settings):
    publishing.map_publish(force=True)
    settings.LINGONG_MAP_PUBLISH_DEBOUNCE = 3600
    ten_edits(market, officer)
    for _ in range(3):
        assert tasks.map_publish_task.delay().get() is None
    assert versions() == [1]
    settings.LINGONG_MAP_PUBLISH_DEBOUNCE = 0
    assert tasks.map_publish_task.delay().get() == 2
    assert tasks.map_publish_task.delay().get() is None
    assert versions() == [1, 2]


def test_edit_that_does_not_change_the_map_publishes_no_version(officer, market):
    publishing.map_publish(force=True)
    services.market_update_profile(market=market, actor=officer, data={"capacity": 999})  # not in the feed
    assert publishing.map_publish(now=timezone.now() + LATER) is None
    assert versions() == [1]
    assert not MapPublishState.objects.get().dirty


def test_edits_to_hidden_markets_do_not_dirty_the_map(officer, county_a):
    hidden = MarketFactory(scope_unit=county_a, status="planned")
    services.market_update_profile(market=hidden, actor=officer, data={"hotline": "0536-1234567"})
    assert not MapPublishState.objects.filter(dirty=True).exists()


# --- webhooks -----------------------------------------------------------------------------------------


def verify(secret: str, headers: dict, body: str) -> bool:
    """What a subscriber does: recompute HMAC-SHA256 over "<timestamp>.<body>" with its secret."""
    timestamp = headers["X-Lingong-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    scheme, _, signature = headers["X-Lingong-Signature"].partition("=")
    return scheme == "sha256" and hmac.compare_digest(signature, expected)


def test_publish_delivers_a_signed_webhook_that_the_subscriber_can_verify(
    market, http_server, django_capture_on_commit_callbacks
):
    server = http_server(200)
    subscriber = WebhookSubscriberFactory(url=server.url, secret="s3cret-市网站")
    with django_capture_on_commit_callbacks(execute=True):
        snap = publishing.map_publish(force=True)
    delivery = WebhookDelivery.objects.get(subscriber=subscriber)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1 and delivery.last_status_code == 200 and delivery.delivered_at is not None
    [request] = server.requests
    assert request["path"] == "/hook"
    assert verify("s3cret-市网站", request["headers"], request["body"])
    assert not verify("wrong-secret", request["headers"], request["body"])
    tampered = request["body"].replace(str(snap.version), str(snap.version + 1))
    assert not verify("s3cret-市网站", request["headers"], tampered)
    payload = json.loads(request["body"])
    assert payload["event"] == "markets.map.published"
    assert payload["version"] == snap.version and payload["etag"] == snap.etag and payload["features"] == 1
    assert request["headers"]["X-Lingong-Event"] == "markets.map.published"
    assert request["headers"]["X-Lingong-Delivery"] == str(delivery.pk)
    # The same key on every try of this delivery (ADR 0013): a subscriber that saw it ignores a repeat.
    assert request["headers"]["Idempotency-Key"] == f"lingong-webhook-{delivery.pk}"


def test_a_subscriber_that_is_down_does_not_block_the_others(
    market, http_server, refused_url, django_capture_on_commit_callbacks
):
    down = WebhookSubscriberFactory(name="公众号后台", url=refused_url)
    good_server = http_server(200)
    good = WebhookSubscriberFactory(name="局网站", url=good_server.url)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        publishing.map_publish(force=True)
    failed = WebhookDelivery.objects.get(subscriber=down)
    delivered = WebhookDelivery.objects.get(subscriber=good)
    assert delivered.status == DeliveryStatus.SUCCEEDED and len(good_server.requests) == 1
    assert failed.status == DeliveryStatus.PENDING
    assert failed.attempts == 1 and failed.last_error
    assert failed.next_attempt_at > before + timedelta(seconds=20)
    assert failed.next_attempt_at > timezone.now()


def test_failing_subscriber_is_retried_with_backoff_until_it_answers(
    market, http_server, django_capture_on_commit_callbacks, monkeypatch
):
    flaky = http_server(500)
    good = http_server(200)
    flaky_sub = WebhookSubscriberFactory(url=flaky.url, secret="flaky-secret")
    WebhookSubscriberFactory(url=good.url)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.map_publish(force=True)
    delivery = WebhookDelivery.objects.get(subscriber=flaky_sub)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
    first_retry_at = delivery.next_attempt_at
    assert first_retry_at > timezone.now()
    assert len(good.requests) == 1

    def retry_scan() -> int:
        """The beat's retry task; the deliveries it queues run once its (autocommit) work commits."""
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.webhook_retry_task.delay().get()

    # the retry scan before the backoff has passed leaves it alone
    assert retry_scan() == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and len(flaky.requests) == 1

    # past the backoff, still down: attempt 2, and the next wait is longer
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=31))
    assert retry_scan() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 2)
    assert delivery.next_attempt_at - first_retry_at > timedelta(seconds=60)

    # the subscriber comes back; past the next backoff it is delivered
    flaky.status = 200
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(minutes=5))
    assert retry_scan() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED,
        3,
        200,
    )
    assert delivery.next_attempt_at is None and delivery.last_error == ""
    assert [r["answered"] for r in flaky.requests] == [500, 500, 200]
    assert verify("flaky-secret", flaky.requests[-1]["headers"], flaky.requests[-1]["body"])
    assert len(good.requests) == 1  # the good one was never sent twice

    # delivered once: running the scan or the delivery again does nothing
    assert retry_scan() == 0
    assert publishing.webhook_deliver(delivery_id=delivery.pk) is None
    assert len(flaky.requests) == 3


def test_webhook_deliver_with_now_past_backoff_delivers_once_the_server_is_up(
    market, http_server, django_capture_on_commit_callbacks
):
    server = http_server(500)
    sub = WebhookSubscriberFactory(url=server.url, secret="k")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.map_publish(force=True)
    delivery = WebhookDelivery.objects.get(subscriber=sub)
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert not publishing.due_deliveries().filter(pk=delivery.pk).exists()
    assert publishing.due_deliveries(now=later).filter(pk=delivery.pk).exists()
    server.status = 200
    publishing.webhook_deliver(delivery_id=delivery.pk, now=later)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (DeliveryStatus.SUCCEEDED, 2, later)


def test_a_delivery_is_abandoned_after_the_last_attempt(market, refused_url):
    sub = WebhookSubscriberFactory(url=refused_url)
    delivery = WebhookDelivery.objects.create(
        subscriber=sub,
        event="markets.map.published",
        body="{}",
        attempts=publishing.MAX_ATTEMPTS - 1,
        next_attempt_at=timezone.now(),
    )
    publishing.webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert delivery.attempts == publishing.MAX_ATTEMPTS


def test_inactive_subscribers_get_nothing(market, http_server, django_capture_on_commit_callbacks):
    server = http_server(200)
    WebhookSubscriberFactory(url=server.url, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.map_publish(force=True)
    assert not WebhookDelivery.objects.exists() and server.requests == []


def test_backoff_grows_and_is_capped():
    steps = [publishing.backoff(n) for n in range(1, 10)]
    assert steps[0] == timedelta(seconds=30)
    assert all(a < b for a, b in zip(steps, steps[1:5], strict=False))
    assert max(steps) == timedelta(hours=6)

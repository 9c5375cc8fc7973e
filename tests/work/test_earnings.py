"""A worker's earnings: their own settled work only, and the printable statement; dashboard panels of work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from core.dashboard import panels_for
from work.choices import WorkOrderStatus
from work.models import ArrearsAlert, WorkOrder

from .factories import settled_orders

# --- earnings -----------------------------------------------------------------------------------------------


def test_earnings_page_shows_only_the_workers_own_work(client_as, county_a):
    mine = settled_orders([Decimal("210"), Decimal("230")], employers=1)
    theirs = settled_orders([Decimal("777.77")], employers=1)
    worker = mine[0].worker
    WorkOrder.objects.filter(pk=mine[1].pk).update(status=WorkOrderStatus.APPROVED)  # not settled yet
    assert theirs[0].worker != worker

    response = client_as(worker).get(reverse("work:earnings"))

    assert response.status_code == 200
    assert [o.pk for o in response.context["orders"]] == [mine[0].pk]
    assert response.context["total"] == Decimal("210") and response.context["count"] == 1
    assert "777.77" not in response.content.decode()


def test_earnings_statement_is_printable_with_masked_id_and_bureau(client_as, county_a):
    orders = settled_orders([Decimal("200"), Decimal("220")], employers=2)
    worker = orders[0].worker
    settled_orders([Decimal("180")], employers=1, month=dt.date(2025, 5, 1))  # another worker

    response = client_as(worker).get(reverse("work:earnings_statement"), {"from": "2025-03", "to": "2025-03"})

    body = response.content.decode()
    assert response.status_code == 200
    assert worker.real_name in body and worker.masked_id_number in body and worker.id_number not in body
    assert "潍坊市人力资源和社会保障局" in body
    assert response.context["total"] == Decimal("420") and response.context["count"] == 2


def test_earnings_pages_need_login(client, db):
    for name in ("work:earnings", "work:earnings_statement"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_old_earnings_links_land_on_the_work_pages(client_as, worker):
    response = client_as(worker).get("/stats/me/earnings/statement/?from=2025-03&to=2025-04")
    assert response.status_code == 301
    assert response["Location"] == reverse("work:earnings_statement") + "?from=2025-03&to=2025-04"


# --- dashboard ----------------------------------------------------------------------------------------------


def test_dashboard_panels_are_scoped(county_a, officer, officer_b):
    order = settled_orders([Decimal("200")], employers=1)[0]
    ArrearsAlert.objects.create(work_order=order, amount=Decimal("200"))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrderStatus.SCHEDULED, work_date=tomorrow)

    def titles(user):
        return {p.title: len(p.rows) for p in panels_for(user)}

    mine, other = titles(officer), titles(officer_b)
    assert mine["未解除的欠薪预警"] == 1 and other["未解除的欠薪预警"] == 0
    assert mine["明日未确认的用工单"] == 1 and other["明日未确认的用工单"] == 0
    assert "本周未到岗" in mine

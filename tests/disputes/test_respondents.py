"""Whom an online complaint names (ADR 0032): a worker picks the respondent from the employers of their own work
orders (employer · posting · date), the order is stored and the evidence bundle drawn from it; "其他用工方" stays
free text. An employer's form offers the markets of its postings and its own orders (the worker, masked). The
API takes the same choice (respondent employer id + work order id), validated to be the caller's own history,
with field-level errors and nothing written otherwise."""

from __future__ import annotations

import pytest

from disputes.choices import ClaimType
from disputes.models import Case, EvidenceBundle
from jobs.models import Posting

from ..conftest import nothing_written
from ..jobs.factories import make_employer
from ..markets.factories import MarketFactory
from ..work.test_work_orders import hire
from .work_record import worked_order

pytestmark = pytest.mark.django_db

FORM = {
    "relationship_type": "labour",
    "facts": "工时被少算，工钱一直没结清。",
    "claim1_type": ClaimType.WAGES,
    "claim1_amount": "260",
}
API = {"facts": "工时被少算", "claims": [{"claim_type": "wages", "amount": "260.00"}]}


@pytest.fixture
def order(county_a):
    return worked_order(unit=county_a)


@pytest.fixture
def other_order(county_a, worker_b):
    """Someone else's hire with another employer (worker_b's)."""
    return hire(unit=county_a, worker=worker_b)


def test_complaint_form_lists_the_employers_the_worker_worked_for(client_as, order, other_order):
    page = client_as(order.worker).get("/disputes/new/").content.decode()
    employer = order.posting.employer
    assert employer.display_name in page and order.posting.title in page
    assert f'value="{order.pk}"' in page
    assert "其他用工方" in page  # the free-text fallback
    assert f'value="{other_order.pk}"' not in page  # another worker's hire is not offered
    assert other_order.posting.employer.display_name not in page


def test_picking_the_employer_stores_respondent_and_work_order_and_draws_the_bundle(client_as, order):
    response = client_as(order.worker).post("/disputes/new/", {**FORM, "work_order": order.pk})
    assert response.status_code == 302
    case = Case.objects.get(complainant=order.worker)
    assert case.respondent == order.posting.employer and case.work_order == order
    assert case.respondent_label == order.posting.employer.display_name
    (row,) = EvidenceBundle.objects.get(case=case).content["work_orders"]
    assert row["id"] == order.pk
    assert row["check_in"]["at"] is not None and row["check_out"]["at"] is not None


def test_other_employer_is_free_text(client_as, order):
    response = client_as(order.worker).post(
        "/disputes/new/", {**FORM, "work_order": "", "respondent_name": "王某（装修队）"}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.respondent, case.work_order, case.respondent_name) == (None, None, "王某（装修队）")
    assert not EvidenceBundle.objects.filter(case=case).exists()


def test_neither_a_choice_nor_a_name_is_a_field_error(client_as, order):
    client = client_as(order.worker)
    with nothing_written():
        response = client.post("/disputes/new/", {**FORM, "work_order": ""})
    assert response.status_code == 400
    assert "respondent_name" in response.context["form"].errors


def test_someone_elses_order_is_not_a_choice_on_the_form(client_as, order, other_order):
    client = client_as(order.worker)
    with nothing_written():
        response = client.post("/disputes/new/", {**FORM, "work_order": other_order.pk})
    assert response.status_code == 400 and "work_order" in response.context["form"].errors


def test_worker_without_work_orders_writes_the_name(client_as, worker):
    page = client_as(worker).get("/disputes/new/").content.decode()
    assert 'name="work_order"' not in page and 'name="respondent_name"' in page


# --- the employer's form --------------------------------------------------------------------------------------


def test_employer_form_offers_its_markets_and_its_workers(client_as, order, other_order, county_a):
    market = MarketFactory(scope_unit=county_a)
    Posting.objects.filter(pk=order.posting_id).update(market=market)
    boss = order.posting.employer.user
    page = client_as(boss).get("/disputes/new/").content.decode()
    assert market.name in page and f'value="{market.pk}"' in page
    assert f'value="{order.pk}"' in page and f'value="{other_order.pk}"' not in page
    assert order.worker.real_name not in page  # masked in the list
    response = client_as(boss).post("/disputes/new/", {**FORM, "work_order": order.pk, "market": market.pk})
    assert response.status_code == 302
    case = Case.objects.get(complainant=boss)
    assert case.work_order == order and case.market == market
    assert case.respondent is None and case.respondent_name == order.worker.real_name
    (row,) = EvidenceBundle.objects.get(case=case).content["work_orders"]
    assert row["id"] == order.pk


def test_employer_cannot_name_another_employers_order(client_as, order, other_order):
    client = client_as(order.posting.employer.user)
    with nothing_written():
        response = client.post(
            "/disputes/new/", {**FORM, "work_order": other_order.pk, "respondent_name": "x"}
        )
    assert response.status_code == 400 and "work_order" in response.context["form"].errors


# --- the API --------------------------------------------------------------------------------------------------


def test_api_takes_respondent_and_work_order_from_own_history(api_as, order):
    employer = order.posting.employer
    response = api_as(order.worker).post(
        "/api/v1/cases/", {**API, "respondent": employer.pk, "work_order": order.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    assert case.respondent == employer and case.work_order == order and case.respondent_name == ""
    assert response.json()["respondent"] == employer.display_name
    assert EvidenceBundle.objects.filter(case=case).exists()
    # the employer alone (a worker who worked for them) is a choice too
    alone = api_as(order.worker).post("/api/v1/cases/", {**API, "respondent": employer.pk}, format="json")
    assert alone.status_code == 201 and Case.objects.get(pk=alone.json()["id"]).respondent == employer


@pytest.mark.parametrize(
    "body, field",
    [
        ({"respondent": "stranger"}, "respondent"),
        ({"work_order": "elsewhere"}, "work_order"),
        ({"respondent": "mine", "work_order": "elsewhere"}, "work_order"),
        ({"respondent": "stranger", "work_order": "my_order"}, "respondent"),
        ({"respondent": 999999}, "respondent"),
        ({"work_order": 999999}, "work_order"),
        ({"respondent": "abc"}, "respondent"),
        ({}, "respondent_name"),
    ],
)
def test_api_choice_outside_own_history_is_a_field_error(api_as, order, other_order, county_a, body, field):
    ids = {
        "stranger": make_employer(unit=county_a).pk,
        "mine": order.posting.employer_id,
        "elsewhere": other_order.pk,
        "my_order": order.pk,
    }
    payload = {**API, **{k: ids.get(v, v) for k, v in body.items()}}
    client = api_as(order.worker)
    with nothing_written():
        response = client.post("/api/v1/cases/", payload, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert field in error["fields"] and error["code"], error


def test_api_work_order_of_another_employer_than_the_respondent_is_refused(api_as, county_a, order):
    second = hire(unit=county_a, worker=order.worker)  # the same worker, another employer
    client = api_as(order.worker)
    with nothing_written():
        response = client.post(
            "/api/v1/cases/",
            {**API, "respondent": second.posting.employer_id, "work_order": order.pk},
            format="json",
        )
    assert response.status_code == 400 and "work_order" in response.json()["fields"]

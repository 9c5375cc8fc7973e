"""The public API contract, checked over every route under /api/v1/ so that a new endpoint cannot slip
through: explicit permissions, deny anonymous by default, one error shape, a schema that validates without
warnings, and docs that load without a CDN."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from core.permissions import DenyAll

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
# The only routes an anonymous visitor may read: reference data, the public electronic map of markets
# (DESIGN.md: "the public electronic map and its GeoJSON feed"), and the public job board (published
# postings, job fairs, occupations). Adding a name here is a decision, to be reviewed as one.
PUBLIC = {
    "division-list",
    "division-detail",
    "scope-unit-list",
    "scope-unit-detail",
    "market-list",
    "market-detail",
    "market-geojson",
    "online-platform-list",
    "online-platform-detail",
    "job-fair-list",
    "job-fair-detail",
    "occupation-list",
    "occupation-detail",
    "posting-list",
    "posting-detail",
    # published statistics (issue 5: wage guidance prices and supply-demand are public like the pages)
    "wage-guidance-list",
    "supply-demand-list",
    # policy consultation (issue 14 §7): published policies, the anonymised FAQ and open guidance times
    "policy-list",
    "policy-detail",
    "policy-faq-list",
    "guidance-slot-list",
    "guidance-slot-detail",
    # training (issue 15): filed institutions, the catalogue with today's rates, approved and running classes
    "training-institutions-list",
    "training-institutions-detail",
    "training-courses-list",
    "training-courses-detail",
    "training-classes-list",
    "training-classes-detail",
    # training outcomes per provider (issue 15): counts per cohort, small cells show completers only
    "training-outcome-list",
    "training-outcome-detail",
    # subsidies (issue 17): the programs and their parameter rows with the notices, public like the policies
    "subsidy-programs-list",
    "subsidy-programs-detail",
    # the public notice (公示) of subsidy applications, masked names and IDs (issue 17, ADR 0030)
    "subsidy-notices-list",
    "subsidy-notices-detail",
    # reports (issue 18): the indicator catalogue, public like a statistics bureau's definitions
    "report-indicator-list",
    "report-indicator-detail",
}
# The only routes an anonymous visitor may write to: reporting a posting (举报, throttled), and the payment
# provider's callback, which is authenticated by its HMAC signature instead of a login (an unsigned call
# answers 400 and changes nothing: tests/work/test_payments.py).
PUBLIC_WRITES = {
    "posting-report",
    "safety-report-list",  # anyone reports a market hazard (POST; throttled, ADR 0027)
    "subsidy-objections-list",  # anyone objects to a subsidy in public notice (POST; rate-limited, ADR 0030)
    "payment-callback-sandbox",
    "payment-callback-wechatpay",
    "payment-callback-alipay",
}
# Routes meant to serve nobody (DenyAll on purpose). None today.
INTENDED_DENY: set[str] = set()
# Apps whose classes may state permissions (not DRF's APIView default).
PROJECT_PACKAGES = (
    "core",
    "accounts",
    "markets",
    "jobs",
    "work",
    "labour_stats",
    "guidance",
    "training",
    "disputes",
    "subsidies",
    "reports",
    "config",
)
KWARG_SAMPLES = {"code": "370702", "pk": "1", "id": "1"}


def walk(resolver, prefix="", namespace=None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace, p


def api_routes():
    routes = [(route, ns, p) for route, ns, p in walk(get_resolver()) if route.startswith(API_PREFIX)]
    assert routes, "no routes found under /api/v1/"
    return routes


def view_class(pattern):
    cls = getattr(pattern.callback, "cls", None)
    assert cls is not None and issubclass(cls, APIView), f"{pattern.name} is not a DRF view"
    return cls


def effective_permissions(pattern) -> list:
    initkwargs = getattr(pattern.callback, "initkwargs", {}) or {}
    return list(initkwargs.get("permission_classes") or view_class(pattern).permission_classes)


def states_permissions(pattern) -> bool:
    """The view or its @action names its permission classes itself (not inherited from DRF's default)."""
    if "permission_classes" in (getattr(pattern.callback, "initkwargs", {}) or {}):
        return True
    for klass in view_class(pattern).__mro__:
        if "permission_classes" in vars(klass):
            return klass.__module__.split(".")[0] in PROJECT_PACKAGES
    return False


def url_of(ns, pattern) -> str:
    kwargs = {k: KWARG_SAMPLES.get(k, "1") for k in pattern.pattern.regex.groupindex}
    return reverse(f"{ns}:{pattern.name}" if ns else pattern.name, kwargs=kwargs)


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    if code:
        assert body["code"] == code
    return body


# --- every route ------------------------------------------------------------------------------------------


def test_walker_sees_every_registered_viewset():
    from config.api_router import router

    names = {p.name for _r, _ns, p in api_routes()}
    for prefix, _viewset, basename in router.registry:
        assert any(name.startswith(f"{basename}-") for name in names), prefix
    assert "me" in names


def test_routes_have_no_format_suffix_twins(api_as, officer, worker):
    """``/users/1/reveal.json`` used to reach the action with an extra ``format`` argument: a 500."""
    assert not [route for route, _ns, p in api_routes() if "format" in p.pattern.regex.groupindex]
    response = api_as(officer).post(
        f"/api/v1/users/{worker.pk}/reveal/?format=json",
        {"field": "phone", "reason": "核实身份"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["value"] == worker.phone


def test_every_api_view_states_its_permission_classes():
    missing, deny = [], []
    for route, _ns, pattern in api_routes():
        if not states_permissions(pattern):
            missing.append(route)
        if effective_permissions(pattern) == [DenyAll] and pattern.name not in INTENDED_DENY:
            deny.append(route)
        assert effective_permissions(pattern), route
    assert not missing, f"views relying on the default permission: {missing}"
    assert not deny, f"views left on DenyAll: {deny}"


def methods_of(pattern) -> set[str]:
    """The HTTP methods a route serves (a viewset route's action map, or an APIView's handlers)."""
    actions = getattr(pattern.callback, "actions", None)
    if actions:
        return set(actions)
    cls = view_class(pattern)
    return {m for m in cls.http_method_names if m not in ("options", "head") and hasattr(cls, m)}


def test_anonymous_get_is_refused_on_every_route_except_public_ones(api):
    refused, opened = [], []
    for _route, ns, pattern in api_routes():
        if "get" not in methods_of(pattern):
            continue
        url = url_of(ns, pattern)
        response = api.get(url)
        if pattern.name in PUBLIC:
            # 404 only where the sample object does not exist; reference data is checked for 200 below.
            if response.status_code not in (200, 404):
                opened.append((url, response.status_code))
        elif response.status_code not in (401, 403):
            refused.append((url, response.status_code))
        else:
            assert_error_shape(response, response.status_code)
    assert not refused, f"routes answering anonymous: {refused}"
    assert not opened, f"public routes not answering: {opened}"


def test_anonymous_cannot_write_anywhere(api):
    answered = []
    for _route, ns, pattern in api_routes():
        url = url_of(ns, pattern)
        if pattern.name in PUBLIC_WRITES:
            continue
        for method in methods_of(pattern) & {"post", "put", "patch", "delete"}:
            response = getattr(api, method)(url, {}, format="json")
            if response.status_code not in (401, 403):
                answered.append((method, url, response.status_code))
            else:
                assert_error_shape(response, response.status_code)
    assert not answered, f"writes answering anonymous: {answered}"


def test_every_route_serves_some_method():
    for route, _ns, pattern in api_routes():
        assert methods_of(pattern), route


def test_public_reference_data_answers_anonymous(api):
    for name in ("division-list", "division-detail", "scope-unit-list", "scope-unit-detail"):
        kwargs = {"code": "370702"} if name.endswith("detail") else {}
        assert api.get(reverse(f"api:{name}", kwargs=kwargs)).status_code == 200, name
    units = api.get("/api/v1/scope-units/").json()
    assert {"370702", "370783"} <= {u["code"] for u in units}
    division = api.get("/api/v1/divisions/370702/").json()
    assert division["name"] == "潍城区" and division["parent"] == "370700"


# --- one error shape ----------------------------------------------------------------------------------------


def test_error_shape_400(api_as, officer, worker):
    response = api_as(officer).post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "id_number"}, format="json"
    )
    body = assert_error_shape(response, 400, "invalid")
    assert list(body["fields"]) == ["reason"]
    assert isinstance(body["fields"]["reason"], list) and body["fields"]["reason"][0]


def test_error_shape_400_on_malformed_json(api_as, officer, worker):
    response = api_as(officer).post(
        f"/api/v1/users/{worker.pk}/reveal/", "{not json", content_type="application/json"
    )
    assert_error_shape(response, 400, "parse_error")


def test_error_shape_401(api):
    assert_error_shape(api.get("/api/v1/users/"), 401, "not_authenticated")


def test_error_shape_401_bad_token(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token lg_bad_token")
    response = client.get("/api/v1/users/")
    assert_error_shape(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_error_shape_403(api_as, worker):
    assert_error_shape(api_as(worker).get("/api/v1/users/"), 403, "permission_denied")


def test_error_shape_404(api_as, officer, worker_b):
    assert_error_shape(api_as(officer).get("/api/v1/users/999999/"), 404, "not_found")
    # Another county's record is missing, in the same words.
    other = api_as(officer).get(f"/api/v1/users/{worker_b.pk}/")
    assert other.json() == api_as(officer).get("/api/v1/users/999999/").json()


def test_error_shape_405(api_as, worker):
    assert_error_shape(api_as(worker).post("/api/v1/me/", {}, format="json"), 405, "method_not_allowed")


def test_error_shape_of_domain_errors(api_as, officer, worker):
    response = api_as(officer).post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "bank", "reason": "核实身份"}, format="json"
    )
    body = assert_error_shape(response, 400)
    assert "field" in body["fields"]


# --- schema and docs ------------------------------------------------------------------------------------


def test_schema_is_served_and_lists_the_api(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/users/" in schema["paths"]
    assert "/api/v1/users/{id}/reveal/" in schema["paths"]
    schemes = schema["components"]["securitySchemes"].values()
    assert any(s.get("in") == "header" and s.get("name") == "Authorization" for s in schemes), schemes


def test_docs_page_loads_only_local_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert not re.search(r"https?://", body), re.findall(r"https?://[^\s\"'<>]+", body)
    assert not re.search(r"""(src|href)=["']//""", body)  # protocol-relative CDN links
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", body)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_spectacular_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "/api/v1/audit-log/" in schema["paths"]

"""What the permanent guards (issue 11) share: the demo city as the data, its people as the roles, and how
each role authenticates — a session (with a CSRF pair, so writes are tried too) or a county API token.

Every app's demo seeder builds the city through its services (``core.demo``), so an app added later
(training, disputes, subsidies, reports) is fuzzed and scanned with its own data once it registers a seeder."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.test import Client

from accounts.models import User
from core.demo import seeders

# The demo city's people by role (accounts.demo.PEOPLE): phone of the persona used for each role.
PERSONAS = {
    "worker": "13900000001",  # 张建国, 潍城区, has worked and been paid
    "employer": "13700000001",  # 周丽, 潍城区, posts and accepts
    "county_staff": "13800000002",  # 潍城区人社局
    "city_staff": "13800000001",
    "auditor": "13800000004",
    "market_operator": "13600000001",
    "training_institution": "13600000002",
}
# A fixed CSRF secret: the cookie and the header carry the same value (Django accepts the unmasked secret).
CSRF_SECRET = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"


@dataclass
class Credentials:
    role: str
    user: User | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def seed_demo_city() -> None:
    for _label, seed in seeders():
        seed(stdout=None)


def session_for(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def credentials(roles=None) -> list[Credentials]:
    """Anonymous, each persona by session and a county token (潍城区), in that order."""
    from accounts.services import api_client_issue

    roles = roles or ["anonymous", *PERSONAS, "county_token"]
    result = []
    for role in roles:
        if role == "anonymous":
            result.append(Credentials(role))
        elif role == "county_token":
            issuer = User.objects.get(phone=PERSONAS["city_staff"])
            county = User.objects.get(phone=PERSONAS["county_staff"]).scope_unit
            _client, raw = api_client_issue(actor=issuer, name=f"扫描用令牌 {county.code}", scope_unit=county)
            result.append(Credentials(role, headers={"Authorization": f"Token {raw}"}))
        else:
            user = User.objects.get(phone=PERSONAS[role])
            cookies = {
                settings.SESSION_COOKIE_NAME: session_for(user),
                settings.CSRF_COOKIE_NAME: CSRF_SECRET,
            }
            result.append(Credentials(role, user=user, headers={"X-CSRFToken": CSRF_SECRET}, cookies=cookies))
    return result

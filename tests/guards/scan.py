"""The personal-data scan (issue 11): as one role, read everything that role can reach — every list and
detail route in the API schema (JSON, and the browsable HTML where it is on), every page reachable by links
from ``/`` (the role's home and what it links to, the admin for staff), every CSV/XLSX download those pages
link to and the admin's export action — and report every 18-digit resident ID, mainland mobile number or
bank account in the answers that is neither the reader's own (their own record, the contacts on their own
postings, the contact of the market they operate) nor allowed by the one written exception (ADR 0014): the
other party of a live hire (accepted, until ``LINGONG_HIRE_CONTACT_DAYS`` after the last
work date) sees the name and mobile number of the person they work with.

Found by shape (with the resident ID's check digit and the bank card's Luhn digit), not by looking up
stored values, so a value that enters the database by any new route is caught the same way."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter, deque
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from django.conf import settings
from django.test import Client
from django.utils import timezone
from stdnum import luhn
from stdnum.cn import ric

EDGE_L = r"(?<![0-9A-Za-z])"
EDGE_R = r"(?![0-9A-Za-z])"
RESIDENT_ID = re.compile(
    EDGE_L + r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]" + EDGE_R
)
MOBILE = re.compile(EDGE_L + r"1[3-9]\d{9}" + EDGE_R)
BANK_ACCOUNT = re.compile(EDGE_L + r"\d{16,19}" + EDGE_R)

SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/i18n/", "/accounts/logout", "/admin/logout", "/bench/")
MAX_PAGES = 300
PER_SHAPE = 3


@dataclass(frozen=True)
class Finding:
    role: str
    url: str
    kind: str
    value: str

    def __str__(self) -> str:  # the value shortened: the report itself is a log
        return f"{self.role}: {self.kind} {self.value[:3]}…{self.value[-2:]} in {self.url}"


def find_personal(text: str) -> list[tuple[str, str]]:
    found = []
    for match in RESIDENT_ID.finditer(text):
        if _resident_id_checks(match.group()):
            found.append(("resident_id", match.group().upper()))
    for match in MOBILE.finditer(text):
        found.append(("mobile", match.group()))
    for match in BANK_ACCOUNT.finditer(text):
        value = match.group()
        if RESIDENT_ID.fullmatch(value):  # an ID's shape (valid or not) is not read as a card
            continue
        if luhn.is_valid(value):
            found.append(("bank_account", value))
    return found


def _resident_id_checks(value: str) -> bool:
    # the check digit only: stdnum's area table lacks newer county codes (潍城区 370702 among them)
    return ric.calc_check_digit(value.upper()) == value[17].upper()


def allowed_values(user) -> set[str]:
    """The reader's own values, and the written exception: the other party of a live hire."""
    if user is None:
        return set()
    from jobs.choices import ApplicationStatus
    from jobs.models import Application
    from work.models import Payment

    allowed = {v for v in (user.phone, (user.id_number or "").upper()) if v}
    allowed |= set(
        Payment.objects.filter(work_order__worker=user)
        .exclude(payee_account="")
        .values_list("payee_account", flat=True)
    )
    # what the reader keeps for their own organisation: the contact numbers on their own postings and, for a
    # market's operator, the contact of the market they run (they entered it and maintain it)
    from jobs.models import Posting
    from markets.models import Market

    allowed |= set(Posting.objects.filter(employer__user=user).values_list("contact_phone", flat=True))
    allowed |= set(
        Market.objects.filter(operator_links__user=user)
        .exclude(operator_contact_phone="")
        .values_list("operator_contact_phone", flat=True)
    )
    cutoff = timezone.localdate() - dt.timedelta(days=settings.LINGONG_HIRE_CONTACT_DAYS)
    live = Application.objects.filter(status=ApplicationStatus.ACCEPTED, posting__work_end_date__gte=cutoff)
    for contact, employer_phone in live.filter(worker=user).values_list(
        "posting__contact_phone", "posting__employer__user__phone"
    ):
        allowed |= {contact, employer_phone}
    allowed |= set(live.filter(posting__employer__user=user).values_list("worker__phone", flat=True))
    return allowed


def _text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join("" if cell is None else str(cell) for cell in row)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    return body.decode("utf-8-sig", errors="replace")


def _shape(path: str) -> str:
    return re.sub(r"\d+", "{n}", path)


class Scanner:
    def __init__(self, role: str, client: Client, user=None, *, pages=True, api=True):
        self.role, self.client, self.user = role, client, user
        self.pages, self.api = pages, api
        self.allowed = allowed_values(user)
        self.findings: list[Finding] = []
        self.read: Counter = Counter()

    def check(self, url: str, response) -> str:
        text = _text_of(response)
        self.read[(urlsplit(url).path.split("/") + ["", ""])[1] or "/"] += 1
        for kind, value in find_personal(text):
            if value not in self.allowed:
                self.findings.append(Finding(self.role, url, kind, value))
        return text

    # --- the API: every list and detail route in the schema, JSON and browsable HTML -------------------
    def scan_api(self, schema: dict) -> None:
        lists = [p for p, ops in schema["paths"].items() if "get" in ops and "{" not in p]
        details = [
            p for p, ops in schema["paths"].items() if "get" in ops and p.count("{") == 1 and p.endswith("}/")
        ]
        keys: dict[str, list[str]] = {}
        for path in lists:
            response = self.client.get(path, HTTP_ACCEPT="application/json")
            text = self.check(path, response)
            if response.status_code == 200:
                keys[path] = _keys_of(text)
                html = self.client.get(path, HTTP_ACCEPT="text/html")
                if html.get("Content-Type", "").startswith("text/html"):
                    self.check(path + " (html)", html)
        for path in details:
            parent = path[: path.rindex("{")]
            for key in keys.get(parent, [])[:PER_SHAPE]:
                url = re.sub(r"\{[^}]+\}", key, path)
                response = self.client.get(url, HTTP_ACCEPT="application/json")
                self.check(url, response)
                html = self.client.get(url, HTTP_ACCEPT="text/html")
                if html.get("Content-Type", "").startswith("text/html"):
                    self.check(url + " (html)", html)

    # --- the pages: breadth-first from /, each shape of URL a few times, downloads included ------------
    def scan_pages(self) -> None:
        queue, seen, shapes = deque(["/"]), {"/"}, Counter()
        changelists = []
        while queue and sum(shapes.values()) < MAX_PAGES:
            url = queue.popleft()
            response = self.client.get(url)
            if response.status_code in (301, 302):
                target = urljoin(url, response["Location"])
                if urlsplit(target).netloc in ("", "testserver") and target not in seen:
                    seen.add(target)
                    queue.appendleft(urlsplit(target)._replace(scheme="", netloc="").geturl())
                continue
            text = self.check(url, response)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            path = urlsplit(url).path
            if re.fullmatch(r"/admin/[a-z_]+/[a-z_]+/", path) and "_selected_action" in text:
                changelists.append((path, re.findall(r'name="_selected_action" value="(\d+)"', text)))
            for href in re.findall(r'href="([^"#][^"]*)"', text):
                href = urldefrag(urljoin(url, href.replace("&amp;", "&")))[0]
                parts = urlsplit(href)
                if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
                    continue  # tel:, mailto:, other sites
                if parts.path.startswith(SKIP_PREFIXES):
                    continue
                local = parts._replace(scheme="", netloc="").geturl()
                shape = _shape(local)
                if local in seen or shapes[shape] >= PER_SHAPE:
                    continue
                seen.add(local)
                shapes[shape] += 1
                queue.append(local)
        for path, ids in changelists:
            if ids:
                response = self.client.post(path, {"action": "export_as_csv", "_selected_action": ids[:100]})
                if response.status_code == 200:
                    self.check(path + " (export)", response)


def _keys_of(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    rows = data.get("results", data.get("features", [])) if isinstance(data, dict) else data
    keys = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict):
            key = row.get("id", row.get("code"))
            if key is None and isinstance(row.get("properties"), dict):
                key = row["properties"].get("id")
            if key is not None:
                keys.append(str(key))
    return keys

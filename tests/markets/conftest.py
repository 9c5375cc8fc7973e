"""Fixtures of the markets tests: the seeded standard (facilities, checklist) restored after transactional
tests flush it, market operators, and local HTTP servers that record webhook deliveries."""

from __future__ import annotations

import importlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .factories import MarketFactory, MarketOperatorFactory, operator_user


def ensure_market_standard() -> None:
    """The facilities standard and inspection checklist that migration 0002 seeds."""
    from django.apps import apps

    if not apps.get_model("markets", "InspectionItem").objects.exists():
        importlib.import_module("markets.migrations.0002_standard_and_schedules").forwards(apps, None)


@pytest.fixture(autouse=True)
def _market_standard(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_market_standard()


@pytest.fixture
def market(county_a):
    return MarketFactory(scope_unit=county_a, name="潍城区零工市场")


@pytest.fixture
def market_b(county_b):
    return MarketFactory(scope_unit=county_b, name="寿光市零工市场")


@pytest.fixture
def operator(market):
    """A market operator bound to ``market``."""
    user = operator_user(scope_unit=market.scope_unit)
    MarketOperatorFactory(market=market, user=user)
    return user


@pytest.fixture
def operator_b(market_b):
    user = operator_user(scope_unit=market_b.scope_unit)
    MarketOperatorFactory(market=market_b, user=user)
    return user


class RecordingServer:
    """An HTTP server on 127.0.0.1 (port chosen by the OS) in a thread. It records every request and
    answers ``status`` (settable, e.g. 500 while "down", then 200)."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                owner.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": body,
                        "answered": owner.status,
                    }
                )
                self.send_response(owner.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    """``http_server(status=200)`` starts a recording server; all are stopped after the test."""
    servers: list[RecordingServer] = []

    def start(status: int = 200) -> RecordingServer:
        server = RecordingServer(status)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def refused_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"

"""The one headless Chromium fixture of the browser tests (Debian's /usr/bin/chromium driven by Playwright).
Without Chromium the tests skip with the reason; CI installs it and fails if they skip."""

from __future__ import annotations

import os

import pytest

from tests.conftest import needs

from .test_pages import ARGS, CHROMIUM

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def chromium():
    if not CHROMIUM:
        needs("no Chromium installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        needs("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()

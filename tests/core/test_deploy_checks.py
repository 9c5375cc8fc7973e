"""`make check-deploy` (production settings, `check --deploy --fail-level WARNING`) fails while SMS codes would
only reach the log: a console or in-memory notification backend, the console SMS provider, or a provider
without its credentials (core.checks, ADR 0017)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.checks import check_messaging

ROOT = Path(__file__).resolve().parents[2]


def ids(settings) -> list[str]:
    return [message.id for message in check_messaging()]


def test_a_console_backend_is_an_error(settings):
    settings.LINGONG_NOTIFICATION_BACKEND = "core.notifications.ConsoleBackend"
    assert ids(settings) == ["lingong.E001"]


def test_the_console_sms_provider_is_an_error(settings):
    settings.LINGONG_NOTIFICATION_BACKEND = "core.notifications.ProviderBackend"
    settings.LINGONG_SMS_PROVIDER = "console"
    assert "lingong.E002" in ids(settings)


@pytest.mark.parametrize("provider", ["tencent", "aliyun", "gateway"])
def test_a_provider_without_credentials_is_an_error_and_with_them_passes(settings, provider):
    from core.checks import PROVIDER_SETTINGS

    settings.LINGONG_NOTIFICATION_BACKEND = "core.notifications.ProviderBackend"
    settings.LINGONG_SMS_PROVIDER = provider
    for name in PROVIDER_SETTINGS[provider]:
        setattr(settings, name, "")
    assert "lingong.E003" in ids(settings)
    for name in PROVIDER_SETTINGS[provider]:
        setattr(settings, name, "set")
    settings.LINGONG_WECHAT_APP_ID = settings.LINGONG_WECHAT_APP_SECRET = "set"
    assert ids(settings) == []


def production_check(**env) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LINGONG_", "DJANGO_")) and key != "DATABASE_URL"
    }
    base.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 60 + "-not-a-real-secret-for-the-deploy-check",
        DJANGO_ALLOWED_HOSTS="lingong.example.gov.cn",
        DATABASE_URL="postgres://localhost/lingong",
        REDIS_URL="redis://localhost:6379/0",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_with_the_console_provider_fails_the_deploy_check():
    result = production_check(LINGONG_SMS_PROVIDER="console")
    assert result.returncode != 0 and "lingong.E002" in result.stderr + result.stdout


def test_production_with_a_configured_gateway_passes_the_deploy_check():
    result = production_check(
        LINGONG_SMS_PROVIDER="gateway",
        LINGONG_SMS_GATEWAY_URL="https://sms.example.gov.cn/api/v1/send",
        LINGONG_SMS_GATEWAY_APP_ID="lingong",
        LINGONG_SMS_GATEWAY_SECRET="s" * 32,
    )
    assert result.returncode == 0, result.stderr

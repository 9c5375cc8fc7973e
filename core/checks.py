"""Deployment checks (``manage.py check --deploy``, run by `make check-deploy` and CI): production must not
keep SMS codes in the log (ADR 0017)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

LOG_ONLY_BACKENDS = {
    "core.notifications.ConsoleBackend",
    "core.notifications.LocmemBackend",
    "core.notifications.DatabaseBackend",
}
PROVIDER_SETTINGS = {
    "tencent": (
        "LINGONG_TENCENT_SMS_SECRET_ID",
        "LINGONG_TENCENT_SMS_SECRET_KEY",
        "LINGONG_TENCENT_SMS_SDK_APP_ID",
    ),
    "aliyun": ("LINGONG_ALIYUN_SMS_ACCESS_KEY_ID", "LINGONG_ALIYUN_SMS_ACCESS_KEY_SECRET"),
    "gateway": ("LINGONG_SMS_GATEWAY_URL", "LINGONG_SMS_GATEWAY_APP_ID", "LINGONG_SMS_GATEWAY_SECRET"),
}


@checks.register(checks.Tags.security, deploy=True)
def check_messaging(app_configs=None, **kwargs):
    errors = []
    backend = settings.LINGONG_NOTIFICATION_BACKEND
    if backend in LOG_ONLY_BACKENDS:
        errors.append(
            checks.Error(
                f"LINGONG_NOTIFICATION_BACKEND is {backend}: SMS codes would only reach the log, so nobody "
                "could register or reset a password.",
                hint="Use core.notifications.ProviderBackend and set LINGONG_SMS_PROVIDER (README, Messages).",
                id="lingong.E001",
            )
        )
        return errors
    provider = settings.LINGONG_SMS_PROVIDER
    if backend == "core.notifications.ProviderBackend":
        if provider not in PROVIDER_SETTINGS:
            errors.append(
                checks.Error(
                    f"LINGONG_SMS_PROVIDER is {provider!r}: SMS codes would only reach the log.",
                    hint="Set LINGONG_SMS_PROVIDER to tencent, aliyun or gateway with its credentials.",
                    id="lingong.E002",
                )
            )
        else:
            missing = [name for name in PROVIDER_SETTINGS[provider] if not getattr(settings, name, "")]
            if missing:
                errors.append(
                    checks.Error(
                        f"LINGONG_SMS_PROVIDER is {provider} but {', '.join(missing)} are not set.",
                        id="lingong.E003",
                    )
                )
        if not (settings.LINGONG_WECHAT_APP_ID and settings.LINGONG_WECHAT_APP_SECRET):
            errors.append(
                checks.Info(
                    "LINGONG_WECHAT_APP_ID/APP_SECRET are not set: WeChat binding is off and messages to "
                    "WeChat fall back to SMS.",
                    id="lingong.I001",
                )
            )
    return errors

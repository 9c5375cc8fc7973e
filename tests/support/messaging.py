"""Point the provider backend at the local fakes (tests/support/fakes.py): settings, approved templates."""

from __future__ import annotations

from core.models import MessageTemplate

from . import fakes

TEMPLATE_IDS = {"login_code": "LOGIN_TPL", "notice": "NOTICE_TPL"}


def approve(provider: str) -> None:
    """Our templates as the provider approved them (the data migration seeds unapproved placeholders)."""
    for code, template_id in TEMPLATE_IDS.items():
        MessageTemplate.objects.filter(code=code, provider=provider).update(
            template_id=template_id, sign_name="零工市场", approved=True
        )


def use_sms(settings, provider: str):
    """Start the provider's fake and send every SMS through it; returns the (started) fake."""
    fake = {
        "tencent": fakes.TencentSmsFake,
        "aliyun": fakes.AliyunSmsFake,
        "gateway": fakes.GatewaySmsFake,
    }[provider]().start()
    settings.LINGONG_NOTIFICATION_BACKEND = "core.notifications.ProviderBackend"
    settings.LINGONG_SMS_PROVIDER = provider
    settings.LINGONG_SMS_TIMEOUT = 5
    settings.LINGONG_TENCENT_SMS_ENDPOINT = fake.host
    settings.LINGONG_TENCENT_SMS_SCHEME = "http"
    settings.LINGONG_TENCENT_SMS_SECRET_ID = fakes.TENCENT["secret_id"]
    settings.LINGONG_TENCENT_SMS_SECRET_KEY = fakes.TENCENT["secret_key"]
    settings.LINGONG_TENCENT_SMS_SDK_APP_ID = fakes.TENCENT["app_id"]
    settings.LINGONG_ALIYUN_SMS_ENDPOINT = fake.host
    settings.LINGONG_ALIYUN_SMS_PROTOCOL = "http"
    settings.LINGONG_ALIYUN_SMS_ACCESS_KEY_ID = fakes.ALIYUN["key_id"]
    settings.LINGONG_ALIYUN_SMS_ACCESS_KEY_SECRET = fakes.ALIYUN["key_secret"]
    settings.LINGONG_SMS_GATEWAY_URL = f"{fake.url}/api/v1/sms/send"
    settings.LINGONG_SMS_GATEWAY_APP_ID = fakes.GATEWAY["app_id"]
    settings.LINGONG_SMS_GATEWAY_SECRET = fakes.GATEWAY["secret"]
    approve(provider)
    return fake


def wrong_secret(settings, provider: str) -> None:
    name = {
        "tencent": "LINGONG_TENCENT_SMS_SECRET_KEY",
        "aliyun": "LINGONG_ALIYUN_SMS_ACCESS_KEY_SECRET",
        "gateway": "LINGONG_SMS_GATEWAY_SECRET",
    }[provider]
    setattr(settings, name, "not-the-secret")


def use_wechat(settings):
    fake = fakes.WeChatFake().start()
    settings.LINGONG_NOTIFICATION_BACKEND = "core.notifications.ProviderBackend"
    settings.LINGONG_WECHAT_APP_ID = fakes.WECHAT["app_id"]
    settings.LINGONG_WECHAT_APP_SECRET = fakes.WECHAT["secret"]
    settings.LINGONG_WECHAT_API_BASE = fake.url + "/"
    settings.LINGONG_WECHAT_OAUTH_BASE = fake.url + "/connect/"
    approve("wechat")
    return fake

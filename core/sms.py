"""SMS providers behind one ``send`` (ADR 0017): Tencent Cloud SMS, Alibaba Cloud SMS and a government SMS
gateway (政务短信平台), each through its documented API, with every endpoint a setting so that an intranet
deployment (or a test's fake on 127.0.0.1) points it elsewhere.

An adapter takes one approved ``MessageTemplate`` row (our template code → the provider's template id, sign
name and ordered parameters) and the message's parameters, and returns a ``SendResult`` (the provider's
message id and status). A failure worth retrying (network, throttling, the provider's 5xx) is an
``OutsideError``: the send task retries it with backoff. A refusal that a retry cannot change (no approved
template, an invalid number, a template the provider rejects) is a ``ProviderRefused``: the delivery is
marked failed at once."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from .choices import MessageProvider
from .worker import OutsideError

logger = logging.getLogger("lingong.notifications")


class ProviderRefused(Exception):
    """The provider (or our template data) refuses this message for good: retrying would not help."""


@dataclass(frozen=True)
class SendResult:
    provider: str
    message_id: str = ""
    status: str = ""


def approved_template(code: str, provider: str):
    """The approved, active template row of ``code`` for ``provider``, or ProviderRefused."""
    from .models import MessageTemplate

    row = MessageTemplate.objects.filter(code=code, provider=provider, approved=True, active=True).first()
    if row is None:
        raise ProviderRefused(f"no approved template {code!r} for {provider}")
    return row


def china_number(phone: str) -> str:
    """An 11-digit mainland mobile number in E.164 (+86…), as Tencent's PhoneNumberSet wants it."""
    digits = phone.removeprefix("+86").removeprefix("86") if len(phone) > 11 else phone
    return f"+86{digits}"


class TencentSms:
    """Tencent Cloud SMS ``SendSms`` (API 2021-01-11) through ``tencentcloud-sdk-python-sms``, signed
    TC3-HMAC-SHA256 by the SDK. Settings: LINGONG_TENCENT_SMS_*."""

    provider = MessageProvider.TENCENT

    def send(self, *, phone: str, template, params: dict, key: str = "") -> SendResult:
        from tencentcloud.common import credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client

        http = HttpProfile(
            protocol=settings.LINGONG_TENCENT_SMS_SCHEME,
            endpoint=settings.LINGONG_TENCENT_SMS_ENDPOINT,
            reqTimeout=settings.LINGONG_SMS_TIMEOUT,
        )
        client = sms_client.SmsClient(
            credential.Credential(
                settings.LINGONG_TENCENT_SMS_SECRET_ID, settings.LINGONG_TENCENT_SMS_SECRET_KEY
            ),
            settings.LINGONG_TENCENT_SMS_REGION,
            ClientProfile(httpProfile=http),
        )
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [china_number(phone)]
        request.SmsSdkAppId = settings.LINGONG_TENCENT_SMS_SDK_APP_ID
        request.SignName = template.sign_name
        request.TemplateId = template.template_id
        request.TemplateParamSet = template.ordered_values(params)
        request.SessionContext = key[:100]
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            if code.startswith(
                ("ClientNetworkError", "InternalError", "RequestLimitExceeded", "ServerNetwork")
            ):
                raise OutsideError(f"tencent {code}: {exc.get_message()}") from exc
            raise ProviderRefused(f"tencent {code}: {exc.get_message()}") from exc
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            if status.Code.startswith(("LimitExceeded", "InternalError")):
                raise OutsideError(f"tencent {status.Code}: {status.Message}")
            raise ProviderRefused(f"tencent {status.Code}: {status.Message}")
        return SendResult(provider=self.provider, message_id=status.SerialNo or "", status=status.Code)


class AliyunSms:
    """Alibaba Cloud SMS ``SendSms`` (API 2017-05-25) through ``alibabacloud-dysmsapi20170525``; the
    pinned SDK (tea-openapi 0.4) signs ACS3-HMAC-SHA256 and sends the fields in the query string of a
    POST. Settings: LINGONG_ALIYUN_SMS_*."""

    provider = MessageProvider.ALIYUN

    def send(self, *, phone: str, template, params: dict, key: str = "") -> SendResult:
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
        from alibabacloud_tea_openapi.utils_models import Config
        from darabonba.runtime import RuntimeOptions

        client = Client(
            Config(
                access_key_id=settings.LINGONG_ALIYUN_SMS_ACCESS_KEY_ID,
                access_key_secret=settings.LINGONG_ALIYUN_SMS_ACCESS_KEY_SECRET,
                endpoint=settings.LINGONG_ALIYUN_SMS_ENDPOINT,
                protocol=settings.LINGONG_ALIYUN_SMS_PROTOCOL,
            )
        )
        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=template.sign_name,
            template_code=template.template_id,
            template_param=json.dumps(template.named_values(params), ensure_ascii=False),
            out_id=key[:64] or None,
        )
        timeout_ms = settings.LINGONG_SMS_TIMEOUT * 1000
        runtime = RuntimeOptions(autoretry=False, connect_timeout=timeout_ms, read_timeout=timeout_ms)
        try:
            response = client.send_sms_with_options(request, runtime)
        except ThrottlingException as exc:
            raise OutsideError(f"aliyun {exc.code}: {exc.message}") from exc
        except ClientException as exc:
            raise ProviderRefused(f"aliyun {exc.code}: {exc.message}") from exc
        except Exception as exc:  # network errors, the provider's 5xx (ServerException)
            raise OutsideError(f"aliyun {type(exc).__name__}: {exc}"[:280]) from exc
        body = response.body
        if body.code != "OK":
            if (body.code or "").startswith(("isv.BUSINESS_LIMIT_CONTROL", "isp.")):
                raise OutsideError(f"aliyun {body.code}: {body.message}")
            raise ProviderRefused(f"aliyun {body.code}: {body.message}")
        return SendResult(provider=self.provider, message_id=body.biz_id or "", status=body.code)


def gateway_signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The government gateway's request signature (ADR 0017): hex HMAC-SHA256 with the shared secret over
    ``timestamp + "\\n" + nonce + "\\n" + body``."""
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class GatewaySms:
    """A government SMS gateway (政务短信平台) through a plain JSON POST (ADR 0017 documents the contract):

    ``POST LINGONG_SMS_GATEWAY_URL`` with ``{"app_id", "request_id", "mobile", "template_id", "sign_name",
    "params": {name: value}}`` and headers ``X-Lingong-App-Id``, ``X-Lingong-Timestamp`` (Unix seconds),
    ``X-Lingong-Nonce``, ``X-Lingong-Signature`` (see ``gateway_signature``). It answers
    ``{"code": "0", "message_id": "…"}``; another code is a refusal; HTTP 429 or 5xx is retried."""

    provider = MessageProvider.GATEWAY

    def send(self, *, phone: str, template, params: dict, key: str = "") -> SendResult:
        payload = {
            "app_id": settings.LINGONG_SMS_GATEWAY_APP_ID,
            "request_id": key,
            "mobile": phone,
            "template_id": template.template_id,
            "sign_name": template.sign_name,
            "params": template.named_values(params),
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        request = urllib.request.Request(
            settings.LINGONG_SMS_GATEWAY_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Lingong-App-Id": settings.LINGONG_SMS_GATEWAY_APP_ID,
                "X-Lingong-Timestamp": timestamp,
                "X-Lingong-Nonce": nonce,
                "X-Lingong-Signature": gateway_signature(
                    settings.LINGONG_SMS_GATEWAY_SECRET, timestamp, nonce, body
                ),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.LINGONG_SMS_TIMEOUT) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise OutsideError(f"gateway HTTP {exc.code}") from exc
            raise ProviderRefused(f"gateway HTTP {exc.code}: {exc.read()[:200]!r}") from exc
        except (OSError, ValueError) as exc:
            raise OutsideError(f"gateway {type(exc).__name__}: {exc}"[:280]) from exc
        code = str(answer.get("code", ""))
        if code != "0":
            raise ProviderRefused(f"gateway {code}: {answer.get('message', '')}")
        return SendResult(provider=self.provider, message_id=str(answer.get("message_id", "")), status="0")


class ConsoleSms:
    """Development: the SMS is written to the log (and the console of `make run`). Never in production:
    `make check-deploy` fails on it (core.checks)."""

    provider = MessageProvider.CONSOLE

    def send(self, *, phone: str, template, params: dict, key: str = "") -> SendResult:
        logger.warning("[sms -> %s] %s %s", phone, template.code if template else "", params)
        return SendResult(provider=self.provider, status="logged")


ADAPTERS = {
    MessageProvider.TENCENT: TencentSms,
    MessageProvider.ALIYUN: AliyunSms,
    MessageProvider.GATEWAY: GatewaySms,
    MessageProvider.CONSOLE: ConsoleSms,
}


def sms_adapter():
    """The adapter named by LINGONG_SMS_PROVIDER (tencent, aliyun, gateway or console)."""
    return ADAPTERS[settings.LINGONG_SMS_PROVIDER]()

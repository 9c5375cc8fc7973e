"""Local fakes of the outside messaging providers (ADR 0017), each a threaded ``http.server`` on 127.0.0.1
that checks a request as the provider documents it — recomputing the signature from the test secret and
rejecting a bad one — and records what it accepted, so a test reads the SMS code from the fake.

- Tencent Cloud SMS ``SendSms`` 2021-01-11: TC3-HMAC-SHA256 (cloud.tencent.com/document/api/382/52071);
- Alibaba Cloud SMS ``SendSms`` 2017-05-25: ACS3-HMAC-SHA256, the V3 request signature
  (help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature), fields in the query;
- the government gateway: the JSON and HMAC header of ADR 0017;
- WeChat: ``cgi-bin/token``, ``cgi-bin/message/subscribe/bizsend``, ``sns/oauth2/access_token`` and the
  ``connect/oauth2/authorize`` page (which sends the browser back with a code and the state).

Written from the providers' documents, not from the SDKs: the adapters pass only if the SDKs send what the
documents say."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit

TENCENT = {"secret_id": "AKIDtest0123456789", "secret_key": "tencent-test-secret", "app_id": "1400000001"}
ALIYUN = {"key_id": "LTAItest0123456789", "key_secret": "aliyun-test-secret"}
GATEWAY = {"app_id": "lingong-test", "secret": "gateway-test-secret"}
WECHAT = {"app_id": "wx0123456789abcdef", "secret": "wechat-test-secret"}


class FakeServer:
    """Start with ``start()``, stop with ``stop()``; ``url`` is ``http://127.0.0.1:<port>``. ``accepted``
    holds what the fake accepted, ``rejected`` why it refused; ``fail_next`` answers that many requests
    with the provider's "try again" error."""

    content_type = "application/json; charset=utf-8"

    def __init__(self):
        self.accepted: list[dict] = []
        self.rejected: list[str] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.dispatch(self, b"")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.dispatch(self, self.rfile.read(length))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def dispatch(self, handler, body: bytes):
        try:
            status, answer, headers = self.handle(handler, body)
        except Exception as exc:  # a bug in the fake: say so rather than hang the test
            status, answer, headers = 500, {"fake_error": repr(exc)}, {}
        payload = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if payload:
            handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def take_failure(self) -> bool:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
        return False

    def reject(self, why: str):
        self.rejected.append(why)

    def handle(self, handler, body):  # pragma: no cover - overridden
        raise NotImplementedError


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class TencentSmsFake(FakeServer):
    """Checks TC3-HMAC-SHA256 as Tencent documents it: CanonicalRequest = method, URI "/", query "",
    the signed headers (at least content-type and host) lower-cased, SignedHeaders, hex SHA-256 of the
    payload; StringToSign = algorithm, X-TC-Timestamp, date/service/tc3_request, hex SHA-256 of the
    canonical request; the key derived HMAC("TC3"+SecretKey, date) → service → "tc3_request"."""

    service = "sms"
    content_type = "application/json"  # exactly, as Tencent answers (the SDK reads errors only then)

    def handle(self, handler, body):
        status, answer, headers = self.answer(handler, body)
        answer.get("Response", {}).setdefault("RequestId", secrets.token_hex(8))
        return status, answer, headers

    def answer(self, handler, body):
        h = {k.lower(): v for k, v in handler.headers.items()}
        auth = h.get("authorization", "")
        error = self.check(handler, h, auth, body)
        if error:
            self.reject(error)
            return (
                200,
                {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": error}}},
                {},
            )
        request = json.loads(body)
        for field in ("PhoneNumberSet", "SmsSdkAppId", "SignName", "TemplateId", "TemplateParamSet"):
            if field not in request:
                self.reject(f"missing {field}")
                return 200, {"Response": {"Error": {"Code": "MissingParameter", "Message": field}}}, {}
        if request["SmsSdkAppId"] != TENCENT["app_id"]:
            return 200, {"Response": {"Error": {"Code": "InvalidParameterValue.SdkAppIdNotExist"}}}, {}
        if self.take_failure():
            return 200, {"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "busy"}}}, {}
        serial = f"2433:{secrets.token_hex(8)}"
        self.accepted.append({**request, "serial": serial})
        status = [
            {
                "SerialNo": serial,
                "PhoneNumber": number,
                "Fee": 1,
                "SessionContext": request.get("SessionContext", ""),
                "Code": "Ok",
                "Message": "send success",
                "IsoCode": "CN",
            }
            for number in request["PhoneNumberSet"]
        ]
        return 200, {"Response": {"SendStatusSet": status, "RequestId": secrets.token_hex(8)}}, {}

    def check(self, handler, h, auth, body) -> str:
        if (
            handler.command != "POST"
            or h.get("x-tc-action") != "SendSms"
            or h.get("x-tc-version") != "2021-01-11"
        ):
            return "not SendSms 2021-01-11"
        if not auth.startswith("TC3-HMAC-SHA256 "):
            return "not TC3-HMAC-SHA256"
        parts = dict(p.strip().split("=", 1) for p in auth[len("TC3-HMAC-SHA256 ") :].split(","))
        secret_id, date, service, terminator = parts["Credential"].split("/")
        signed = parts["SignedHeaders"].split(";")
        if secret_id != TENCENT["secret_id"] or service != self.service or terminator != "tc3_request":
            return "bad credential scope"
        if not {"content-type", "host"} <= set(signed):
            return "content-type and host must be signed"
        timestamp = h["x-tc-timestamp"]
        if datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d") != date:
            return "date does not match X-TC-Timestamp"
        canonical_headers = "".join(f"{name}:{h[name].strip().lower()}\n" for name in signed)
        canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(signed), _sha256(body)])
        to_sign = "\n".join(
            ["TC3-HMAC-SHA256", timestamp, f"{date}/{service}/tc3_request", _sha256(canonical.encode())]
        )
        key = _hmac(_hmac(_hmac(("TC3" + TENCENT["secret_key"]).encode(), date), service), "tc3_request")
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts["Signature"]):
            return "signature does not match"
        return ""

    def codes(self) -> list[str]:
        return [r["TemplateParamSet"][0] for r in self.accepted]


def _rfc3986(value: str) -> str:
    return quote(value, safe="~")


class AliyunSmsFake(FakeServer):
    """Checks ACS3-HMAC-SHA256 as Alibaba documents its V3 signature: CanonicalRequest = method, URI,
    the query sorted by name with names and values RFC 3986-encoded, the signed headers (host, the
    x-acs-* headers and content-type at least) lower-cased and sorted ``name:value``, SignedHeaders,
    x-acs-content-sha256 (which must be the payload's hex SHA-256); StringToSign = algorithm + hex SHA-256
    of the canonical request; the signature hex HMAC-SHA256 with the AccessKey secret."""

    required_signed = {
        "host",
        "x-acs-action",
        "x-acs-content-sha256",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-version",
    }

    def handle(self, handler, body):
        h = {k.lower(): v for k, v in handler.headers.items()}
        split = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        error = self.check(handler, h, split.path or "/", query, body)
        if error:
            self.reject(error)
            return 400, {"Code": "SignatureDoesNotMatch", "Message": error, "RequestId": "x"}, {}
        fields = {**query, **{k: v[0] for k, v in parse_qs(body.decode()).items()}}
        for field in ("PhoneNumbers", "SignName", "TemplateCode", "TemplateParam"):
            if field not in fields:
                self.reject(f"missing {field}")
                return 400, {"Code": "MissingParameter", "Message": field, "RequestId": "x"}, {}
        params = json.loads(fields["TemplateParam"])
        if self.take_failure():
            return 503, {"Code": "ServiceUnavailable", "Message": "busy", "RequestId": "x"}, {}
        biz = f"{secrets.randbelow(10**9)}^0"
        self.accepted.append({**fields, "TemplateParam": params, "BizId": biz})
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": secrets.token_hex(8)}, {}

    def check(self, handler, h, path, query, body) -> str:
        if h.get("x-acs-action") != "SendSms" or h.get("x-acs-version") != "2017-05-25":
            return "not SendSms 2017-05-25"
        auth = h.get("authorization", "")
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            return "not ACS3-HMAC-SHA256"
        parts = dict(p.strip().split("=", 1) for p in auth[len("ACS3-HMAC-SHA256 ") :].split(","))
        if parts.get("Credential") != ALIYUN["key_id"]:
            return "unknown AccessKey"
        signed = parts["SignedHeaders"].split(";")
        if not self.required_signed <= set(signed) or signed != sorted(signed):
            return "required headers not signed (or not sorted)"
        if h.get("x-acs-content-sha256") != _sha256(body):
            return "x-acs-content-sha256 is not the payload's hash"
        canonical_query = "&".join(f"{_rfc3986(k)}={_rfc3986(query[k])}" for k in sorted(query))
        canonical_headers = "".join(f"{name}:{h[name].strip()}\n" for name in signed)
        canonical = "\n".join(
            [handler.command, path, canonical_query, canonical_headers, ";".join(signed), _sha256(body)]
        )
        to_sign = "ACS3-HMAC-SHA256\n" + _sha256(canonical.encode())
        expected = hmac.new(ALIYUN["key_secret"].encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return "signature does not match"
        return ""

    def codes(self) -> list[str]:
        return [r["TemplateParam"]["code"] for r in self.accepted]


class GatewaySmsFake(FakeServer):
    """The government gateway of ADR 0017: ``X-Lingong-Signature`` = hex HMAC-SHA256(secret,
    timestamp + "\\n" + nonce + "\\n" + body), the timestamp within five minutes, a nonce used once."""

    def __init__(self):
        super().__init__()
        self.nonces: set[str] = set()

    def handle(self, handler, body):
        h = {k.lower(): v for k, v in handler.headers.items()}
        timestamp, nonce = h.get("x-lingong-timestamp", ""), h.get("x-lingong-nonce", "")
        message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
        expected = hmac.new(GATEWAY["secret"].encode(), message, hashlib.sha256).hexdigest()
        now = datetime.now(UTC).timestamp()
        if (
            h.get("x-lingong-app-id") != GATEWAY["app_id"]
            or not hmac.compare_digest(expected, h.get("x-lingong-signature", ""))
            or not timestamp.isdigit()
            or abs(now - int(timestamp)) > 300
            or not nonce
            or nonce in self.nonces
        ):
            self.reject("bad signature, timestamp or nonce")
            return 401, {"code": "401", "message": "signature"}, {}
        self.nonces.add(nonce)
        request = json.loads(body)
        missing = {"app_id", "request_id", "mobile", "template_id", "sign_name", "params"} - set(request)
        if missing:
            self.reject(f"missing {sorted(missing)}")
            return 400, {"code": "400", "message": "fields"}, {}
        if self.take_failure():
            return 503, {"code": "503", "message": "busy"}, {}
        message_id = f"gw-{secrets.token_hex(6)}"
        self.accepted.append({**request, "message_id": message_id})
        return 200, {"code": "0", "message_id": message_id}, {}

    def codes(self) -> list[str]:
        return [r["params"]["code"] for r in self.accepted]


class WeChatFake(FakeServer):
    """The official account's API and web authorisation. ``openids`` maps an authorisation code to the
    openid it stands for; the authorize page issues a fresh code for ``next_openid``."""

    def __init__(self):
        super().__init__()
        self.token = f"token-{secrets.token_hex(6)}"
        self.openids: dict[str, str] = {}
        self.next_openid = "oTest" + secrets.token_hex(10)
        self.templates = {"NOTICE_TPL"}

    def handle(self, handler, body):
        split = urlsplit(handler.path)
        q = {k: v[0] for k, v in parse_qs(split.query).items()}
        if split.path == "/connect/oauth2/authorize":
            if q.get("appid") != WECHAT["app_id"] or q.get("scope") != "snsapi_base" or "state" not in q:
                self.reject("bad authorize request")
                return 400, {"errcode": 40013, "errmsg": "invalid appid"}, {}
            code = secrets.token_hex(8)
            self.openids[code] = self.next_openid
            target = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
            return 302, b"", {"Location": target}
        if split.path == "/sns/oauth2/access_token":
            ok = q.get("appid") == WECHAT["app_id"] and q.get("secret") == WECHAT["secret"]
            if not ok or q.get("grant_type") != "authorization_code" or q.get("code") not in self.openids:
                self.reject("bad oauth exchange")
                return 200, {"errcode": 40029, "errmsg": "invalid code"}, {}
            openid = self.openids.pop(q["code"])  # a code is used once
            return (
                200,
                {
                    "access_token": "web-token",
                    "expires_in": 7200,
                    "refresh_token": "web-refresh",
                    "openid": openid,
                    "scope": "snsapi_base",
                },
                {},
            )
        if split.path == "/cgi-bin/token":
            if q.get("appid") != WECHAT["app_id"] or q.get("secret") != WECHAT["secret"]:
                self.reject("bad token request")
                return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}, {}
            return 200, {"access_token": self.token, "expires_in": 7200}, {}
        if split.path == "/cgi-bin/message/subscribe/bizsend":
            if q.get("access_token") != self.token:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}, {}
            message = json.loads(body)
            data = message.get("data")
            if (
                not message.get("touser")
                or message.get("template_id") not in self.templates
                or not isinstance(data, dict)
                or not all(isinstance(v, dict) and "value" in v for v in data.values())
            ):
                self.reject(f"bad bizsend payload {message}")
                return 200, {"errcode": 47003, "errmsg": "argument invalid"}, {}
            if self.take_failure():
                return 200, {"errcode": -1, "errmsg": "system error"}, {}
            msgid = secrets.randbelow(10**12)
            self.accepted.append({**message, "msgid": msgid})
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}, {}
        return 404, {"errcode": 404, "errmsg": "not found"}, {}

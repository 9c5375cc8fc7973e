"""Local fakes of WeChat Pay v3 and Alipay for the tests, on 127.0.0.1 (a threaded ``http.server`` each),
with RSA test keys generated at test time (never committed). Each fake plays the provider as it documents
itself: it checks the merchant's signature on every request (WeChat Pay's ``Authorization:
WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…``; Alipay's RSA2 ``sign``
over the sorted parameters), signs its answers with the platform key, keeps orders and refunds, answers
queries, and builds the signed notifications (WeChat Pay: AES-256-GCM-encrypted resource) that the tests post.
Alipay's fake also serves the cashier page a browser opens and, when "paid", posts the notification to the
``notify_url`` of the order and sends the browser back to its ``return_url``."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# TEST-ONLY identifiers: no real merchant.
MCHID = "1900000109"
APPID = "wxtest0000000001"
MERCHANT_SERIAL = "TESTSERIAL0000000000000000000001"
PUBLIC_KEY_ID = "PUB_KEY_ID_TEST_0000000001"
APIV3_KEY = "test-apiv3-key-0123456789abcdefX"  # 32 bytes
ALIPAY_APPID = "2021000000000001"


def new_key():
    """A fresh 2048-bit RSA key (test only)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(key, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_verify(public_key, message: str, signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False


class _Server:
    def __init__(self, handler_factory):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_factory(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, accepted or not
        self.rejected = 0

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


# --- WeChat Pay v3 --------------------------------------------------------------------------------------------

AUTH = re.compile(r"^WECHATPAY2-SHA256-RSA2048 (.+)$")


class FakeWeChatPay(_Server):
    def __init__(self):
        self.merchant_key = new_key()  # the merchant's API key pair (the app signs with it)
        self.platform_key = new_key()  # WeChat Pay's platform key pair (微信支付公钥)
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.refund_status = "PROCESSING"  # what a new refund answers: WeChat Pay refunds asynchronously
        self.creates = 0
        super().__init__(_wechat_handler)

    # what the provider does on its side
    def pay(self, out_trade_no: str) -> dict:
        with self.lock:
            order = self.orders[out_trade_no]
            order.update(trade_state="SUCCESS", transaction_id="4200" + secrets.token_hex(12))
            return order

    def finish_refund(self, out_refund_no: str, status: str = "SUCCESS") -> None:
        with self.lock:
            self.refunds[out_refund_no]["status"] = status

    def sign_response(self, body: str) -> dict[str, str]:
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": rsa_sign(self.platform_key, f"{ts}\n{nonce}\n{body}\n"),
            "Wechatpay-Serial": PUBLIC_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def notification(
        self, resource: dict, *, event_type: str, event_id: str | None = None, key=None, timestamp=None
    ) -> tuple[bytes, dict[str, str]]:
        """A signed notification as WeChat Pay posts it: resource encrypted AES-256-GCM with the APIv3 key,
        the whole body signed with the platform key (``key`` forges it with another)."""
        nonce = secrets.token_hex(6)  # 12 characters
        associated = "transaction" if event_type.startswith("TRANSACTION") else "refund"
        ciphertext = AESGCM(APIV3_KEY.encode()).encrypt(
            nonce.encode(), json.dumps(resource).encode(), associated.encode()
        )
        body = json.dumps(
            {
                "id": event_id or secrets.token_hex(16),
                "create_time": "2026-12-02T10:00:00+08:00",
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": "支付成功",
                "resource": {
                    "original_type": associated,
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(ciphertext).decode(),
                    "associated_data": associated,
                    "nonce": nonce,
                },
            }
        )
        ts, hnonce = timestamp or str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": hnonce,
            "Wechatpay-Signature": rsa_sign(key or self.platform_key, f"{ts}\n{hnonce}\n{body}\n"),
            "Wechatpay-Serial": PUBLIC_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }
        return body.encode(), headers

    def paid_notification(self, out_trade_no: str, **kwargs):
        order = self.orders[out_trade_no]
        resource = {
            "mchid": MCHID,
            "appid": APPID,
            "out_trade_no": out_trade_no,
            "transaction_id": order.get("transaction_id") or "4200" + secrets.token_hex(12),
            "trade_type": "NATIVE",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "success_time": "2026-12-02T10:00:00+08:00",
            "amount": {
                "total": order["amount"]["total"],
                "payer_total": order["amount"]["total"],
                "currency": "CNY",
            },
            **kwargs.pop("resource", {}),
        }
        return self.notification(resource, event_type="TRANSACTION.SUCCESS", **kwargs)

    def refund_notification(self, out_refund_no: str, status: str = "SUCCESS", **kwargs):
        refund = self.refunds[out_refund_no]
        resource = {
            "mchid": MCHID,
            "out_trade_no": refund["out_trade_no"],
            "out_refund_no": out_refund_no,
            "refund_id": refund["refund_id"],
            "refund_status": status,
            "amount": {"total": refund["amount"]["total"], "refund": refund["amount"]["refund"]},
        }
        return self.notification(resource, event_type=f"REFUND.{status}", **kwargs)

    def check_auth(self, method: str, path: str, body: str, header: str) -> bool:
        match = AUTH.match(header or "")
        if not match:
            return False
        fields = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        if fields.get("mchid") != MCHID or fields.get("serial_no") != MERCHANT_SERIAL:
            return False
        if abs(time.time() - int(fields.get("timestamp", "0") or 0)) > 300:
            return False
        message = f"{method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        return rsa_verify(self.merchant_key.public_key(), message, fields.get("signature", ""))


def _wechat_handler(fake: FakeWeChatPay):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, data: dict | None):
            body = json.dumps(data) if data is not None else ""
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in fake.sign_response(body).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)

        def _handle(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            fake.requests.append((method, self.path))
            if not fake.check_auth(method, self.path, body, self.headers.get("Authorization", "")):
                fake.rejected += 1
                return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
            path = urlsplit(self.path).path
            data = json.loads(body) if body else {}
            with fake.lock:
                if method == "POST" and path == "/v3/pay/transactions/native":
                    if data.get("mchid") != MCHID or data.get("appid") != APPID or not data.get("notify_url"):
                        return self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
                    fake.creates += 1
                    no = data["out_trade_no"]
                    order = fake.orders.get(no)
                    if order is None:
                        order = fake.orders[no] = {
                            **data,
                            "trade_state": "NOTPAY",
                            "code_url": "weixin://wxpay/bizpayurl?pr=" + secrets.token_urlsafe(8),
                        }
                    elif order["amount"] != data["amount"]:
                        return self._answer(400, {"code": "INVALID_REQUEST", "message": "订单号重复"})
                    return self._answer(200, {"code_url": order["code_url"]})
                m = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)", path)
                if method == "GET" and m:
                    order = fake.orders.get(m.group(1))
                    if order is None:
                        return self._answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
                    return self._answer(
                        200,
                        {
                            "mchid": MCHID,
                            "appid": APPID,
                            "out_trade_no": m.group(1),
                            "transaction_id": order.get("transaction_id", ""),
                            "trade_state": order["trade_state"],
                            "trade_state_desc": order["trade_state"],
                            "amount": {"total": order["amount"]["total"], "currency": "CNY"},
                        },
                    )
                m = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)/close", path)
                if method == "POST" and m:
                    order = fake.orders.get(m.group(1))
                    if order and order["trade_state"] == "SUCCESS":
                        return self._answer(400, {"code": "ORDERPAID", "message": "订单已支付"})
                    if order:
                        order["trade_state"] = "CLOSED"
                    return self._answer(204, None)
                if method == "POST" and path == "/v3/refund/domestic/refunds":
                    order = fake.orders.get(data.get("out_trade_no"))
                    if order is None or order["trade_state"] not in ("SUCCESS", "REFUND"):
                        return self._answer(400, {"code": "INVALID_REQUEST", "message": "订单未支付"})
                    no = data["out_refund_no"]
                    refund = fake.refunds.get(no)
                    if refund is None:
                        refund = fake.refunds[no] = {
                            **data,
                            "refund_id": "5030" + secrets.token_hex(12),
                            "status": fake.refund_status,
                        }
                        order["trade_state"] = "REFUND"
                    return self._answer(
                        200,
                        {"refund_id": refund["refund_id"], "out_refund_no": no, "status": refund["status"]},
                    )
                m = re.fullmatch(r"/v3/refund/domestic/refunds/([^/]+)", path)
                if method == "GET" and m:
                    refund = fake.refunds.get(m.group(1))
                    if refund is None:
                        return self._answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"})
                    return self._answer(200, {"out_refund_no": m.group(1), "status": refund["status"]})
            return self._answer(404, {"code": "NOT_FOUND", "message": path})

        def do_GET(self):
            self._handle("GET")

        def do_POST(self):
            self._handle("POST")

    return Handler


# --- Alipay ---------------------------------------------------------------------------------------------------


class FakeAlipay(_Server):
    def __init__(self):
        self.app_key = new_key()  # the merchant app's key pair (应用私钥)
        self.alipay_key = new_key()  # Alipay's key pair (支付宝公钥)
        self.orders: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        super().__init__(_alipay_handler)

    @property
    def gateway(self) -> str:
        return self.url + "/gateway.do"

    def sign_params(self, params: dict, key=None) -> str:
        """Alipay's notification signature: RSA2 over the sorted k=v pairs, sign and sign_type left out."""
        unsigned = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type"))
        return rsa_sign(key or self.alipay_key, unsigned)

    def pay(self, out_trade_no: str) -> dict:
        with self.lock:
            order = self.orders[out_trade_no]
            order.update(trade_status="TRADE_SUCCESS", trade_no="2026" + secrets.token_hex(12))
            return order

    def notification(
        self, out_trade_no: str, *, trade_status="TRADE_SUCCESS", notify_id=None, key=None, **extra
    ) -> bytes:
        order = self.orders[out_trade_no]
        params = {
            "notify_time": "2026-12-02 10:00:00",
            "notify_type": "trade_status_sync",
            "notify_id": notify_id or secrets.token_hex(16),
            "app_id": ALIPAY_APPID,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": order.get("trade_no") or "2026" + secrets.token_hex(12),
            "out_trade_no": out_trade_no,
            "trade_status": trade_status,
            "total_amount": order["total_amount"],
            "subject": order.get("subject", ""),
            **extra,
        }
        params["sign"] = self.sign_params(params, key)
        params["sign_type"] = "RSA2"
        return "&".join(f"{k}={quote_plus(str(v))}" for k, v in params.items()).encode()

    def check_request(self, params: dict) -> bool:
        """The app's request signature: RSA2 over every parameter but ``sign``, sorted."""
        sign = params.get("sign", "")
        unsigned = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
        return params.get("app_id") == ALIPAY_APPID and rsa_verify(self.app_key.public_key(), unsigned, sign)

    def answer(self, method: str, obj: dict) -> str:
        inner = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        response_type = method.replace(".", "_") + "_response"
        return '{"%s":%s,"sign":"%s"}' % (response_type, inner, rsa_sign(self.alipay_key, inner))

    def deliver(self, out_trade_no: str) -> int:
        """The cashier's "paid": Alipay posts the notification to the order's notify_url."""
        order = self.orders[out_trade_no]
        req = urllib.request.Request(
            order["notify_url"],
            data=self.notification(out_trade_no),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


OK = {"code": "10000", "msg": "Success"}


def _alipay_handler(fake: FakeAlipay):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: str, content_type="application/json; charset=utf-8", headers=None):
            raw = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self):
            parts = urlsplit(self.path)
            fake.requests.append(("GET", parts.path))
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            if parts.path != "/gateway.do":
                return self._send(404, "{}")
            method = params.get("method", "")
            if not fake.check_request(params):
                fake.rejected += 1
                return self._send(
                    200,
                    '{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature"}}',
                )
            biz = json.loads(params.get("biz_content") or "{}")
            with fake.lock:
                if method in ("alipay.trade.wap.pay", "alipay.trade.page.pay"):
                    no = biz["out_trade_no"]
                    order = fake.orders.setdefault(
                        no,
                        {
                            **biz,
                            "trade_status": "WAIT_BUYER_PAY",
                            "notify_url": params.get("notify_url", ""),
                            "return_url": params.get("return_url", ""),
                        },
                    )
                    page = (
                        "<!doctype html><html lang=zh-CN><meta charset=utf-8>"
                        '<meta name=viewport content="width=device-width,initial-scale=1">'
                        f"<title>支付宝收银台（测试）</title><h1>支付宝收银台（测试）</h1>"
                        f"<p id=amount>¥{order['total_amount']}</p>"
                        f'<form method=post action="/cashier/pay"><input type=hidden name=out_trade_no value="{no}">'
                        "<button type=submit id=alipay-pay>确认付款</button></form>"
                    )
                    return self._send(200, page, "text/html; charset=utf-8")
                order = fake.orders.get(biz.get("out_trade_no", ""))
                if method == "alipay.trade.query":
                    if order is None:
                        obj = {
                            "code": "40004",
                            "msg": "Business Failed",
                            "sub_code": "ACQ.TRADE_NOT_EXIST",
                            "sub_msg": "交易不存在",
                        }
                    else:
                        obj = {
                            **OK,
                            "out_trade_no": biz["out_trade_no"],
                            "trade_no": order.get("trade_no", ""),
                            "trade_status": order["trade_status"],
                            "total_amount": order["total_amount"],
                        }
                elif method == "alipay.trade.close":
                    if order is None:
                        obj = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
                    elif order["trade_status"] == "TRADE_SUCCESS":
                        obj = {
                            "code": "40004",
                            "msg": "Business Failed",
                            "sub_code": "ACQ.TRADE_STATUS_ERROR",
                        }
                    else:
                        order["trade_status"] = "TRADE_CLOSED"
                        obj = {**OK, "out_trade_no": biz["out_trade_no"]}
                elif method == "alipay.trade.refund":
                    no = biz.get("out_request_no", "")
                    if order is None or order["trade_status"] not in ("TRADE_SUCCESS", "TRADE_CLOSED"):
                        obj = {
                            "code": "40004",
                            "msg": "Business Failed",
                            "sub_code": "ACQ.TRADE_STATUS_ERROR",
                        }
                    elif no in fake.refunds:
                        obj = {**OK, "fund_change": "N", "refund_fee": fake.refunds[no]["refund_amount"]}
                    elif Decimal(biz["refund_amount"]) > Decimal(order["total_amount"]):
                        obj = {
                            "code": "40004",
                            "msg": "Business Failed",
                            "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                        }
                    else:
                        fake.refunds[no] = {**biz}
                        order["trade_status"] = "TRADE_CLOSED"
                        obj = {
                            **OK,
                            "fund_change": "Y",
                            "refund_fee": biz["refund_amount"],
                            "trade_no": order.get("trade_no", ""),
                        }
                elif method == "alipay.trade.fastpay.refund.query":
                    refund = fake.refunds.get(biz.get("out_request_no", ""))
                    obj = {**OK, "out_request_no": biz.get("out_request_no", "")}
                    if refund:
                        obj.update(refund_status="REFUND_SUCCESS", refund_amount=refund["refund_amount"])
                else:
                    obj = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.UNKNOWN_METHOD"}
            return self._send(200, fake.answer(method, obj))

        def do_POST(self):
            parts = urlsplit(self.path)
            fake.requests.append(("POST", parts.path))
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            if parts.path != "/cashier/pay" or form.get("out_trade_no") not in fake.orders:
                return self._send(404, "{}")
            order = fake.pay(form["out_trade_no"])
            fake.deliver(form["out_trade_no"])
            return self._send(302, "", "text/html", {"Location": order["return_url"]})

    return Handler


def write_keys(tmp, **pems) -> dict[str, str]:
    """Write PEMs to files under ``tmp``; their paths by name."""
    paths = {}
    for name, pem in pems.items():
        path = os.path.join(str(tmp), f"{name}.pem")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(pem)
        paths[name] = path
    return paths


def configure(
    settings, tmp, *, wechat: FakeWeChatPay | None = None, alipay: FakeAlipay | None = None, site=""
):
    """Point the gateways' settings at the fakes (and clear the cached clients)."""
    from work.gateways import alipay as alipay_gateway
    from work.gateways import wechatpay as wechat_gateway

    if site:
        settings.LINGONG_PAYMENT_SITE_URL = site
    if wechat is not None:
        paths = write_keys(
            tmp, wx_merchant=private_pem(wechat.merchant_key), wx_platform=public_pem(wechat.platform_key)
        )
        settings.LINGONG_WECHATPAY_API_BASE = wechat.url
        settings.LINGONG_WECHATPAY_MCHID = MCHID
        settings.LINGONG_WECHATPAY_APPID = APPID
        settings.LINGONG_WECHATPAY_CERT_SERIAL_NO = MERCHANT_SERIAL
        settings.LINGONG_WECHATPAY_PRIVATE_KEY_PATH = paths["wx_merchant"]
        settings.LINGONG_WECHATPAY_APIV3_KEY = APIV3_KEY
        settings.LINGONG_WECHATPAY_PUBLIC_KEY_PATH = paths["wx_platform"]
        settings.LINGONG_WECHATPAY_PUBLIC_KEY_ID = PUBLIC_KEY_ID
    if alipay is not None:
        paths = write_keys(tmp, ali_app=private_pem(alipay.app_key), ali_public=public_pem(alipay.alipay_key))
        settings.LINGONG_ALIPAY_GATEWAY = alipay.gateway
        settings.LINGONG_ALIPAY_APPID = ALIPAY_APPID
        settings.LINGONG_ALIPAY_APP_PRIVATE_KEY_PATH = paths["ali_app"]
        settings.LINGONG_ALIPAY_PUBLIC_KEY_PATH = paths["ali_public"]
    wechat_gateway._client_for.cache_clear()
    alipay_gateway._client_for.cache_clear()

"""The WeChat official account (服务号) through ``wechatpy`` (ADR 0017): web authorisation (snsapi_base) to
learn a user's openid, and subscription notifications (订阅通知, ``message/subscribe/bizsend``) to bound
users. Both endpoints (api.weixin.qq.com, open.weixin.qq.com) are settings, so an intranet proxy or a test's
fake on 127.0.0.1 stands in. The access token is kept in the Django cache (shared by every worker)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.cache import cache

from .choices import MessageProvider
from .sms import ProviderRefused, SendResult
from .worker import OutsideError

# errcodes a retry may cure: system busy, access token expired/invalid (fetched again), rate limits
RETRIED_ERRCODES = {-1, 40001, 40014, 42001, 45009, 45011}


def _api_base() -> str:
    return settings.LINGONG_WECHAT_API_BASE.rstrip("/") + "/"


def configured() -> bool:
    return bool(settings.LINGONG_WECHAT_APP_ID and settings.LINGONG_WECHAT_APP_SECRET)


class CacheStorage:
    """wechatpy's session storage on the Django cache (the access token, two hours)."""

    prefix = "wechatpy:"

    def get(self, key, default=None):
        value = cache.get(self.prefix + key)
        return default if value is None else value

    def set(self, key, value, ttl=None):
        cache.set(self.prefix + key, value, ttl)

    def delete(self, key):
        cache.delete(self.prefix + key)

    def __getitem__(self, key):
        return self.get(key)

    def __setitem__(self, key, value):
        self.set(key, value)

    def __delitem__(self, key):
        self.delete(key)


def oauth(*, redirect_uri: str = "", state: str = ""):
    """A ``WeChatOAuth`` for snsapi_base whose endpoints are the settings."""
    from wechatpy.oauth import WeChatOAuth

    client = WeChatOAuth(
        settings.LINGONG_WECHAT_APP_ID,
        settings.LINGONG_WECHAT_APP_SECRET,
        redirect_uri,
        scope="snsapi_base",
        state=state,
    )
    client.API_BASE_URL = _api_base()
    client.OAUTH_BASE_URL = settings.LINGONG_WECHAT_OAUTH_BASE.rstrip("/") + "/"
    # wechatpy's OAuth requests carry no timeout of their own
    client._http.request = functools.partial(client._http.request, timeout=settings.LINGONG_SMS_TIMEOUT)
    return client


def authorize_url(*, redirect_uri: str, state: str) -> str:
    return oauth(redirect_uri=redirect_uri, state=state).authorize_url


def openid_for_code(code: str) -> str:
    """Exchange the code WeChat handed back for the user's openid (``sns/oauth2/access_token``)."""
    from wechatpy.exceptions import WeChatOAuthException

    try:
        answer = oauth().fetch_access_token(code)
    except WeChatOAuthException as exc:
        raise ProviderRefused(f"wechat oauth {exc.errcode}: {exc.errmsg}") from exc
    except OSError as exc:
        raise OutsideError(f"wechat oauth {type(exc).__name__}") from exc
    except (KeyError, ValueError) as exc:  # not the answer WeChat documents
        raise ProviderRefused(f"wechat oauth: unexpected answer ({type(exc).__name__})") from exc
    openid = answer.get("openid") or ""
    if not openid:
        raise ProviderRefused("wechat oauth: no openid")
    return openid


def _client():
    from wechatpy import WeChatClient

    class Client(WeChatClient):
        API_BASE_URL = _api_base() + "cgi-bin/"

        def fetch_access_token(self):
            return self._fetch_access_token(
                url=_api_base() + "cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    return Client(
        settings.LINGONG_WECHAT_APP_ID,
        settings.LINGONG_WECHAT_APP_SECRET,
        session=CacheStorage(),
        timeout=settings.LINGONG_SMS_TIMEOUT,
    )


def data_for(template, params: dict) -> dict:
    """The ``data`` of a subscription notification: ``{key: {"value": …}}`` in the template's names.
    ``thing`` values are at most 20 characters (WeChat's rule for that kind of field)."""
    data = {}
    for key, value in template.named_values(params).items():
        if key.startswith("thing") and len(value) > 20:
            value = value[:19] + "…"
        data[key] = {"value": value}
    return data


class WeChatSubscription:
    provider = MessageProvider.WECHAT

    def send(self, *, openid: str, template, params: dict, url: str = "", key: str = "") -> SendResult:
        from wechatpy.exceptions import WeChatClientException

        if not configured():
            raise ProviderRefused("wechat: LINGONG_WECHAT_APP_ID/APP_SECRET are not set")
        page = settings.LINGONG_SITE_URL.rstrip("/") + url if url and settings.LINGONG_SITE_URL else None
        try:
            answer = _client().message.send_subscribe_message(
                openid, template.template_id, data_for(template, params), page=page
            )
        except WeChatClientException as exc:
            if exc.errcode is None or exc.errcode in RETRIED_ERRCODES:  # None: HTTP error
                if exc.errcode in (40001, 40014, 42001):
                    CacheStorage().delete(f"{settings.LINGONG_WECHAT_APP_ID}_access_token")
                raise OutsideError(f"wechat {exc.errcode}: {exc.errmsg}") from exc
            raise ProviderRefused(f"wechat {exc.errcode}: {exc.errmsg}") from exc
        except OSError as exc:
            raise OutsideError(f"wechat {type(exc).__name__}") from exc
        return SendResult(provider=self.provider, message_id=str(answer.get("msgid", "")), status="ok")

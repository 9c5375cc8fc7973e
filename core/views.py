from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .middleware import error_response, is_api


def not_found(request, exception=None):
    """404: the API's JSON error shape under /api/, the site's page elsewhere."""
    if is_api(request):
        return error_response(request, 404, "not_found", _("未找到。"))
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """400 from Django itself (a body over the upload limit, a suspicious header): 413 when too large."""
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, 413, "too_large", _("请求内容过大。"))
    return error_response(request, 400, "invalid", _("请求无效。"))


def permission_denied(request, exception=None):
    return error_response(request, 403, "permission_denied", _("您没有执行该操作的权限。"))


def server_error(request):
    """500: no detail, only the request id that the log line of the exception carries."""
    return error_response(request, 500, "server_error", _("服务器出现错误，请稍后再试。"))


def home(request):
    return render(request, "core/home.html")


@never_cache
def healthz(request):
    """Liveness for the load balancer: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Readiness: the database, the cache and the broker, each reported (``core.health``). 503 only when
    the database is down; a cache or broker outage is ``degraded`` (the portal still serves)."""
    from .health import readiness

    ready, report = readiness()
    return JsonResponse(report, status=200 if ready else 503)

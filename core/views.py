from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def not_found(request, exception=None):
    """404: the API's JSON error shape under /api/, the site's page elsewhere."""
    from django.utils.translation import gettext as _

    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": _("未找到。"), "fields": {}}, status=404)
    return render(request, "404.html", status=404)


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

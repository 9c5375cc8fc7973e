"""The framework's baseline: a bare JSON view behind the full middleware stack, routed only when
``settings.LINGONG_BENCH_BARE_VIEW`` is true (the bench settings), so production never serves it."""

from django.http import JsonResponse


def bare(request):
    """No database, no template, no DRF: what Django and the middleware cost on this machine."""
    return JsonResponse({"ok": True, "path": request.path})

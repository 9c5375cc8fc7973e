from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

SESSION_KEY = "lingong_last_activity"
# The activity stamp is rewritten at most once a minute: a session save per request would cost a database
# write (cached_db sessions write through) on every staff request, for a 30-minute timeout.
ACTIVITY_GRANULARITY = 60


class StaffIdleTimeoutMiddleware:
    """Staff and market-counter sessions end after LINGONG_STAFF_IDLE_TIMEOUT idle seconds (30 minutes):
    counter PCs are shared. Other people keep the ordinary session length."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.is_staff or user.has_role("market_operator")):
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > settings.LINGONG_STAFF_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("您已超过30分钟未操作，为保护信息安全已自动退出，请重新登录。"))
            elif last is None or now - last >= ACTIVITY_GRANULARITY:
                request.session[SESSION_KEY] = now
        return self.get_response(request)

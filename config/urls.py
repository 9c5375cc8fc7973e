from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from jobs.urls import board_patterns

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("markets/", include("markets.urls")),
    path("jobs/", include("jobs.urls")),
    path("board/", include(board_patterns)),
    path("work/", include("work.urls")),
    path("stats/", include("labour_stats.urls")),
    path("guidance/", include("guidance.urls")),
    path("training/", include("training.urls")),
    path("subsidies/", include("subsidies.urls")),
    path("disputes/", include("disputes.urls")),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain")),
]

if getattr(settings, "LINGONG_BENCH_BARE_VIEW", False):  # the benchmark's baseline view (bench settings only)
    from bench.views import bare

    urlpatterns.append(path("bench/bare/", bare, name="bench-bare"))

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

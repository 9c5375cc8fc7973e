"""The one API router: every app's viewsets under /api/v1/ (plural kebab-case routes)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import ApiClientViewSet, MeView, UserViewSet
from core.api.views import AuditLogViewSet, DivisionViewSet, ScopeUnitViewSet
from markets.api.views import MarketGeoJSONView, MarketViewSet, OnlinePlatformViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("divisions", DivisionViewSet, basename="division")
router.register("scope-units", ScopeUnitViewSet, basename="scope-unit")
router.register("audit-log", AuditLogViewSet, basename="audit-log")
router.register("users", UserViewSet, basename="user")
router.register("api-clients", ApiClientViewSet, basename="api-client")
router.register("markets", MarketViewSet, basename="market")
router.register("online-platforms", OnlinePlatformViewSet, basename="online-platform")

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("markets/geojson/", MarketGeoJSONView.as_view(), name="market-geojson"),
    *router.urls,
]

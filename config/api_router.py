"""The one API router: every app's viewsets under /api/v1/ (plural kebab-case routes)."""

from django.urls import path

from accounts.api.views import ApiClientViewSet, MeView, UserViewSet
from core.api.routers import Router
from core.api.views import AuditLogViewSet, DivisionViewSet, InboxViewSet, ScopeUnitViewSet
from disputes.api.routes import register as register_disputes
from guidance.api.views import (
    FaqViewSet,
    GuidanceBookingViewSet,
    GuidanceSlotViewSet,
    PolicyArticleViewSet,
    QuestionViewSet,
)
from jobs.api.views import (
    ApplicationViewSet,
    JobFairViewSet,
    OccupationViewSet,
    PostingViewSet,
    RecommendationViewSet,
)
from labour_stats.api.views import SupplyDemandViewSet, WageGuidanceViewSet
from markets.api.views import MarketGeoJSONView, MarketViewSet, OnlinePlatformViewSet
from reports.api.routes import register as register_reports
from subsidies.api.routes import register as register_subsidies
from training.api.routes import register as register_training
from work.api.views import (
    AlipayCallbackView,
    PaymentViewSet,
    RatingViewSet,
    SandboxCallbackView,
    WeChatPayCallbackView,
    WorkOrderViewSet,
)

router = Router()
router.register("divisions", DivisionViewSet, basename="division")
router.register("scope-units", ScopeUnitViewSet, basename="scope-unit")
router.register("audit-log", AuditLogViewSet, basename="audit-log")
router.register("inbox", InboxViewSet, basename="inbox")
router.register("users", UserViewSet, basename="user")
router.register("api-clients", ApiClientViewSet, basename="api-client")
router.register("markets", MarketViewSet, basename="market")
router.register("online-platforms", OnlinePlatformViewSet, basename="online-platform")
router.register("job-fairs", JobFairViewSet, basename="job-fair")
router.register("occupations", OccupationViewSet, basename="occupation")
router.register("postings", PostingViewSet, basename="posting")
router.register("applications", ApplicationViewSet, basename="application")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("wage-guidance", WageGuidanceViewSet, basename="wage-guidance")
router.register("supply-demand", SupplyDemandViewSet, basename="supply-demand")
router.register("payments", PaymentViewSet, basename="payment")
router.register("ratings", RatingViewSet, basename="rating")
router.register("work-orders", WorkOrderViewSet, basename="work-order")
router.register("policies", PolicyArticleViewSet, basename="policy")
router.register("policy-faq", FaqViewSet, basename="policy-faq")
router.register("policy-questions", QuestionViewSet, basename="policy-question")
router.register("guidance-slots", GuidanceSlotViewSet, basename="guidance-slot")
router.register("guidance-bookings", GuidanceBookingViewSet, basename="guidance-booking")
register_training(router)
register_disputes(router)
register_subsidies(router)
register_reports(router)

app_name = "api"
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("markets/geojson/", MarketGeoJSONView.as_view(), name="market-geojson"),
    path("payments/callbacks/sandbox/", SandboxCallbackView.as_view(), name="payment-callback-sandbox"),
    path("payments/callbacks/wechatpay/", WeChatPayCallbackView.as_view(), name="payment-callback-wechatpay"),
    path("payments/callbacks/alipay/", AlipayCallbackView.as_view(), name="payment-callback-alipay"),
    *router.urls,
]

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.wage_guidance, name="wage_guidance"),
    path("wage-guidance/", views.wage_guidance, name="wage_guidance_table"),
    path("supply-demand/", views.supply_demand, name="supply_demand"),
    # A worker's earnings moved to the work pages (ADR 0012); old links still land there.
    path(
        "me/earnings/", RedirectView.as_view(pattern_name="work:earnings", query_string=True, permanent=True)
    ),
    path(
        "me/earnings/statement/",
        RedirectView.as_view(pattern_name="work:earnings_statement", query_string=True, permanent=True),
    ),
]

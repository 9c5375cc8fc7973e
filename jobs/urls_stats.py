from django.urls import path

from . import views_stats

app_name = "stats"

urlpatterns = [
    path("", views_stats.wage_guidance, name="wage_guidance"),
    path("wage-guidance/", views_stats.wage_guidance, name="wage_guidance_table"),
    path("supply-demand/", views_stats.supply_demand, name="supply_demand"),
    path("me/earnings/", views_stats.my_earnings, name="my_earnings"),
    path("me/earnings/statement/", views_stats.my_earnings_statement, name="my_earnings_statement"),
]

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("indicators/", views.indicators, name="indicators"),
    path("release/", views.release, name="release"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:code>/", views.unit_dashboard, name="unit_dashboard"),
    path("runs/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
]

from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("", views.work_list, name="list"),
    path("earnings/", views.earnings, name="earnings"),
    path("earnings/statement/", views.earnings_statement, name="earnings_statement"),
    path("<int:pk>/", views.work_detail, name="detail"),
    path("<int:pk>/scan/", views.work_scan, name="scan"),
    path("<int:pk>/<slug:step>/", views.work_step, name="step"),
    path("employer/", views.timesheet, name="timesheet"),
    path("employer/<int:pk>/qr/", views.qr_page, name="qr"),
    path("employer/<int:pk>/<slug:step>/", views.timesheet_step, name="timesheet_step"),
]

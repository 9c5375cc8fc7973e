from django.urls import path

from . import views_work

app_name = "work"

urlpatterns = [
    path("", views_work.work_list, name="list"),
    path("<int:pk>/", views_work.work_detail, name="detail"),
    path("<int:pk>/scan/", views_work.work_scan, name="scan"),
    path("<int:pk>/<slug:step>/", views_work.work_step, name="step"),
    path("employer/", views_work.timesheet, name="timesheet"),
    path("employer/<int:pk>/qr/", views_work.qr_page, name="qr"),
    path("employer/<int:pk>/<slug:step>/", views_work.timesheet_step, name="timesheet_step"),
]

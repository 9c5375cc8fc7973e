from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("", views.work_list, name="list"),
    path("earnings/", views.earnings, name="earnings"),
    path("earnings/statement/", views.earnings_statement, name="earnings_statement"),
    path("<int:pk>/", views.work_detail, name="detail"),
    path("<int:pk>/scan/", views.work_scan, name="scan"),
    path("<int:pk>/receipt/", views.confirm_receipt, name="confirm_receipt"),
    path("<int:pk>/not-received/", views.report_not_received, name="not_received"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("<int:pk>/appeal/", views.appeal, name="appeal"),
    path("<int:pk>/<slug:step>/", views.work_step, name="step"),
    path("employer/", views.timesheet, name="timesheet"),
    path("employer/payments/", views.payments, name="payments"),
    path("employer/<int:pk>/", views.employer_order, name="employer_order"),
    path("employer/<int:pk>/qr/", views.qr_page, name="qr"),
    path("employer/<int:pk>/pay/", views.pay, name="pay"),
    path("employer/<int:pk>/payments/<int:payment_id>/sync/", views.pay_sync, name="pay_sync"),
    path("employer/<int:pk>/payments/<int:payment_id>/refund/", views.pay_refund, name="pay_refund"),
    path("employer/<int:pk>/rate/", views.employer_rate, name="employer_rate"),
    path("employer/<int:pk>/appeal/", views.employer_appeal, name="employer_appeal"),
    path("employer/<int:pk>/<slug:step>/", views.timesheet_step, name="timesheet_step"),
]

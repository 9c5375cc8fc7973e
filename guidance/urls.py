from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("", views.index, name="index"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("faq/", views.faq, name="faq"),
    path("ask/", views.ask, name="ask"),
    path("questions/", views.my_questions, name="my_questions"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:pk>/book/", views.book, name="book"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("counter/questions/", views.counter_questions, name="counter_questions"),
    path("counter/questions/new/", views.counter_question_new, name="counter_question_new"),
    path("counter/questions/<int:pk>/", views.counter_question, name="counter_question"),
    path("counter/appointments/", views.counter_appointments, name="counter_appointments"),
    path("counter/bookings/<int:pk>/", views.counter_booking, name="counter_booking"),
]

from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("", views.my_complaints, name="my_complaints"),
    path("new/", views.complain, name="complain"),
    path("<int:pk>/", views.detail, name="detail"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("counter/new/", views.counter_new, name="counter_new"),
]

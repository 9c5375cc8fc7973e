"""Public boards under /board/: job fairs and each operating market's information screen."""

from django.urls import path

from . import views_board

app_name = "board"

urlpatterns = [
    path("markets/<int:market_id>/", views_board.market_board, name="market"),
    path("fairs/", views_board.fair_list, name="fairs"),
    path("fairs/<int:pk>/", views_board.fair_detail, name="fair_detail"),
    path("fairs/<int:pk>/register/", views_board.fair_register, name="fair_register"),
    path("fairs/<int:pk>/book/", views_board.fair_book, name="fair_book"),
    path("fairs/<int:pk>/outcome/", views_board.fair_outcome, name="fair_outcome"),
]

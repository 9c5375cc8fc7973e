from django.urls import path

from . import views

app_name = "markets"

urlpatterns = [
    path("", views.market_map, name="map"),
    path("<int:pk>/", views.market_detail, name="detail"),
    path("notices/", views.notice_list, name="notices"),
    path("directory/", views.directory, name="directory"),
    path("platforms/<int:pk>/", views.platform_detail, name="platform_detail"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/<int:pk>/", views.manage_edit, name="manage_edit"),
]

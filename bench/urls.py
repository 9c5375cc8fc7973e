"""The project's URLs plus the bare baseline view, for tests that need the view without the bench settings."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from .views import bare

urlpatterns = [*project_urlpatterns, path("bench/bare/", bare, name="bench-bare")]

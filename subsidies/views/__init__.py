"""Subsidies pages, one module per area; each module's ``urlpatterns`` is collected by subsidies/urls.py."""

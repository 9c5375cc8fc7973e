"""Disputes pages, one module per area; each module's ``urlpatterns`` is collected by disputes/urls.py."""

"""Training pages, one module per area; each module's ``urlpatterns`` is collected by training/urls.py."""

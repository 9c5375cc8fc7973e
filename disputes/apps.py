from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("劳动维权")

    def ready(self) -> None:
        from accounts.permissions import register
        from core import demo as core_demo
        from markets import extensions as market_extensions

        from . import demo, permissions
        from .views import safety as safety_views

        register(roles=permissions.ROLE_PERMISSIONS, api_client=permissions.API_CLIENT_PERMISSIONS)
        core_demo.register(self.label, demo.seed)
        market_extensions.register_panel(safety_views.market_panel)

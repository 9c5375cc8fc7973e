from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("劳动维权")

    def ready(self) -> None:
        from accounts.permissions import register
        from core import demo as core_demo

        from . import dashboard, demo, permissions  # noqa: F401  (dashboard: staff panels)

        register(roles=permissions.ROLE_PERMISSIONS, api_client=permissions.API_CLIENT_PERMISSIONS)
        core_demo.register(self.label, demo.seed)

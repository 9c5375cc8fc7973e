from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("劳动维权")

    def ready(self) -> None:
        from accounts.permissions import register
        from core import demo as core_demo
        from jobs import hooks
        from markets import extensions as market_extensions

        from . import dashboard, demo, permissions  # noqa: F401  (dashboard: staff panels)
        from .services.blacklist import employer_blacklisted
        from .views import safety as safety_views

        register(roles=permissions.ROLE_PERMISSIONS, api_client=permissions.API_CLIENT_PERMISSIONS)
        core_demo.register(self.label, demo.seed)
        # the arrears blacklist refuses a listed employer's postings and fair booths (ADR 0026)
        if employer_blacklisted not in hooks.BLACKLIST_CHECKS:
            hooks.BLACKLIST_CHECKS.append(employer_blacklisted)
        market_extensions.register_panel(safety_views.market_panel)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "work"
    verbose_name = _("用工与结算")

    def ready(self) -> None:
        from accounts.permissions import register
        from core import demo as core_demo
        from jobs import hooks

        from . import dashboard, demo, permissions, services  # noqa: F401  (dashboard: staff panels)

        register(roles=permissions.ROLE_PERMISSIONS, api_client=permissions.API_CLIENT_PERMISSIONS)
        # ADR 0012: jobs names the hooks, work fills them.
        hooks.HIRED.append(services.work_order_create_for_hire)
        hooks.HIRE_WITHDRAWN.append(services.work_order_cancel_for_withdrawal)
        core_demo.register(self.label, demo.seed)

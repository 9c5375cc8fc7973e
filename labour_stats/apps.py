from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabourStatsConfig(AppConfig):
    name = "labour_stats"
    verbose_name = _("劳动力市场统计")

    def ready(self) -> None:
        from accounts.permissions import register
        from core import demo as core_demo
        from jobs import hooks

        from . import demo, permissions, selectors

        register(roles=permissions.ROLE_PERMISSIONS, api_client=permissions.API_CLIENT_PERMISSIONS)
        # ADR 0012: a posting's wage warning compares with the published guidance median.
        hooks.WAGE_GUIDANCE_MEDIAN.append(selectors.published_median)
        core_demo.register(self.label, demo.seed)

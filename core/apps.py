from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础数据与审计")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .calendar import calendar_panel
        from .dashboard import register_panel

        register_panel(calendar_panel)

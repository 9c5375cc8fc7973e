from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from core import demo as core_demo

        from . import dashboard, demo, signals  # noqa: F401  (panels; signals: audit rows for logins)
        from .api import schema  # noqa: F401  (OpenAPI extension)

        core_demo.register(self.label, demo.seed)

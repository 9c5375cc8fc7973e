from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("招聘求职")

    def ready(self) -> None:
        from accounts.permissions import register
        from core import demo as core_demo

        from . import dashboard, demo, occupations, permissions  # noqa: F401  (panels; the tree's signals)

        register(roles=permissions.ROLE_PERMISSIONS, api_client=permissions.API_CLIENT_PERMISSIONS)
        core_demo.register(self.label, demo.seed)

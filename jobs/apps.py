from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("招聘求职")

    def ready(self) -> None:
        from . import (
            dashboard,  # noqa: F401  (staff dashboard panels)
            dashboard_work,  # noqa: F401  (work and pay panels)
            occupations,  # noqa: F401  (the tree's change signals)
        )

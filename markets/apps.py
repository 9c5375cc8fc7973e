from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketsConfig(AppConfig):
    name = "markets"
    verbose_name = _("零工市场")

    def ready(self) -> None:
        from . import dashboard  # noqa: F401  (staff dashboard panels)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("就业补贴")

    def ready(self) -> None:
        from accounts.permissions import register
        from core import demo as core_demo

        from . import dashboard, demo, permissions, strategies  # noqa: F401  (panels; strategies register)

        register(roles=permissions.ROLE_PERMISSIONS, api_client=permissions.API_CLIENT_PERMISSIONS)
        register(roles=permissions.DISBURSEMENT_ROLE_PERMISSIONS)
        core_demo.register(self.label, demo.seed)
        from training import interface as training_interface

        from .services.training_claims import review_status, withdraw_refusal

        training_interface.register_review_status(review_status)
        training_interface.register_withdraw_guard(withdraw_refusal)

"""Every subsidies API route, registered on the project router (config/api_router.py)."""

from . import contributions, disbursement, programs


def register(router) -> None:
    for module in (programs, contributions, disbursement):
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)

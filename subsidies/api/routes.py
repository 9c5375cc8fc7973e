"""Every subsidies API route, registered on the project router (config/api_router.py)."""

from . import applications, claims, contributions, disbursement, operators, programs


def register(router) -> None:
    for module in (programs, contributions, applications, operators, claims, disbursement):
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)

"""Every subsidies API route, registered on the project router (config/api_router.py)."""

from . import applications, contributions, operators, programs


def register(router) -> None:
    for module in (programs, contributions, applications, operators):
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)

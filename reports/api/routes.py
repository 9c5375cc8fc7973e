"""Every reports API route, registered on the project router (config/api_router.py)."""

from . import indicators, values


def register(router) -> None:
    for module in (indicators, values):
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)

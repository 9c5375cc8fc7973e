"""Every reports API route, registered on the project router (config/api_router.py)."""

from . import indicators


def register(router) -> None:
    for module in (indicators,):
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)

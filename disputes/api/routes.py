"""Every disputes API route, registered on the project router (config/api_router.py)."""

from . import blacklist, intervention, queue, referral, safety, views

MODULES = (views, queue, blacklist, referral, intervention, safety)


def register(router) -> None:
    for module in MODULES:
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)

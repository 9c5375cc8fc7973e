"""Every training API route, registered on the project router (config/api_router.py)."""

from . import attendance, claims, enrollments, institutions


def register(router) -> None:
    for module in (institutions, enrollments, attendance, claims):
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)

"""Disputes in the admin: the case queue by deadline, routing and clock rules. One module per area; workflow
fields are read-only and transitions call the services."""

from . import cases, safety  # noqa: F401

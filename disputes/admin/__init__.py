"""Disputes in the admin: the case queue by deadline, routing and clock rules, the arrears blacklist and its
threshold. One module per area; workflow fields are read-only and transitions call the services."""

from . import blacklist, cases, intervention, referral, safety  # noqa: F401

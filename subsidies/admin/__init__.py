"""Subsidies in the admin: programs and their effective-dated parameter rows, the contribution import (upload,
progress, per-row report), contribution months, insured premiums, decisions and the subsidies on record. One
module per area; the import's status is read-only and moves only through the services."""

from . import contributions, decisions, disbursement, programs  # noqa: F401

"""Subsidies in the admin: programs and their effective-dated parameter rows, the contribution import (upload,
progress, per-row report), contribution months, insured premiums, decisions and the subsidies on record, the
applications' review queues, objections and budgets, the proactive offer's runs and offers, and the operator
subsidy's schemes and assessments. One module per area; statuses are read-only and move only through the
services."""

from . import applications, claims, contributions, decisions, disbursement, offers, operators, programs  # noqa: F401

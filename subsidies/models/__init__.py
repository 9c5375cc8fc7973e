"""Subsidies' models, split by area: programs, contribution months, premiums, decisions and the ledger
(``programs``); the employers' insured-list claims (``claims``); applications, their review, public notice, objections and budgets (``applications``)."""

from .applications import (
    APPLICATION_WORKFLOW,
    OBJECTION_WORKFLOW,
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    Budget,
    Objection,
    ObjectionEvent,
)
from .claims import InsuredListClaim
from .programs import (
    IMPORT_WORKFLOW,
    MONEY,
    RATE,
    ContributionImport,
    ContributionImportEvent,
    ContributionMonth,
    EligibilityDecision,
    Entitlement,
    InsuredPremium,
    ProgramParameter,
    ProgramType,
    parse_ratio,
    validate_ratio,
)

__all__ = [
    "APPLICATION_WORKFLOW",
    "IMPORT_WORKFLOW",
    "MONEY",
    "RATE",
    "Application",
    "ApplicationEvent",
    "ApplicationEvidence",
    "Budget",
    "ContributionImport",
    "ContributionImportEvent",
    "ContributionMonth",
    "EligibilityDecision",
    "Entitlement",
    "InsuredListClaim",
    "InsuredPremium",
    "OBJECTION_WORKFLOW",
    "Objection",
    "ObjectionEvent",
    "ProgramParameter",
    "ProgramType",
    "parse_ratio",
    "validate_ratio",
]

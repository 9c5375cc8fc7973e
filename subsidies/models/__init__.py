"""Subsidies' models, split by area: programs, contribution months, premiums, decisions and the ledger
(``programs``); applications, their review, public notice, objections and budgets (``applications``); the proactive offer and its runs (``offers``)."""

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
from .offers import OFFER_RUN_WORKFLOW, OFFER_WORKFLOW, Offer, OfferEvent, OfferRun, OfferRunEvent
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
    "InsuredPremium",
    "OBJECTION_WORKFLOW",
    "Objection",
    "ObjectionEvent",
    "OFFER_RUN_WORKFLOW",
    "OFFER_WORKFLOW",
    "Offer",
    "OfferEvent",
    "OfferRun",
    "OfferRunEvent",
    "ProgramParameter",
    "ProgramType",
    "parse_ratio",
    "validate_ratio",
]

"""Subsidies' models, split by area: programs, contribution months, premiums, decisions and the ledger
(``programs``); the employers' insured-list claims (``claims``); applications, their review, public notice,
objections and budgets (``applications``); the proactive offer and its runs (``offers``); the gig-market
operator subsidy's schemes and assessments (``operators``)."""

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
from .offers import OFFER_RUN_WORKFLOW, OFFER_WORKFLOW, Offer, OfferEvent, OfferRun, OfferRunEvent
from .operators import (
    ASSESSMENT_WORKFLOW,
    OperatorAssessment,
    OperatorAssessmentEvent,
    OperatorScheme,
    OperatorSchemeBand,
    OperatorSchemeItem,
)
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
    "ASSESSMENT_WORKFLOW",
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
    "OFFER_RUN_WORKFLOW",
    "OFFER_WORKFLOW",
    "Offer",
    "OfferEvent",
    "OfferRun",
    "OfferRunEvent",
    "OperatorAssessment",
    "OperatorAssessmentEvent",
    "OperatorScheme",
    "OperatorSchemeBand",
    "OperatorSchemeItem",
    "ProgramParameter",
    "ProgramType",
    "parse_ratio",
    "validate_ratio",
]

"""Subsidies' models, split by area: programs, contribution months, premiums, decisions and the ledger
(``programs``); the gig-market operator subsidy's schemes and assessments (``operators``)."""

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
    "ASSESSMENT_WORKFLOW",
    "IMPORT_WORKFLOW",
    "MONEY",
    "RATE",
    "ContributionImport",
    "ContributionImportEvent",
    "ContributionMonth",
    "EligibilityDecision",
    "Entitlement",
    "InsuredPremium",
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

"""Rights protection (notice measure 7): complaints from every channel, each a ``Case`` on the case workflow,
its claim lines, evidence, the routing rule that sent it to a queue, and the statutory clocks computed from an
effective-dated rule table (ADR 0020)."""

from .blacklist import (  # noqa: F401
    ArrearsProposal,
    BlacklistEntry,
    BlacklistEntryQuerySet,
    BlacklistPerson,
    BlacklistThreshold,
)
from .cases import (  # noqa: F401
    CASE_WORKFLOW,
    Case,
    CaseClock,
    CaseClockQuerySet,
    CaseEvent,
    CaseQuerySet,
    ClaimLine,
    ClockExtension,
    ClockRule,
    Evidence,
    RoutingRule,
)
from .intervention import (  # noqa: F401
    AnswerLine,
    CaseChildQuerySet,
    MediationRecord,
    RespondentAnswer,
    SatisfactionRating,
    VisitBack,
)
from .referral import (  # noqa: F401
    CaseRecordQuerySet,
    EvidenceBundle,
    Referral,
)
from .safety import (  # noqa: F401
    SAFETY_REPORT_WORKFLOW,
    RightsContact,
    SafetyReport,
    SafetyReportEvent,
    SafetyReportQuerySet,
)

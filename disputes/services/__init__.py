"""Disputes services, one module per area: cases (intake, routing, clocks, transitions), escalation (the scan
of due clocks). Their names are re-exported here, so callers write ``services.case_accept``."""

from .cases import (  # noqa: F401
    Claim,
    case_accept,
    case_close,
    case_mediate,
    case_not_accept,
    case_receive,
    case_refer_arbitration,
    case_refer_inspection,
    case_resolve,
    clock_extend,
    clock_rule_in_force,
    clock_start,
    clocks_stop,
    due_date,
    evidence_add,
    final_award,
    route,
    system_user,
    warn_at,
)
from .escalation import case_escalate_due  # noqa: F401

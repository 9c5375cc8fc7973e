"""Disputes services, one module per area: cases (intake, routing, clocks, transitions, escalation) and
intervention (the respondent's answer, mediation and its agreement, visits back, ratings). Their names are
re-exported here, so callers write ``services.case_accept``."""

from .cases import (  # noqa: F401
    Claim,
    case_accept,
    case_close,
    case_escalate_due,
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
from .intervention import (  # noqa: F401
    agreement_confirm_receipt,
    agreement_paid,
    agreement_pay,
    agreement_work_orders,
    answer_submit,
    mediation_record,
    rating_submit,
    visit_back_record,
)

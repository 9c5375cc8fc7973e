"""Disputes services, one module per area: cases (intake, routing, clocks, transitions), escalation (the scan
of due clocks), arrears (wage-arrears alerts → proposed cases), blacklist (the arrears blacklist), bundle (the
evidence drawn from the work record), referral (the green-channel packet and what comes back), intervention
(the respondent's answer, mediation and its agreement, visits back, ratings). The names are re-exported here,
so callers write ``services.case_accept``."""

from .arrears import arrears_propose_cases  # noqa: F401
from .blacklist import (  # noqa: F401
    blacklist_lift,
    blacklist_list,
    blacklist_threshold_in_force,
    employer_blacklisted,
)
from .bundle import bundle_build, bundle_freeze, bundle_verify  # noqa: F401
from .cases import (  # noqa: F401
    Claim,
    case_accept,
    case_close,
    case_deadline_refresh,
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
    next_deadline,
    route,
    system_user,
    warn_at,
)
from .escalation import case_escalate_due  # noqa: F401
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
from .personal import complainant_reveal  # noqa: F401
from .referral import referral_record_outcome, referral_verify  # noqa: F401

"""Who may do what in subsidies. Programs and their parameters are public reading; city staff maintain them,
import the social-insurance system's contribution records and make the second-level (city) review of
applications; county staff read their county's records and decisions and make the first-level (county)
review of their county's applications; a worker reads their own decisions and applies (or counter staff
apply for them); anyone objects to an application in public notice. Separation of duties (the county
reviewer never does the city review) is the services' check (``subsidies.services.applications``)."""

from __future__ import annotations

from accounts.choices import Role
from core.permissions import has_role, signed_in
from core.scope import scope_of

VIEW = (
    "subsidies.view_programtype",
    "subsidies.view_programparameter",
    "subsidies.view_contributionimport",
    "subsidies.view_contributionmonth",
    "subsidies.view_insuredpremium",
    "subsidies.view_insuredlistclaim",
    "subsidies.view_eligibilitydecision",
    "subsidies.view_entitlement",
    "subsidies.view_application",
    "subsidies.view_applicationevent",
    "subsidies.view_applicationevidence",
    "subsidies.view_objection",
    "subsidies.view_objectionevent",
    "subsidies.view_budget",
    "subsidies.view_offerrun",
    "subsidies.view_offer",
    "subsidies.view_operatorscheme",
    "subsidies.view_operatorschemeitem",
    "subsidies.view_operatorschemeband",
    "subsidies.view_operatorassessment",
)
COUNTY_REVIEW = (
    "subsidies.change_application",
    "subsidies.change_objection",
)
# county staff compute and review their county's operator assessments (ADR 0033)
OPERATOR_ASSESSMENT = ("subsidies.add_operatorassessment", "subsidies.change_operatorassessment")
ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("subsidies.*",),
    Role.COUNTY_STAFF: (*VIEW, *COUNTY_REVIEW, *OPERATOR_ASSESSMENT),
    Role.AUDITOR: VIEW,
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = (
    "subsidies.view_programtype",
    "subsidies.view_programparameter",
    "subsidies.view_eligibilitydecision",
    "subsidies.view_application",
    "subsidies.view_operatorassessment",
    # a county's system reads its county's accident-insurance claims, batches and (masked) payments
    "subsidies.view_insuredlistclaim",
    "subsidies.view_disbursementbatch",
    "subsidies.view_payment",
)


def can_county_review(user, scope_unit_id: int | None) -> bool:
    """County staff whose scope covers the application's county."""
    return has_role(user, Role.COUNTY_STAFF) and scope_of(user).covers(scope_unit_id)


def can_city_review(user) -> bool:
    return has_role(user, Role.CITY_STAFF)


def can_handle_objection(user, scope_unit_id: int | None) -> bool:
    """County staff in scope or city staff."""
    return can_county_review(user, scope_unit_id) or can_city_review(user)


def can_apply_for(actor, person) -> bool:
    """A worker for themselves."""
    return signed_in(actor) and actor.pk == getattr(person, "pk", None) and actor.has_role(Role.WORKER)


def can_apply_at_counter(actor, person) -> bool:
    """Counter staff for a worker they may serve (jobs' counter rules, ADR 0019)."""
    from jobs.permissions import can_serve_counter, serves_card_holder, workers_served_by

    if not can_serve_counter(actor) or person is None:
        return False
    return workers_served_by(actor).filter(pk=person.pk).exists() or serves_card_holder(person.pk, actor)


# --- disbursement (ADR 0035): county staff disburse their county's approved applications (a reviewer of an
# application never disburses it: the services' check); auditors read everything already.
DISBURSEMENT_VIEW = (
    "subsidies.view_payeeaccount",
    "subsidies.view_disbursementbatch",
    "subsidies.view_disbursementbatchevent",
    "subsidies.view_payment",
    "subsidies.view_paymentevent",
    "subsidies.view_disbursementrun",
    "subsidies.view_disbursementrunevent",
)
DISBURSEMENT_ROLE_PERMISSIONS = {
    Role.COUNTY_STAFF: (
        *DISBURSEMENT_VIEW,
        "subsidies.disburse",
        "subsidies.add_disbursementbatch",
        "subsidies.change_disbursementbatch",
        "subsidies.change_payment",
    ),
}

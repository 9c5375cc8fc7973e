"""Who may do what with complaints and cases. A complaint is its complainant's (online) and its county's
staff's; a respondent on record sees a case once it is accepted, never the complainant's identity when it is
withheld. Staff handle cases in their scope; auditors read."""

from __future__ import annotations

from accounts.choices import Role
from core.permissions import signed_in
from core.scope import scope_of

ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("disputes.*",),
    Role.COUNTY_STAFF: ("disputes.*",),
    Role.AUDITOR: (
        "disputes.view_case",
        "disputes.view_claimline",
        "disputes.view_caseclock",
        "disputes.view_blacklistentry",
        "disputes.view_blacklistthreshold",
    ),
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = ("disputes.view_case",)


def can_complain(user) -> bool:
    """Workers and employers complain online for themselves."""
    return bool(signed_in(user) and (user.has_role(Role.WORKER) or user.has_role(Role.EMPLOYER)))


def can_record(user) -> bool:
    """Counter and hotline staff record complaints made in person, by phone, transferred or as clues."""
    return bool(signed_in(user) and user.has_perm("disputes.add_case") and not scope_of(user).is_empty)


def can_handle(user, case) -> bool:
    """Staff of the case's county (or the city) with the change permission move it along its workflow."""
    return bool(
        signed_in(user)
        and user.has_perm("disputes.change_case")
        and scope_of(user).covers(case.scope_unit_id)
    )


def can_approve_extension(user, case) -> bool:
    """An extension is approved by staff who may handle the case and hold the approval permission."""
    return can_handle(user, case) and user.has_perm("disputes.add_clockextension")


def is_staff_viewer(user, case) -> bool:
    return bool(scope_of(user).covers(case.scope_unit_id))


def sees_complainant(user, case) -> bool:
    """The complainant's name and number: the complainant and staff in scope; the respondent only when the
    complainant did not ask for their identity to be withheld; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    if case.complainant_id and case.complainant_id == getattr(user, "pk", None):
        return True
    if is_staff_viewer(user, case):
        return True
    respondent_user = case.respondent.user_id if case.respondent_id else None
    return bool(
        respondent_user and respondent_user == getattr(user, "pk", None) and not case.withhold_identity
    )


def sees_evidence(user, case) -> bool:
    """Evidence files: the complainant and staff in scope (never the respondent: a file may identify the
    complainant)."""
    if case.complainant_id and case.complainant_id == getattr(user, "pk", None):
        return True
    return bool(signed_in(user) and user.has_perm("disputes.view_evidence") and is_staff_viewer(user, case))


def sees_green_channel(user, case) -> bool:
    """The evidence bundle and the referral packet: staff of the case's county (or the city) only — never the
    complainant or the respondent (ADR 0025)."""
    return bool(signed_in(user) and user.has_perm("disputes.view_referral") and is_staff_viewer(user, case))


def is_respondent(user, case) -> bool:
    """The employer on record's account, once the case is accepted (ADR 0020): they answer and pay an
    agreement; they never see a withheld complainant (``sees_complainant``)."""
    from .choices import RESPONDENT_STATUSES

    return bool(
        signed_in(user)
        and case.respondent_id
        and case.respondent.user_id == user.pk
        and case.status in RESPONDENT_STATUSES
    )


def can_triage_safety(user, report) -> bool:
    """County staff of the market's county (or the city) triage a safety report into an inspection, dismiss
    it, and record the inspection's decision."""
    return bool(
        signed_in(user)
        and user.has_perm("disputes.change_safetyreport")
        and scope_of(user).covers(report.scope_unit_id)
    )


def sees_safety_reporter(user, report) -> bool:
    """The reporter's account, name, number and photo: the reporter and staff in scope — never the market's
    operator (who is not staff and owns no report of someone else)."""
    if report.reporter_id and report.reporter_id == getattr(user, "pk", None):
        return True
    return bool(
        signed_in(user)
        and user.has_perm("disputes.view_safetyreport")
        and scope_of(user).covers(report.scope_unit_id)
    )

"""Who may read reports. The catalogue is public; facts are read by staff (county staff and county tokens
their units' rows, city staff, city auditors and city tokens every row: the scope decides, ``Fact.objects
.visible_to``). Nobody writes facts but the compute service and the push (``reports.push``: county staff and county tokens,
for their units' submitted indicators). County staff submit their month; city staff accept and reopen it
(``reports.approvals``)."""

from __future__ import annotations

from accounts.choices import Role

VIEW = ("reports.view_indicator", "reports.view_fact", "reports.view_periodapproval")
PUSH = ("reports.submit_fact",)
# city staff start recomputes from the dashboard (reports.add_reportrun) and see every run; auditors see runs
ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("reports.*",),
    Role.COUNTY_STAFF: (*VIEW, *PUSH, "reports.submit_periodapproval"),
    Role.AUDITOR: (*VIEW, "reports.view_reportrun"),
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = (*VIEW, *PUSH)


def may_read_facts(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("reports.view_fact"))

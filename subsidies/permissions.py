"""Who may do what in subsidies. Programs and their parameters are public reading; city staff maintain them
and import the social-insurance system's contribution records; county staff read their county's records
and decisions; a worker reads their own decisions (the "what can I get" page)."""

from __future__ import annotations

from accounts.choices import Role

VIEW = (
    "subsidies.view_programtype",
    "subsidies.view_programparameter",
    "subsidies.view_contributionimport",
    "subsidies.view_contributionmonth",
    "subsidies.view_insuredpremium",
    "subsidies.view_eligibilitydecision",
    "subsidies.view_entitlement",
    "subsidies.view_operatorscheme",
    "subsidies.view_operatorschemeitem",
    "subsidies.view_operatorschemeband",
    "subsidies.view_operatorassessment",
)
# county staff compute and review their county's operator assessments (ADR 0033)
OPERATOR_ASSESSMENT = ("subsidies.add_operatorassessment", "subsidies.change_operatorassessment")
ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("subsidies.*",),
    Role.COUNTY_STAFF: (*VIEW, *OPERATOR_ASSESSMENT),
    Role.AUDITOR: VIEW,
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = (
    "subsidies.view_programtype",
    "subsidies.view_programparameter",
    "subsidies.view_eligibilitydecision",
    "subsidies.view_operatorassessment",
)

"""Subsidies services, one module per area: eligibility (gathers the facts from the records, runs the
program's strategies, stores the decision), contributions (the social-insurance records' import), offers (the
proactive offer, 免申即享), operators (the gig-market operator subsidy's assessments, ADR 0033)."""

"""Demo training data (called by `manage.py seed_demo`), built through the services. Idempotent."""

from __future__ import annotations


def seed(stdout=None) -> None:
    """Filled in as the training services land: a filed institution with a sign-up point in the first
    county's market, an approved class, enrollments, attendance, a completion, a certificate and a claim."""

"""Training services: eligibility."""

from __future__ import annotations

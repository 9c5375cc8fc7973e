"""Training services: outcomes."""

from __future__ import annotations

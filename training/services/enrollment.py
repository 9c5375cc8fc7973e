"""Training services: enrollment."""

from __future__ import annotations

"""Training services: results."""

from __future__ import annotations

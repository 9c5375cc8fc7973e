"""Training services: institutions."""

from __future__ import annotations

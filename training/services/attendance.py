"""Training services: attendance."""

from __future__ import annotations

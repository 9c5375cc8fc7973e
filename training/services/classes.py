"""Training services: classes."""

from __future__ import annotations

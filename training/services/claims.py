"""Training services: claims."""

from __future__ import annotations

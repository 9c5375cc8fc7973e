"""Training pages: courses."""

from __future__ import annotations

urlpatterns: list = []

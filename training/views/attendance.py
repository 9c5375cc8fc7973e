"""Training pages: attendance."""

from __future__ import annotations

urlpatterns: list = []

"""Training API: attendance."""

from __future__ import annotations

# (prefix, viewset, basename) registered on the /api/v1/ router by training.api.routes
ROUTES: list = []

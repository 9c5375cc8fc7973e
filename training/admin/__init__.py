"""Training in the admin: institution review, class approval, catalogue maintenance, spot checks. One module
per area; workflow fields are read-only and transitions call the services."""

from . import attendance, catalogue, claims, classes, institutions  # noqa: F401

"""Development: the embedded defaults with DEBUG on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# OpenStreetMap tiles in development only (public pages use Tianditu or the bureau's tile server).
if not LINGONG_MAP_TILE_URL:  # noqa: F405
    LINGONG_MAP_TILE_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    LINGONG_MAP_ATTRIBUTION = "© OpenStreetMap contributors (development only)"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
}
# Static files straight from the finders (no collectstatic needed before serving).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The browsable API for developers (masked, without write forms: core.api.renderers); production is JSON only.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.api.renderers.BrowsableAPIRenderer",
    ],
}

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

DEFAULT_SITE_NAME = gettext_noop("零工市场服务平台")


def site(request):
    """The site's name in the active language (a deployment's own name shows as configured)."""
    return {"SITE_NAME": gettext(settings.LINGONG_SITE_NAME)}

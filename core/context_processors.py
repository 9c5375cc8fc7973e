from django.conf import settings


def site(request):
    return {"SITE_NAME": settings.LINGONG_SITE_NAME}

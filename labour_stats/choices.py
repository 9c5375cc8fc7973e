from django.db import models
from django.utils.translation import gettext_lazy as _


class GuidanceStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


GUIDANCE_TRANSITIONS: dict[str, frozenset[str]] = {
    GuidanceStatus.DRAFT: frozenset({GuidanceStatus.PUBLISHED}),
    GuidanceStatus.PUBLISHED: frozenset(),
}

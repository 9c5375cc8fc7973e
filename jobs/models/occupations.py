"""The occupation taxonomy (工种) that staff keep."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Occupation(models.Model):
    """A gig occupation (工种) in a two-level taxonomy that staff keep: a category (parent is empty) and
    its occupations. ``licensed`` marks special operations (特种作业) that need a certificate on record;
    ``minors_forbidden`` keeps workers under 18 away (licensed ones always)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    licensed = models.BooleanField(_("特种作业（须持证）"), default=False)
    minors_forbidden = models.BooleanField(_("未成年人禁止"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("工种")
        verbose_name_plural = _("工种")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def closed_to_minors(self) -> bool:
        return self.licensed or self.minors_forbidden

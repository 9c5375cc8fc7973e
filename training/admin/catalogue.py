"""Training in the admin: the city's catalogue (目录清单) with its effective-dated rates, and the counting
rules of the training subsidy. A rate or rule already in force is not edited (only its end date may be set):
a new notice is a new row."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _

from core.admin import ScopedAdmin
from core.scope import scope_of

from ..models import CatalogueItem, CatalogueRate, ClaimRule


def refuse_edit_in_force(form: forms.ModelForm) -> None:
    """A row in force (施行日期 today or earlier) may only get its end date; anything else is refused."""
    instance = form.instance
    if instance.pk is None:
        return
    stored = (
        type(instance)
        ._default_manager.filter(pk=instance.pk)
        .values_list("effective_from", flat=True)
        .first()
    )
    if stored is None or stored > timezone.localdate():
        return
    changed = [name for name in form.changed_data if name not in ("effective_to", "DELETE")]
    if changed:
        raise forms.ValidationError(
            _("已施行的标准不能修改（只能设置截止日期），请新增一行并填写新的施行日期。"),
            code="rate_in_force",
        )


class CityMaintained:
    """The catalogue and the counting rules are the city's: county staff read them, city staff maintain
    them."""

    def _city(self, request) -> bool:
        return scope_of(request.user).all

    def has_add_permission(self, request, *args):
        return self._city(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._city(request) and super().has_change_permission(request, obj)


class RateForm(forms.ModelForm):
    class Meta:
        model = CatalogueRate
        fields = (
            "item",
            "scope_unit",
            "effective_from",
            "effective_to",
            "min_class_hours",
            "rate",
            "cap",
            "employed_rate",
            "shortage",
            "source",
        )

    def clean(self):
        cleaned = super().clean()
        refuse_edit_in_force(self)
        return cleaned


class RateInline(CityMaintained, admin.TabularInline):
    model = CatalogueRate
    form = RateForm
    extra = 1
    can_delete = False
    fields = (
        "scope_unit",
        "effective_from",
        "effective_to",
        "min_class_hours",
        "rate",
        "cap",
        "employed_rate",
        "shortage",
        "source",
    )


@admin.register(CatalogueItem)
class CatalogueItemAdmin(CityMaintained, ScopedAdmin):
    list_display = ("code", "name", "occupation", "certificate_type", "level", "new_form", "is_active")
    list_filter = ("certificate_type", "level", "new_form", "is_active")
    search_fields = ("code", "name")
    inlines = [RateInline]


class ClaimRuleForm(forms.ModelForm):
    class Meta:
        model = ClaimRule
        fields = (
            "version",
            "effective_from",
            "effective_to",
            "claims_per_year",
            "claims_per_year_shortage",
            "claim_window_months",
            "employment_window_months",
            "source",
        )

    def clean(self):
        cleaned = super().clean()
        refuse_edit_in_force(self)
        return cleaned


@admin.register(ClaimRule)
class ClaimRuleAdmin(CityMaintained, ScopedAdmin):
    form = ClaimRuleForm
    list_display = (
        "version",
        "effective_from",
        "effective_to",
        "claims_per_year",
        "claims_per_year_shortage",
    )

    def has_delete_permission(self, request, obj=None):
        return False

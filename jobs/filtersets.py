"""The labour market's FilterSets, each shared by the API and the pages. Postings' parameter names follow the
markets list: q, occupation, county, lat, lng, radius_km, ordering (distance | -wage | -published), plus
date_from, date_to (work dates), wage_min (daily-equivalent), settlement and market."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.filtersets import IdFilter
from core.geo import bounding_box
from core.models import ScopeUnit
from markets.filtersets import GeoFilterMixin
from markets.models import Market

from . import search
from .choices import ApplicationStatus, FairKind, PostingStatus, Settlement
from .models import Application, JobFair, Occupation, Posting

POSTING_ORDERING = [("distance", _("离我最近")), ("-wage", _("工资最高")), ("-published", _("最新发布"))]
ORDER_BY = {
    "distance": ("distance_km", "id"),
    "-wage": ("-daily_wage", "-id"),
    "-published": ("-published_at", "-id"),
}


def _occupation_choices():
    from .occupations import tree

    return tree().active_choices()


class OccupationFilter(django_filters.ChoiceFilter):
    """An occupation or a whole category (its occupations) by code, checked against the process's copy of the
    occupation tree (no query), filtered as ``occupation_id IN (…)`` so the search index can use it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", _occupation_choices)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        from .occupations import tree

        occupations = tree()
        occupation = occupations.by_code.get(value)
        if occupation is None:
            return qs.none()
        return qs.filter(occupation_id__in=occupations.family_ids(occupation))


class PostingFilterSet(GeoFilterMixin):
    q = django_filters.CharFilter(method="filter_q", label=_("关键词"))
    occupation = OccupationFilter(label=_("工种"), empty_label=_("全部工种"))
    county = django_filters.ModelChoiceFilter(
        field_name="scope_unit",
        to_field_name="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        label=_("县（市、区）"),
        empty_label=_("全部"),
    )
    date_from = django_filters.DateFilter(
        field_name="work_end_date",
        lookup_expr="gte",
        label=_("工作日期从"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="work_start_date",
        lookup_expr="lte",
        label=_("工作日期到"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    wage_min = django_filters.NumberFilter(
        field_name="daily_wage",
        lookup_expr="gte",
        label=_("日工资不低于（元）"),
        min_value=0,
        max_value=99_999_999,
    )
    settlement = django_filters.ChoiceFilter(
        choices=Settlement.choices, label=_("结算方式"), empty_label=_("不限")
    )
    market = django_filters.ModelChoiceFilter(
        queryset=Market.objects.public(), label=_("零工市场"), empty_label=_("不限")
    )
    status = django_filters.ChoiceFilter(
        choices=PostingStatus.choices, label=_("状态"), empty_label=_("全部")
    )
    ordering = django_filters.ChoiceFilter(
        choices=POSTING_ORDERING, method="noop", label=_("排序"), empty_label=None
    )

    class Meta:
        model = Posting
        fields = [
            "q",
            "occupation",
            "county",
            "date_from",
            "date_to",
            "wage_min",
            "settlement",
            "market",
            "status",
        ]

    def filter_q(self, queryset, name, value):
        data = self.form.cleaned_data
        lat, lng, radius = data.get("lat"), data.get("lng"), data.get("radius_km")
        box = None
        if lat is not None and lng is not None and radius is not None:
            box = bounding_box(float(lat), float(lng), float(radius))  # GeoFilterMixin filters on it too
        return search.filter_keyword(queryset, value, box=box)

    def is_valid(self):
        valid = super().is_valid()
        if (
            valid
            and self.form.cleaned_data.get("ordering") == "distance"
            and self.form.cleaned_data.get("lat") is None
        ):
            self.form.add_error("ordering", _("按距离排序须提供经纬度。"))
            return False
        return valid

    @property
    def ordering_fields(self) -> tuple[str, ...]:
        ordering = (
            self.form.cleaned_data.get("ordering") if hasattr(self.form, "cleaned_data") else None
        ) or "-published"
        return ORDER_BY[ordering]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by(*self.ordering_fields)


class ApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    posting = IdFilter(field_name="posting_id")

    class Meta:
        model = Application
        fields = ["status", "posting", "source"]


class OccupationFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label=_("类别代码"))
    top = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label=_("只看类别"))

    class Meta:
        model = Occupation
        fields = ["parent", "top", "licensed"]


class JobFairFilterSet(django_filters.FilterSet):
    county = django_filters.ModelChoiceFilter(
        field_name="scope_unit",
        to_field_name="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        label=_("县（市、区）"),
        empty_label=_("全部"),
    )
    kind = django_filters.ChoiceFilter(choices=FairKind.choices, label=_("类型"), empty_label=_("全部"))
    market = IdFilter(field_name="market_id", label=_("零工市场"))

    class Meta:
        model = JobFair
        fields = ["county", "kind", "market"]

"""Serializers translate data and have no side effects. Personal data is masked here by the one rule of
``jobs.permissions.sees_person``: the employer's contact is shown to the employer and the workers they
accepted (``selectors.contact_visible``), a worker's name and number to themselves and to the employer who
accepted them."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import CountField, IdField
from core.masking import mask_name, mask_phone
from core.models import ScopeUnit
from markets.choices import CoordinateSystem
from markets.models import Market

from ..choices import ApplicationSource, ApplicationStatus, ReportReason
from ..models import (
    FAIR_FIELDS,
    POSTING_FIELDS,
    Application,
    EmployerProfile,
    FairBooth,
    FairRegistration,
    JobFair,
    Occupation,
    Posting,
    PostingReport,
    WorkerProfile,
)
from ..permissions import sees_person


class OccupationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None, allow_null=True)
    is_category = serializers.SerializerMethodField()

    class Meta:
        model = Occupation
        fields = [
            "code",
            "name",
            "parent",
            "parent_name",
            "is_category",
            "licensed",
            "minors_forbidden",
            "sort",
        ]

    def get_is_category(self, obj) -> bool:
        return obj.parent_id is None


class PostingSerializer(serializers.ModelSerializer):
    """A posting in a list: everything a searcher needs, never the contact."""

    occupation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    occupation_name = serializers.CharField(source="occupation.name", read_only=True)
    category = serializers.CharField(
        source="occupation.parent.code", read_only=True, default=None, allow_null=True
    )
    category_name = serializers.CharField(
        source="occupation.parent.name", read_only=True, default=None, allow_null=True
    )
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    county_name = serializers.CharField(source="scope_unit.name", read_only=True)
    town = serializers.CharField(source="town_id", read_only=True, allow_null=True)
    market_name = serializers.CharField(source="market.name", read_only=True, default=None, allow_null=True)
    employer_name = serializers.CharField(source="employer.display_name", read_only=True)
    remaining = serializers.IntegerField(read_only=True)
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = Posting
        fields = [
            "id",
            "title",
            "description",
            "requirements",
            "occupation",
            "occupation_name",
            "category",
            "category_name",
            "county",
            "county_name",
            "town",
            "address",
            "lat",
            "lng",
            "market",
            "market_name",
            "employer_name",
            "work_start_date",
            "work_end_date",
            "start_time",
            "end_time",
            "headcount",
            "accepted_count",
            "remaining",
            "wage_amount",
            "wage_unit",
            "estimated_daily_wage",
            "daily_wage",
            "settlement",
            "status",
            "published_at",
            "distance_km",
        ]
        read_only_fields = fields

    def get_distance_km(self, obj) -> float | None:
        value = getattr(obj, "distance_km", None)
        return round(value, 3) if value is not None else None

    def to_representation(self, instance):
        """The hot paths (issue 6): the same output as DRF's field-by-field walk, written out, without
        building the ModelSerializer's fields per request; the occupation comes from the process's tree
        (``LIST_COLUMNS`` loads none). Subclasses that add fields of their own take DRF's walk unless they
        write theirs too; ``test_posting_representation_matches_drf`` keeps the two identical."""
        if type(self) is not PostingSerializer:
            return super().to_representation(instance)
        return self.fast_representation(instance)

    def fast_representation(self, instance) -> dict:
        from ..occupations import tree

        occupation = tree().by_id.get(instance.occupation_id) or instance.occupation
        parent = occupation.parent
        market_id = instance.market_id
        distance = getattr(instance, "distance_km", None)
        return {
            "id": instance.pk,
            "title": instance.title,
            "description": instance.description,
            "requirements": instance.requirements,
            "occupation": occupation.code,
            "occupation_name": occupation.name,
            "category": parent.code if parent else None,
            "category_name": parent.name if parent else None,
            "county": instance.scope_unit.code,
            "county_name": instance.scope_unit.name,
            "town": None if instance.town_id is None else str(instance.town_id),
            "address": instance.address,
            "lat": instance.lat,
            "lng": instance.lng,
            "market": market_id,
            "market_name": (
                None
                if market_id is None
                else instance.market_display_name
                if hasattr(instance, "market_display_name")
                else instance.market.name
            ),
            "employer_name": (
                instance.employer_display_name
                if hasattr(instance, "employer_display_name")
                else instance.employer.display_name
            ),
            "work_start_date": instance.work_start_date.isoformat(),
            "work_end_date": instance.work_end_date.isoformat(),
            "start_time": instance.start_time.isoformat(),
            "end_time": instance.end_time.isoformat(),
            "headcount": instance.headcount,
            "accepted_count": instance.accepted_count,
            "remaining": instance.remaining,
            "wage_amount": _decimal(instance.wage_amount, 4),
            "wage_unit": instance.wage_unit,
            "estimated_daily_wage": _decimal(instance.estimated_daily_wage, 2),
            "daily_wage": _decimal(instance.daily_wage, 2),
            "settlement": instance.settlement,
            "status": instance.status,
            "published_at": _datetime(instance.published_at),
            "distance_km": round(distance, 3) if distance is not None else None,
        }


def _decimal(value, places: int) -> str | None:
    """As DRF's DecimalField shows a model decimal (coerced to a string with its decimal places)."""
    if value is None:
        return None
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


def _datetime(value) -> str | None:
    """As DRF's DateTimeField shows an aware datetime: in the current time zone, ISO 8601, UTC as Z."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# The columns the list representation reads (the search loads only these: less to fetch, decode and build).
LIST_COLUMNS = (
    "id",
    "title",
    "description",
    "requirements",
    "occupation_id",
    "scope_unit__code",
    "scope_unit__name",
    "town_id",
    "address",
    "lat",
    "lng",
    "employer_id",
    "market_id",
    "work_start_date",
    "work_end_date",
    "start_time",
    "end_time",
    "headcount",
    "accepted_count",
    "wage_amount",
    "wage_unit",
    "estimated_daily_wage",
    "daily_wage",
    "settlement",
    "status",
    "published_at",
)


class PostingDetailSerializer(PostingSerializer):
    """One posting: the contact in full only for its employer and accepted applicants (masked for everyone
    else, staff included); the review note for the employer and staff in scope; the keyword screen's flags
    for the reviewers (staff in scope) only."""

    contact_name = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    contact_visible = serializers.SerializerMethodField()
    screen_flags = serializers.SerializerMethodField()
    review_note = serializers.SerializerMethodField()

    class Meta(PostingSerializer.Meta):
        fields = [
            *PostingSerializer.Meta.fields,
            "contact_name",
            "contact_phone",
            "contact_visible",
            "screen_flags",
            "review_note",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        if type(self) is not PostingDetailSerializer:
            return super().to_representation(instance)
        return {
            **self.fast_representation(instance),
            "contact_name": self.get_contact_name(instance),
            "contact_phone": self.get_contact_phone(instance),
            "contact_visible": self.get_contact_visible(instance),
            "screen_flags": self.get_screen_flags(instance),
            "review_note": self.get_review_note(instance),
        }

    def _visible(self, obj) -> bool:
        return self._check("contact_visible", obj)

    def _check(self, name: str, obj) -> bool:
        check = self.context.get(name)
        return bool(check(obj)) if callable(check) else bool(check)

    def _insider(self, obj) -> bool:
        return self._check("insider", obj)

    def get_contact_visible(self, obj) -> bool:
        return self._visible(obj)

    def get_contact_name(self, obj) -> str:
        return obj.contact_name if self._visible(obj) else mask_name(obj.contact_name)

    def get_contact_phone(self, obj) -> str:
        return obj.contact_phone if self._visible(obj) else mask_phone(obj.contact_phone)

    @extend_schema_field(
        {
            "type": "array",
            "items": {"type": "object", "additionalProperties": {"type": "string"}},
            "nullable": True,
        }
    )
    def get_screen_flags(self, obj):
        return obj.screen_flags if self._check("reviewer", obj) else None

    def get_review_note(self, obj) -> str | None:
        return obj.review_note if self._insider(obj) else None


class PostingResultSerializer(PostingDetailSerializer):
    """A posting just written, with the wage warnings the employer should see (below the guidance median)."""

    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(PostingDetailSerializer.Meta):
        fields = [*PostingDetailSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class PostingWriteSerializer(serializers.ModelSerializer):
    """What an employer sends to draft or edit a posting. Staff drafting for an employer name it."""

    employer = serializers.PrimaryKeyRelatedField(
        queryset=EmployerProfile.objects.all(),
        required=False,
        write_only=True,
        help_text=_("工作人员代用工方起草时填写；用工方本人不填。"),
    )
    occupation = serializers.SlugRelatedField(
        slug_field="code", queryset=Occupation.objects.filter(is_active=True, parent__isnull=False)
    )
    county = serializers.SlugRelatedField(
        source="scope_unit", slug_field="code", queryset=ScopeUnit.objects.filter(is_active=True)
    )
    market = serializers.PrimaryKeyRelatedField(
        queryset=Market.objects.public(), required=False, allow_null=True
    )
    coordinate_system = serializers.ChoiceField(
        choices=CoordinateSystem.choices,
        default=CoordinateSystem.WGS84,
        write_only=True,
        help_text=_("坐标来自高德/腾讯地图填 gcj02，百度地图填 bd09，保存时转换为 WGS-84。"),
    )

    class Meta:
        model = Posting
        # The one posting field list (models.POSTING_FIELDS); the county travels by its code as ``county``.
        fields = [
            "employer",
            *("county" if name == "scope_unit" else name for name in POSTING_FIELDS),
            "coordinate_system",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "employer" in self.fields:
            self.fields["employer"].queryset = EmployerProfile.objects.visible_to(request.user)

    def validate_wage_amount(self, value):
        if value is not None and value <= 0:
            raise serializers.ValidationError(_("工资须大于0。"))
        return value


class PostingApproveSerializer(serializers.Serializer):
    checklist = serializers.DictField(
        child=serializers.BooleanField(),
        help_text=_("审核要点逐项确认：no_fees, no_discrimination, no_scam, wage_clear，均须为 true。"),
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PostingRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=2, max_length=300)


class PostingCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PostingReportSerializer(serializers.ModelSerializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        model = PostingReport
        fields = ["id", "posting", "reason", "detail", "created_at"]
        read_only_fields = ["id", "posting", "created_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as its reader may see it: the worker sees their own number and, once accepted, the
    employer's contact; the employer sees the worker's name and number once they accepted them; everyone
    else (staff included) sees them masked."""

    posting_title = serializers.CharField(source="posting.title", read_only=True)
    occupation_name = serializers.CharField(source="posting.occupation.name", read_only=True)
    employer_name = serializers.CharField(source="posting.employer.display_name", read_only=True)
    work_start_date = serializers.DateField(source="posting.work_start_date", read_only=True)
    worker_name = serializers.SerializerMethodField()
    worker_phone = serializers.SerializerMethodField()
    contact_name = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    assisted = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "posting",
            "posting_title",
            "occupation_name",
            "employer_name",
            "work_start_date",
            "worker",
            "worker_name",
            "worker_phone",
            "status",
            "source",
            "assisted",
            "note",
            "contact_name",
            "contact_phone",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def _viewer(self):
        return getattr(self.context.get("request"), "user", None)

    def _hired_until(self, obj):
        return obj.posting.work_end_date if obj.status == ApplicationStatus.ACCEPTED else None

    def _sees_worker(self, obj) -> bool:
        return sees_person(
            self._viewer(),
            person_id=obj.worker_id,
            counterpart_id=obj.posting.employer.user_id,
            hired_until=self._hired_until(obj),
            unit_id=obj.posting.scope_unit_id,
        )

    def _sees_contact(self, obj) -> bool:
        return sees_person(
            self._viewer(),
            person_id=obj.posting.employer.user_id,
            counterpart_id=obj.worker_id,
            hired_until=self._hired_until(obj),
            unit_id=obj.posting.scope_unit_id,
        )

    def get_worker_name(self, obj) -> str:
        name = obj.worker.real_name
        return name if self._sees_worker(obj) else mask_name(name)

    def get_worker_phone(self, obj) -> str:
        phone = obj.worker.phone
        return (phone if self._sees_worker(obj) else mask_phone(phone)) or ""  # none: kept at a counter

    def get_contact_name(self, obj) -> str:
        return obj.posting.contact_name if self._sees_contact(obj) else mask_name(obj.posting.contact_name)

    def get_contact_phone(self, obj) -> str:
        return obj.posting.contact_phone if self._sees_contact(obj) else mask_phone(obj.posting.contact_phone)

    def get_assisted(self, obj) -> bool:
        return obj.acted_by_id is not None


class ApplicationCreateSerializer(serializers.Serializer):
    posting = IdField(help_text=_("岗位编号"))
    worker = IdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("工作人员或市场服务台代劳动者报名时填写劳动者的用户编号；本人报名不填。"),
    )
    source = serializers.ChoiceField(
        choices=[
            (ApplicationSource.REFERRAL, ApplicationSource.REFERRAL.label),
            (ApplicationSource.COUNTER, ApplicationSource.COUNTER.label),
        ],
        required=False,
        default=ApplicationSource.COUNTER,
        help_text=_("代报名的来源：referral（职业介绍）或 counter（服务台代办）；本人报名时忽略。"),
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ApplicationDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SkillBriefSerializer(serializers.Serializer):
    occupation = serializers.CharField(source="occupation.code")
    occupation_name = serializers.CharField(source="occupation.name")
    level = serializers.CharField()
    years = serializers.IntegerField()


class WorkerBriefSerializer(serializers.ModelSerializer):
    """A recommended worker as an employer or staff member sees them before any acceptance: masked."""

    user = serializers.IntegerField(source="user_id", read_only=True)
    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    county = serializers.CharField(
        source="user.scope_unit.code", read_only=True, default=None, allow_null=True
    )
    county_name = serializers.CharField(
        source="user.scope_unit.name", read_only=True, default=None, allow_null=True
    )
    skills = SkillBriefSerializer(many=True, read_only=True)

    class Meta:
        model = WorkerProfile
        fields = [
            "user",
            "name",
            "phone",
            "county",
            "county_name",
            "skills",
            "max_distance_km",
            "expected_wage",
            "expected_unit",
        ]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return mask_name(obj.user.real_name)

    def get_phone(self, obj) -> str:
        return mask_phone(obj.user.phone)


class WorkerRecommendationSerializer(serializers.Serializer):
    worker = WorkerBriefSerializer(source="obj")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class PostingRecommendationSerializer(serializers.Serializer):
    posting = PostingSerializer(source="obj")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


# --- job fairs -------------------------------------------------------------------------------------------


class JobFairSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="scope_unit.code", read_only=True)
    county_name = serializers.CharField(source="scope_unit.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    market_name = serializers.CharField(source="market.name", read_only=True, default=None, allow_null=True)
    booths_booked = serializers.SerializerMethodField()
    booths_left = serializers.SerializerMethodField()
    registrations = serializers.SerializerMethodField()

    class Meta:
        model = JobFair
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "theme",
            "county",
            "county_name",
            "market",
            "market_name",
            "place",
            "starts_at",
            "ends_at",
            "booth_capacity",
            "booths_booked",
            "booths_left",
            "registrations",
            "attendance",
            "intents",
            "hires",
        ]

    def _booths(self, obj) -> int:
        count = getattr(obj, "booth_count", None)
        return count if count is not None else obj.booths.count()

    def get_booths_booked(self, obj) -> int:
        return self._booths(obj)

    def get_booths_left(self, obj) -> int:
        return max(obj.booth_capacity - self._booths(obj), 0)

    def get_registrations(self, obj) -> int:
        count = getattr(obj, "registration_count", None)
        return count if count is not None else obj.registrations.count()


class JobFairWriteSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(
        source="scope_unit", slug_field="code", queryset=ScopeUnit.objects.filter(is_active=True)
    )
    market = serializers.PrimaryKeyRelatedField(
        queryset=Market.objects.public(), required=False, allow_null=True, default=None
    )
    place = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("不填则使用所选零工市场的名称和地址。"),
    )

    class Meta:
        model = JobFair
        fields = ["county" if name == "scope_unit" else name for name in FAIR_FIELDS]


class FairBookSerializer(serializers.Serializer):
    positions = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("拟招岗位，例如：电工2名、保洁5名"),
    )


class FairBoothSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.display_name", read_only=True)

    class Meta:
        model = FairBooth
        fields = ["id", "fair", "employer", "employer_name", "positions", "booked_at"]


class FairRegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = FairRegistration
        fields = ["id", "fair", "registered_at", "attended"]


class FairOutcomeSerializer(serializers.Serializer):
    attendance = CountField(help_text=_("到场人数"))
    intents = CountField(help_text=_("达成意向人数"))
    hires = CountField(help_text=_("实际录用人数"))

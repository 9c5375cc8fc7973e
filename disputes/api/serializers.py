"""Serializers of the disputes API. They translate data and do nothing else; what a reader may see of the
complainant is decided by ``permissions.sees_complainant`` (a withheld identity never reaches the
respondent)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.masking import mask_name, mask_phone
from core.models import ScopeUnit

from ..choices import ClaimType, ClockKind, RelationshipType
from ..models import Case, CaseClock, ClaimLine
from ..permissions import is_staff_viewer, sees_complainant


class ClaimLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimLine
        fields = [
            "id",
            "claim_type",
            "amount",
            "period_from",
            "period_to",
            "final_award",
            "final_award_limit",
        ]
        read_only_fields = fields


class CaseClockSerializer(serializers.ModelSerializer):
    current_due_on = serializers.DateField(read_only=True)
    current_due_at = serializers.DateTimeField(read_only=True)
    extended = serializers.SerializerMethodField()

    class Meta:
        model = CaseClock
        fields = [
            "id",
            "kind",
            "rule_version",
            "day_kind",
            "days",
            "started_at",
            "due_on",
            "due_at",
            "current_due_on",
            "current_due_at",
            "extended",
            "stopped_at",
        ]
        read_only_fields = fields

    def get_extended(self, obj) -> bool:
        return obj.extended_due_on is not None


class CaseSerializer(serializers.ModelSerializer):
    """A case as its reader may see it: the complainant's name and number masked for staff (reveal is an
    admin action), the complainant's own for them, nothing of it for a respondent when withheld."""

    county = serializers.CharField(source="scope_unit.code", read_only=True)
    respondent = serializers.CharField(source="respondent_label", read_only=True)
    complainant = serializers.SerializerMethodField()
    claims = ClaimLineSerializer(many=True, read_only=True)
    clocks = CaseClockSerializer(many=True, read_only=True)
    deadline_state = serializers.CharField(read_only=True, default=None)
    withhold_identity = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "county",
            "channel",
            "status",
            "queue",
            "routing_rule_name",
            "relationship_type",
            "received_at",
            "accepted_at",
            "resolved_at",
            "respondent",
            "complainant",
            "withhold_identity",
            "facts",
            "external_ticket_id",
            "external_due_on",
            "not_accepted_reason",
            "resolution",
            "claims",
            "clocks",
            "deadline_state",
        ]
        read_only_fields = fields

    def get_complainant(self, obj) -> dict | None:
        user = self.context["request"].user
        if not sees_complainant(user, obj):
            return None
        name = obj.complainant.real_name if obj.complainant_id else obj.complainant_name
        phone = (obj.complainant.phone or "") if obj.complainant_id else obj.complainant_phone
        if obj.complainant_id == getattr(user, "pk", None):
            return {"name": name, "phone": phone}
        if is_staff_viewer(user, obj):
            return {"name": mask_name(name), "phone": mask_phone(phone)}
        return {"name": mask_name(name), "phone": ""}

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_withhold_identity(self, obj):
        """Whether the complainant asked for it (their own and staff's view); null for the respondent."""
        user = self.context["request"].user
        if is_staff_viewer(user, obj) or obj.complainant_id == getattr(user, "pk", None):
            return obj.withhold_identity
        return None

    def to_representation(self, obj):
        data = super().to_representation(obj)
        user = self.context["request"].user
        if not is_staff_viewer(user, obj) and obj.complainant_id != getattr(user, "pk", None):
            # the respondent reads what is claimed and why, not staff-only routing details
            data["routing_rule_name"] = ""
            data["external_ticket_id"] = ""
            if obj.withhold_identity:
                data["facts"] = ""
        return data


class ClaimInputSerializer(serializers.Serializer):
    claim_type = serializers.ChoiceField(choices=ClaimType.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    period_from = serializers.DateField(required=False, allow_null=True, default=None)
    period_to = serializers.DateField(required=False, allow_null=True, default=None)


class CaseCreateSerializer(serializers.Serializer):
    """An online complaint by the signed-in worker or employer (staff channels use the counter page)."""

    county = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="GB/T 2260 code of the county that handles it; the complainant's own when omitted",
    )
    respondent = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="id of an employer the complainant has worked for (their own work orders); "
        "else respondent_name (free text)",
    )
    respondent_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    respondent_contact = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    relationship_type = serializers.ChoiceField(
        choices=RelationshipType.choices, default=RelationshipType.UNKNOWN
    )
    facts = serializers.CharField(max_length=4000)
    withhold_identity = serializers.BooleanField(default=False)
    claims = ClaimInputSerializer(many=True)
    work_order = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="id of the complainant's own work order it is about (its employer becomes the respondent): "
        "the evidence bundle is drawn from it",
    )


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CaseRequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class CaseResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=4000)


class CaseExtendSerializer(serializers.Serializer):
    clock = serializers.ChoiceField(choices=ClockKind.choices, help_text="the running clock to extend")
    days = serializers.IntegerField(min_value=1, max_value=365)
    reason = serializers.CharField(max_length=1000)


class ComplainantRevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("phone", "phone"), ("id_number", "id_number")])
    reason = serializers.CharField(max_length=500)


class ComplainantRevealOutputSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()

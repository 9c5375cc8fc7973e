from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from core.models import ScopeUnit

from ..choices import PolicyCategory
from ..models import GuidanceBooking, GuidanceSlot, PolicyArticle, PolicyAttachment, Question


class PolicyAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PolicyAttachment
        fields = ["id", "title", "url"]

    def get_url(self, obj) -> str:
        return reverse("guidance:attachment", args=[obj.pk])


class PolicyArticleSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="scope_unit.code", read_only=True, allow_null=True, default=None)
    attachments = PolicyAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = PolicyArticle
        fields = [
            "id",
            "title",
            "category",
            "doc_number",
            "issuer",
            "effective_from",
            "expires_on",
            "county",
            "summary",
            "body",
            "published_at",
            "attachments",
        ]


class FaqSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="faq_question")
    answer = serializers.CharField(source="faq_answer")
    published_at = serializers.DateTimeField(source="faq_published_at")

    class Meta:
        model = Question
        fields = ["id", "category", "question", "answer", "published_at"]


class QuestionSerializer(serializers.ModelSerializer):
    """A question as its asker and its county's staff see it (the asker's name and number are not here)."""

    county = serializers.CharField(source="scope_unit.code", read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "county",
            "channel",
            "category",
            "title",
            "body",
            "status",
            "asked_at",
            "due_on",
            "due_at",
            "answer",
            "answered_at",
            "faq_published",
        ]
        read_only_fields = fields


class QuestionCreateSerializer(serializers.Serializer):
    county = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="GB/T 2260 code of the county that answers; the asker's own when omitted",
    )
    category = serializers.ChoiceField(choices=PolicyCategory.choices)
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=2000)


class QuestionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class GuidanceSlotSerializer(serializers.ModelSerializer):
    market_name = serializers.CharField(source="market.name", read_only=True)
    county = serializers.CharField(source="market.scope_unit.code", read_only=True)
    booked = serializers.IntegerField(read_only=True)

    class Meta:
        model = GuidanceSlot
        fields = [
            "id",
            "market",
            "market_name",
            "county",
            "starts_at",
            "ends_at",
            "capacity",
            "booked",
            "counsellor",
            "topic",
        ]
        read_only_fields = fields


class GuidanceBookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = GuidanceBooking
        fields = ["id", "slot", "status", "need", "assisted", "guidance_given", "created_at"]
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer):
    need = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import ScopeUnit

from ..models import ApiClient, User


class UserSerializer(serializers.ModelSerializer):
    """A person as staff and county systems see them: personal data masked."""

    phone = serializers.CharField(source="masked_phone", read_only=True)
    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    county = serializers.CharField(source="scope_unit.code", default=None, allow_null=True, read_only=True)
    roles = serializers.SerializerMethodField()
    is_minor = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "phone",
            "real_name",
            "id_number",
            "gender",
            "is_minor",
            "county",
            "roles",
            "id_review_flag",
            "is_active",
            "date_joined",
        ]

    def get_roles(self, obj) -> list[str]:
        return sorted(g.role for g in obj.role_grants.all())


class MeSerializer(serializers.ModelSerializer):
    """The person's own record: their own data unmasked."""

    county = serializers.CharField(source="scope_unit.code", default=None, allow_null=True, read_only=True)
    roles = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "phone",
            "real_name",
            "id_number",
            "birth_date",
            "gender",
            "is_minor",
            "county",
            "roles",
            "scope",
            "date_joined",
        ]

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.role_set)

    def get_scope(self, obj) -> dict:
        scope = obj.get_scope()
        codes = sorted(ScopeUnit.objects.filter(pk__in=scope.unit_ids).values_list("code", flat=True))
        return {"all": scope.all, "counties": codes}


class ApiClientMeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    county = serializers.CharField(
        allow_null=True, help_text="The bound unit's code; null for a city-wide token"
    )
    city_wide = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class RevealInputSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("phone", _("手机号码")), ("id_number", _("身份证号码"))])
    reason = serializers.CharField(min_length=2, max_length=200)


class RevealOutputSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class ApiClientSerializer(serializers.ModelSerializer):
    # required, so that a city-wide token is asked for explicitly: ``"county": null``
    county = serializers.SlugRelatedField(
        source="scope_unit",
        slug_field="code",
        queryset=ScopeUnit.objects.filter(is_active=True),
        allow_null=True,
        help_text="A scope unit's code; null issues a city-wide token",
    )
    days = serializers.IntegerField(write_only=True, min_value=1, max_value=730, required=False)
    token = serializers.SerializerMethodField()

    class Meta:
        model = ApiClient
        fields = [
            "id",
            "name",
            "county",
            "days",
            "token_prefix",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "token",
        ]
        read_only_fields = ["token_prefix", "expires_at", "revoked_at", "last_used_at"]

    def get_token(self, obj) -> str | None:
        """The raw token: present only in the response that issued it."""
        return self.context.get("raw_token")

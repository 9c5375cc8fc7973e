from rest_framework import serializers

from core.models import AuditLog, Division, InboxMessage, ScopeUnit


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent"]


class ScopeUnitSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = ScopeUnit
        fields = ["id", "code", "name", "kind", "division", "is_active"]


class AuditLogSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()
    county = serializers.CharField(source="scope_unit.code", default=None, allow_null=True, read_only=True)

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "county",
            "before",
            "after",
            "reason",
        ]

    def get_object_type(self, obj) -> str | None:
        return obj.content_type.model if obj.content_type_id else None


class InboxMessageSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = InboxMessage
        fields = ["id", "body", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class InboxMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="本次新标为已读的条数")
    unread = serializers.IntegerField(help_text="剩余未读条数")

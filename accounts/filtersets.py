import django_filters

from core.services import may_look_up, personal_kind, personal_lookup

from .choices import Role
from .models import User


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="q")
    county = django_filters.CharFilter(field_name="scope_unit__code", label="county")
    role = django_filters.ChoiceFilter(field_name="role_grants__role", choices=Role.choices, distinct=True)

    class Meta:
        model = User
        fields = ["id_review_flag", "is_active"]

    def search(self, queryset, name, value):
        """Names match by substring. A whole mobile number or resident ID finds its person only for staff who
        may reveal personal data (in their scope), audited as a reveal and rate-limited; for anyone else the
        answer does not depend on the number at all (no name holds eleven digits): the search cannot be an
        oracle for personal data (ADR 0014)."""
        value = value.strip()
        if not value:
            return queryset
        kind = personal_kind(value)
        actor = getattr(self.request, "user", None)
        if kind is None or not may_look_up(actor):
            return queryset.filter(real_name__contains=value)
        field = "phone" if kind == "phone" else "id_number"
        found = queryset.filter(**{field: value.upper()})
        personal_lookup(actor=actor, kind=kind, value=value, found=found.exists(), request=self.request)
        return found

import django_filters
from django.db.models import Q

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
        value = value.strip()
        if not value:
            return queryset
        # A full number or ID finds its person; names match by substring. Nothing matches partial numbers,
        # so a search cannot be used to enumerate personal data.
        return queryset.filter(Q(real_name__contains=value) | Q(phone=value) | Q(id_number=value.upper()))

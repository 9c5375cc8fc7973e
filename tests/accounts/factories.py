import datetime as dt

import factory

from accounts.choices import Role
from accounts.idgen import make_resident_id
from accounts.models import RoleGrant, User
from core.models import ScopeUnit


def unit(code: str) -> ScopeUnit:
    return ScopeUnit.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    real_name = factory.Faker("name", locale="zh_CN")
    scope_unit = factory.LazyFunction(lambda: unit("370702"))
    birth_date = factory.Sequence(lambda n: dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28))
    gender = "M"
    id_number = factory.LazyAttributeSequence(
        lambda o, n: make_resident_id(o.scope_unit.code if o.scope_unit else "370702", o.birth_date, seq=n)
    )
    password = factory.django.Password("pass-word-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            scope = None if role == Role.CITY_STAFF else (self.scope_unit if role != Role.WORKER else None)
            if role == Role.AUDITOR and kwargs.get("city"):
                scope = None
            RoleGrant.objects.create(user=self, role=role, scope_unit=scope)
            if role in (Role.COUNTY_STAFF, Role.CITY_STAFF, Role.AUDITOR):
                User.objects.filter(pk=self.pk).update(is_staff=True)
                self.is_staff = True

"""County scope: who may see which scope unit's records.

A scope is either the whole city or a set of scope units. Users, API clients and anonymous visitors all
answer ``scope_of()``; querysets turn it into a filter in ``ScopedQuerySet.visible_to`` — the one place
scope is applied, in the admin, the API, the pages and the exports alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    all: bool = False
    unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.all and not self.unit_ids

    def covers(self, unit_id: int | None) -> bool:
        return self.all or (unit_id is not None and unit_id in self.unit_ids)


CITY = Scope(all=True)
NOWHERE = Scope()


def scope_of(principal) -> Scope:
    """The scope of a user, an API client principal or an anonymous visitor (nowhere)."""
    if principal is None or not getattr(principal, "is_authenticated", False):
        return NOWHERE
    getter = getattr(principal, "get_scope", None)
    return getter() if getter else NOWHERE


class ScopedQuerySet(models.QuerySet):
    """A queryset whose model names the path to its scope unit in ``scope_field``.

    ``visible_to(user)`` returns the rows in the user's scope plus, for people without a staff scope, the
    rows they own (``owner_q``, overridden per model). Nothing is visible unless a rule says so.
    """

    def visible_to(self, principal) -> ScopedQuerySet:
        scope = scope_of(principal)
        if scope.all:
            return self.all()
        condition = Q(pk__in=[])
        if scope.unit_ids:
            condition |= Q(**{f"{self.model.scope_field}__in": scope.unit_ids})
        if getattr(principal, "is_authenticated", False) and getattr(principal, "pk", None):
            owner = self.owner_q(principal)
            if owner is not None:
                condition |= owner
        return self.filter(condition)

    def owner_q(self, user) -> Q | None:
        """Rows a person owns whatever their staff scope; none by default."""
        return None


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass

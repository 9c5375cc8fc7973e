"""The working-day calendar knows holidays only as far as someone entered them: city staff (who may edit it)
are warned on the dashboard when it ends within 90 days, and county staff may read it."""

import datetime as dt

import pytest
import time_machine

from accounts.choices import Role
from core.calendar import SHANGHAI, covered_until
from core.dashboard import panels_for
from core.models import CalendarDay

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
TITLE = "工作日历即将到期"


def _titles(user):
    return [p.title for p in panels_for(user)]


def test_city_staff_are_warned_when_the_calendar_ends_within_90_days():
    CalendarDay.objects.filter(date__gt=dt.date(2026, 12, 31)).delete()
    CalendarDay.objects.update_or_create(date=dt.date(2026, 12, 31), defaults={"is_working_day": True})
    city = UserFactory(scope_unit=None, roles=[Role.CITY_STAFF])
    county = UserFactory(roles=[Role.COUNTY_STAFF])
    assert covered_until() == dt.date(2026, 12, 31)
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=SHANGHAI)):  # 91 days before: no warning
        assert TITLE not in _titles(city)
    with time_machine.travel(dt.datetime(2026, 10, 3, 9, tzinfo=SHANGHAI)):  # 89 days before
        assert TITLE in _titles(city)
        assert TITLE not in _titles(county)  # county staff read the calendar, city staff keep it
    assert county.has_perm("core.view_calendarday") and not county.has_perm("core.change_calendarday")
    assert city.has_perm("core.change_calendarday")
    # entering next year's notice clears the warning
    CalendarDay.objects.create(date=dt.date(2027, 10, 1), is_working_day=False, name="国庆节")
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=SHANGHAI)):
        assert TITLE not in _titles(city)

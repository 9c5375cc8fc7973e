import pytest


@pytest.fixture(autouse=True)
def working_day_calendar(db):
    """Transactional tests elsewhere flush the tables: restore the calendar migration 0008 seeds."""
    from core.calendar import seed_from_chinese_calendar
    from core.models import CalendarDay

    if not CalendarDay.objects.exists():
        seed_from_chinese_calendar(CalendarDay)

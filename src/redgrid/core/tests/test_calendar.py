"""The working-day calendar: weekends, statutory holidays and 调休 working weekends."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from redgrid.core.calendar import add_working_days, is_workday, working_days_between
from redgrid.core.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SH)


@pytest.mark.django_db
def test_weekdays_are_working_days_and_weekends_are_not_without_exceptions():
    assert is_workday(date(2026, 11, 20))  # Friday
    assert not is_workday(date(2026, 11, 21))  # Saturday


@pytest.mark.django_db
def test_seven_working_days_from_a_friday_end_on_the_tuesday_after_next_at_the_same_time():
    assert add_working_days(at(2026, 11, 20), 7) == at(2026, 12, 1)


@pytest.mark.django_db
def test_a_holiday_on_a_weekday_is_skipped_and_a_worked_saturday_counts():
    CalendarDay.objects.create(date=date(2026, 11, 24), is_workday=False, name="测试假日")
    assert add_working_days(at(2026, 11, 23), 1) == at(2026, 11, 25)
    CalendarDay.objects.create(date=date(2026, 11, 28), is_workday=True, name="调休上班")
    # Fri 27 + 1 working day is the worked Saturday 28.
    assert add_working_days(at(2026, 11, 27), 1) == at(2026, 11, 28)


@pytest.mark.django_db
def test_a_limit_started_on_a_weekend_counts_from_monday_morning():
    # Saturday 21 Nov, 1 working day: all of Monday 23 → due Tuesday 24 00:00.
    assert add_working_days(at(2026, 11, 21, 15), 1) == at(2026, 11, 24, 0)


@pytest.mark.django_db
def test_days_are_counted_in_local_time_not_utc():
    # 2026-11-23 07:00 Shanghai is still Sunday 23:00 UTC; Monday is the local day that counts.
    start = at(2026, 11, 23, 7)
    assert add_working_days(start, 1) == at(2026, 11, 24, 7)


@pytest.mark.django_db
def test_working_days_between_counts_the_half_open_interval():
    CalendarDay.objects.create(date=date(2026, 11, 25), is_workday=False)
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 4

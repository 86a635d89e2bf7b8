"""Working days across Tết, public holidays, swapped days and the admin's overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.calendar.models import DayKind
from tracker.calendar.services import WorkingCalendar, load_calendar, set_override
from tracker.extensions import db

calendar = WorkingCalendar()
NOW = datetime(2026, 11, 2, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 20),  # Tết Bính Ngọ 2026
        date(2027, 2, 4),
        date(2027, 2, 8),
        date(2027, 2, 10),  # Tết Đinh Mùi 2027
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 9, 2),
        date(2026, 11, 21),
        date(2026, 11, 22),
    ],  # a weekend
)
def test_days_off(day):
    assert not calendar.is_working_day(day)


def test_a_swapped_saturday_is_worked():
    # 2026: Monday 31/08 off in exchange for Saturday 22/08, announced by the government.
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 8, 31))


def test_working_days_across_tet_2026():
    # Friday 13/02/2026; Tết runs Monday 16/02 – Friday 20/02; work resumes Monday 23/02.
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert calendar.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert calendar.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)


def test_working_days_across_tet_2027():
    # Tết 2027 runs Thursday 04/02 – Wednesday 10/02 with the weekend inside it.
    assert calendar.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert calendar.working_days_between(date(2027, 2, 1), date(2027, 2, 12)) == 4


def test_a_deadline_on_a_day_off_moves_to_the_next_working_day():
    assert calendar.next_working_day(date(2026, 2, 14)) == date(2026, 2, 23)
    assert calendar.next_working_day(date(2026, 5, 1)) == date(2026, 5, 4)
    assert calendar.next_working_day(date(2026, 5, 5)) == date(2026, 5, 5)


def test_zero_working_days_is_the_day_itself_moved_off_a_day_off():
    assert calendar.add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 23)


def test_working_days_between_is_negative_backwards():
    assert calendar.working_days_between(date(2026, 11, 9), date(2026, 11, 2)) == -5


def test_admin_overrides_win_over_the_public_calendar(app):
    set_override(
        date(2026, 12, 26), DayKind.WORKING_DAY, "Làm bù cho ngày 31/12/2026", actor=None, now=NOW
    )
    set_override(date(2026, 12, 31), DayKind.DAY_OFF, "Nghỉ bù", actor=None, now=NOW)
    db.session.commit()
    cal = load_calendar()
    assert cal.is_working_day(date(2026, 12, 26))  # a Saturday, worked
    assert not cal.is_working_day(date(2026, 12, 31))  # a Thursday, off
    assert cal.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert cal.add_working_days(date(2026, 12, 25), 1) == date(2026, 12, 26)


def test_an_override_can_be_changed(app):
    set_override(date(2026, 12, 31), DayKind.DAY_OFF, "Nghỉ bù", actor=None, now=NOW)
    set_override(date(2026, 12, 31), DayKind.WORKING_DAY, "Huỷ nghỉ bù", actor=None, now=NOW)
    db.session.commit()
    assert load_calendar().is_working_day(date(2026, 12, 31))

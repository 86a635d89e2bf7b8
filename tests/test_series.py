"""Recurring tasks: occurrences on the right days, exactly once, catching up after downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.factories import complete_input
from tracker.calendar.services import load_calendar
from tracker.errors import PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.tasks.models import Task, TaskState
from tracker.tasks.series import services as recurring
from tracker.tasks.series.services import Rule

QUARTERLY_BEFORE_THE_20TH = Rule(frequency="quarterly", due_rule="calendar_day", due_day=20)
FIFTH_WORKING_DAY = Rule(frequency="monthly", due_rule="working_day", due_day=5)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


def _series(org, now, rule, starts_on, **overrides):
    content = complete_input(org, now.date(), title="Báo cáo cải cách hành chính", **overrides)
    made = recurring.create_series(content, rule, starts_on=starts_on, actor=org.assigner, now=now)
    db.session.commit()
    return made


def _due_dates(org) -> list[date]:
    return list(
        db.session.scalars(
            db.select(Task.due_date).where(Task.series_id.is_not(None)).order_by(Task.due_date)
        )
    )


def test_a_quarterly_series_falls_due_on_the_20th_or_the_next_working_day(org, now):
    made = _series(org, now, QUARTERLY_BEFORE_THE_20TH, date(2027, 1, 1))
    dues = [o.due_date for o in recurring.occurrences(made, load_calendar(), date(2028, 12, 31))]
    assert dues == [
        date(2027, 3, 22),  # Saturday 20/03 → Monday
        date(2027, 6, 21),  # Sunday 20/06 → Monday
        date(2027, 9, 20),
        date(2027, 12, 20),
        date(2028, 3, 20),
        date(2028, 6, 20),
        date(2028, 9, 20),
        date(2028, 12, 20),
    ]


def test_the_fifth_working_day_skips_tet(org, now):
    made = _series(org, now, FIFTH_WORKING_DAY, date(2027, 1, 1))
    dues = [o.due_date for o in recurring.occurrences(made, load_calendar(), date(2027, 3, 20))]
    # January: Fri 1 is New Year's Day. February: Tết closes offices from Thu 4 to Wed 10.
    assert dues == [date(2027, 1, 8), date(2027, 2, 12), date(2027, 3, 5)]


def test_occurrences_are_created_once_however_often_the_scheduler_runs(org, now):
    _series(org, now, QUARTERLY_BEFORE_THE_20TH, date(2027, 1, 1))
    first = recurring.create_occurrences(_at(date(2027, 2, 25)))
    again = recurring.create_occurrences(_at(date(2027, 2, 25)))
    db.session.commit()
    assert (first.created, again.created) == (1, 0)
    task = db.session.scalars(db.select(Task).where(Task.series_id.is_not(None))).one()
    assert task.state == TaskState.ISSUED and task.due_date == date(2027, 3, 22)
    assert task.start_date == date(2027, 3, 1)


def test_two_years_of_quarters_after_downtime_come_once_each(org, now):
    _series(org, now, QUARTERLY_BEFORE_THE_20TH, date(2027, 1, 1))
    # The scheduler ran every week for two years, stopping for months at a time.
    created = 0
    for day in (
        date(2027, 2, 25),
        date(2027, 2, 26),
        date(2027, 9, 1),
        date(2028, 6, 1),
        date(2028, 6, 1),
        date(2028, 12, 1),
    ):
        created += recurring.create_occurrences(_at(day)).created
        db.session.commit()
    dues = _due_dates(org)
    # Q2 2027 fell wholly inside a stop (created 24/05, due 21/06, next run 01/09) and
    # could not be issued after its deadline; every other quarter came exactly once.
    assert dues == [
        date(2027, 3, 22),
        date(2027, 9, 20),
        date(2028, 6, 20),
        date(2028, 12, 20),
    ]
    assert created == len(dues)


def test_a_paused_series_creates_nothing_and_resumes(org, now):
    made = _series(org, now, QUARTERLY_BEFORE_THE_20TH, date(2027, 1, 1))
    recurring.set_paused(made, True, actor=org.assigner, now=now)
    assert recurring.create_occurrences(_at(date(2027, 3, 1))).created == 0
    recurring.set_paused(made, False, actor=org.assigner, now=now)
    assert recurring.create_occurrences(_at(date(2027, 3, 1))).created == 1


def test_a_change_from_a_date_on_keeps_the_history(org, now):
    made = _series(org, now, QUARTERLY_BEFORE_THE_20TH, date(2027, 1, 1))
    recurring.create_occurrences(_at(date(2027, 3, 1)))
    content = complete_input(org, now.date(), title="Báo cáo quý (mẫu mới)")
    new = recurring.change_series(
        made,
        content,
        Rule(frequency="quarterly", due_rule="calendar_day", due_day=15),
        effective_from=date(2027, 4, 1),
        actor=org.assigner,
        now=now,
    )
    db.session.commit()
    assert made.ends_on == date(2027, 3, 31) and new.previous_id == made.id
    recurring.create_occurrences(_at(date(2027, 6, 1)))
    db.session.commit()
    titles = db.session.execute(
        db.select(Task.title, Task.due_date)
        .where(Task.series_id.is_not(None))
        .order_by(Task.due_date)
    ).all()
    assert titles == [
        ("Báo cáo cải cách hành chính", date(2027, 3, 22)),
        ("Báo cáo quý (mẫu mới)", date(2027, 6, 15)),
    ]
    assert recurring.series_chain(new) == [new, made]


def test_a_series_must_be_clear_on_every_ro(org, now):
    with pytest.raises(ValidationError) as refused:
        _series(org, now, QUARTERLY_BEFORE_THE_20TH, date(2027, 1, 1), accountable_user_id=None)
    assert "person" in refused.value.fields
    assert db.session.scalars(db.select(Task)).all() == []


def test_only_the_office_keeps_series(org, now):
    content = complete_input(org, now.date())
    with pytest.raises(PermissionDenied):
        recurring.create_series(
            content,
            QUARTERLY_BEFORE_THE_20TH,
            starts_on=date(2027, 1, 1),
            actor=org.head_a,
            now=now,
        )


@pytest.mark.parametrize(
    "rule",
    [
        Rule(frequency="weekly"),
        Rule(frequency="monthly", due_day=32),
        Rule(frequency="monthly", due_rule="working_day", due_day=25),
        Rule(frequency="working_days", every_working_days=0),
    ],
)
def test_a_rule_that_cannot_be_followed_is_refused(org, now, rule):
    with pytest.raises(ValidationError):
        _series(org, now, rule, date(2027, 1, 1))


def test_every_n_working_days(org, now):
    made = _series(
        org, now, Rule(frequency="working_days", every_working_days=10), date(2027, 1, 4)
    )
    dues = [o.due_date for o in recurring.occurrences(made, load_calendar(), date(2027, 2, 20))]
    assert dues[:2] == [date(2027, 1, 18), date(2027, 2, 1)]


def test_the_office_sets_up_a_series_on_its_page_and_sees_what_comes_next(client, auth, org):
    auth.login("vanphong")
    response = client.post(
        "/series/new",
        data={
            "title": "Báo cáo quý về cải cách hành chính",
            "description": "Báo cáo kết quả cải cách hành chính của quý.",
            "document_id": org.document.id,
            "field_id": org.field.id,
            "lead_unit_id": org.dept_a.id,
            "accountable_user_id": org.head_a.id,
            "supervisor_id": org.leader.id,
            "expected_outcome": "Báo cáo quý",
            "target": "Gửi đúng hạn",
            "process_steps": "Tổng hợp số liệu\nKý, gửi báo cáo",
            "priority": "normal",
            "frequency": "quarterly",
            "due_rule": "calendar_day",
            "due_day": "20",
            "create_days_ahead": "7",
            "starts_on": "01/01/2027",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "hạn 22/03/2027" in page and "hạn 21/06/2027" in page
    assert "Báo cáo quý về cải cách hành chính" in client.get("/series").get_data(as_text=True)
    auth.logout()
    auth.login("gd.tttt")
    assert client.get("/series").status_code == 403


def test_series_through_the_api(client, org):
    from tests.api_client import api_as

    body = {
        "title": "Báo cáo tháng",
        "description": "Báo cáo kết quả thực hiện trong tháng.",
        "document_id": org.document.id,
        "field_id": org.field.id,
        "lead_unit_id": org.dept_a.id,
        "accountable_user_id": org.head_a.id,
        "supervisor_user_id": org.leader.id,
        "expected_outcome": "Báo cáo",
        "target": "Đúng hạn",
        "process_steps": ["Tổng hợp", "Gửi"],
        "rule": {"frequency": "monthly", "due_rule": "working_day", "due_day": 5},
        "starts_on": "2027-01-01",
    }
    office = api_as(client, org.assigner)
    created = office.post("/task-series", body)
    assert created.status_code == 201
    made = created.get_json()
    assert [o["due_date"] for o in made["upcoming"][:2]] == ["2027-01-08", "2027-02-12"]
    paused = office.post(f"/task-series/{made['id']}/pause").get_json()
    assert paused["paused"] is True
    ended = office.post(f"/task-series/{made['id']}/end", {"ends_on": "2027-06-30"}).get_json()
    assert ended["ends_on"] == "2027-06-30"
    assert api_as(client, org.head_a).post("/task-series", body).status_code == 403
    dated = dict(body, due_date="2027-01-20")
    assert office.post("/task-series", dated).status_code == 422  # dates come from the rule

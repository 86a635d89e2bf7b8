"""A deadline that falls on a day off moves to the next working day (Bộ luật Dân sự 2015,
điều 148) — a task's due date, a milestone's and an approved extension's alike, whether
they come from the service, the web form or the API. A make-up working Saturday (làm bù)
is a working day and keeps its deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.api_client import api_as
from tests.factories import complete_input, in_progress_task
from tracker.calendar.models import DayKind
from tracker.calendar.services import set_override
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.models import ExtensionRequest, Task
from tracker.tasks.services import MilestoneInput

MAKE_UP_SATURDAY = date(2026, 11, 14)

# The day typed, and the day the deadline must fall on.
DAYS_OFF = {
    "saturday": (date(2026, 11, 7), date(2026, 11, 9)),
    "sunday": (date(2026, 11, 8), date(2026, 11, 9)),
    "tết": (date(2027, 2, 8), date(2027, 2, 11)),  # mùng ba Tết Đinh Mùi → Thursday
    "make-up saturday": (MAKE_UP_SATURDAY, MAKE_UP_SATURDAY),
}
CASES = pytest.mark.parametrize("typed, expected", list(DAYS_OFF.values()), ids=list(DAYS_OFF))


@pytest.fixture
def calendar(org, now):
    """The city's calendar, with one Saturday declared a working day (làm bù)."""
    set_override(MAKE_UP_SATURDAY, DayKind.WORKING_DAY, "Làm bù", actor=org.admin, now=now)
    db.session.commit()


def _today(now):
    return (now + timedelta(hours=7)).date()


def _web(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _only_task() -> Task:
    db.session.expire_all()
    return db.session.execute(sa.select(Task)).scalar_one()


# ---------------------------------------------------------------- the service


@CASES
def test_the_service_moves_a_due_date_off_a_day_off(org, now, calendar, typed, expected):
    task = services.create_draft(
        complete_input(org, _today(now), due_date=typed), actor=org.assigner, now=now
    )
    assert task.due_date == expected


@CASES
def test_the_service_moves_a_milestone_off_a_day_off(org, now, calendar, typed, expected):
    task = services.create_draft(
        complete_input(
            org,
            _today(now),
            due_date=date(2027, 3, 1),
            milestones=[MilestoneInput("Giai đoạn 1", typed)],
        ),
        actor=org.assigner,
        now=now,
    )
    assert [m.due_date for m in task.milestones] == [expected]


@CASES
def test_the_service_moves_an_approved_extension_off_a_day_off(org, now, calendar, typed, expected):
    task = in_progress_task(org, now, due_date=date(2026, 11, 5))
    request = services.request_extension(
        task, actor=org.head_a, now=now, new_due_date=typed, reason="Chờ số liệu"
    )
    services.decide_extension(request, actor=org.assigner, now=now, approve=True)
    db.session.commit()
    assert task.due_date == expected
    assert task.deadlines[-1].due_date == expected


# ---------------------------------------------------------------- the web pages


@CASES
def test_the_web_form_moves_a_due_date_off_a_day_off(
    client, auth, org, now, calendar, typed, expected
):
    from tests.test_web_tasks import _form_data

    auth.login("vanphong")
    response = client.post("/tasks/new", data=_form_data(org, _today(now), due_date=_web(typed)))
    assert response.status_code == 302
    assert _only_task().due_date == expected


@CASES
def test_the_web_form_moves_a_milestone_off_a_day_off(
    client, auth, org, now, calendar, typed, expected
):
    from tests.test_web_tasks import _form_data

    auth.login("vanphong")
    data = _form_data(
        org,
        _today(now),
        due_date=_web(date(2027, 3, 1)),
        **{"milestones-0-title": "Giai đoạn 1", "milestones-0-due_date": _web(typed)},
    )
    assert client.post("/tasks/new", data=data).status_code == 302
    assert [m.due_date for m in _only_task().milestones] == [expected]


@CASES
def test_an_extension_approved_on_the_web_moves_off_a_day_off(
    client, auth, org, now, calendar, typed, expected
):
    task = in_progress_task(org, now, due_date=date(2026, 11, 5))
    auth.login("gd.tttt")
    asked = client.post(
        f"/tasks/{task.id}/extension", data={"new_due_date": _web(typed), "reason": "Chờ số liệu"}
    )
    assert asked.status_code == 302
    auth.logout()
    auth.login("vanphong")
    request_id = db.session.execute(sa.select(ExtensionRequest.id)).scalar_one()
    decided = client.post(f"/extensions/{request_id}/decide", data={"approve": "1", "note": "Ok"})
    assert decided.status_code == 302
    assert _only_task().due_date == expected


# ---------------------------------------------------------------- the API


@CASES
def test_the_api_moves_a_due_date_and_a_milestone_off_a_day_off(
    client, org, now, calendar, typed, expected
):
    from tests.test_api import _task_body

    body = _task_body(
        org,
        due_in_working_days=None,
        due_date=date(2027, 3, 1).isoformat(),
        milestones=[{"title": "Giai đoạn 1", "due_date": typed.isoformat()}],
    )
    del body["due_in_working_days"]
    created = api_as(client, org.assigner).post("/tasks", body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["milestones"][0]["due_date"] == expected.isoformat()
    due_only = api_as(client, org.assigner).post(
        "/tasks", {**body, "milestones": [], "due_date": typed.isoformat()}
    )
    assert due_only.get_json()["due_date"] == expected.isoformat()


@CASES
def test_an_extension_approved_through_the_api_moves_off_a_day_off(
    client, org, now, calendar, typed, expected
):
    task = in_progress_task(org, now, due_date=date(2026, 11, 5))
    asked = api_as(client, org.head_a).post(
        f"/tasks/{task.id}/extension-requests",
        {"new_due_date": typed.isoformat(), "reason": "Chờ số liệu"},
    )
    assert asked.status_code == 201, asked.get_json()
    decided = api_as(client, org.assigner).post(
        f"/extension-requests/{asked.get_json()['id']}/decision", {"approve": True}
    )
    assert decided.status_code == 200, decided.get_json()
    assert api_as(client, org.assigner).get(f"/tasks/{task.id}").get_json()["due_date"] == (
        expected.isoformat()
    )

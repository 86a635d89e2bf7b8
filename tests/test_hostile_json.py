"""Hostile JSON and queries the API must refuse in its error shape, never with a 5xx —
deep nesting inside a field, huge and non-finite numbers, wrong types at every level —
and what the database reports when it is busy or a row changed under a request."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tests.api_client import api_as
from tests.factories import draft_task, in_progress_task
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.models import Task


def _post(client, org, path: str, raw: str | bytes, actor=None):
    actor = actor or org.assigner
    headers = {**api_as(client, actor)._headers, "Content-Type": "application/json"}
    return client.post(f"/api/v1{path}", data=raw, headers=headers)


def _error_shape(response) -> dict:
    body = response.get_json()
    assert set(body) >= {"error", "message", "fields"}, body
    assert isinstance(body["fields"], dict) and body["message"]
    return body


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    "raw",
    [
        '{"title": ' + _nested(900) + "}",
        '{"due_in_working_days": '
        + "9" * 5000
        + "}",  # more digits than Python converts  # deep, but within what the decoder reads
        '{"milestones": [' + "[" * 900 + "]" * 900 + "]}",
        '{"process_steps": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"title": "x", "title": ' + _nested(50) + "}",
    ],
    ids=["objects", "lists", "lists-5000", "long-number", "repeated-key"],
)
def test_deep_nesting_inside_a_field_is_refused_in_the_error_shape(client, org, raw):
    # Was a 500: the stack ran out while the body's text was normalised.
    tasks_before = db.session.scalar(sa.select(sa.func.count(Task.id)))
    response = _post(client, org, "/tasks", raw)
    assert response.status_code in (400, 422), response.status_code
    _error_shape(response)
    assert db.session.scalar(sa.select(sa.func.count(Task.id))) == tasks_before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"due_in_working_days": 1e400}', "due_in_working_days"),
        ('{"lead_unit_id": NaN}', "lead_unit_id"),
        ('{"lead_unit_id": -Infinity}', "lead_unit_id"),
        ('{"lead_unit_id": 1.5}', "lead_unit_id"),
        ('{"lead_unit_id": true}', "lead_unit_id"),
        ('{"milestones": "x"}', "milestones"),
        ('{"milestones": [1]}', "milestones.0._schema"),
        ('{"milestones": [{"title": 5, "due_date": 7}]}', "milestones.0.title"),
        ('{"milestones": [{"title": "x", "due_date": "2026-02-30"}]}', "milestones.0.due_date"),
        ('{"coordinating_units": {}}', "coordinating_units"),
        ('{"coordinating_units": [{"unit_id": "1"}]}', "coordinating_units.0.unit_id"),
        ('{"process_steps": [[]]}', "process_steps.0"),
        ('{"process_steps": "một bước"}', "process_steps"),
        ('{"priority": ["high"]}', "priority"),
        ('{"title": null}', "title"),
        (
            '{"milestones": ' + json.dumps([{"title": "m", "due_date": "2026-12-31"}] * 101) + "}",
            "milestones",
        ),
    ],
)
def test_huge_numbers_and_wrong_types_at_every_level_name_the_field(client, org, body, field):
    response = _post(client, org, "/tasks", body)
    assert response.status_code == 422, response.get_json()
    assert field in _error_shape(response)["fields"]


@pytest.mark.parametrize(
    ("actor", "path", "body", "field"),
    [
        ("head_a", "/tasks/{task}/progress", '{"percent": 1e309, "note": "x"}', "percent"),
        ("head_a", "/tasks/{task}/progress", '{"percent": "50", "note": "x"}', "percent"),
        ("head_a", "/tasks/{task}/progress", '{"percent": 50, "note": {"x": 1}}', "note"),
        ("head_a", "/tasks/{task}/submit", '{"result": ["done"]}', "result"),
        ("assigner", "/tasks/{task}/withdraw", '{"reason": 12}', "reason"),
        (
            "head_a",
            "/tasks/{task}/extension-requests",
            '{"new_due_date": 20261231, "reason": "x"}',
            "new_due_date",
        ),
        (
            "head_a",
            "/tasks/{task}/extension-requests",
            '{"new_due_date": "9999-12-31", "reason": "x"}',
            "new_due_date",
        ),
    ],
)
def test_every_action_refuses_wrong_types_by_field(client, org, now, actor, path, body, field):
    # Each action as someone who may take it: the body is read only after that check.
    task = in_progress_task(org, now)
    response = _post(client, org, path.format(task=task.id), body, getattr(org, actor))
    assert response.status_code == 422, response.get_json()
    assert field in _error_shape(response)["fields"]


@pytest.mark.parametrize(
    "query",
    [
        {"page": "9" * 40},
        {"per_page": "-1"},
        {"page": "1e3"},
        {"lead_unit_id": "9" * 30},
        {"due_before": "2026-13-01"},
        {"as_of": "0001-01-01"},
        {"q": "x" * 201},
        {"category": "'; DROP TABLE tasks; --"},
    ],
)
def test_hostile_queries_are_refused_by_field(client, org, query):
    response = api_as(client, org.assigner).get("/tasks", **query)
    assert response.status_code == 422, response.get_json()
    assert set(query) & set(_error_shape(response)["fields"])


def test_nul_and_control_characters_in_json_text_are_dropped_not_a_crash(client, org):
    response = _post(client, org, "/tasks", '{"title": "Nhi\\u0000ệm v\\u0007ụ\\u001b"}')
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["title"] == "Nhiệm vụ"


# ------------------------------------------------------------------ the database under load


def _raise(error):
    def run(*args, **kwargs):
        raise error

    return run


@pytest.mark.parametrize(
    "orig",
    [sqlite3.OperationalError("database is locked"), sqlite3.OperationalError("database is busy")],
)
def test_a_busy_database_is_a_503_with_a_message_and_nothing_saved(
    client, auth, org, now, monkeypatch, orig
):
    task = draft_task(org, now)
    busy = sa.exc.OperationalError("UPDATE tasks …", {}, orig)
    monkeypatch.setattr(services, "update_task", _raise(busy))
    api = api_as(client, org.assigner)
    response = api.patch(f"/tasks/{task.id}", {"version": task.version, "title": "Mới"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    body = _error_shape(response)
    assert body["error"] == "busy" and "chưa có thay đổi nào được lưu" in body["message"]
    auth.login("vanphong")
    page = client.post(f"/tasks/{task.id}/edit", data={"version": task.version, "title": "Mới"})
    assert page.status_code == 503
    assert "Vui lòng thử lại" in page.get_data(as_text=True)
    assert db.session.get(Task, task.id).title != "Mới"


def test_another_database_error_stays_a_500_without_a_trace(client, org, now, monkeypatch):
    task = draft_task(org, now)
    # A bug's error (a column the code expects and the schema lacks), not a fault.
    broken = sa.exc.OperationalError(
        "SELECT …", {}, sqlite3.OperationalError("no such column: tasks.nope")
    )
    monkeypatch.setattr(services, "update_task", _raise(broken))
    response = api_as(client, org.assigner).patch(f"/tasks/{task.id}", {"version": 1})
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert _error_shape(response)["error"] == "server_error"


@pytest.mark.parametrize(
    "fault", ["disk I/O error", "unable to open database file", "database or disk is full"]
)
def test_a_database_file_out_of_use_is_a_503_to_try_later(client, org, now, monkeypatch, fault):
    task = draft_task(org, now)
    broken = sa.exc.OperationalError("UPDATE tasks …", {}, sqlite3.OperationalError(fault))
    monkeypatch.setattr(services, "update_task", _raise(broken))
    response = api_as(client, org.assigner).patch(f"/tasks/{task.id}", {"version": 1})
    assert response.status_code == 503
    assert _error_shape(response)["error"] == "database_unavailable"


def test_a_row_changed_under_the_request_is_a_409_conflict(client, org, now, monkeypatch):
    task = in_progress_task(org, now)
    monkeypatch.setattr(services, "withdraw_task", _raise(StaleDataError("0 rows matched")))
    response = api_as(client, org.assigner).post(f"/tasks/{task.id}/withdraw", {"reason": "x"})
    assert response.status_code == 409
    body = _error_shape(response)
    assert body["error"] == "stale_version" and "người khác" in body["message"]

"""The JSON API: tokens, every endpoint per role, the lifecycle, errors and figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api_client import api_as
from tests.factories import (
    PASSWORD,
    complete_input,
    draft_task,
    in_progress_task,
    issued_task,
    submitted_task,
)
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.oversight import reports
from tracker.tasks import services
from tracker.tasks.clarity import missing_clarity
from tracker.tasks.models import TaskState


def _today():
    return local_date(utcnow())


def _foreign_task(org, now):
    """A task of department B, in which department A has no part."""
    return issued_task(
        org,
        now,
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
    )


def _task_body(org, **overrides) -> dict:
    today = _today()
    body = {
        "title": "Công khai tiến độ giải quyết hồ sơ trên Cổng dịch vụ công",
        "description": "Đồng bộ trạng thái hồ sơ của Sở lên Cổng dịch vụ công thành phố.",
        "document_id": org.document.id,
        "field_id": org.field.id,
        "lead_unit_id": org.dept_a.id,
        "accountable_user_id": org.head_a.id,
        "supervisor_user_id": org.leader.id,
        "coordinating_units": [{"unit_id": org.dept_b.id, "responsibility": "Góp ý quy trình"}],
        "start_date": today.isoformat(),
        "due_in_working_days": 20,
        "milestones": [
            {
                "title": "Hoàn thành kết nối thử",
                "due_date": (today + timedelta(days=10)).isoformat(),
            }
        ],
        "process_steps": ["Khảo sát hệ thống", "Kết nối và đồng bộ", "Nghiệm thu"],
        "expected_outcome": "Trạng thái hồ sơ hiển thị trên Cổng",
        "target": "100% hồ sơ có trạng thái cập nhật trong ngày",
        "priority": "high",
    }
    body.update(overrides)
    return body


# ------------------------------------------------------------------ tokens


def test_a_username_and_password_give_a_token_that_opens_the_api(client, org):
    response = client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("5ro_") and body["expires_at"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "gd.tttt"
    assert me.get_json()["roles"] == ["unit_head"]


def test_a_wrong_password_gets_401_in_json(client, org):
    response = client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": "sai"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_credentials"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer 5ro_khong-ton-tai", "Basic Z2QudHR0dDo=", "bearer " + "x" * 500],
)
def test_no_or_a_bad_token_is_refused_with_401(client, org, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_does_not_open_the_api(client, auth, org):
    auth.login("vanphong")
    assert client.get("/api/v1/me").status_code == 401


def test_an_expired_or_revoked_token_is_refused(client, org):
    from tracker.auth.models import AccessToken

    api = api_as(client, org.staff_a)
    assert api.get("/me").status_code == 200
    token = db.session.scalars(db.select(AccessToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert api.get("/me").status_code == 401
    token.expires_at, token.revoked_at = utcnow() + timedelta(hours=1), utcnow()
    db.session.commit()
    assert api.get("/me").status_code == 401


def test_tokens_are_stored_only_as_hashes(client, org):
    from tracker.auth.models import AccessToken

    response = client.post("/api/v1/tokens", json={"username": "cv.tttt", "password": PASSWORD})
    secret = response.get_json()["token"]
    stored = db.session.scalars(db.select(AccessToken)).one()
    assert secret not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64


def test_failed_api_sign_ins_are_throttled_in_json(strict_app):
    from tests.factories import build_org
    from tracker.clock import utcnow as clock

    build_org(clock())
    db.session.commit()
    client = strict_app.test_client()
    statuses = [
        client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": "sai"}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    throttled = client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": PASSWORD})
    assert throttled.status_code == 429 and throttled.get_json()["error"] == "throttled"


def test_the_api_needs_no_csrf_token_even_where_forms_do(strict_app):
    from tests.factories import build_org
    from tracker.clock import utcnow as clock

    org = build_org(clock())
    db.session.commit()
    api = api_as(strict_app.test_client(), org.assigner)
    assert api.post("/tasks", {"title": "Dự thảo qua API"}).status_code == 201


# ------------------------------------------------------------------ who may do what


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("assigner", 200),
        ("head_a", 200),
        ("staff_a", 200),
        ("leader", 200),
        ("inspector", 200),
        ("head_b", 200),  # department B coordinates the task
        ("admin", 404),  # administrators run the system, they do not follow tasks
    ],
)
def test_who_may_read_a_task(client, org, now, who, status):
    task = in_progress_task(org, now)
    assert api_as(client, getattr(org, who)).get(f"/tasks/{task.id}").status_code == status


@pytest.mark.parametrize("who", ["head_a", "staff_a", "staff_a2"])
def test_another_units_task_is_not_found_everywhere(client, org, now, who):
    task = _foreign_task(org, now)
    api = api_as(client, getattr(org, who))
    assert api.get(f"/tasks/{task.id}").status_code == 404
    assert api.get(f"/tasks/{task.id}/history").status_code == 404
    for action, body in [
        ("accept", {}),
        ("progress", {"percent": 10, "note": "x"}),
        ("submit", {"result": "x"}),
        ("withdraw", {"reason": "x"}),
        ("extension-requests", {"new_due_date": "2027-06-01", "reason": "x"}),
    ]:
        response = api.post(f"/tasks/{task.id}/{action}", body)
        assert response.status_code == 404, action
        assert response.get_json()["error"] == "not_found"
    assert (
        api.patch(f"/tasks/{task.id}", {"version": task.version, "title": "x"}).status_code == 404
    )
    listed = api.get("/tasks").get_json()
    assert task.id not in [item["id"] for item in listed["items"]]


def test_a_draft_is_only_the_offices(client, org, now):
    task = draft_task(org, now)
    assert api_as(client, org.head_a).get(f"/tasks/{task.id}").status_code == 404
    assert api_as(client, org.head_a).post(f"/tasks/{task.id}/issue").status_code == 404
    assert api_as(client, org.assigner).get(f"/tasks/{task.id}").status_code == 200


@pytest.mark.parametrize("who", ["head_a", "staff_a", "leader", "inspector", "admin"])
def test_only_the_office_drafts_tasks_and_registers_documents(client, org, who):
    api = api_as(client, getattr(org, who))
    response = api.post("/tasks", _task_body(org))
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    document = {"number": "1/KH", "kind": "Kế hoạch", "issuer": "UBND", "issued_on": "2026-01-05"}
    assert api.post("/documents", document).status_code == 403


def test_a_coordinating_unit_sees_the_task_but_may_not_act_on_it(client, org, now):
    task = in_progress_task(org, now)
    api = api_as(client, org.staff_b)
    assert api.get(f"/tasks/{task.id}").get_json()["allowed_actions"] == []
    assert api.post(f"/tasks/{task.id}/progress", {"percent": 20, "note": "x"}).status_code == 403
    assert api.post(f"/tasks/{task.id}/submit", {"result": "x"}).status_code == 403


def test_only_the_lead_units_head_accepts(client, org, now):
    task = issued_task(org, now)
    for who in ("staff_a", "head_b", "assigner"):
        assert api_as(client, getattr(org, who)).post(f"/tasks/{task.id}/accept").status_code == 403
    response = api_as(client, org.head_a).post(
        f"/tasks/{task.id}/accept", {"assignee_user_id": org.staff_a.id}
    )
    assert response.status_code == 200
    assert response.get_json()["state"] == "accepted"
    assert response.get_json()["assignee_user_id"] == org.staff_a.id


def test_only_the_office_reviews_and_withdraws(client, org, now):
    task = submitted_task(org, now)
    for who in ("head_a", "staff_a", "leader", "inspector"):
        api = api_as(client, getattr(org, who))
        assert api.post(f"/tasks/{task.id}/review", {"accept": True}).status_code == 403
        assert api.post(f"/tasks/{task.id}/withdraw", {"reason": "x"}).status_code == 403
    done = api_as(client, org.assigner).post(f"/tasks/{task.id}/review", {"accept": True})
    assert done.status_code == 200 and done.get_json()["state"] == "completed"


def test_an_action_the_state_does_not_allow_is_a_conflict(client, org, now):
    task = issued_task(org, now)
    response = api_as(client, org.head_a).post(f"/tasks/{task.id}/submit", {"result": "Xong"})
    assert response.status_code == 409
    assert response.get_json()["error"] == "illegal_transition"


def test_escalations_and_conclusions_follow_the_queue_rules(client, org, now):
    for who in ("staff_a", "admin"):
        assert api_as(client, getattr(org, who)).get("/escalations").status_code == 403
    for who in ("inspector", "assigner", "leader", "head_a"):
        assert api_as(client, getattr(org, who)).get("/escalations").status_code == 200
    assert (
        api_as(client, org.inspector)
        .post("/escalations/999/conclusion", {"outcome": "reminder", "note": "x"})
        .status_code
        == 404
    )


def test_reports_are_for_those_who_follow_others_work(client, org):
    assert api_as(client, org.staff_a).get("/reports/units").status_code == 403
    for who in ("assigner", "leader", "head_a", "inspector"):
        assert api_as(client, getattr(org, who)).get("/reports/units").status_code == 200


def test_notifications_are_the_callers_own(client, org, now):
    from tracker.notify.services import Message, queue

    queue("t:1", [org.staff_a.id], Message("Nhắc hạn", "Nội dung"), now=now)
    db.session.commit()
    mine = api_as(client, org.staff_a).get("/notifications").get_json()
    assert [n["subject"] for n in mine["items"]] == ["Nhắc hạn"] and mine["total"] == 1
    assert api_as(client, org.staff_b).get("/notifications").get_json()["total"] == 0


def test_the_directory_lists_units_users_and_fields(client, org):
    api = api_as(client, org.staff_a)
    units = api.get("/units", per_page=100).get_json()
    assert {u["code"] for u in units["items"]} >= {"STTTT", "STP", "SNV"}
    users = api.get("/users", unit_id=org.dept_a.id).get_json()
    assert {u["username"] for u in users["items"]} == {"gd.tttt", "cv.tttt", "cv2.tttt"}
    assert "email" not in users["items"][0]
    assert api.get("/fields").get_json()["items"][0]["code"] == "CDS"


def test_documents_are_listed_registered_and_read(client, org):
    api = api_as(client, org.assigner)
    created = api.post(
        "/documents",
        {"number": "12/CT-UBND", "kind": "Chỉ thị", "issuer": "UBND TP", "issued_on": "2026-03-02"},
    )
    assert created.status_code == 201
    document_id = created.get_json()["id"]
    assert api.get(f"/documents/{document_id}").get_json()["number"] == "12/CT-UBND"
    assert api.get("/documents").get_json()["total"] == 2
    assert api.get("/documents/99999").status_code == 404


# ------------------------------------------------------------------ drafting, the gate, edits


def test_a_draft_is_created_and_the_gate_names_what_is_missing(client, org):
    api = api_as(client, org.assigner)
    created = api.post("/tasks", {"title": "Rà soát thủ tục hành chính"})
    assert created.status_code == 201
    task = created.get_json()
    assert task["state"] == "draft" and "person" in task["missing"]
    refused = api.post(f"/tasks/{task['id']}/issue")
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "incomplete_task"
    assert set(body["missing"]) == {
        "task",
        "person",
        "timeline",
        "process",
        "outcome",
        "responsibility",
    }
    assert set(body["fields"]) == set(body["missing"])


def test_a_complete_draft_computes_its_due_date_in_working_days(client, org):
    api = api_as(client, org.assigner)
    body = _task_body(
        org,
        start_date="2027-01-04",  # a Monday; January 2027 has no day off after New Year's
        due_in_working_days=20,
        milestones=[{"title": "Hoàn thành kết nối thử", "due_date": "2027-01-15"}],
    )
    created = api.post("/tasks", body).get_json()
    assert created["missing"] == []
    # Four weeks of five working days, weekends skipped: the Monday four weeks on.
    assert created["due_date"] == "2027-02-01"
    assert created["supervisor_user_id"] == org.leader.id
    assert created["coordinating_units"] == [
        {"unit_id": org.dept_b.id, "responsibility": "Góp ý quy trình"}
    ]
    assert created["process_steps"][0] == "Khảo sát hệ thống"


def test_an_edit_with_a_stale_version_is_refused_and_saves_nothing(client, org, now):
    task = draft_task(org, now)
    read = task.version
    api = api_as(client, org.assigner)
    first = api.patch(f"/tasks/{task.id}", {"version": read, "title": "Bản sửa thứ nhất"})
    assert first.status_code == 200 and first.get_json()["version"] > read
    stale = api.patch(f"/tasks/{task.id}", {"version": read, "title": "Bản sửa cũ"})
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale_version"
    assert api.get(f"/tasks/{task.id}").get_json()["title"] == "Bản sửa thứ nhất"


def test_an_edit_keeps_the_fields_left_out(client, org, now):
    task = draft_task(org, now)
    response = api_as(client, org.assigner).patch(
        f"/tasks/{task.id}", {"version": task.version, "priority": "urgent"}
    )
    body = response.get_json()
    assert body["priority"] == "urgent" and body["title"] == task.title
    assert len(body["process_steps"]) == 2


def test_an_edit_without_its_version_is_a_validation_error(client, org, now):
    task = draft_task(org, now)
    response = api_as(client, org.assigner).patch(f"/tasks/{task.id}", {"title": "x"})
    assert response.status_code == 422 and "version" in response.get_json()["fields"]


def test_refusals_name_fields_as_the_api_does(client, org):
    body = _task_body(org, supervisor_user_id=987654)
    response = api_as(client, org.assigner).post("/tasks", body)
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"supervisor_user_id"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 5}, "title"),
        ({"due_date": "31/12/2026"}, "due_date"),
        ({"due_in_working_days": "ten"}, "due_in_working_days"),
        ({"lead_unit_id": 2**40}, "lead_unit_id"),
        ({"priority": "whenever"}, "priority"),
        ({"milestones": [{"title": "x"}]}, "milestones.0.due_date"),
        ({"colour": "red"}, "colour"),
        ({"title": "x" * 501}, "title"),
    ],
)
def test_malformed_fields_are_named_in_a_422(client, org, body, field):
    response = api_as(client, org.assigner).post("/tasks", body)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_a_far_off_date_is_refused_by_the_rule_not_by_a_crash(client, org):
    response = api_as(client, org.assigner).post("/tasks", {"due_date": "2900-01-01"})
    assert response.status_code == 422 and "due_date" in response.get_json()["fields"]


@pytest.mark.parametrize("raw", ["{not json", "[]", '"text"', "null"])
def test_a_body_that_is_not_a_json_object_is_refused(client, org, raw):
    token = api_as(client, org.assigner)._headers
    response = client.post(
        "/api/v1/tasks", data=raw, headers={**token, "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.is_json and "error" in response.get_json()


def test_unknown_addresses_and_methods_answer_in_json(client, org):
    api = api_as(client, org.assigner)
    missing = api.get("/khong-co")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    wrong = client.delete("/api/v1/tasks", headers=api._headers)
    assert wrong.status_code == 405 and wrong.get_json()["error"] == "method_not_allowed"


def test_messages_follow_accept_language(client, org):
    english = client.get("/api/v1/tasks", headers={"Accept-Language": "en"})
    assert english.get_json()["message"].startswith("A valid access token")
    vietnamese = client.get("/api/v1/tasks")
    assert vietnamese.get_json()["message"].startswith("Cần mã truy cập")


# ------------------------------------------------------------------ the whole lifecycle


def test_a_task_goes_from_draft_to_completion_through_the_api(client, org):
    office, head, staff = (api_as(client, u) for u in (org.assigner, org.head_a, org.staff_a))
    document = office.post(
        "/documents",
        {
            "number": "25/KH-UBND",
            "kind": "Kế hoạch",
            "issuer": "UBND TP",
            "issued_on": "2026-11-02",
            "summary": "Kế hoạch chuyển đổi số",
        },
    ).get_json()
    task = office.post("/tasks", _task_body(org, document_id=document["id"])).get_json()
    task = office.post(f"/tasks/{task['id']}/issue").get_json()
    assert task["state"] == "issued" and task["original_due_date"] == task["due_date"]
    assert task["category"] == "on_track"

    task = head.post(f"/tasks/{task['id']}/accept", {"assignee_user_id": org.staff_a.id}).get_json()
    task = staff.post(
        f"/tasks/{task['id']}/progress",
        {"percent": 40, "note": "Đã kết nối thử", "difficulties": "Chờ cấp tài khoản"},
    ).get_json()
    assert task["state"] == "in_progress" and task["progress_percent"] == 40

    new_due = (_today() + timedelta(days=60)).isoformat()
    asked = head.post(
        f"/tasks/{task['id']}/extension-requests",
        {"new_due_date": new_due, "reason": "Chờ Bộ cấp tài khoản kết nối"},
    )
    assert asked.status_code == 201 and asked.get_json()["status"] == "pending"
    decided = office.post(
        f"/extension-requests/{asked.get_json()['id']}/decision",
        {"approve": True, "note": "Đồng ý"},
    ).get_json()
    assert decided["status"] == "approved"
    assert decided["task"]["due_date"] >= new_due
    assert decided["task"]["original_due_date"] == task["original_due_date"]

    task = head.post(f"/tasks/{task['id']}/submit", {"result": "Đã đồng bộ 100% hồ sơ"}).get_json()
    assert task["state"] == "submitted"
    task = office.post(f"/tasks/{task['id']}/review", {"accept": True, "note": "Đạt"}).get_json()
    assert task["state"] == "completed" and task["category"] == "done_on_time"
    assert task["allowed_actions"] == []

    history = office.get(f"/tasks/{task['id']}/history", per_page=100).get_json()
    actions = [event["action"] for event in history["items"]]
    assert actions == [
        "task.created",
        "task.issued",
        "task.accepted",
        "task.started",
        "task.progress",
        "task.extension_requested",
        "task.extension_decided",
        "task.submitted",
        "task.completed",
    ]
    assert history["items"][1]["actor"] == "vanphong"


def test_a_task_returned_for_more_work_can_be_submitted_again(client, org, now):
    task = submitted_task(org, now)
    office, head = api_as(client, org.assigner), api_as(client, org.head_a)
    returned = office.post(f"/tasks/{task.id}/review", {"accept": False, "note": "Bổ sung số liệu"})
    assert returned.get_json()["state"] == "in_progress"
    assert office.post(f"/tasks/{task.id}/review", {"accept": False}).status_code == 409
    again = head.post(f"/tasks/{task.id}/submit", {"result": "Đã bổ sung"})
    assert again.get_json()["state"] == "submitted"


def test_a_withdrawal_needs_a_reason(client, org, now):
    task = issued_task(org, now)
    office = api_as(client, org.assigner)
    assert office.post(f"/tasks/{task.id}/withdraw", {"reason": "  "}).status_code == 422
    done = office.post(f"/tasks/{task.id}/withdraw", {"reason": "Trùng nhiệm vụ khác"})
    assert done.get_json()["state"] == "withdrawn"


# ------------------------------------------------------------------ lists and figures


def test_the_task_list_filters_and_pages(client, org, now):
    mine = [issued_task(org, now, title=f"Nhiệm vụ số {n}") for n in range(3)]
    _foreign_task(org, now)
    api = api_as(client, org.head_a)
    page = api.get("/tasks", per_page=2).get_json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["per_page"] == 2
    second = api.get("/tasks", per_page=2, page=2).get_json()
    assert {i["id"] for i in page["items"] + second["items"]} == {t.id for t in mine}
    found = api.get("/tasks", q="NHIEM VU SO 1").get_json()
    assert [i["id"] for i in found["items"]] == [mine[1].id]
    office = api_as(client, org.assigner)
    assert office.get("/tasks", lead_unit_id=org.dept_b.id).get_json()["total"] == 1
    assert office.get("/tasks", category="overdue").get_json()["total"] == 0
    assert api.get("/tasks", per_page=101).status_code == 422


def test_as_of_classifies_tasks_as_they_stood(client, org, now):
    task = issued_task(org, now)
    api = api_as(client, org.assigner)
    after_due = task.due_date + timedelta(days=7)
    late = api.get("/tasks", as_of=after_due.isoformat(), category="overdue").get_json()
    assert [i["id"] for i in late["items"]] == [task.id]


def test_the_unit_report_matches_the_dashboard(client, org, now):
    in_progress_task(org, now)
    submitted_task(org, now, title="Đã nộp kết quả")
    task = issued_task(
        org, now, lead_unit_id=org.dept_b.id, accountable_user_id=org.head_b.id, coordinating=[]
    )
    later = task.due_date + timedelta(days=10)
    for day in (_today(), later):
        body = api_as(client, org.assigner).get("/reports/units", as_of=day.isoformat()).get_json()
        total, by_unit = reports.unit_figures(org.assigner, day)
        assert body["total"]["overdue"] == total.overdue
        assert body["total"]["on_time_rate"] == total.on_time_rate
        expected = {
            unit.id: (f.on_track, f.overdue, f.done_on_time, f.done_late, f.on_time_rate)
            for unit, f in by_unit
        }
        got = {
            row["unit_id"]: (
                row["on_track"],
                row["overdue"],
                row["done_on_time"],
                row["done_late"],
                row["on_time_rate"],
            )
            for row in body["units"]
        }
        assert got == expected
    # The figures themselves: before the due dates all three run on time; after them the two
    # still in progress are overdue, and the one whose result came in time is not.
    on_time = api_as(client, org.assigner).get("/reports/units", as_of=_today().isoformat())
    overdue = api_as(client, org.assigner).get("/reports/units", as_of=later.isoformat())
    assert [(r["on_track"], r["overdue"]) for r in on_time.get_json()["units"]] == [(2, 0), (1, 0)]
    assert [(r["on_track"], r["overdue"]) for r in overdue.get_json()["units"]] == [(1, 1), (0, 1)]


def test_the_period_report_counts_tasks_received_in_it(client, org, now):
    issued_task(org, now)
    api = api_as(client, org.assigner)
    day = _today()
    body = api.get("/reports/units", **{"from": "2026-01-01", "to": day.isoformat()}).get_json()
    assert [(r["unit_code"], r["received"]) for r in body["units"]] == [("STTTT", 1)]
    refused = api.get("/reports/units", **{"from": "2026-12-01", "to": "2026-01-01"})
    assert refused.status_code == 422


def test_a_task_read_in_the_list_says_the_same_as_alone(client, org, now):
    task = in_progress_task(org, now)
    api = api_as(client, org.head_a)
    alone = api.get(f"/tasks/{task.id}").get_json()
    listed = api.get("/tasks").get_json()["items"][0]
    assert listed == alone
    assert alone["state"] == TaskState.IN_PROGRESS


def test_a_draft_edit_through_the_api_is_audited_like_the_web(client, org, now):
    task = draft_task(org, now, title="Tên cũ")
    api_as(client, org.assigner).patch(
        f"/tasks/{task.id}", {"version": task.version, "title": "Tên mới"}
    )
    history = api_as(client, org.assigner).get(f"/tasks/{task.id}/history").get_json()
    edit = history["items"][-1]
    assert edit["action"] == "task.updated"
    assert edit["before"] == {"title": "Tên cũ"} and edit["after"] == {"title": "Tên mới"}


def test_the_factories_task_and_the_api_body_both_pass_the_gate(client, org, now):
    # The tests build tasks both ways; each must be a task the office could issue.
    drafted = services.create_draft(complete_input(org, _today()), actor=org.assigner, now=now)
    assert missing_clarity(drafted, _today()) == {}
    posted = api_as(client, org.assigner).post("/tasks", _task_body(org))
    assert posted.status_code == 201 and posted.get_json()["missing"] == []


def test_field_messages_are_in_the_readers_language(client, org):
    api = api_as(client, org.assigner)
    response = api.post("/tasks", {"title": 5, "priority": "whenever"})
    assert response.get_json()["fields"]["title"] == "phải là chuỗi ký tự"
    english = client.post(
        "/api/v1/tasks",
        json={"title": 5},
        headers={**api._headers, "Accept-Language": "en"},
    )
    assert english.get_json()["fields"]["title"] == "must be a string"


@pytest.mark.parametrize("query", ["as_of=01/01/1990", "as_of=31/12/9999"])
def test_a_report_date_outside_the_calendar_is_ignored_on_the_dashboard(client, auth, org, query):
    auth.login("vanphong")
    page = client.get(f"/oversight?{query}")
    assert page.status_code == 200
    assert 'value="2026-11-02"' in page.get_data(as_text=True)  # today's figures instead


@pytest.mark.parametrize("query", ["end=01/01/1990", "start=01/01/1800&end=31/12/9999"])
def test_a_period_outside_the_calendar_is_ignored_on_the_scorecards(client, auth, org, query):
    auth.login("vanphong")
    page = client.get(f"/oversight/units?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # The year so far instead: from 1 January to today.
    assert 'value="2026-01-01"' in html and 'value="2026-11-02"' in html


def test_an_escalation_is_listed_and_concluded_by_the_inspector_only(client, org, now):
    from tests.test_escalation_pages import _escalated

    task, escalation = _escalated(org, now)
    inspector = api_as(client, org.inspector)
    listed = inspector.get("/escalations", status="open", unit_id=org.dept_a.id).get_json()
    assert [(e["id"], e["task_id"]) for e in listed["items"]] == [(escalation.id, task.id)]
    assert api_as(client, org.head_b).get("/escalations").get_json()["total"] == 0
    conclusion = {"outcome": "criticism", "note": "Chậm 10 ngày làm việc, không báo cáo"}
    for who in ("assigner", "head_a", "leader"):
        refused = api_as(client, getattr(org, who)).post(
            f"/escalations/{escalation.id}/conclusion", conclusion
        )
        assert refused.status_code == 403
    concluded = inspector.post(f"/escalations/{escalation.id}/conclusion", conclusion)
    assert concluded.status_code == 201
    body = concluded.get_json()
    assert body["status"] == "concluded" and body["conclusions"][0]["outcome"] == "criticism"
    again = inspector.post(f"/escalations/{escalation.id}/conclusion", conclusion)
    assert again.status_code == 409
    corrected = inspector.post(
        f"/escalations/{escalation.id}/conclusion",
        {**conclusion, "outcome": "reminder", "corrects_id": body["conclusions"][0]["id"]},
    )
    assert [c["outcome"] for c in corrected.get_json()["conclusions"]] == ["criticism", "reminder"]


def test_only_the_office_decides_an_extension(client, org, now):
    task = in_progress_task(org, now)
    asked = api_as(client, org.head_a).post(
        f"/tasks/{task.id}/extension-requests",
        {"new_due_date": (task.due_date + timedelta(days=20)).isoformat(), "reason": "Chờ số liệu"},
    )
    request_id = asked.get_json()["id"]
    for who in ("head_a", "staff_a", "head_b", "leader"):
        response = api_as(client, getattr(org, who)).post(
            f"/extension-requests/{request_id}/decision", {"approve": True}
        )
        assert response.status_code == 403, who
    refused = api_as(client, org.assigner).post(
        f"/extension-requests/{request_id}/decision", {"approve": False}
    )
    assert refused.status_code == 422 and "note" in refused.get_json()["fields"]
    assert (
        api_as(client, org.staff_b)
        .post("/extension-requests/999/decision", {"approve": True})
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python's decoder goes
        '{"title": "\\ud800 nửa ký tự"}',  # a lone surrogate: JSON, but no character
        b'{"title": "\xff"}',  # not UTF-8
    ],
)
def test_hostile_json_is_malformed_not_a_crash(client, org, raw):
    headers = {**api_as(client, org.assigner)._headers, "Content-Type": "application/json"}
    response = client.post("/api/v1/tasks", data=raw, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"] == "malformed"


def test_an_oversized_body_is_refused_with_413(client, org):
    headers = {**api_as(client, org.assigner)._headers, "Content-Type": "application/json"}
    body = '{"title": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/tasks", data=body, headers=headers)
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"

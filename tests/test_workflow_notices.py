"""Every step of a task's life tells the right people, and only them; each person's
"Chờ tôi xử lý" says what each waiting task needs from them (issue 17)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from tests.api_client import api_as
from tests.factories import (
    complete_input,
    draft_task,
    forget_workflow_notices,
    issued_task,
    submitted_task,
)
from tests.test_reminders import DUE, sweep, wd
from tracker.clock import local_date
from tracker.extensions import db
from tracker.tasks import services

# Who must never hear of the tasks below: they are on none of them.
BYSTANDERS = ("staff_b", "inspector", "admin")
PEOPLE = (
    "assigner",
    "leader",
    "head_a",
    "staff_a",
    "staff_a2",
    "head_b",
    *BYSTANDERS,
)


def _kinds(client, user) -> Counter:
    """The kinds of the notices in a person's inbox, read through the API."""
    answer = api_as(client, user).get("/notifications", per_page=100)
    assert answer.status_code == 200
    return Counter(item["kind"] for item in answer.get_json()["items"])


def _received(client, org) -> dict[str, Counter]:
    return {name: _kinds(client, getattr(org, name)) for name in PEOPLE}


def test_each_step_notifies_exactly_the_people_it_concerns(client, org, now):
    # The accountable person is not the head, so every recipient can be told apart; the
    # leader supervises and Sở Tư pháp (head_b) coordinates.
    task = issued_task(org, now, accountable_user_id=org.staff_a2.id)
    services.accept_task(task, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    asked = services.request_extension(
        task, actor=org.head_a, now=now, new_due_date=task.due_date + timedelta(days=14),
        reason="Chờ số liệu của các quận",
    )  # fmt: skip
    services.decide_extension(asked, actor=org.assigner, now=now, approve=True)
    services.report_progress(task, actor=org.staff_a, now=now, percent=100, narrative="Xong")
    services.submit_result(task, actor=org.staff_a, now=now, result="Bản số hoá")
    services.review_result(task, actor=org.assigner, now=now, accept=False, note="Thiếu phụ lục")
    services.submit_result(task, actor=org.staff_a, now=now, result="Bản số hoá, có phụ lục")
    services.review_result(task, actor=org.assigner, now=now, accept=True)
    withdrawn = issued_task(org, now, accountable_user_id=org.staff_a2.id)
    services.withdraw_task(withdrawn, actor=org.assigner, now=now, reason="Trùng nhiệm vụ khác")
    db.session.commit()
    api_as(client, org.head_b).post(f"/tasks/{task.id}/comments", {"body": "Đã thẩm định."})

    expected = {
        "assigner": {"task.accepted": 1, "extension.requested": 1, "task.submitted": 2,
                     "comment.added": 1},
        "head_a": {"task.issued": 2, "extension.decided": 1, "task.returned": 1,
                   "task.completed": 1, "task.withdrawn": 1, "comment.added": 1},
        "staff_a2": {"task.issued": 2, "extension.decided": 1, "task.returned": 1,
                     "task.completed": 1, "task.withdrawn": 1, "comment.added": 1},
        "staff_a": {"task.accepted": 1, "task.returned": 1, "task.completed": 1,
                    "comment.added": 1},
        "leader": {"task.withdrawn": 1, "comment.added": 1},
        "head_b": {"task.withdrawn": 1},  # not told of the comment they wrote themselves
    }  # fmt: skip
    assert _received(client, org) == {name: Counter(expected.get(name, {})) for name in PEOPLE}


def test_a_notice_names_what_happened_and_links_to_the_task(client, org, now, app):
    task = issued_task(org, now)
    [notice] = api_as(client, org.head_a).get("/notifications").get_json()["items"]
    assert notice["kind"] == "task.issued" and notice["task_id"] == task.id
    assert notice["link"] == f"{app.config['BASE_URL']}/tasks/{task.id}"
    assert "đã giao nhiệm vụ" in notice["body"] and task.title in notice["subject"]


def test_a_refused_step_tells_nobody(client, org, now):
    task = draft_task(org, now, description="")
    with pytest.raises(Exception):  # noqa: B017 - the gate's refusal; its text is tested elsewhere
        services.issue_task(task, actor=org.assigner, now=now)
    db.session.rollback()
    assert _kinds(client, org.head_a) == Counter()


def _pending(client, user) -> list[tuple[int, str]]:
    answer = api_as(client, user).get("/me/pending")
    assert answer.status_code == 200
    return [(item["task_id"], item["needed"]) for item in answer.get_json()["items"]]


def test_what_waits_for_each_role_and_what_it_needs(client, org, now, clock):
    to_accept = issued_task(org, now, title="Chờ tiếp nhận")
    to_review = submitted_task(org, now, title="Chờ đánh giá")
    quiet = issued_task(org, now, title="Lâu chưa báo cáo")
    services.accept_task(quiet, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    extended = issued_task(org, now, title="Xin gia hạn")
    services.request_extension(
        extended, actor=org.head_a, now=now, new_due_date=extended.due_date + timedelta(days=7),
        reason="Chờ ý kiến Bộ",
    )  # fmt: skip
    db.session.commit()

    # Oldest wait first; the task asking for more time was never accepted either.
    assert _pending(client, org.head_a) == [(to_accept.id, "accept"), (extended.id, "accept")]
    assert sorted(_pending(client, org.assigner)) == sorted(
        [(to_review.id, "review"), (extended.id, "decide_extension")]
    )
    for name in ("leader", "inspector", "admin", "staff_b", "head_b"):
        assert _pending(client, getattr(org, name)) == [], name
    # The carrier is asked for a report only once nothing was reported for ten days.
    assert _pending(client, org.staff_a) == []
    clock.advance(timedelta(days=11))
    assert _pending(client, org.staff_a) == [(quiet.id, "report_progress")]


def test_a_finished_or_returned_task_asks_its_carrier_for_the_result(client, org, now):
    task = submitted_task(org, now)
    services.review_result(task, actor=org.assigner, now=now, accept=False, note="Làm lại")
    done = issued_task(org, now, title="Đã làm xong")
    services.accept_task(done, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    services.report_progress(done, actor=org.staff_a, now=now, percent=100, narrative="Xong")
    db.session.commit()
    assert sorted(_pending(client, org.staff_a)) == sorted(
        [(task.id, "submit_result"), (done.id, "submit_result")]
    )


def test_the_home_page_says_what_each_waiting_task_needs(client, auth, org, now):
    task = issued_task(org, now)
    auth.login("gd.tttt")
    page = client.get("/").get_data(as_text=True)
    assert "Chờ tôi xử lý" in page
    assert "Tiếp nhận, phân công người thực hiện" in page
    assert f'/tasks/{task.id}"' in page
    assert local_date(now).strftime("%d/%m/%Y") in page  # waiting since the day of issue


def test_an_unrelated_unit_sees_nothing_waiting(client, org, now):
    services.create_draft(complete_input(org, local_date(now)), actor=org.assigner, now=now)
    db.session.commit()
    assert _pending(client, org.head_b) == []


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("pct.ha", "/oversight/briefing"),  # the leader: their fields' briefing
        ("snv.thanhtra", "/oversight"),  # Sở Nội vụ: Giám sát
        ("quantri", "/admin/system"),  # the admin: Quản trị
    ],
)
def test_who_carries_no_tasks_lands_on_their_own_first_page(client, auth, org, username, lands_on):
    auth.login(username)
    answer = client.get("/")
    assert answer.status_code == 302 and answer.location == lands_on
    my_work = client.get("/my-work")  # still one click away, in the menu
    assert my_work.status_code == 200 and 'href="/my-work"' in my_work.get_data(as_text=True)


@pytest.mark.parametrize("username", ["vanphong", "gd.tttt", "cv.tttt"])
def test_who_carries_or_gives_out_tasks_lands_on_their_work(client, auth, org, username):
    auth.login(username)
    answer = client.get("/")
    assert answer.status_code == 200 and "Việc của tôi" in answer.get_data(as_text=True)


def test_the_sweeps_notices_carry_their_kind_in_the_api(client, org, now):
    issued_task(org, now, due_date=DUE)
    forget_workflow_notices()
    sweep(wd(DUE, -5))  # five working days before: a reminder
    sweep(wd(DUE, 1))  # a day late: the reminders of the days between, and a warning
    kinds = _kinds(client, org.head_a)
    assert set(kinds) == {"reminder", "warning"} and kinds["warning"] == 1

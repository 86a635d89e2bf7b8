"""Parallel clients against a real server: no lost update, one consistent end state.

The tracker runs in gunicorn (several processes, several threads each) on the test's own
database, SQLite or PostgreSQL. Fifty clients read one task, then all save an edit based
on the version they read, at the same instant: exactly one edit wins each round, every
other client is told its edit conflicts, and the task and its audit trail hold the
winner's edit and nothing else. Then pairs of people act on one task at once — two heads
accept, the office withdraws while the head accepts or the result is submitted, two
decisions on one extension request — and each pair ends in one state that the audit
trail tells the same way.

RELIABILITY_ROUNDS and RELIABILITY_CLIENTS make the hunt longer; the figures are kept in
test-artifacts/reliability/ for docs/RELIABILITY.md.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL
from tests.factories import _user, in_progress_task, issued_task
from tests.live_server import LiveServer, all_at_once, write_summary
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.auth.tokens import sign_in_token
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.org.models import Role
from tracker.tasks import services
from tracker.tasks.models import ExtensionRequest, Task, TaskDeadline, TaskState

ROUNDS = int(os.environ.get("RELIABILITY_ROUNDS", "3"))
CLIENTS = int(os.environ.get("RELIABILITY_CLIENTS", "50"))
PAIR_ROUNDS = int(os.environ.get("RELIABILITY_PAIR_ROUNDS", "4"))
DATABASE = "postgresql" if POSTGRES_URL else "sqlite"
CONFLICT_CODES = {"stale_version", "illegal_transition"}


@pytest.fixture
def server(app, org, tmp_path):
    """gunicorn serving the test's database (stopped before the database is emptied)."""
    live = LiveServer(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, now=app.config["TRACKER_NOW"]
    )
    yield live
    live.stop()


def _at_once(calls):
    """Fire the calls together, holding no transaction of our own meanwhile: outside a
    request the tests' SQLite transactions take the write lock, which would stall the
    server's writers."""
    db.session.rollback()
    return all_at_once(calls)


def _bearer(user) -> dict[str, str]:
    token, _ = sign_in_token(user, now=utcnow())
    db.session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "vi"}


def _events(task_id: int, *actions: str) -> list[str]:
    db.session.rollback()  # see what the server committed
    query = (
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "Task", AuditEvent.object_id == task_id)
        .where(AuditEvent.action.in_(actions))
        .order_by(AuditEvent.seq)
    )
    return list(db.session.scalars(query))


def _no_server_errors(server: LiveServer, answers) -> None:
    errors = [(a.status, a.body) for a in answers if a.status >= 500]
    assert not errors, (errors, server.tracebacks())
    assert not server.tracebacks(), server.log()


def _is_conflict(answer) -> bool:
    body = answer.body if isinstance(answer.body, dict) else {}
    return (
        answer.status == 409 and body.get("error") in CONFLICT_CODES and bool(body.get("message"))
    )


def test_fifty_conflicting_edits_one_wins_each_round_and_none_is_lost(server, org, now):
    task = issued_task(org, now)
    task_id = task.id
    # Each client is its own program with its own token; some are other officers.
    colleagues = [org.assigner] + [
        _user(f"vanphong{n}", f"Chuyên viên Văn phòng {n}", org.office, [Role.ASSIGNER], now)
        for n in range(4)
    ]
    db.session.commit()
    headers = [_bearer(colleagues[n % len(colleagues)]) for n in range(CLIENTS)]
    path = f"/api/v1/tasks/{task_id}"
    started = time.monotonic()
    rounds, lost_updates = [], 0
    for number in range(1, ROUNDS + 1):
        # Everyone reads the task at once, then everyone saves at once.
        reads = _at_once([lambda h=h: server.request("GET", path, headers=h) for h in headers])
        _no_server_errors(server, reads)
        versions = {answer.json["version"] for answer in reads}
        assert len(versions) == 1, versions
        version = versions.pop()
        edits = [
            {
                "version": version,
                "title": f"Vòng {number}: bản sửa của máy {n}",
                "target": f"Chỉ tiêu {number}.{n}",
            }
            for n in range(CLIENTS)
        ]
        answers = _at_once(
            [
                lambda h=h, e=e: server.request("PATCH", path, json_body=e, headers=h)
                for h, e in zip(headers, edits, strict=True)
            ]
        )
        _no_server_errors(server, answers)
        statuses = Counter(a.status for a in answers)
        winners = [n for n, a in enumerate(answers) if a.status == 200]
        assert len(winners) == 1, statuses
        losers = [a for a in answers if a.status != 200]
        assert all(_is_conflict(a) for a in losers), [(a.status, a.body) for a in losers]
        assert all("người khác" in a.json["message"] for a in losers)
        winner = edits[winners[0]]
        db.session.rollback()
        stored = server.request("GET", path, headers=headers[0]).json
        # An update is lost when what the database holds is not what its winner was told.
        lost_updates += (stored["title"], stored["target"]) != (winner["title"], winner["target"])
        assert (stored["title"], stored["target"]) == (winner["title"], winner["target"])
        assert stored["version"] > version
        assert answers[winners[0]].json["version"] == stored["version"]
        # The audit trail holds exactly the winner's edit for this round.
        updates = _events(task_id, "task.updated")
        assert len(updates) == number
        rounds.append({"round": number, "statuses": dict(statuses), "winner": winners[0]})
    db.session.rollback()
    stored = db.session.get(Task, task_id)
    assert stored.title == edits[winners[0]]["title"]
    assert verify_chain().ok
    write_summary(
        f"parallel_edits_{DATABASE}",
        {
            "database": DATABASE,
            "server": "gunicorn, 2 workers x 8 threads",
            "clients": CLIENTS,
            "rounds": ROUNDS,
            "requests": ROUNDS * CLIENTS * 2,
            "per_round": rounds,
            "seconds": round(time.monotonic() - started, 2),
            "lost_updates": lost_updates,
        },
    )


# ------------------------------------------------------------------ pairs acting at once


def _deputy(org, now):
    deputy = _user("pgd.tttt", "Ngô Văn Phó", org.dept_a, [Role.UNIT_HEAD], now, "Phó Giám đốc")
    db.session.commit()
    return deputy


def _race(server, first, second, *, both_may_pass: bool = False):
    """Send two requests at the same instant; return their answers. One is refused as a
    conflict, unless ``both_may_pass``: the second is still allowed after the first."""
    answers = _at_once(
        [
            lambda: server.request("POST", first[0], json_body=first[1], headers=first[2]),
            lambda: server.request("POST", second[0], json_body=second[1], headers=second[2]),
        ]
    )
    _no_server_errors(server, answers)
    statuses = sorted(a.status for a in answers)
    allowed = ([200, 409], [200, 200]) if both_may_pass else ([200, 409],)
    assert statuses in allowed, [(a.status, a.body) for a in answers]
    assert all(_is_conflict(a) for a in answers if a.status == 409), answers
    return answers


def _state(task_id: int) -> Task:
    db.session.rollback()
    return db.session.get(Task, task_id)


def _two_heads_accept(server, org, now) -> dict:
    """The head and the deputy head accept one task at once: one acceptance counts."""
    deputy = _deputy(org, now)
    heads = [_bearer(org.head_a), _bearer(deputy)]
    outcomes = Counter()
    for _ in range(PAIR_ROUNDS):
        task_id = issued_task(org, now).id
        path = f"/api/v1/tasks/{task_id}/accept"
        answers = _race(server, (path, {}, heads[0]), (path, {}, heads[1]))
        task = _state(task_id)
        assert task.state == TaskState.ACCEPTED
        assert _events(task_id, "task.accepted") == ["task.accepted"]
        outcomes["head" if answers[0].status == 200 else "deputy"] += 1
    return {"winners": dict(outcomes)}


def _withdraw_while(server, org, now, other: str) -> dict:
    """The office withdraws the task while its unit accepts it or submits its result."""
    office, head = _bearer(org.assigner), _bearer(org.head_a)
    outcomes = Counter()
    for _ in range(PAIR_ROUNDS):
        if other == "accept":
            task_id = issued_task(org, now).id
            action, body, end, event = "accept", {}, TaskState.ACCEPTED, "task.accepted"
        else:
            task_id = in_progress_task(org, now).id
            action, body = "submit", {"result": "Đã số hoá 100% hồ sơ"}
            end, event = TaskState.SUBMITTED, "task.submitted"
        answers = _race(
            server,
            (f"/api/v1/tasks/{task_id}/{action}", body, head),
            (f"/api/v1/tasks/{task_id}/withdraw", {"reason": "Trùng nhiệm vụ khác"}, office),
            # An accepted task may still be withdrawn: both pass when the accept is first.
            both_may_pass=other == "accept",
        )
        events = _events(task_id, event, "task.withdrawn")
        task = _state(task_id)
        acted, withdrew = (a.status == 200 for a in answers)
        if acted and withdrew:
            assert task.state == TaskState.WITHDRAWN
            assert events == [event, "task.withdrawn"]
            outcomes[f"{end.value}, then withdrawn"] += 1
        elif acted:
            assert task.state == end and task.withdrawn_at is None
            assert task.withdrawal_reason == ""
            assert events == [event]
            outcomes[end.value] += 1
        else:
            assert task.state == TaskState.WITHDRAWN
            assert task.withdrawal_reason == "Trùng nhiệm vụ khác"
            assert events == ["task.withdrawn"]
            outcomes["withdrawn"] += 1
    return {"final_states": dict(outcomes)}


def _two_extension_decisions(server, org, now) -> dict:
    """Two officers of the office decide one extension request at once, one yes, one no."""
    second_officer = _user("vanphong.b", "Trịnh Văn Quyết", org.office, [Role.ASSIGNER], now)
    db.session.commit()
    approver, rejecter = _bearer(org.assigner), _bearer(second_officer)
    outcomes = Counter()
    for _ in range(PAIR_ROUNDS):
        task = in_progress_task(org, now)
        old_due = task.due_date
        request = services.request_extension(
            task,
            actor=org.head_a,
            now=now,
            new_due_date=old_due + timedelta(days=14),
            reason="Chờ ý kiến thẩm định của Sở Tư pháp",
        )
        db.session.commit()
        task_id, request_id = task.id, request.id
        path = f"/api/v1/extension-requests/{request_id}/decision"
        answers = _race(
            server,
            (path, {"approve": True}, approver),
            (path, {"approve": False, "note": "Đủ thời gian theo kế hoạch"}, rejecter),
        )
        assert _events(task_id, "task.extension_decided") == ["task.extension_decided"]
        task = _state(task_id)
        decided = db.session.get(ExtensionRequest, request_id)
        extensions = db.session.scalars(
            sa.select(TaskDeadline).where(
                TaskDeadline.task_id == task_id, TaskDeadline.extension_request_id == request_id
            )
        ).all()
        if answers[0].status == 200:
            assert decided.status.value == "approved" and decided.decided_by_id == org.assigner.id
            assert task.due_date > old_due and len(extensions) == 1
        else:
            assert decided.status.value == "rejected"
            assert decided.decision_note == "Đủ thời gian theo kế hoạch"
            assert task.due_date == old_due and extensions == []
        outcomes[decided.status.value] += 1
    return {"decisions": dict(outcomes)}


def test_people_acting_on_one_task_at_once_end_in_one_consistent_state(server, org, now):
    started = time.monotonic()
    scenarios = {
        "two_heads_accept": lambda: _two_heads_accept(server, org, now),
        "accept_vs_withdraw": lambda: _withdraw_while(server, org, now, "accept"),
        "submit_vs_withdraw": lambda: _withdraw_while(server, org, now, "submit"),
        "two_extension_decisions": lambda: _two_extension_decisions(server, org, now),
    }
    results = {name: run() for name, run in scenarios.items()}
    db.session.rollback()
    assert verify_chain().ok
    write_summary(
        f"parallel_transitions_{DATABASE}",
        {
            "database": DATABASE,
            "server": "gunicorn, 2 workers x 8 threads",
            "rounds_per_scenario": PAIR_ROUNDS,
            "scenarios": results,
            "seconds": round(time.monotonic() - started, 2),
        },
    )

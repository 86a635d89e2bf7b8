"""No page and no API endpoint sends more SQL when the city has ten times the tasks.

Every GET route of the access matrix (tests/access_matrix.py, which must list every route
of the application) is opened once by an actor the matrix allows, on the matrix's world;
the world then grows tenfold — tasks of two departments in every state, coordinated ones,
progress reports, extensions, results, withdrawals, and a later sweep's reminders,
warnings, urgings, escalation records and notifications — and every route is opened
again. None may send more statements than before: a page whose count grows with the data
loads rows one by one (N+1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import g

import tests.access_matrix as m
from tests import test_access_matrix as matrix
from tests.factories import Org, complete_input
from tests.test_access_matrix import World, call, reopen_session
from tracker.extensions import db
from tracker.org.models import Field, Unit, User
from tracker.reminders.sweep import run_sweep
from tracker.tasks import services
from tracker.tasks.documents import services as documents
from tracker.tasks.evidence import Upload
from tracker.tasks.models import SourceDocument, Task, TaskState
from tracker.tasks.permissions import Action, extension_allows
from tracker.tasks.services import CoordinationInput

world_app = matrix.world_app  # the matrix's world, built again for this module
GROWTH = 10
PDF = b"%PDF-1.4 bao cao tien do"
# Routes no person opens: the monitoring token's, tested in tests/test_observability.py.
NOT_A_PERSONS = {"GET /metrics"}
GETS = [e for e in m.ROUTES if e.method == "GET" and e.key not in NOT_A_PERSONS]


def _opener(entry: m.R) -> tuple[str, str]:
    """The first actor (and object) the matrix lets open the route."""
    return next(cell for cell, letter in entry.expected().items() if letter == "A")


def _statements(client, world: World, entry: m.R) -> int:
    actor, relation = _opener(entry)
    reopen_session(world, actor)
    db.session.commit()
    # A fresh identity map, as a server's request has: objects kept from an earlier call
    # would hide the queries of a lazy load.
    db.session.expunge_all()
    g.pop("_login_user", None)  # the signed-in user the last call left on the shared context
    counted = []

    def count(*_args) -> None:
        counted.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = call(client, world, entry, actor, relation)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    # Some matrix calls send input refused after the check (422): still counted as they are.
    refused = response.status_code >= 500 or response.status_code in (401, 403, 404)
    assert not refused, (entry.key, actor, relation, response.status_code)
    return len(counted)


def _org() -> Org:
    """The tests' small city as the matrix built it (tests/factories.build_org)."""

    def unit(code):
        return db.session.scalar(sa.select(Unit).where(Unit.code == code))

    def user(name):
        return db.session.scalar(sa.select(User).where(User.username == name))

    return Org(
        city=unit("UBND-HN"), office=unit("VP-UBND"), dept_a=unit("STTTT"),
        dept_b=unit("STP"), interior=unit("SNV"), admin=user("quantri"),
        assigner=user("vanphong"), leader=user("pct.ha"), head_a=user("gd.tttt"),
        staff_a=user("cv.tttt"), staff_a2=user("cv2.tttt"), head_b=user("gd.stp"),
        staff_b=user("cv.stp"), inspector=user("snv.thanhtra"),
        field=db.session.scalar(sa.select(Field).where(Field.code == "CDS")),
        document=db.session.scalar(sa.select(SourceDocument).order_by(SourceDocument.id)),
    )  # fmt: skip


def _grow_histories(start) -> None:
    """Give each running task of the world ten times its history — progress reports with a
    file, by the two people who carry it; extension requests refused; results returned for
    more work — : a page that loads each report's files or author, or each decision's
    decider, one by one sends a statement per entry, which one entry per task would hide."""
    org = _org()
    running = db.session.scalars(
        sa.select(Task).where(Task.state.in_([TaskState.ACCEPTED, TaskState.IN_PROGRESS]))
    ).all()
    for task in running:
        head = task.accountable_user
        people = [head, task.assignee_user or head]
        # The world's pending request stays pending: the matrix decides it.
        asks_again = extension_allows(Action.REQUEST_EXTENSION, task)
        for k in range(GROWTH):
            now = start + timedelta(minutes=k)
            services.report_progress(
                task, actor=people[k % 2], now=now, percent=40, narrative=f"Báo cáo lần {k}",
                evidence=[Upload(f"bao-cao-{k}.pdf", PDF)],
            )  # fmt: skip
            if asks_again:
                request = services.request_extension(
                    task, actor=head, now=now, new_due_date=task.due_date + timedelta(days=30),
                    reason=f"Chờ ý kiến lần {k}",
                )  # fmt: skip
                services.decide_extension(
                    request, actor=org.assigner, now=now, approve=False, note="Giữ nguyên hạn"
                )
            if not task.subtasks:
                services.submit_result(task, actor=head, now=now, result=f"Kết quả lần {k}")
                services.review_result(
                    task, actor=org.assigner, now=now, accept=False, note="Bổ sung số liệu"
                )
    db.session.commit()


def _grow(start, tasks: int) -> None:
    """Add tasks of both departments in every state, through the services; the world's own
    running tasks get longer histories."""
    _grow_histories(start)
    org = _org()
    for k in range(tasks):
        now = start + timedelta(minutes=7 * k)
        today = (now + timedelta(hours=7)).date()
        a_leads = k % 2 == 0
        a, b = (org.dept_a, org.head_a, org.staff_a), (org.dept_b, org.head_b, org.staff_b)
        unit, head, staff = a if a_leads else b
        other = org.dept_b if a_leads else org.dept_a
        # A document of its own for each task: a page that loads each row's document one by
        # one sends a statement per row, which shared objects would hide.
        document = documents.register_document(
            number=f"{100 + k}/KH-UBND", kind="Kế hoạch", issuer="UBND thành phố Hà Nội",
            issued_on=today, actor=org.assigner, now=now,
        )  # fmt: skip
        task = services.create_draft(
            complete_input(
                org, today, title=f"Nhiệm vụ tăng thêm {k}", lead_unit_id=unit.id,
                document_id=document.id,
                accountable_user_id=head.id, due_date=today + timedelta(days=5 + k % 20),
                coordinating=[CoordinationInput(other.id, "Phối hợp")] if k % 3 == 0 else [],
            ),
            actor=org.assigner,
            now=now,
        )  # fmt: skip
        services.issue_task(task, actor=org.assigner, now=now)
        fate = k % 6
        if fate:
            services.accept_task(task, actor=head, now=now, assignee_id=staff.id)
            services.report_progress(task, actor=staff, now=now, percent=30, narrative="Đang làm")
        if fate == 2:
            request = services.request_extension(
                task, actor=head, now=now, new_due_date=task.due_date + timedelta(days=14),
                reason="Chờ số liệu",
            )  # fmt: skip
            services.decide_extension(request, actor=org.assigner, now=now, approve=True)
        if fate in (3, 4):
            services.submit_result(task, actor=head, now=now, result="Đã xong")
        if fate == 4:
            services.review_result(task, actor=org.assigner, now=now, accept=True)
        if fate == 5:
            services.withdraw_task(task, actor=org.assigner, now=now, reason="Trùng lặp")
        db.session.commit()
    # Weeks later: reminders, warnings, urgings and records for the late ones.
    run_sweep(start + timedelta(days=40))
    db.session.commit()


@pytest.fixture(scope="module")
def counts(world_app):
    """Statements of every GET route on the matrix's world, then on ten times the tasks."""
    app, world, _ = world_app
    client = app.test_client()
    for entry in GETS:  # the first visit may build the working-day table once
        _statements(client, world, entry)
    small = {entry.key: _statements(client, world, entry) for entry in GETS}
    base = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("tasks")))
    _grow(datetime(2026, 11, 2, 3, 0, tzinfo=UTC), GROWTH * base)
    grown = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("tasks")))
    assert grown >= GROWTH * base
    large = {entry.key: _statements(client, world, entry) for entry in GETS}
    return small, large


@pytest.mark.parametrize("entry", GETS, ids=lambda e: e.key)
def test_a_route_sends_no_more_statements_with_ten_times_the_tasks(counts, entry):
    small, large = counts
    assert large[entry.key] <= small[entry.key], (
        f"{entry.key}: {small[entry.key]} statements, {large[entry.key]} with ten times the tasks"
    )


def test_every_get_route_is_counted(world_app):
    app, _, _ = world_app
    routes = {f"GET {rule.rule}" for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    counted = {e.key.split(" [")[0] for e in GETS} | NOT_A_PERSONS
    counted |= {f"{method} {rule}" for method, rule in m.EXCLUDED}
    assert routes - counted == set()

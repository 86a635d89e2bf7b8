"""The demo: every category is there, every issued task is clear on its 5 rõ, it loads once."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.calendar.services import load_calendar
from tracker.clock import local_date
from tracker.demo.data import DEMO_PASSWORD, LOGINS, load_demo
from tracker.extensions import db
from tracker.org.models import Role
from tracker.org.services import user_by_username
from tracker.tasks.clarity import LONG_TASK_DAYS, missing_clarity
from tracker.tasks.classification import AsOf, Category, category_sql, due_soon_sql
from tracker.tasks.models import ExtensionStatus, Task, TaskState


def _load(now):
    result = load_demo(now=now)
    db.session.commit()
    return result


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def test_demo_shows_every_category_and_loads_only_once(app, now):
    result = _load(now)
    assert result.created
    assert "150 nhiệm vụ" in result.summary

    as_of = AsOf.of(local_date(now), load_calendar())
    category = category_sql(as_of)
    counts = dict(db.session.execute(sa.select(category, sa.func.count()).group_by(category)).all())
    assert set(counts) == {c.value for c in Category}
    assert counts[Category.OVERDUE] >= 20 and counts[Category.DONE_LATE] >= 15
    assert _count(sa.select(Task.id).where(due_soon_sql(as_of))) >= 3

    tasks = db.session.scalars(sa.select(Task)).all()
    issued = [t for t in tasks if t.state != TaskState.DRAFT]
    assert all(not missing_clarity(t) for t in issued)
    assert any(missing_clarity(t) for t in tasks if t.state == TaskState.DRAFT)
    for task in issued:
        if (task.due_date - task.start_date).days > LONG_TASK_DAYS:
            assert task.milestones
    statuses = {r.status for t in tasks for r in t.extension_requests}
    assert statuses == set(ExtensionStatus)

    roles = {role for username, _ in result.logins for role in user_by_username(username).roles}
    assert roles == set(Role)
    assert verify_chain().ok

    events = _count(sa.select(AuditEvent.id))
    again = _load(now)
    assert not again.created
    assert again.logins == result.logins
    assert _count(sa.select(AuditEvent.id)) == events
    assert _count(sa.select(Task.id)) == 150


def test_every_demo_login_can_sign_in_and_open_its_pages(app, client, auth, now):
    _load(now)
    task_id = db.session.scalar(
        sa.select(Task.id).where(Task.state == TaskState.IN_PROGRESS).order_by(Task.id)
    )
    for username, _ in LOGINS:
        response = auth.login(username, DEMO_PASSWORD)
        assert response.status_code == 302, username
        for url in ("/", "/tasks", f"/tasks/{task_id}"):
            status = client.get(url).status_code
            # A task outside the person's unit and fields is hidden, as not found.
            assert status in (200, 404), (username, url, status)
        assert client.get("/tasks").status_code == 200
        auth.logout()

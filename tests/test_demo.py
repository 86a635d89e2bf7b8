"""The demo: every category is there, every issued task is clear on its 5 rõ, its history
was swept day by day, it loads once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, time

import sqlalchemy as sa

from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.calendar.services import load_calendar
from tracker.clock import local_date, local_midnight, local_zone
from tracker.demo.catalogue import DEMO_PASSWORD, LOGINS
from tracker.demo.stories import load_demo
from tracker.extensions import db
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import Role
from tracker.org.services import user_by_username
from tracker.reminders.models import (
    Escalation,
    EscalationReason,
    EscalationSettings,
    EscalationStatus,
    NoticeKind,
    Reminder,
)
from tracker.reminders.sweep import run_sweep
from tracker.tasks.clarity import LONG_TASK_DAYS, missing_clarity
from tracker.tasks.classification import AsOf, Category, category_sql, due_soon_sql
from tracker.tasks.models import ExtensionStatus, Task, TaskState
from tracker.tasks.permissions import can_view


def _load(now, progress=None):
    result = load_demo(now=now, progress=progress or (lambda line: None))
    db.session.commit()
    return result


def _count(query) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def test_demo_shows_every_category_and_a_swept_history_and_loads_only_once(app, now):
    told = []  # what `tracker demo` prints as it goes, so the first start never looks hung
    result = _load(now, told.append)
    assert result.created
    replayed = [line for line in told if line.startswith("Đang dựng lại lịch sử một năm")]
    assert len(replayed) == 10 and replayed[-1].startswith("Đang dựng lại lịch sử một năm: 100%")
    assert "151 nhiệm vụ" in result.summary
    kinds = Counter(db.session.scalars(sa.select(Reminder.kind)))
    escalations = _count(sa.select(Escalation.id))
    assert result.summary.endswith(
        f"{kinds[NoticeKind.REMINDER]} nhắc hạn, {kinds[NoticeKind.WARNING]} cảnh báo, "
        f"{kinds[NoticeKind.URGING]} đôn đốc, {escalations} hồ sơ chuyển Sở Nội vụ"
    )

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
    assert _count(sa.select(Task.id)) == 151

    _assert_history_swept_every_morning(local_date(now))
    _assert_todays_sweep_sends_only_today(now)


def test_every_demo_login_can_sign_in_and_open_its_pages(app, client, auth, now):
    _load(now)
    task_id = db.session.scalar(
        sa.select(Task.id).where(Task.state == TaskState.IN_PROGRESS).order_by(Task.id)
    )
    task = db.session.get(Task, task_id)
    seeing = set()
    for username, _ in LOGINS:
        response = auth.login(username, DEMO_PASSWORD)
        assert response.status_code == 302, username
        assert client.get("/", follow_redirects=True).status_code == 200, username
        assert client.get("/my-work").status_code == 200, username
        assert client.get("/tasks").status_code == 200, username
        # A task outside the person's unit and fields is hidden, as not found.
        status = client.get(f"/tasks/{task_id}").status_code
        expected = 200 if can_view(user_by_username(username), task) else 404
        assert status == expected, (username, status)
        if status == 200:
            seeing.add(username)
        auth.logout()
    assert {"vanphong", "snv.thanhtra"} <= seeing  # the office and Sở Nội vụ see every task
    assert seeing != {username for username, _ in LOGINS}  # someone is kept out


def _local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def _state_at(task_id: int, moment: datetime) -> str:
    """Return the task's state at an instant, from its audit trail."""
    state = None
    for event in db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "Task", AuditEvent.object_id == task_id)
        .where(AuditEvent.occurred_at <= moment)
        .order_by(AuditEvent.seq)
    ):
        state = json.loads(event.after or "{}").get("state", state)
    return state


def _assert_history_swept_every_morning(today) -> None:
    """Each notice went out at the 08:00 sweep of its day, not in one catch-up today."""
    notices = db.session.scalars(sa.select(Reminder).order_by(Reminder.id)).all()
    assert {n.kind for n in notices} == set(NoticeKind)
    for notice in notices:
        sent = _local(notice.created_at)
        assert sent.time() == time(8, 0) and sent.date() < today, notice.id
        # The scheduler ran every morning, so nothing was held back by downtime; a notice
        # that waited for a returned result goes out the next morning, not marked late.
        assert not notice.late, notice.id

    # Sở Nội vụ's inspector concluded some records days after they were opened.
    escalations = db.session.scalars(sa.select(Escalation)).all()
    assert {e.status for e in escalations} == set(EscalationStatus)
    concluded = [e for e in escalations if e.status == EscalationStatus.CONCLUDED]
    assert len(concluded) <= 2
    for escalation in concluded:
        (conclusion,) = escalation.conclusions
        assert conclusion.concluded_by_id == user_by_username("snv.thanhtra").id
        assert escalation.opened_on < local_date(conclusion.concluded_at) < today
    # The history's emails went out when queued; nothing old waits in the outbox.
    # (Today's steps told their people this morning: those wait for the scheduler.)
    waiting = sa.select(Notification.id).where(
        Notification.channel == Channel.EMAIL,
        Notification.status == DeliveryStatus.PENDING,
        Notification.created_at < local_midnight(today),
    )
    assert _count(waiting) == 0


# The demo's tasks that pass the escalation threshold on the fixture's Monday itself.
OVERDUE_TODAY = 3


def _assert_todays_sweep_sends_only_today(now) -> None:
    """The real scheduler's first sweep, today, finds only what is due today."""
    today = local_date(now)
    threshold = db.session.get(EscalationSettings, 1).overdue_working_days
    swept = run_sweep(now)
    db.session.commit()
    assert swept.created["late"] == 0
    new = db.session.scalars(sa.select(Reminder).where(Reminder.sweep_id == swept.sweep_id)).all()
    # Today is a working day (the fixture's Monday), so something is due.
    assert new and all(n.scheduled_on == today and not n.late for n in new)
    opened = db.session.scalars(sa.select(Escalation).where(Escalation.sweep_id == swept.sweep_id))
    # Past the threshold only today: one day more, and yesterday's sweep had opened it.
    assert [
        e.overdue_days for e in opened if e.reason == EscalationReason.OVERDUE_DAYS
    ] == OVERDUE_TODAY * [threshold]
    assert verify_chain().ok

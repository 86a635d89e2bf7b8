"""Reminders, warnings, urgings and escalations over forty working days, exactly once."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import issued_task
from tracker.audit.services import verify_chain
from tracker.calendar.services import WorkingCalendar
from tracker.extensions import db
from tracker.notify.models import Channel, Notification
from tracker.reminders import messages
from tracker.reminders.models import Escalation, EscalationSettings, Reminder
from tracker.reminders.sweep import run_sweep
from tracker.tasks import services
from tracker.tasks.evidence import Upload
from tracker.tasks.services import MilestoneInput

CAL = WorkingCalendar()
START = date(2026, 11, 2)  # Monday; the fixtures' "now" is 09:00 that day
DUE = date(2026, 11, 16)  # ten working days later


def at(day: date, hour: int = 8) -> datetime:
    """``hour`` o'clock in Hà Nội on ``day``."""
    return datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)


def wd(day: date, n: int) -> date:
    return CAL.add_working_days(day, n)


def sweep(day: date) -> None:
    run_sweep(at(day))
    db.session.commit()


def _ladder(task_id: int) -> list[tuple]:
    """The notices sent about a task: (kind, deadline, day due out, occurrence, milestone?)."""
    rows = db.session.execute(
        sa.select(
            Reminder.kind,
            Reminder.deadline,
            Reminder.scheduled_on,
            Reminder.occurrence,
            Reminder.milestone_id.is_not(None),
        )
        .where(Reminder.task_id == task_id)
        .order_by(Reminder.scheduled_on, Reminder.id)
    ).all()
    return [(k.value, d, s, o, m) for k, d, s, o, m in rows]


def _recipients() -> dict[int, set[str]]:
    """Inbox recipients of each reminder, by username."""
    from tracker.org.models import User

    found: dict[int, set[str]] = defaultdict(set)
    query = (
        sa.select(Notification.key, User.username)
        .join(User, User.id == Notification.user_id)
        .where(Notification.channel == Channel.INBOX, Notification.key.like("reminder:%"))
    )
    for key, username in db.session.execute(query):
        found[int(key.split(":")[1])].add(username)
    return found


def T(kind, deadline, offset, occurrence=1, milestone=False):  # noqa: N802 - reads as a table
    return (kind, deadline, wd(deadline, offset), occurrence, milestone)


def test_forty_working_days_of_the_ladder(org, now):
    late = issued_task(org, now, title="Không ai báo cáo", due_date=DUE)
    services.accept_task(late, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    extended = issued_task(org, now, title="Được gia hạn giữa chừng", due_date=DUE)
    finished = issued_task(org, now, title="Hoàn thành sau một cảnh báo", due_date=DUE)
    withdrawn = issued_task(org, now, title="Bị thu hồi", due_date=DUE)
    milestone_day = date(2026, 11, 9)
    with_milestone = issued_task(
        org,
        now,
        title="Có mốc tiến độ",
        due_date=date(2026, 12, 30),
        milestones=[MilestoneInput("Hoàn thành khảo sát", milestone_day)],
    )
    db.session.commit()
    new_due = date(2026, 11, 27)

    day, worked = START, 0
    while worked < 40:
        if day == date(2026, 11, 10):
            services.withdraw_task(
                withdrawn, actor=org.assigner, now=at(day, 7), reason="Trùng nhiệm vụ khác"
            )
        if day == date(2026, 11, 13):
            request = services.request_extension(
                extended,
                actor=org.head_a,
                now=at(day, 7),
                new_due_date=new_due,
                reason="Chờ số liệu",
            )
            services.decide_extension(request, actor=org.assigner, now=at(day, 7), approve=True)
        if day == date(2026, 11, 18):
            services.accept_task(finished, actor=org.head_a, now=at(day, 7))
            services.report_progress(
                finished, actor=org.head_a, now=at(day, 7), percent=100, narrative="Đã xong"
            )
            services.submit_result(finished, actor=org.head_a, now=at(day, 7), result="Xong")
            services.review_result(finished, actor=org.assigner, now=at(day, 7), accept=True)
        if day == date(2026, 11, 26):
            services.accept_task(extended, actor=org.head_a, now=at(day, 7))
            services.submit_result(extended, actor=org.head_a, now=at(day, 7), result="Xong")
        db.session.commit()
        sweep(day)
        worked += CAL.is_working_day(day)
        day += timedelta(days=1)

    last_day = wd(START, 39)  # the fortieth working day: 28/12/2026
    assert last_day == date(2026, 12, 28)
    assert _ladder(late.id) == [
        T("reminder", DUE, -5),
        T("reminder", DUE, -2),
        T("reminder", DUE, 0),
        T("warning", DUE, 1),
        *[T("urging", DUE, 5 * n, n) for n in range(1, 6)],  # every 5 working days
    ]
    assert _ladder(extended.id) == [
        T("reminder", DUE, -5),
        T("reminder", DUE, -2),
        # The approved extension restarts the ladder from the new date.
        T("reminder", new_due, -5),
        T("reminder", new_due, -2),
    ]
    assert _ladder(finished.id) == [
        T("reminder", DUE, -5),
        T("reminder", DUE, -2),
        T("reminder", DUE, 0),
        T("warning", DUE, 1),
    ]
    assert _ladder(withdrawn.id) == [T("reminder", DUE, -5)]
    # Milestones are reminded and warned too; the task's own due date is 30/12, after the
    # forty days, so only its reminders of 23/12 and 28/12 have gone out.
    assert _ladder(with_milestone.id) == [
        T("reminder", milestone_day, -5, milestone=True),
        T("reminder", milestone_day, -2, milestone=True),
        T("reminder", milestone_day, 0, milestone=True),
        T("warning", milestone_day, 1, milestone=True),
        T("reminder", date(2026, 12, 30), -5),
        T("reminder", date(2026, 12, 30), -2),
    ]
    # Ten working days overdue (01/12/2026) opens exactly one record for Sở Nội vụ.
    escalations = db.session.scalars(sa.select(Escalation)).all()
    assert [(e.task_id, e.deadline, e.opened_on, e.reason.value) for e in escalations] == [
        (late.id, DUE, wd(DUE, 10), "overdue_days")
    ]
    assert escalations[0].accountable_user_id == org.head_a.id
    assert escalations[0].supervisor_id == org.leader.id

    recipients = _recipients()
    by_kind = {
        r.kind.value: r
        for r in db.session.scalars(sa.select(Reminder).where(Reminder.task_id == late.id))
    }
    assert recipients[by_kind["reminder"].id] == {"gd.tttt", "cv.tttt"}
    assert recipients[by_kind["warning"].id] == {"gd.tttt", "cv.tttt", "vanphong"}
    assert recipients[by_kind["urging"].id] == {"pct.ha"}
    escalated_to = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.key == f"escalation:{escalations[0].id}",
                Notification.channel == Channel.INBOX,
            )
        )
    )
    assert escalated_to == {org.inspector.id, org.leader.id, org.head_a.id}
    assert not any(r.late for r in db.session.scalars(sa.select(Reminder)))
    assert verify_chain().ok


def test_three_unanswered_notices_escalate_and_progress_resets_the_count(org, now):
    db.session.add(EscalationSettings(id=1, overdue_working_days=50, unanswered_notices=3))
    task = issued_task(org, now, due_date=DUE)
    services.accept_task(task, actor=org.head_a, now=now)
    db.session.commit()
    for day in (wd(DUE, 1), wd(DUE, 5)):  # a warning, then an urging
        sweep(day)
    # A progress report answers them: the count starts again.
    services.report_progress(
        task, actor=org.head_a, now=at(wd(DUE, 6), 9), percent=50, narrative="Đang khắc phục"
    )
    db.session.commit()
    for day in (wd(DUE, 10), wd(DUE, 15)):
        sweep(day)
    assert db.session.query(Escalation).count() == 0
    sweep(wd(DUE, 20))  # the third notice since the report
    (escalation,) = db.session.scalars(sa.select(Escalation)).all()
    assert escalation.reason.value == "unanswered" and escalation.notices_before == 3
    assert escalation.opened_on == wd(DUE, 20)


def test_a_second_sweep_creates_nothing(org, now):
    issued_task(org, now, due_date=DUE)
    sweep(wd(DUE, 12))
    counts = (db.session.query(Reminder).count(), db.session.query(Notification).count())
    sweep(wd(DUE, 12))
    assert (db.session.query(Reminder).count(), db.session.query(Notification).count()) == counts


def test_after_downtime_what_was_missed_goes_out_once_marked_late(org, now):
    task = issued_task(org, now, due_date=DUE)
    sweep(date(2026, 11, 11))  # the five-days-before reminder, on time
    # Down from Thursday 12/11 to Tuesday 17/11: the -2, 0 and +1 notices were missed.
    sweep(date(2026, 11, 17))
    rows = db.session.execute(
        sa.select(Reminder.kind, Reminder.scheduled_on, Reminder.late)
        .where(Reminder.task_id == task.id)
        .order_by(Reminder.scheduled_on)
    ).all()
    assert [(k.value, s, late) for k, s, late in rows] == [
        ("reminder", date(2026, 11, 9), True),  # the first sweep ran on 11/11
        ("reminder", date(2026, 11, 12), True),
        ("reminder", date(2026, 11, 16), True),
        ("warning", date(2026, 11, 17), False),
    ]
    body = db.session.scalars(
        sa.select(Notification.body).where(
            Notification.key.like("reminder:%"), Notification.body.like("%gửi muộn%")
        )
    ).first()
    assert body is not None


def test_notices_due_before_the_task_was_issued_are_not_sent(org, now):
    task = issued_task(org, now, due_date=date(2026, 11, 4))  # two working days after issue
    sweep(date(2026, 11, 2))
    assert [(k, s) for k, _, s, _, _ in _ladder(task.id)] == [("reminder", date(2026, 11, 2))]


def test_a_sweep_that_fails_halfway_leaves_nothing_and_a_rerun_completes(org, now, monkeypatch):
    issued_task(org, now, due_date=DUE)
    day = wd(DUE, 12)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(messages, "notify_escalations", crash)
    with pytest.raises(RuntimeError):
        run_sweep(at(day))
    db.session.rollback()
    assert db.session.query(Reminder).count() == 0
    monkeypatch.undo()
    sweep(day)
    kinds = sorted(k.value for k in db.session.scalars(sa.select(Reminder.kind)))
    # Catching up sends the latest urging only, not one per missed week.
    assert kinds == ["reminder"] * 3 + ["urging", "warning"]
    assert db.session.query(Escalation).count() == 1
    assert verify_chain().ok


def test_messages_say_what_when_and_where(org, now):
    issued_task(org, now, title="Số hoá hồ sơ", due_date=DUE)
    sweep(wd(DUE, 1))
    warning = db.session.scalars(
        sa.select(Notification).where(Notification.subject.like("[Cảnh báo quá hạn]%"))
    ).first()
    assert warning.subject == "[Cảnh báo quá hạn] Số hoá hồ sơ — hạn 16/11/2026"
    assert "đã quá hạn 1 ngày làm việc" in warning.body
    assert "Căn cứ: Kế hoạch 171-KH/TU" in warning.body
    assert "Còn thiếu: đơn vị chủ trì chưa tiếp nhận nhiệm vụ" in warning.body
    assert warning.body.rstrip().endswith(f"/tasks/{warning.task_id}")


def test_a_pending_extension_request_does_not_stop_the_clock(org, now):
    task = issued_task(org, now, due_date=DUE)
    services.request_extension(
        task,
        actor=org.head_a,
        now=at(date(2026, 11, 12)),
        new_due_date=date(2026, 12, 15),
        reason="Chờ ý kiến",
    )
    db.session.commit()
    sweep(wd(DUE, 1))
    assert ("warning", DUE, wd(DUE, 1), 1, False) in _ladder(task.id)


KILLED_SWEEP = """
import os, signal, sys
from datetime import datetime
from tracker import create_app
from tracker.extensions import db
from tracker.reminders import messages, sweep

def die(*args, **kwargs):
    # The notices are inserted, nothing is committed yet: the process dies here.
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[2] == "kill":
    messages.notify_reminders = die
app = create_app()
with app.app_context():
    sweep.run_sweep(datetime.fromisoformat(sys.argv[1]))
    db.session.commit()
"""


def test_a_sweep_killed_halfway_and_run_again_completes_without_duplicates(app, org, now):
    import signal
    import subprocess
    import sys

    from tests.faults import command_environment

    issued_task(org, now, due_date=DUE)
    moment = at(wd(DUE, 12)).isoformat()
    env = command_environment(app)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_SWEEP, moment, "kill"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL
    db.session.rollback()
    assert db.session.query(Reminder).count() == 0  # the killed transaction left nothing
    db.session.rollback()  # and this test holds no lock while the sweep runs again
    done = subprocess.run(
        [sys.executable, "-c", KILLED_SWEEP, moment, "run"],
        env=env,
        capture_output=True,
        timeout=120,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    again = subprocess.run(
        [sys.executable, "-c", KILLED_SWEEP, moment, "run"],
        env=env,
        capture_output=True,
        timeout=120,
        text=True,
    )
    assert again.returncode == 0
    db.session.rollback()
    kinds = sorted(k.value for k in db.session.scalars(sa.select(Reminder.kind)))
    assert kinds == ["reminder"] * 3 + ["urging", "warning"]
    assert db.session.query(Escalation).count() == 1
    assert verify_chain().ok


def test_a_reached_milestone_gets_no_more_reminders(client, auth, org, now):
    milestone_day = date(2026, 11, 9)
    task = issued_task(
        org,
        now,
        due_date=date(2026, 12, 30),
        milestones=[MilestoneInput("Khảo sát xong", milestone_day)],
    )
    services.accept_task(task, actor=org.head_a, now=now)
    db.session.commit()
    sweep(wd(milestone_day, -2))
    auth.login("gd.tttt")
    response = client.post(f"/tasks/{task.id}/milestones/{task.milestones[0].id}/complete")
    assert response.status_code == 302
    sweep(wd(milestone_day, 2))
    milestone_notices = [n for n in _ladder(task.id) if n[4]]
    assert [(k, s) for k, _, s, _, _ in milestone_notices] == [
        ("reminder", wd(milestone_day, -5)),
        ("reminder", wd(milestone_day, -2)),
    ]
    assert "Hoàn thành mốc tiến độ" in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_a_report_that_moves_nothing_does_not_answer_the_notices(org, now):
    db.session.add(EscalationSettings(id=1, overdue_working_days=50, unanswered_notices=3))
    task = issued_task(org, now, due_date=DUE)
    services.accept_task(task, actor=org.head_a, now=now)
    services.report_progress(task, actor=org.head_a, now=now, percent=40, narrative="Bắt đầu")
    db.session.commit()
    for day in (wd(DUE, 1), wd(DUE, 5), wd(DUE, 10)):  # a warning, then urgings…
        sweep(day)
        # …each met with the same percentage and a ".": reports, but no answer.
        services.report_progress(task, actor=org.head_a, now=at(day, 9), percent=40, narrative=".")
        db.session.commit()
    (escalation,) = db.session.scalars(sa.select(Escalation)).all()
    assert escalation.reason.value == "unanswered" and escalation.notices_before == 3
    assert escalation.opened_on == wd(DUE, 10)


def test_evidence_a_result_or_an_approved_extension_answers_the_notices(org, now):
    db.session.add(EscalationSettings(id=1, overdue_working_days=50, unanswered_notices=2))
    task = issued_task(org, now, due_date=DUE)
    services.accept_task(task, actor=org.head_a, now=now)
    services.report_progress(task, actor=org.head_a, now=now, percent=40, narrative="Bắt đầu")
    db.session.commit()
    sweep(wd(DUE, 1))  # a warning
    services.report_progress(
        task, actor=org.head_a, now=at(wd(DUE, 2), 9), percent=40, narrative="Kèm biên bản",
        evidence=[Upload("Biên bản.pdf", b"%PDF-1.4 bien ban")],
    )  # fmt: skip
    db.session.commit()
    sweep(wd(DUE, 5))  # an urging: one since the evidence, not two
    assert db.session.query(Escalation).count() == 0

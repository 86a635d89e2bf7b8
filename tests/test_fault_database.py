"""The database connection dropped in the middle of a sweep, a web form, an API call and
an email delivery: each fails cleanly (a 503 in the person's language, the API's error
shape), leaves nothing half-written — rows, audit events, outbox, files — and a retry
completes once.

On PostgreSQL the connection's backend is really terminated (``pg_terminate_backend``)
at an exact statement; on SQLite the driver's OperationalError is raised there instead
(see tests/faults.py).
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.api_client import api_as
from tests.conftest import POSTGRES_URL
from tests.factories import draft_task, issued_task
from tests.faults import (
    DatabaseFault,
    LostCommitReply,
    MailServer,
    terminate_backends,
    write_summary,
)
from tests.test_reminders import DUE, at, wd
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.extensions import db
from tracker.jobs import runner, work
from tracker.jobs.models import JobRun
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.reminders.models import Escalation, Reminder, SweepClock
from tracker.storage import current_storage
from tracker.tasks import services
from tracker.tasks.models import EvidenceFile, ProgressUpdate, Task, TaskState
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.services import register_webhook

PDF = b"%PDF-1.7\n" + b"bien ban hop " * 200


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _state() -> dict:
    """What a half-done operation could leave behind, counted."""
    db.session.expire_all()
    counts = {
        model.__tablename__: _count(model)
        for model in (
            Reminder,
            Escalation,
            Notification,
            AuditEvent,
            WebhookDelivery,
            ProgressUpdate,
            EvidenceFile,
        )
    }
    db.session.rollback()
    return counts


def _files(app) -> list:
    from pathlib import Path

    return sorted(p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file())


# ------------------------------------------------------------------ during a sweep

SWEEP_POINTS = [  # (statement, which one, every connection dropped as in a restart)
    ("INSERT .*INTO reminders", 2, False),  # the second rule's notices
    ("INSERT .*INTO escalations", 1, False),
    ("INSERT .*INTO notifications", 1, False),
    ("INSERT .*INTO audit_events", 1, False),  # at commit time, the chain's links
    ("COMMIT", 1, False),
    ("INSERT .*INTO notifications", 2, True),
]


def test_a_sweep_that_loses_its_connection_leaves_nothing_and_the_next_run_completes(app, org, now):
    register_webhook(
        name="Báo cáo",
        url="http://127.0.0.1:9/",
        events=["task.overdue"],
        actor=org.admin,
        now=now,
    )
    db.session.commit()
    issued_task(org, now, due_date=DUE)
    moment = at(wd(DUE, 12))
    before = _state()
    left_behind = 0  # rows a failed run left that were not there before it
    sweep = lambda t: work.describe(work.sweep_job(t))  # noqa: E731 - as the scheduler runs it

    # One scheduler tick after another meets a dropped connection, each at its own point.
    for at_statement, nth, everyone in SWEEP_POINTS:
        with (
            DatabaseFault(db.engine, at_statement, nth, everyone) as fault,
            pytest.raises(sa.exc.DBAPIError),
        ):
            runner.run_job("sweep", sweep, moment)
        assert fault.fired == 1, at_statement
        # No orphan half-sweep: no notice, message, audit event or delivery.
        after = _state()
        left_behind += sum(after[table] - before[table] for table in before)
        assert after == before, at_statement
        assert db.session.get(SweepClock, 1) is None
        db.session.rollback()

    # The next tick takes the lock and does all of it, once.
    assert runner.run_job("sweep", sweep, moment) is not None
    assert runner.run_job("sweep", sweep, moment + timedelta(minutes=5)).count(": 0") == 5
    kinds = sorted(k.value for k in db.session.scalars(sa.select(Reminder.kind)))
    assert kinds == ["reminder"] * 3 + ["urging", "warning"]
    assert _count(Escalation) == 1
    reminders = db.session.scalars(sa.select(Reminder)).all()
    lost = duplicates = 0
    for reminder in reminders:  # each notice has its messages and its audit event
        inbox = db.session.scalars(
            sa.select(Notification).where(
                Notification.key == f"reminder:{reminder.id}",
                Notification.channel == Channel.INBOX,
            )
        ).all()
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == f"task.{reminder.kind.value}")
        ).all()
        named = sum(json.loads(e.after)["reminder_id"] == reminder.id for e in events)
        lost += not inbox or named == 0
        duplicates += max(named - 1, 0)
    assert (lost, duplicates) == (0, 0)
    assert [d.event for d in db.session.scalars(sa.select(WebhookDelivery))] == ["task.overdue"]
    assert verify_chain().ok
    write_summary(
        "database_dropped_during_sweep",
        faults=[{"at": a, "nth": n, "every_connection": e} for a, n, e in SWEEP_POINTS],
        faults_injected=len(SWEEP_POINTS),
        left_behind_by_failed_runs=left_behind,
        reminders=len(reminders),
        escalations=_count(Escalation),
        notifications=_count(Notification),
        duplicates=duplicates,
        lost=lost,
    )


# ------------------------------------------------------------------ during a web form

WEB_POINTS = [  # (statement, outcome unknown to us, language of the interface)
    ("INSERT .*INTO progress_updates", False, "vi"),
    ("INSERT .*INTO evidence_files", False, "vi"),  # the file is on disk already
    ("INSERT .*INTO audit_events", False, "vi"),
    ("COMMIT", True, "vi"),  # the answer to COMMIT never came: nobody knows yet
    ("UPDATE tasks", False, "en"),
]
WEB_MESSAGES = {
    (False, "vi"): "Chưa có thay đổi nào được lưu",
    (True, "vi"): "chưa biết thay đổi đã được lưu hay chưa",
    (False, "en"): "Nothing was saved",
}


def _accepted_task(org, now) -> Task:
    task = issued_task(org, now)
    services.accept_task(task, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    db.session.commit()
    return task


def _report(client, task_id: int):
    return client.post(
        f"/tasks/{task_id}/progress",
        data={
            "percent": "40",
            "narrative": "Đã rà soát 40% hồ sơ",
            "difficulties": "Thiếu máy quét",
            "evidence": [(io.BytesIO(PDF), "Biên bản kiểm tra.pdf")],
        },
        content_type="multipart/form-data",
    )


def test_a_progress_report_that_loses_its_connection_says_so_and_keeps_nothing(
    app, client, auth, org, now
):
    task = _accepted_task(org, now)
    version = task.version
    auth.login("cv.tttt")
    before = _state()

    for at_statement, unknown, language in WEB_POINTS:
        if language == "en":
            client.post("/lang/en")
        with DatabaseFault(db.engine, at_statement) as fault:
            refused = _report(client, task.id)
        assert fault.fired == 1, at_statement
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        page = refused.get_data(as_text=True)
        assert WEB_MESSAGES[unknown, language] in page, at_statement
        assert "Traceback" not in page and "sqlalchemy" not in page.lower()
        assert _state() == before, at_statement  # no report, record, audit event, message
        assert _files(app) == [], at_statement  # and no file on disk
        db.session.expire_all()
        unchanged = db.session.get(Task, task.id)
        assert (unchanged.state, unchanged.progress_percent, unchanged.version) == (
            TaskState.ACCEPTED,
            0,
            version,
        )
        db.session.rollback()

    # The pool gives a working connection: the same report, sent again, goes through once.
    assert _report(client, task.id).status_code == 302
    after = _state()
    assert after["progress_updates"] == 1 and after["evidence_files"] == 1
    assert after["audit_events"] == before["audit_events"] + 2  # started, progress
    (stored,) = _files(app)
    assert stored.read_bytes() == PDF
    record_id = db.session.scalar(sa.select(EvidenceFile.id))  # sequences do not roll back
    assert client.get(f"/tasks/{task.id}/evidence/{record_id}").data == PDF
    write_summary(
        "database_dropped_during_web_progress_report",
        faults=[{"at": a, "outcome_unknown": u, "language": lang} for a, u, lang in WEB_POINTS],
        faults_injected=len(WEB_POINTS),
        status=503,
        left_behind_by_failed_requests=0,
        retry_status=302,
        progress_reports_after_retry=1,
        evidence_files_after_retry=1,
    )


def test_a_commit_whose_answer_is_lost_keeps_the_evidence_it_saved(app, client, auth, org, now):
    task = _accepted_task(org, now)
    auth.login("cv.tttt")
    with LostCommitReply(db.engine) as fault:
        refused = _report(client, task.id)
    assert fault.fired == 1 and refused.status_code == 503
    assert "chưa biết thay đổi đã được lưu hay chưa" in refused.get_data(as_text=True)
    # It was saved after all: the person reloads the page and finds the report and its
    # file, which was not removed with the failed request.
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Đã rà soát 40% hồ sơ" in page and "Biên bản kiểm tra.pdf" in page
    (record,) = db.session.scalars(sa.select(EvidenceFile)).all()
    assert current_storage().open(record.stored_name).read() == PDF
    assert client.get(f"/tasks/{task.id}/evidence/{record.id}").data == PDF
    write_summary(
        "database_commit_answer_lost",
        faults_injected=fault.fired,
        status=503,
        message="outcome unknown",
        evidence_kept_for_saved_rows=1,
    )


# ------------------------------------------------------------------ during an API call

API_POINTS = [  # (statement, outcome unknown to us, Accept-Language)
    ("UPDATE tasks", False, "vi"),
    ("INSERT .*INTO webhook_deliveries", False, "vi"),
    ("INSERT .*INTO audit_events", False, "en"),
    ("COMMIT", True, "vi"),
]


def test_an_api_call_that_loses_its_connection_answers_503_in_the_error_shape(
    app, client, org, now
):
    register_webhook(
        name="E-office",
        url="http://127.0.0.1:9/",
        events=["task.issued"],
        actor=org.admin,
        now=now,
    )
    db.session.commit()
    task = draft_task(org, now)
    api = api_as(client, org.assigner)
    before = _state()

    for at_statement, unknown, language in API_POINTS:
        api._headers["Accept-Language"] = language
        with DatabaseFault(db.engine, at_statement) as fault:
            refused = api.post(f"/tasks/{task.id}/issue")
        assert fault.fired == 1, at_statement
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        body = refused.get_json()
        assert set(body) == {"error", "message", "fields"}
        assert body["error"] == ("outcome_unknown" if unknown else "database_unavailable")
        assert ("database" if language == "en" else "cơ sở dữ liệu") in body["message"].lower()
        assert _state() == before, at_statement  # no audit event, no webhook delivery
        db.session.expire_all()
        assert db.session.get(Task, task.id).state == TaskState.DRAFT
        db.session.rollback()

    issued = api.post(f"/tasks/{task.id}/issue")
    assert issued.status_code == 200 and issued.get_json()["state"] == "issued"
    after = _state()
    assert after["webhook_deliveries"] == 1
    assert after["audit_events"] == before["audit_events"] + 1
    write_summary(
        "database_dropped_during_api_issue",
        faults=[{"at": a, "outcome_unknown": u, "language": lang} for a, u, lang in API_POINTS],
        faults_injected=len(API_POINTS),
        status=503,
        left_behind_by_failed_requests=0,
        retry_status=200,
    )


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite has no server to drop pooled connections")
def test_pooled_connections_dropped_between_requests_are_replaced_unseen(app, client, org, now):
    task_id = draft_task(org, now).id  # the objects go with the session removed below
    api = api_as(client, org.assigner)
    assert api.get(f"/tasks/{task_id}").status_code == 200
    # A request's end gives its connection back to the pool (the tests share one app
    # context, so do here what the teardown of a real request does).
    db.session.remove()
    dropped = terminate_backends()  # a database restart: every idle connection is gone
    assert dropped >= 1
    # Pre-ping notices at checkout: the next request works the first time.
    assert api.post(f"/tasks/{task_id}/issue").status_code == 200
    write_summary(
        "pooled_connections_dropped_between_requests",
        faults_injected=dropped,
        failed_requests=0,
    )


# ------------------------------------------------------------------ during email delivery

CLAIM = "UPDATE notifications SET attempts"  # the claim, before anything is sent
RECORD = "UPDATE notifications SET status"  # recording it, after the server said 250


def test_email_delivery_that_loses_its_connection_sends_each_message_once(app, org, now):
    mail = MailServer()
    mail.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=mail.port, MAIL_FROM="nv@hanoi.gov.vn")
    try:
        org.head_a.email = "truong@tttt.hanoi.gov.vn"
        org.assigner.email = "giao@vpub.hanoi.gov.vn"
        db.session.commit()
        issued_task(org, now, due_date=DUE)
        moment = at(wd(DUE, 1))
        runner.run_job("sweep", lambda t: work.describe(work.sweep_job(t)), moment)
        queued = db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(Notification.channel == Channel.EMAIL)
        )
        db.session.rollback()

        # The connection drops as the second email is claimed: the job stops, nothing was
        # sent for it, and the scheduler's next tick carries on.
        with (
            DatabaseFault(db.engine, CLAIM, nth=2) as claim_fault,
            pytest.raises(sa.exc.DBAPIError),
        ):
            runner.run_job("deliver", work.deliver_job, moment)
        assert len(mail.messages) == 1
        # It drops as a sent email is recorded: written again at once on a fresh
        # connection, so the email is not sent a second time when its lease is over.
        with DatabaseFault(db.engine, RECORD, nth=2) as record_fault:
            runner.run_job("deliver", work.deliver_job, moment + timedelta(minutes=1))
        for minutes in (15, 30):  # later ticks, past every lease
            runner.run_job("deliver", work.deliver_job, moment + timedelta(minutes=minutes))
        assert claim_fault.fired == record_fault.fired == 1
        ids = mail.message_ids()
        assert len(ids) == queued and set(ids.values()) == {1}
        db.session.expire_all()
        statuses = {
            n.status
            for n in db.session.scalars(
                sa.select(Notification).where(Notification.channel == Channel.EMAIL)
            )
        }
        assert statuses == {DeliveryStatus.SENT}
    finally:
        mail.stop()
    write_summary(
        "database_dropped_during_email_delivery",
        faults=[{"at": CLAIM, "nth": 2}, {"at": RECORD, "nth": 2}],
        faults_injected=2,
        emails=queued,
        received=len(mail.messages),
        duplicates=sum(c - 1 for c in ids.values()),
        lost=queued - len(ids),
    )


def test_the_scheduler_survives_a_dropped_connection_and_runs_the_job_next_tick(app, org):
    """The job as the scheduler process calls it: the failure is logged, not raised (the
    scheduler goes on), the job's lock is let go, and the next tick does the work."""
    from tracker.jobs.scheduler import build_scheduler

    tick = build_scheduler(app).get_job("deliver").func
    # Every connection is dropped on PostgreSQL, the job lock's own one with it.
    with DatabaseFault(db.engine, "SELECT .*FROM webhook_deliveries", everyone=True) as fault:
        tick()
    assert fault.fired == 1
    db.session.expire_all()
    assert (
        db.session.get(JobRun, "deliver") is None
        or not db.session.get(JobRun, "deliver").last_finished_at
    )  # no heartbeat for a run that failed
    db.session.rollback()
    tick()
    db.session.expire_all()
    assert db.session.get(JobRun, "deliver").last_finished_at is not None
    write_summary(
        "scheduler_job_survives_dropped_connection", faults_injected=1, next_tick="completed"
    )

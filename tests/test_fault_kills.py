"""The scheduler's commands killed with SIGKILL mid-sweep and mid-delivery, then restarted.

Each command runs in its own process, as in production (``tracker sweep --now``,
``tracker deliver --now``, ``tracker digest --now``, ``tracker scheduler``), and is killed
at a pause point (tracker/faults.py) — after the sweep's inserts, just before its commit,
after a job's commit but before it lets go of its lock, after an email or a webhook
delivery is claimed, and after the receiving server accepted it but before that is
recorded. After the restarts: the sweep's notices exist once each with their messages
and audit events; every email and delivery arrived, and arrived twice only where the
process died between the server's "250 OK" and our commit — the one window an SMTP send
leaves — and then with the same Message-ID (or X-Tracker-Delivery).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from tests.factories import forget_workflow_notices, issued_task
from tests.faults import (
    ROOT,
    HookReceiver,
    MailServer,
    command_environment,
    kill_at,
    release_database,
    run_command,
    tracker_command,
    write_summary,
)
from tests.test_fault_smtp_down import _city_with_mail
from tests.test_reminders import CAL, DUE, at, wd
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.jobs import runner, work
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.reminders.models import Escalation, Reminder
from tracker.webhooks.models import WebhookDelivery

DOMAIN = "hanoi.gov.vn"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _sweep_counts() -> tuple[int, int, int, int]:
    db.session.expire_all()
    counts = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Reminder, Escalation, Notification, AuditEvent)
    )
    release_database()
    return counts


@dataclass(frozen=True)
class NoticeTally:
    """The sweep's notices as the database holds them, and what is wrong with them."""

    notices: int
    lost: int  # a notice without its inbox message or without its audit event
    duplicates: int  # audit events beyond the one each notice should have

    def check(self) -> int:
        """Fail unless every notice was recorded exactly once; return how many there are."""
        assert (self.lost, self.duplicates) == (0, 0), self
        return self.notices


def _tally_notices() -> NoticeTally:
    """Count every notice, those missing their inbox message or audit event, and the audit
    events that name a notice more than once."""
    reminders = db.session.scalars(sa.select(Reminder)).all()
    escalations = db.session.scalars(sa.select(Escalation)).all()
    events = db.session.scalars(sa.select(AuditEvent)).all()
    keys = set(
        db.session.scalars(sa.select(Notification.key).where(Notification.channel == Channel.INBOX))
    )
    lost = duplicates = 0
    for notice, key, field in [
        *((r, f"reminder:{r.id}", "reminder_id") for r in reminders),
        *((e, f"escalation:{e.id}", "escalation_id") for e in escalations),
    ]:
        named = sum(1 for e in events if e.after and json.loads(e.after).get(field) == notice.id)
        lost += key not in keys or named == 0
        duplicates += max(named - 1, 0)
    release_database()
    return NoticeTally(len(reminders) + len(escalations), lost, duplicates)


def _each_notice_once_with_messages_and_events() -> int:
    """Check every notice has its inbox messages and exactly one audit event; count them."""
    return _tally_notices().check()


def test_a_sweep_killed_at_each_point_and_restarted_sends_each_notice_once(app, org, now, tmp_path):
    issued_task(org, now, due_date=DUE)
    issued_task(org, now, title="Báo cáo chỉ số CCHC", due_date=wd(DUE, -1))
    env = command_environment(app)
    moment = _iso(at(wd(DUE, 12)))
    nothing = _sweep_counts()

    kills, left_behind = [], 0
    for point in ("sweep.inserted", "sweep.before_commit"):
        kills.append(kill_at(env, point, tmp_path, "sweep", "--now", moment))
        after = _sweep_counts()
        left_behind += sum(a - b for a, b in zip(after, nothing, strict=True))
        assert after == nothing, point  # the killed transaction left nothing

    # Killed after its commit, before it let go of its lock and wrote its heartbeat.
    kills.append(kill_at(env, "job.finished", tmp_path, "sweep", "--now", moment))
    done = _sweep_counts()
    assert done[0] == 10 and done[1] == 2
    tally = _tally_notices()
    notices = tally.check()

    # A restart is not kept waiting by the dead process's lock, and creates nothing.
    again = run_command(env, "sweep", "--now", moment).stdout
    assert "Đã quét: nhắc hạn: 0, cảnh báo quá hạn: 0, đôn đốc: 0" in again, again
    assert _sweep_counts() == done
    assert verify_chain().ok
    write_summary(
        "sweep_killed",
        kills=kills,
        kill_signal="SIGKILL",
        notices=notices,
        notifications=done[2],
        audit_events=done[3],
        left_behind_by_killed_transactions=left_behind,
        duplicates=tally.duplicates,
        lost=tally.lost,
    )


def _outbox_rows() -> dict[str, dict]:
    db.session.expire_all()
    rows = {}
    for n in db.session.scalars(sa.select(Notification).where(Notification.channel == "email")):
        rows[f"email:{n.id}"] = {
            "status": n.status,
            "attempts": n.attempts,
            "error": n.last_error,
            "digest": n.digest,
        }
    for d in db.session.scalars(sa.select(WebhookDelivery)):
        rows[f"hook:{d.event_id}"] = {
            "status": d.status,
            "attempts": d.attempts,
            "error": d.last_error,
        }
    release_database()
    return rows


def _interrupted(rows: dict) -> set[str]:
    return {k for k, r in rows.items() if (r["error"] or "").startswith("interrupted")}


def test_outbox_delivery_killed_at_each_point_loses_nothing_and_repeats_only_the_window(
    app, org, now, tmp_path
):
    mail, hooks = MailServer(), HookReceiver()
    mail.start()
    hooks.start()
    try:
        _city_with_mail(org, now, hooks)
        start = at(wd(DUE, 12), 7)
        runner.run_job("sweep", lambda t: work.describe(work.sweep_job(t)), start)
        env = command_environment(
            app, SMTP_HOST="127.0.0.1", SMTP_PORT=mail.port, MAIL_FROM=f"nhiemvu@{DOMAIN}"
        )
        queued = _outbox_rows()
        assert sum(k.startswith("hook:") for k in queued) == 5

        def deliver(minutes: int, point: str | None, job: str = "deliver") -> None:
            args = (job, "--now", _iso(start + timedelta(minutes=minutes)))
            if point is None:
                out = run_command(env, *args).stdout
                assert "Đang bận" not in out, out  # no dead process's lock in the way
            else:
                kills.append(kill_at(env, point, tmp_path, *args))

        kills: list[str] = []
        window: set[str] = set()  # what was accepted by the receiver, not yet recorded

        deliver(0, "outbox.webhook.claimed:2")  # the 2nd delivery taken, not sent
        assert len(hooks.received) == 1 and len(_interrupted(_outbox_rows())) == 1

        deliver(1, "outbox.webhook.sent:2")  # the 4th accepted, not recorded
        window |= {f"hook:{hooks.received[-1][0]['X-Tracker-Delivery']}"}
        assert window <= _interrupted(_outbox_rows())

        deliver(2, "outbox.email.claimed:3")  # the 3rd email taken, not sent
        assert len(mail.messages) == 2

        deliver(3, "outbox.email.sent:2")  # the 5th accepted, not recorded
        last = str(mail.messages[-1]["Message-ID"])
        window |= {f"email:{last.split('-')[1].split('@')[0]}"}
        assert window <= _interrupted(_outbox_rows())

        deliver(30, "outbox.digest.sent", job="digest")  # 07:30: the digest accepted
        digest_id = str(mail.messages[-1]["Message-ID"])
        assert digest_id.startswith("<digest-")

        # Past the leases taken at 07:00–07:03: everything due goes, then the process is killed
        # after its commits, before it lets go of the job's lock.
        deliver(31, "job.finished")
        deliver(45, None)  # the digest's lease is over: it goes again, the same message
        assert len(kills) == 6

        rows = _outbox_rows()
        assert {r["status"] for r in rows.values()} == {DeliveryStatus.SENT}
        ids = mail.message_ids()
        emails = {
            k.split(":")[1] for k, r in rows.items() if k.startswith("email:") and not r["digest"]
        }
        expected = {f"<notification-{n}@{DOMAIN}>" for n in emails} | {digest_id}
        assert set(ids) == expected  # nothing lost
        repeated = {m for m, c in ids.items() if c > 1}
        in_window = {f"<notification-{k[6:]}@{DOMAIN}>" for k in window if k.startswith("email:")}
        assert repeated == in_window | {digest_id}  # the killed sends, and only they
        assert set(ids.values()) == {1, 2}
        hook_ids = hooks.delivery_ids()
        assert set(hook_ids) == {k.split(":")[1] for k in rows if k.startswith("hook:")}
        assert {f"hook:{h}" for h, c in hook_ids.items() if c > 1} == {
            k for k in window if k.startswith("hook:")
        }
        # A repeat is the very same message: same id, same content, same signature.
        twice = [m for m in mail.messages if str(m["Message-ID"]) == digest_id]
        assert twice[0].get_content() == twice[1].get_content()
        same_hook = [b for h, b in hooks.received if f"hook:{h['X-Tracker-Delivery']}" in window]
        assert len(same_hook) == 2 and same_hook[0] == same_hook[1]
    finally:
        mail.stop()
        hooks.stop()
    write_summary(
        "outbox_delivery_killed",
        kills=kills,
        kill_signal="SIGKILL",
        emails_immediate=len(emails),
        digest_emails=1,
        webhook_deliveries=len(hook_ids),
        received_at_smtp_server=len(mail.messages),
        received_at_webhook_receiver=len(hooks.received),
        lost=len(expected - set(ids)),
        repeated_in_the_window=sorted(repeated) + sorted(h for h, c in hook_ids.items() if c > 1),
        repeated_elsewhere=len(repeated - in_window - {digest_id}),
        window=(
            "killed after the receiving server accepted the message and before the commit "
            "that records it: sent again after the lease with the same Message-ID / "
            "X-Tracker-Delivery"
        ),
    )


def _wait_until_sent(process: subprocess.Popen, expected: int, limit: float = 90) -> None:
    """Wait (bounded) until the running scheduler has sent every email in the outbox."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0][-3000:]
        db.session.expire_all()
        sent = db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.channel == Channel.EMAIL, Notification.status == DeliveryStatus.SENT
            )
        )
        release_database()
        if sent == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"the scheduler sent {sent} of {expected} emails in {limit} s")


def test_the_scheduler_killed_mid_sweep_and_mid_delivery_then_restarted(app, org, tmp_path):
    """``tracker scheduler`` itself, on a running clock: killed while its start-up sweep
    holds its inserts, then while an email the server accepted is not yet recorded."""
    now = utcnow()
    today = local_date(now)
    for user, address in (
        (org.head_a, "truong@tttt.hanoi.gov.vn"),
        (org.assigner, "giao@vpub.hanoi.gov.vn"),
        (org.inspector, "soat@snv.hanoi.gov.vn"),
        (org.leader, "lanh@hanoi.gov.vn"),
    ):
        user.email = address
    db.session.commit()
    issued_task(org, now - timedelta(days=40), due_date=CAL.add_working_days(today, -12))
    forget_workflow_notices()  # this test follows the sweep's notices
    mail = MailServer()
    mail.start()
    env = command_environment(
        app,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=mail.port,
        SMTP_TIMEOUT=5,
        MAIL_FROM=f"nhiemvu@{DOMAIN}",
        DELIVERY_INTERVAL_SECONDS=1,
        OUTBOX_LEASE_SECONDS=2,
    )
    process = None
    try:
        kills = [kill_at(env, "sweep.inserted", tmp_path, "scheduler")]
        assert _sweep_counts()[:3] == (0, 0, 0)  # the start-up sweep left nothing

        kills.append(kill_at(env, "outbox.email.sent:3", tmp_path, "scheduler"))
        assert len(mail.messages) == 3
        in_window = str(mail.messages[-1]["Message-ID"])
        notices = _each_notice_once_with_messages_and_events()
        assert notices >= 5
        expected = db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(Notification.channel == Channel.EMAIL)
        )
        release_database()

        process = subprocess.Popen(
            tracker_command("scheduler"),
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        _wait_until_sent(process, expected)
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        mail.stop()
    ids = mail.message_ids()
    assert len(ids) == expected  # nothing lost
    repeated = {m for m, c in ids.items() if c > 1}
    assert repeated == {in_window} and ids[in_window] == 2
    assert _each_notice_once_with_messages_and_events() == notices  # nothing swept twice
    write_summary(
        "scheduler_killed",
        kills=kills,
        kill_signal="SIGKILL",
        notices=notices,
        emails=expected,
        received_at_smtp_server=len(mail.messages),
        repeated_in_the_window=[in_window],
        repeated_elsewhere=len(repeated - {in_window}),
        lost=expected - len(ids),
    )

"""The mail server and a receiving system down for an hour, then up: every message once.

A real SMTP server (aiosmtpd) and a real HTTP receiver on loopback ports that are closed
for the first hour of simulated time: the outbox job runs every 30 seconds as the
scheduler runs it, messages wait with growing pauses and none is given up on; then both
come up and each email (counted by Message-ID at the server) and each webhook delivery
(by X-Tracker-Delivery at the receiver) arrives exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import issued_task
from tests.faults import HookReceiver, MailServer, write_summary
from tests.test_reminders import DUE, at, wd
from tracker.extensions import db
from tracker.jobs import runner, work
from tracker.jobs.outbox import RETRY_DELAYS
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import EmailMode
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.services import register_webhook

DOMAIN = "hanoi.gov.vn"
TICK = timedelta(seconds=30)  # DELIVERY_INTERVAL_SECONDS, the scheduler's default


@pytest.fixture
def servers(app):
    mail, hooks = MailServer(), HookReceiver()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=mail.port, SMTP_TIMEOUT=5, MAIL_FROM=f"nhiemvu@{DOMAIN}"
    )
    yield mail, hooks
    mail.stop()
    hooks.stop()


def _city_with_mail(org, now, hooks) -> None:
    """Three departments' tasks, five people with email (one by morning digest), and a
    receiving system subscribed to issued, overdue and escalated tasks."""
    for user, address in (
        (org.head_a, "truong@tttt.hanoi.gov.vn"),
        (org.head_b, "phap@stp.hanoi.gov.vn"),
        (org.assigner, "giao@vpub.hanoi.gov.vn"),
        (org.inspector, "soat@snv.hanoi.gov.vn"),
        (org.leader, "lanh@hanoi.gov.vn"),
    ):
        user.email = address
    org.leader.email_mode = EmailMode.DIGEST
    register_webhook(
        name="Hệ thống quản lý văn bản",
        url=hooks.url,
        events=["task.issued", "task.overdue", "task.escalated"],
        actor=org.admin,
        now=now,
    )
    db.session.commit()
    issued_task(org, now, title="Số hoá hồ sơ TTHC", due_date=DUE)
    issued_task(
        org,
        now,
        title="Rà soát văn bản quy phạm pháp luật",
        due_date=wd(DUE, 12),
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
    )
    issued_task(org, now, title="Báo cáo chỉ số CCHC quý IV", due_date=wd(DUE, 14))


@dataclass(frozen=True)
class Row:
    """One outbox row as it stood (read, then the test's transaction is ended at once)."""

    key: str
    id: int
    digest: bool
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    done_at: datetime | None
    event_id: str | None


def _outbox() -> list[Row]:
    db.session.expire_all()
    rows = [
        Row(f"email:{n.id}", n.id, n.digest, n.status, n.attempts, n.last_error, n.sent_at, None)
        for n in db.session.scalars(
            sa.select(Notification).where(Notification.channel == Channel.EMAIL)
        )
    ]
    rows += [
        Row(
            f"hook:{d.id}",
            d.id,
            False,
            d.status,
            d.attempts,
            d.last_error,
            d.delivered_at,
            d.event_id,
        )
        for d in db.session.scalars(sa.select(WebhookDelivery))
    ]
    db.session.rollback()  # on SQLite the scheduler's jobs need the write lock
    return rows


def test_an_hour_without_mail_server_or_receiver_loses_nothing_and_repeats_nothing(
    app, org, now, servers
):
    mail, hooks = servers
    _city_with_mail(org, now, hooks)
    start = at(wd(DUE, 12), 7)  # 07:00 in Hà Nội: the first sweep of the day
    runner.run_job("sweep", lambda t: work.describe(work.sweep_job(t)), start)
    rows = _outbox()
    emails = [r for r in rows if r.key.startswith("email:")]
    digest_notes = [n for n in emails if n.digest]
    assert len(emails) >= 12 and digest_notes and len(rows) - len(emails) == 5

    # An hour down: the outbox job every 30 s, the morning digest at 07:30.
    attempts_seen: dict[str, list] = defaultdict(list)
    digest_at = start + timedelta(minutes=30)
    runs = 0
    moment = start
    while moment < start + timedelta(hours=1):
        if moment == digest_at:
            runner.run_job("digest", work.digest_job, moment)
        runner.run_job("deliver", work.deliver_job, moment)
        runs += 1
        for row in _outbox():
            seen = attempts_seen[row.key]
            if row.attempts > len(seen):
                seen.append(moment)
        moment += TICK

    assert mail.messages == [] and hooks.received == []
    waiting = _outbox()
    assert {r.status for r in waiting} == {DeliveryStatus.PENDING}  # none given up on
    assert all(r.last_error and "Connection refused" in r.last_error for r in waiting)
    # Growing pauses: 1, 2, 5, 10, 30 minutes between attempts.
    schedule = [d for d in RETRY_DELAYS[:5]]
    for key, times in attempts_seen.items():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert gaps == schedule[: len(gaps)], key
    immediate_attempts = {len(attempts_seen[r.key]) for r in waiting if not r.digest}
    assert immediate_attempts == {6}  # at 0, 1, 3, 8, 18 and 48 minutes
    assert {len(attempts_seen[n.key]) for n in digest_notes} == {5}  # from 07:30

    # Both come back; time moves on a minute at a time.
    mail.start()
    hooks.start()
    back = moment
    while moment < start + timedelta(hours=2):
        runner.run_job("deliver", work.deliver_job, moment)
        runs += 1
        moment += timedelta(minutes=1)
    delivered = _outbox()
    assert {r.status for r in delivered} == {DeliveryStatus.SENT}
    assert all(r.done_at >= back for r in delivered)

    # Exactly once, counted where the messages arrive.
    ids = mail.message_ids()
    digest_ids = sorted(n.id for n in digest_notes)
    expected = {f"<notification-{n.id}@{DOMAIN}>" for n in emails if not n.digest}
    expected.add(f"<digest-{digest_ids[0]}-{digest_ids[-1]}@{DOMAIN}>")
    assert set(ids) == expected and set(ids.values()) == {1}
    hook_ids = hooks.delivery_ids()
    assert set(hook_ids) == {r.event_id for r in delivered if r.event_id}
    assert set(hook_ids.values()) == {1}
    digest = next(m for m in mail.messages if str(m["Message-ID"]).startswith("<digest-"))
    assert digest["Subject"] == f"[Tổng hợp buổi sáng] {len(digest_notes)} thông báo về nhiệm vụ"

    # Later runs send nothing more.
    for _ in range(10):
        runner.run_job("deliver", work.deliver_job, moment)
        moment += timedelta(hours=1)
    assert len(mail.messages) == len(expected) and len(hooks.received) == len(hook_ids)

    write_summary(
        "smtp_and_receiver_down_one_hour",
        faults={"smtp_server_down_minutes": 60, "webhook_receiver_down_minutes": 60},
        outbox_runs=runs,
        attempts_while_down=sum(len(t) for t in attempts_seen.values()),
        emails_immediate=len(expected) - 1,
        digest_emails=1,
        digest_notifications=len(digest_notes),
        webhook_deliveries=len(hook_ids),
        received_at_smtp_server=len(mail.messages),
        received_at_webhook_receiver=len(hooks.received),
        marked_failed=0,
        duplicates=sum(c - 1 for c in ids.values()) + sum(c - 1 for c in hook_ids.values()),
        lost=len(expected - set(ids))
        + len(set(r.event_id for r in delivered if r.event_id) - set(hook_ids)),
    )

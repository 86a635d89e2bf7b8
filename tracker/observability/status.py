"""The system's state as the database knows it: the outbox backlog, the scheduler's jobs,
escalation records. Read by /metrics at each scrape, by /healthz and by the admins' page,
so every query is indexed and every count is bounded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.jobs.models import JobRun
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import User
from tracker.reminders.models import Escalation, EscalationStatus
from tracker.webhooks.models import Webhook, WebhookDelivery

# Counting stops here: a backlog this large needs attention, not an exact figure.
COUNT_CAP = 100_000
# The outbox job runs every DELIVERY_INTERVAL_SECONDS; this many missed runs is "stale".
MISSED_RUNS = 10
HEARTBEAT_JOB = "deliver"
# The scheduler's jobs in the order the page lists them; others (audit checks) follow.
JOB_ORDER = ("sweep", "deliver", "digest", "series")
ERRORS_SHOWN = 10


@dataclass(frozen=True)
class Queue:
    """One outbox queue: waiting and given-up messages, and when the oldest waiting one came."""

    name: str
    pending: int
    failed: int
    oldest_pending_at: datetime | None

    @property
    def capped(self) -> bool:
        return self.pending >= COUNT_CAP or self.failed >= COUNT_CAP

    def oldest_age(self, now: datetime) -> timedelta | None:
        return now - self.oldest_pending_at if self.oldest_pending_at else None


@dataclass(frozen=True)
class JobState:
    """What a scheduler job did last (``job_runs``), as the page and /metrics show it."""

    name: str
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_result: str | None
    last_duration_ms: int | None
    counts: dict[str, int]
    runs: int
    failures: int
    last_failed_at: datetime | None
    last_error: str | None

    @property
    def failing(self) -> bool:
        """Tell whether the latest run failed (it failed after the last one that finished)."""
        if self.last_failed_at is None:
            return False
        return self.last_finished_at is None or self.last_failed_at > self.last_finished_at


@dataclass(frozen=True)
class SchedulerState:
    """Whether the scheduler process looks alive: ``ok``, ``stale`` or ``never_ran``."""

    state: str
    last_beat: datetime | None
    limit: timedelta


@dataclass(frozen=True)
class OutboxError:
    """A message that failed at least once, with the error it got."""

    kind: str  # "email" or "webhook"
    id: int
    recipient: str
    subject: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    error: str


@dataclass(frozen=True)
class Escalations:
    opened: int
    open: int


@dataclass
class SystemStatus:
    queues: list[Queue]
    jobs: list[JobState]
    scheduler: SchedulerState
    escalations: Escalations
    errors: list[OutboxError] = field(default_factory=list)

    def job(self, name: str) -> JobState | None:
        return next((job for job in self.jobs if job.name == name), None)


def _capped_count(model, *conditions) -> int:
    inner = sa.select(sa.literal(1)).select_from(model).where(*conditions).limit(COUNT_CAP)
    return db.session.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0


def _email_queue(name: str, digest: bool) -> Queue:
    where = (Notification.channel == Channel.EMAIL, Notification.digest.is_(digest))
    pending = (*where, Notification.status == DeliveryStatus.PENDING)
    return Queue(
        name=name,
        pending=_capped_count(Notification, *pending),
        failed=_capped_count(Notification, *where, Notification.status == DeliveryStatus.FAILED),
        oldest_pending_at=db.session.scalar(
            sa.select(sa.func.min(Notification.created_at)).where(*pending)
        ),
    )


def _webhook_queue() -> Queue:
    pending = WebhookDelivery.status == DeliveryStatus.PENDING
    return Queue(
        name="webhook",
        pending=_capped_count(WebhookDelivery, pending),
        failed=_capped_count(WebhookDelivery, WebhookDelivery.status == DeliveryStatus.FAILED),
        oldest_pending_at=db.session.scalar(
            sa.select(sa.func.min(WebhookDelivery.created_at)).where(pending)
        ),
    )


def outbox_queues() -> list[Queue]:
    """Return the outbox's queues: immediate emails, digest emails, webhook deliveries."""
    return [_email_queue("email", False), _email_queue("digest", True), _webhook_queue()]


def _counts(raw: str | None) -> dict[str, int]:
    try:
        counts = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {}


def job_states() -> list[JobState]:
    """Return each scheduler job's last run, the scheduler's own jobs first."""
    rows = db.session.scalars(sa.select(JobRun)).all()
    states = [
        JobState(
            name=row.name,
            last_started_at=row.last_started_at,
            last_finished_at=row.last_finished_at,
            last_result=row.last_result,
            last_duration_ms=row.last_duration_ms,
            counts=_counts(row.last_counts),
            runs=row.runs or 0,
            failures=row.failures or 0,
            last_failed_at=row.last_failed_at,
            last_error=row.last_error,
        )
        for row in rows
    ]
    rank = {name: i for i, name in enumerate(JOB_ORDER)}
    return sorted(states, key=lambda job: (rank.get(job.name, len(rank)), job.name))


def scheduler_state(now: datetime, interval_seconds: int) -> SchedulerState:
    """Tell whether the scheduler is alive: its outbox job, which runs every
    ``interval_seconds``, finished within the last MISSED_RUNS intervals (5 min at least)."""
    limit = timedelta(seconds=max(300, interval_seconds * MISSED_RUNS))
    beat = db.session.scalar(sa.select(JobRun.last_finished_at).where(JobRun.name == HEARTBEAT_JOB))
    if beat is None:
        return SchedulerState("never_ran", None, limit)
    return SchedulerState("ok" if now - beat <= limit else "stale", beat, limit)


def escalation_counts() -> Escalations:
    """Return how many escalation records were ever opened, and how many await a conclusion."""
    opened, still_open = db.session.execute(
        sa.select(
            sa.func.count(Escalation.id),
            sa.func.count(Escalation.id).filter(Escalation.status == EscalationStatus.OPEN),
        )
    ).one()
    return Escalations(opened=opened or 0, open=still_open or 0)


def recent_errors(limit: int = ERRORS_SHOWN) -> list[OutboxError]:
    """Return the newest messages that failed at least once (given up, or to be retried)."""
    backlog = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
    emails = db.session.execute(
        sa.select(Notification, User.full_name)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.channel == Channel.EMAIL,
            Notification.status.in_(backlog),
            Notification.last_error.is_not(None),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
    hooks = db.session.execute(
        sa.select(WebhookDelivery, Webhook.name)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status.in_(backlog), WebhookDelivery.last_error.is_not(None))
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
    ).all()
    found = [
        OutboxError(
            "email",
            note.id,
            name,
            note.subject,
            note.status,
            note.attempts,
            note.created_at,
            note.next_attempt_at,
            note.last_error,
        )
        for note, name in emails
    ] + [
        OutboxError(
            "webhook",
            delivery.id,
            name,
            delivery.event,
            delivery.status,
            delivery.attempts,
            delivery.created_at,
            delivery.next_attempt_at,
            delivery.last_error,
        )
        for delivery, name in hooks
    ]
    return sorted(found, key=lambda e: e.created_at, reverse=True)[:limit]


def system_status(now: datetime, interval_seconds: int, *, with_errors: bool) -> SystemStatus:
    """Return everything the status page and /metrics show, in a fixed number of queries."""
    return SystemStatus(
        queues=outbox_queues(),
        jobs=job_states(),
        scheduler=scheduler_state(now, interval_seconds),
        escalations=escalation_counts(),
        errors=recent_errors() if with_errors else [],
    )

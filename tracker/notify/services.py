"""The outbox: queue messages with the change that causes them, deliver after commit.

Queuing writes rows in the caller's transaction, so a rolled-back change sends
nothing. Delivery reads the outbox later (the scheduler, every 30 seconds), sends each
email, and marks it sent in its own small transaction, so a mail server that is down
only delays messages: they wait, are retried with growing pauses, and none is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import EmailMode, User

logger = logging.getLogger(__name__)

# Pauses between attempts; after the last one the message is marked failed for an admin.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60, 120, 240, 480, 720)]


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    link: str = ""
    task_id: int | None = None


def queue(key: str, user_ids: list[int], message: Message, *, now: datetime) -> None:
    """Put a message in each user's inbox and, by their choice, in the email outbox."""
    if not user_ids:
        return
    users = db.session.execute(
        sa.select(User.id, User.email, User.email_mode, User.active).where(User.id.in_(user_ids))
    ).all()
    rows = []
    for user_id, email, mode, active in users:
        if not active:
            continue
        common = {
            "key": key,
            "user_id": user_id,
            "task_id": message.task_id,
            "subject": message.subject,
            "body": message.body,
            "link": message.link,
            "created_at": now,
            "attempts": 0,
        }
        rows.append(
            {
                **common,
                "channel": Channel.INBOX.value,
                "digest": False,
                "status": DeliveryStatus.SENT.value,
                "sent_at": now,
                "next_attempt_at": None,
            }
        )
        if email and mode != EmailMode.NONE:
            rows.append(
                {
                    **common,
                    "channel": Channel.EMAIL.value,
                    "digest": mode == EmailMode.DIGEST,
                    "status": DeliveryStatus.PENDING.value,
                    "sent_at": None,
                    "next_attempt_at": now,
                }
            )
    if rows:
        dialect = db.session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        db.session.execute(module.insert(Notification).values(rows).on_conflict_do_nothing())


Sender = Callable[[Notification | list[Notification], User], None]


def _due_emails(now: datetime, limit: int, digest: bool) -> sa.Select:
    query = (
        sa.select(Notification)
        .where(
            Notification.channel == Channel.EMAIL,
            Notification.status == DeliveryStatus.PENDING,
            Notification.digest.is_(digest),
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Two deliverers never take the same message.
        query = query.with_for_update(skip_locked=True, of=Notification)
    return query


def _failed(notifications: list[Notification], error: Exception, now: datetime) -> None:
    for note in notifications:
        note.attempts += 1
        note.last_error = f"{type(error).__name__}: {error}"[:2000]
        if note.attempts > len(RETRY_DELAYS):
            note.status = DeliveryStatus.FAILED
        else:
            note.next_attempt_at = now + RETRY_DELAYS[note.attempts - 1]


def deliver_pending(now: datetime, send: Sender, limit: int = 200) -> tuple[int, int]:
    """Send due immediate emails one by one, committing each; return (sent, failed)."""
    sent = failed = 0
    for _ in range(limit):
        note = db.session.scalars(_due_emails(now, 1, digest=False)).first()
        if note is None:
            break
        try:
            send(note, note.user)
        except Exception as error:  # noqa: BLE001 - any transport failure means "retry later"
            _failed([note], error, now)
            failed += 1
            logger.warning("Email %s to %s failed: %s", note.id, note.user_id, error)
        else:
            note.status, note.sent_at = DeliveryStatus.SENT, now
            note.attempts += 1
            sent += 1
        db.session.commit()
    return sent, failed


def deliver_digests(now: datetime, send: Sender) -> tuple[int, int]:
    """Send each digest user one email with everything waiting for them; return counts."""
    sent = failed = 0
    user_ids = db.session.scalars(
        sa.select(Notification.user_id)
        .distinct()
        .where(
            Notification.channel == Channel.EMAIL,
            Notification.digest.is_(True),
            Notification.status == DeliveryStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
    ).all()
    for user_id in user_ids:
        notes = list(
            db.session.scalars(
                _due_emails(now, 500, digest=True).where(Notification.user_id == user_id)
            )
        )
        if not notes:
            continue
        try:
            send(notes, notes[0].user)
        except Exception as error:  # noqa: BLE001 - retried at the next digest run
            _failed(notes, error, now)
            failed += 1
        else:
            for note in notes:
                note.status, note.sent_at = DeliveryStatus.SENT, now
                note.attempts += 1
            sent += 1
        db.session.commit()
    return sent, failed


def unread_count(user: User) -> int:
    """Return how many inbox messages the user has not read."""
    return db.session.execute(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id,
            Notification.channel == Channel.INBOX,
            Notification.read_at.is_(None),
        )
    ).scalar_one()


def inbox(user: User, *, page: int = 1, per_page: int = 30) -> tuple[list[Notification], int]:
    """Return one page of the user's inbox, newest first, and the total."""
    where = (Notification.user_id == user.id, Notification.channel == Channel.INBOX)
    total = db.session.execute(sa.select(sa.func.count(Notification.id)).where(*where)).scalar()
    rows = db.session.scalars(
        sa.select(Notification)
        .where(*where)
        .order_by(Notification.id.desc())
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(rows), total


def mark_read(user: User, notification_ids: list[int] | None, *, now: datetime) -> int:
    """Mark some (or, with None, all) of the user's inbox messages read; return how many."""
    statement = sa.update(Notification).where(
        Notification.user_id == user.id,
        Notification.channel == Channel.INBOX,
        Notification.read_at.is_(None),
    )
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(notification_ids))
    return db.session.execute(statement.values(read_at=now)).rowcount


def backlog() -> int:
    """Return how many emails wait in the outbox."""
    return db.session.execute(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.channel == Channel.EMAIL, Notification.status == DeliveryStatus.PENDING
        )
    ).scalar_one()

"""Notices for people: queue them with the change that causes them (the in-app inbox and
email alike), read the inbox, choose how email comes. The scheduler's deliver and digest
jobs send the email afterwards (tracker.jobs.outbox)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tracker.audit.services import record
from tracker.extensions import db
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import EmailMode, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    link: str = ""
    task_id: int | None = None
    kind: str = ""  # the stable code of what happened (Notification.kind)


def queue(key: str, user_ids: list[int], message: Message, *, now: datetime) -> None:
    """Put a message in each user's inbox and, by their choice, in the email outbox."""
    queue_many([(key, user_ids, message)], now=now)


def queue_many(items: list[tuple[str, list[int], Message]], *, now: datetime) -> None:
    """Queue many messages — (key, user ids, message) — in two statements whatever their
    number: the morning sweep of a city sends thousands at once."""
    wanted = {user_id for _key, user_ids, _message in items for user_id in user_ids}
    if not wanted:
        return
    people = {
        user_id: (email, mode)
        for user_id, email, mode, active in db.session.execute(
            sa.select(User.id, User.email, User.email_mode, User.active).where(User.id.in_(wanted))
        )
        if active
    }
    rows = []
    for key, user_ids, message in items:
        for user_id in dict.fromkeys(user_ids):
            if user_id not in people:
                continue  # unknown or no longer active
            rows.extend(_rows(key, user_id, *people[user_id], message, now))
    if rows:
        dialect = db.session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        # One Core statement for all rows, sent in batches of many VALUES (the ORM's bulk
        # path would send a statement a row for an INSERT … ON CONFLICT).
        statement = module.insert(Notification.__table__).on_conflict_do_nothing()
        db.session.connection().execute(statement, rows)


def _rows(key: str, user_id: int, email, mode, message: Message, now: datetime) -> list[dict]:
    """The inbox row of one person and, by their choice, the email row."""
    common = {
        "key": key,
        "kind": message.kind,
        "user_id": user_id,
        "task_id": message.task_id,
        "subject": message.subject,
        "body": message.body,
        "link": message.link,
        "created_at": now,
        "attempts": 0,
    }
    rows = [
        {
            **common,
            "channel": Channel.INBOX.value,
            "digest": False,
            "status": DeliveryStatus.SENT.value,
            "sent_at": now,
            "next_attempt_at": None,
        }
    ]
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
    return rows


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


def set_email_mode(user: User, mode: EmailMode, *, now: datetime) -> None:
    """Change how the person gets their notices by email (at once, each morning, never)."""
    before = user.email_mode
    if before == mode:
        return
    user.email_mode = mode
    record(
        "user.email_mode_changed",
        user,
        actor=user,
        now=now,
        before={"email_mode": before},
        after={"email_mode": mode},
    )

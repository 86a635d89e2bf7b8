"""The outbox: queue messages with the change that causes them, deliver after commit.

Queuing writes rows in the caller's transaction, so a rolled-back change sends
nothing. Delivery reads the outbox later (the scheduler, every 30 seconds) and takes
each message in three small transactions of its own: *claim* (count the attempt, keep
other deliverers away for a lease), *send*, *record* (sent, or the next pause). A mail
server that is down only delays messages: they wait, are retried with growing pauses,
and none is lost.

Delivery is at least once, and exactly once except in one window: if the process dies
(or the database stays unreachable) after the mail server said "250 OK" and before the
"sent" is committed, the message goes again when the lease is over — with the same
Message-ID, so the receiving mail system can tell it is the same message. A dead
deliverer in any other place loses nothing and sends nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from tracker.audit.services import record
from tracker.extensions import db
from tracker.faults import pause_point
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


Sender = Callable[[Notification | list[Notification], User], None]

# Errors on which writing an attempt's outcome is tried again on a fresh connection.
_TRANSIENT = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DisconnectionError)


def lease() -> timedelta:
    """Return how long a claimed message is left alone before another attempt may take it."""
    return timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])


def claim(model, ids: list[int], now: datetime) -> list[int]:
    """Take due outbox rows for one attempt each and commit; return the ids taken.

    The claim counts the attempt and moves ``next_attempt_at`` past the lease before
    anything is sent, so a second deliverer never sends the same row, and a row whose
    deliverer died mid-send is tried again (once) when the lease is over.
    """
    if not ids:
        db.session.commit()  # ends the transaction that looked for due rows
        return []
    # What the attempt leaves until it reports back: if the process dies in between, an
    # admin reads this, and the row is sent again (once) when the lease is over.
    interrupted = (
        sa.literal("interrupted: attempt ")
        + sa.cast(model.attempts + 1, sa.String)
        + sa.literal(f" started at {now.isoformat()} and did not report back")
    )
    taken = db.session.scalars(
        sa.update(model)
        .where(
            model.id.in_(ids),
            model.status == DeliveryStatus.PENDING,
            model.next_attempt_at <= now,
        )
        .values(
            attempts=model.attempts + 1,
            next_attempt_at=now + lease(),
            last_error=interrupted,
        )
        .returning(model.id)
    ).all()
    db.session.commit()
    return sorted(taken)


def settle(model, ids: list[int], values: dict) -> None:
    """Record the outcome of an attempt, again on a fresh connection if the first drops.

    After the receiving server has accepted a message, this write is all that stands
    between "sent once" and "sent again": it is retried rather than lost to a blip.
    """
    for attempt in range(3):
        try:
            db.session.execute(sa.update(model).where(model.id.in_(ids)).values(**values))
            db.session.commit()
            return
        except _TRANSIENT:
            db.session.rollback()
            if attempt == 2:
                raise
            logger.warning("Recording the outcome of %s %s failed; trying again", model, ids)
            time.sleep(0.2 * (attempt + 1))


def retry_values(attempts: int, error: str, now: datetime) -> dict:
    """Return the columns of a failed attempt: the next pause, or failed after the last."""
    values = {"last_error": error[:2000]}
    if attempts > len(RETRY_DELAYS):
        values["status"] = DeliveryStatus.FAILED
    else:
        values["next_attempt_at"] = now + RETRY_DELAYS[attempts - 1]
    return values


def _due_ids(
    now: datetime, digest: bool, limit: int, user_id: int | None = None, retries: bool = False
) -> list[int]:
    query = (
        sa.select(Notification.id)
        .where(
            Notification.channel == Channel.EMAIL,
            Notification.status == DeliveryStatus.PENDING,
            Notification.digest.is_(digest),
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    if retries:
        query = query.where(Notification.attempts > 0)
    if db.session.get_bind().dialect.name == "postgresql":
        # Two deliverers never take the same message.
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def _send_claimed(ids: list[int], send: Sender, now: datetime, point: str) -> bool:
    """Send what was claimed (one email, or one digest), then record how it went."""
    # Read in a short session of its own: nothing stays open while the mail server takes
    # its time (on SQLite, an open transaction holds the write lock).
    with Session(db.engine, expire_on_commit=False) as session:
        notes = list(
            session.scalars(
                sa.select(Notification)
                .where(Notification.id.in_(ids))
                .options(selectinload(Notification.user))
                .order_by(Notification.id)
            )
        )
    user = notes[0].user
    pause_point(f"outbox.{point}.claimed")
    try:
        send(notes[0] if point == "email" else notes, user)
    except Exception as error:  # noqa: BLE001 - any transport failure means "retry later"
        attempts = max(n.attempts for n in notes)
        logger.warning("Email %s to user %s failed: %s", ids, user.id, error)
        settle(Notification, ids, retry_values(attempts, f"{type(error).__name__}: {error}", now))
        return False
    pause_point(f"outbox.{point}.sent")
    settle(Notification, ids, {"status": DeliveryStatus.SENT, "sent_at": now, "last_error": None})
    return True


def deliver_pending(now: datetime, send: Sender, limit: int = 200) -> tuple[int, int]:
    """Send due immediate emails one by one: claim, send, record; return (sent, failed)."""
    sent = failed = 0
    for _ in range(limit):
        due = _due_ids(now, digest=False, limit=1)
        taken = claim(Notification, due, now)
        if not due:
            break
        if not taken:
            continue
        if _send_claimed(taken, send, now, "email"):
            sent += 1
        else:
            failed += 1
    return sent, failed


def deliver_digests(now: datetime, send: Sender, *, retries_only: bool = False) -> tuple[int, int]:
    """Send each digest user one email with everything waiting for them; return counts.

    With ``retries_only`` (the outbox job, every few seconds) only the messages of a
    digest that failed or was interrupted go, as they were claimed together: the same
    set, so a digest sent again after a crash carries the same Message-ID.
    """
    sent = failed = 0
    query = (
        sa.select(Notification.user_id)
        .distinct()
        .where(
            Notification.channel == Channel.EMAIL,
            Notification.digest.is_(True),
            Notification.status == DeliveryStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
    )
    if retries_only:
        query = query.where(Notification.attempts > 0)
    user_ids = db.session.scalars(query).all()
    db.session.commit()  # each digest below is claimed in its own transaction
    for user_id in user_ids:
        due = _due_ids(now, digest=True, limit=500, user_id=user_id, retries=retries_only)
        taken = claim(Notification, due, now)
        if not taken:
            continue
        if _send_claimed(taken, send, now, "digest"):
            sent += 1
        else:
            failed += 1
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

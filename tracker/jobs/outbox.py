"""The outbox's delivery, the body of the scheduler's deliver and digest jobs: emails and
deliveries to other systems, each in small transactions of its own.

Queuing (tracker.notify.services, tracker.webhooks.services) writes rows in the caller's
transaction, so a rolled-back change sends nothing. Delivery reads the outbox later (the
scheduler, every 30 seconds) and takes each message in three small transactions of its
own: *claim* (count the attempt, keep other deliverers away for a lease), *send*, *record*
(sent, or the next pause). A mail server or a receiving system that is down only delays
messages: they wait, are retried with growing pauses, and none is lost.

Delivery is at least once, and exactly once except in one window: if the process dies
(or the database stays unreachable) after the receiver said "250 OK" (or 2xx) and before
the "sent" is committed, the message goes again when the lease is over — with the same
Message-ID or ``X-Tracker-Delivery``, so the receiver can tell it is the same message. A
dead deliverer in any other place loses nothing and sends nothing twice.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, selectinload

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.faults import pause_point
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import User
from tracker.webhooks.models import Webhook, WebhookDelivery
from tracker.webhooks.services import SIGNATURE_HEADER, sign

logger = logging.getLogger(__name__)

# Pauses between attempts; after the last one the message is marked failed for an admin.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60, 120, 240, 480, 720)]


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


Post = Callable[[str, bytes, dict[str, str], float], int]


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body; return the status, raising for anything but a 2xx answer."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
        return response.status


def _due(now: datetime) -> list[int]:
    query = (
        sa.select(WebhookDelivery.id)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            Webhook.active,
        )
        .order_by(WebhookDelivery.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    return list(db.session.scalars(query))


def _attempt(delivery_id: int, post: Post, now: datetime) -> bool:
    """Send one claimed delivery and record the answer; True if it was received."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "nhiemvu-5ro-webhooks/1",
        "X-Tracker-Event": delivery.event,
        "X-Tracker-Delivery": delivery.event_id,
        SIGNATURE_HEADER: sign(delivery.webhook.secret, body),
    }
    url, attempts = delivery.webhook.url, delivery.attempts
    db.session.commit()  # nothing is held open while the receiver takes its time
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    pause_point("outbox.webhook.claimed")
    try:
        status = post(url, body, headers, timeout)
    except urllib.error.HTTPError as error:
        return _failed(delivery_id, attempts, f"HTTP {error.code}", now, error.code)
    except Exception as error:  # noqa: BLE001 - any transport failure means "retry later"
        return _failed(delivery_id, attempts, f"{type(error).__name__}: {error}", now, None)
    pause_point("outbox.webhook.sent")
    settle(
        WebhookDelivery,
        [delivery_id],
        {
            "status": DeliveryStatus.SENT,
            "delivered_at": now,
            "last_error": None,
            "response_status": status,
        },
    )
    return True


def _failed(delivery_id: int, attempts: int, error: str, now: datetime, status) -> bool:
    values = retry_values(attempts, error, now)
    settle(WebhookDelivery, [delivery_id], {**values, "response_status": status})
    logger.warning("Webhook delivery %s failed (%s)", delivery_id, error)
    return False


def deliver_webhooks(
    now: datetime | None = None, post: Post = http_post, limit: int = 200
) -> tuple[int, int]:
    """Send due deliveries one by one: claim, send, record; return (sent, failed)."""
    now = now or utcnow()
    sent = failed = 0
    for _attempt_number in range(limit):
        due = _due(now)
        taken = claim(WebhookDelivery, due, now)
        if not due:
            break
        if not taken:
            continue
        if _attempt(taken[0], post, now):
            sent += 1
        else:
            failed += 1
    return sent, failed

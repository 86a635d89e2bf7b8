"""Register receivers, queue signed deliveries with the change that causes them, deliver.

Queuing happens inside the transaction that records the audit event (a rolled-back
change sends nothing); delivery runs later, from the scheduler, each in its own small
transaction, retried with growing pauses when the receiver is down — as e-mail is:
claimed, sent, recorded (see tracker.notify.services). A delivery may arrive twice only
if the process dies between the receiver's answer and the commit that records it; it
then carries the same ``X-Tracker-Delivery``, which receivers are told to deduplicate on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.audit.services import canonical_json, event_recorded, record
from tracker.clock import utcnow
from tracker.errors import NotFound, ValidationError
from tracker.extensions import db
from tracker.faults import pause_point
from tracker.notify.models import DeliveryStatus
from tracker.notify.services import claim, retry_values, settle
from tracker.org.models import User
from tracker.tasks.models import Task
from tracker.text import nfc
from tracker.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tracker-Signature"
# The audit trail's actions that other systems are told about.
EVENT_OF_ACTION = {
    "task.issued": WebhookEvent.TASK_ISSUED,
    "task.warning": WebhookEvent.TASK_OVERDUE,
    "task.escalated": WebhookEvent.TASK_ESCALATED,
    "task.completed": WebhookEvent.TASK_COMPLETED,
}
_RECEIVERS = "tracker.webhooks.receivers"  # active receivers, read once per transaction


def sign(secret: str, body: bytes) -> str:
    """Return the signature header's value: ``sha256=`` and the HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------ receivers


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationError(
            _("Địa chỉ nhận phải là một URL http:// hoặc https:// đầy đủ."),
            fields={"url": _("không hợp lệ")},
        )
    return url


def register_webhook(
    *, name: str, url: str, events: list[str], actor: User, now: datetime
) -> tuple[Webhook, str]:
    """Register a receiver; return it and its signing key (shown this once)."""
    name = nfc(name).strip()
    if not name or len(name) > 120:
        raise ValidationError(
            _("Hãy đặt tên hệ thống nhận (tối đa 120 ký tự)."), fields={"name": _("bắt buộc")}
        )
    try:
        chosen = [WebhookEvent(e) for e in dict.fromkeys(events)]
    except ValueError:
        chosen = []
    if not chosen:
        raise ValidationError(_("Hãy chọn ít nhất một sự kiện."), fields={"events": _("bắt buộc")})
    secret = secrets.token_hex(32)
    webhook = Webhook(
        name=name,
        url=_check_url(url),
        events=",".join(chosen),
        secret=secret,
        active=True,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(webhook)
    db.session.flush()
    record(
        "webhook.created",
        webhook,
        actor=actor,
        now=now,
        after={"name": name, "url": webhook.url, "events": webhook.events},
    )
    return webhook, secret


def set_active(webhook: Webhook, active: bool, *, actor: User, now: datetime) -> None:
    """Pause or resume a receiver; paused receivers get no new deliveries."""
    webhook.active = active
    record(
        "webhook.activated" if active else "webhook.deactivated",
        webhook,
        actor=actor,
        now=now,
        after={"active": active},
    )


def get_webhook(webhook_id: int) -> Webhook:
    found = db.session.get(Webhook, webhook_id)
    if found is None:
        raise NotFound(_("Không tìm thấy hệ thống nhận."))
    return found


def recent_deliveries(webhook: Webhook, limit: int = 100) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def redeliver(delivery_id: int, *, actor: User, now: datetime) -> WebhookDelivery:
    """Put a delivery that gave up back in the queue, after the receiver is fixed."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(_("Không tìm thấy lượt gửi."))
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now
    record(
        "webhook.redelivery",
        delivery.webhook,
        actor=actor,
        now=now,
        after={"delivery_id": delivery.id, "event": delivery.event},
    )
    return delivery


# ------------------------------------------------------------------ queuing


def _receivers() -> list[tuple[int, list[WebhookEvent]]]:
    cached = db.session.info.get(_RECEIVERS)
    if cached is None:
        rows = db.session.execute(sa.select(Webhook.id, Webhook.events).where(Webhook.active))
        cached = [(wid, [WebhookEvent(e) for e in events.split(",") if e]) for wid, events in rows]
        db.session.info[_RECEIVERS] = cached
    return cached


def _task_summary(task: Task) -> dict:
    base = current_app.config["BASE_URL"]
    return {
        "id": task.id,
        "title": task.title,
        "state": task.state,
        "lead_unit_id": task.lead_unit_id,
        "accountable_user_id": task.accountable_user_id,
        "due_date": task.due_date,
        "url": f"{base}/tasks/{task.id}",
        "api_url": f"{base}/api/v1/tasks/{task.id}",
    }


def queue_deliveries(action: str, *, obj, after: dict | None, now: datetime) -> None:
    """Queue a delivery to each active receiver of the event an audit action stands for."""
    event = EVENT_OF_ACTION.get(action)
    if event is None or not isinstance(obj, Task):
        return
    receivers = [wid for wid, events in _receivers() if event in events]
    for webhook_id in receivers:
        event_id = uuid.uuid4().hex
        payload = canonical_json(
            {
                "event_id": event_id,
                "event": event,
                "occurred_at": now,
                "task": _task_summary(obj),
                "details": after or {},
            }
        )
        db.session.add(
            WebhookDelivery(
                webhook_id=webhook_id,
                event=event,
                event_id=event_id,
                task_id=obj.id,
                payload=payload,
                created_at=now,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
        )


def _forget_receivers(session, *args) -> None:
    session.info.pop(_RECEIVERS, None)


def register_webhook_hooks() -> None:
    """Listen to the audit trail; forget the cached receivers when a transaction ends."""
    event_recorded.connect(_on_event_recorded, weak=False)
    if not sa.event.contains(Session, "after_transaction_end", _forget_receivers):
        sa.event.listen(Session, "after_transaction_end", _forget_receivers)


def _on_event_recorded(action: str, *, obj, after, now) -> None:
    queue_deliveries(action, obj=obj, after=after, now=now)


# ------------------------------------------------------------------ delivery

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

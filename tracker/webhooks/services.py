"""Register receivers and queue signed deliveries with the change that causes them.

Queuing happens inside the transaction that records the audit event (a rolled-back
change sends nothing); the scheduler's deliver job sends them later, each in its own
small transaction, retried with growing pauses when the receiver is down — as e-mail is
(tracker.jobs.outbox). A delivery may arrive twice only if the process dies between the
receiver's answer and the commit that records it; it then carries the same
``X-Tracker-Delivery``, which receivers are told to deduplicate on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker.audit.services import canonical_json, event_recorded, record
from tracker.errors import NotFound, ValidationError
from tracker.extensions import db
from tracker.notify.models import DeliveryStatus
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

"""Registered receivers and the deliveries owed to them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db
from tracker.notify.models import DeliveryStatus
from tracker.text import N_


class WebhookEvent(enum.StrEnum):
    TASK_ISSUED = "task.issued"
    TASK_OVERDUE = "task.overdue"
    TASK_ESCALATED = "task.escalated"
    TASK_COMPLETED = "task.completed"


EVENT_LABELS = {
    WebhookEvent.TASK_ISSUED: N_("Nhiệm vụ được giao"),
    WebhookEvent.TASK_OVERDUE: N_("Nhiệm vụ quá hạn (mỗi lần cảnh báo)"),
    WebhookEvent.TASK_ESCALATED: N_("Hồ sơ chậm trễ chuyển Sở Nội vụ"),
    WebhookEvent.TASK_COMPLETED: N_("Nhiệm vụ hoàn thành"),
}


class Webhook(db.Model):
    """A receiving system: where to POST, for which events, and the shared signing key.

    The key is kept as given (it signs every delivery, so it cannot be a one-way hash);
    it is shown to the admin once, when the receiver is registered.
    """

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    url: Mapped[str] = mapped_column(sa.String(500))
    events: Mapped[str] = mapped_column(sa.String(200))  # comma-separated WebhookEvent values
    secret: Mapped[str] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def event_list(self) -> list[WebhookEvent]:
        return [WebhookEvent(e) for e in self.events.split(",") if e]


class WebhookDelivery(db.Model):
    """One event owed to one receiver; the payload is stored exactly as it is signed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_backlog", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(sa.ForeignKey("webhooks.id"), index=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    event_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    task_id: Mapped[int | None] = mapped_column()
    payload: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "webhook_delivery_status")
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    webhook: Mapped[Webhook] = relationship()

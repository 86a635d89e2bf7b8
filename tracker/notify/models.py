"""The notification outbox: one row per person and channel, written with the change."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db
from tracker.org.models import User


class Channel(enum.StrEnum):
    INBOX = "inbox"
    EMAIL = "email"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waits for delivery (email), or for the morning digest
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; shown to admins


class Notification(db.Model):
    """A message for one person on one channel.

    ``key`` names the event it reports (e.g. "reminder:41"); with the user and channel
    it is unique, so a notice is never queued twice for the same person.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("key", "user_id", "channel"),
        sa.Index("ix_notifications_outbox", "channel", "status", "next_attempt_at"),
        sa.Index("ix_notifications_inbox", "user_id", "channel", "read_at"),
        # The backlog for admins and /metrics: counts by queue and the oldest waiting.
        sa.Index("ix_notifications_backlog", "channel", "status", "digest", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    # What happened, as a stable code programs can rely on: task.issued, extension.requested,
    # comment.added… and the sweep's reminder, warning, urging and escalation.
    kind: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(300), default="")
    digest: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

"""Audit events and the head of their hash chain."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.dbtypes import UTCDateTime
from tracker.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """One change: who did what to which object, when, with the values before and after.

    ``before`` and ``after`` are canonical JSON text, stored exactly as hashed. Each
    event's ``hash`` covers its content and the previous event's hash, so an edited,
    inserted or deleted event breaks the chain from that point on.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_object", "object_type", "object_id", "seq"),
        # The audit search by period.
        sa.Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(80))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int] = mapped_column()
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditChainHead(db.Model):
    """The single row that says how long the chain is and how it ends.

    Appending locks this row, so events are chained one transaction at a time, and
    deleting the newest events is detected because the head no longer matches.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)


class ChainCheck(db.Model):
    """One check of the whole chain: when, by whom (a user, the command line or the nightly
    job), how far it went and whether it held. Every check is kept."""

    __tablename__ = "audit_chain_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_by: Mapped[str] = mapped_column(sa.String(80))
    ok: Mapped[bool] = mapped_column()
    checked: Mapped[int] = mapped_column()  # events found intact before the first broken one
    head_seq: Mapped[int] = mapped_column()  # the chain's length when the check began
    broken_seq: Mapped[int | None] = mapped_column()
    broken_id: Mapped[int | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.Text)

"""Write audit events with the change that causes them, and check the chain.

Services call :func:`record` while they work; the events are chained and inserted
when the transaction commits (see :func:`register_audit_hooks`). Doing it at commit
time means the chain's lock is always the last one a transaction takes, so writers
queue on it briefly and can never deadlock on it, and a rolled-back change leaves
no event behind.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm import Session

from tracker.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from tracker.extensions import db

logger = logging.getLogger(__name__)

_PENDING = "tracker.audit.pending"
_MARKS = "tracker.audit.savepoints"  # savepoint → how many events were pending at its start
SYSTEM_ACTOR = "system"

# Sent for every recorded event, inside the transaction that records it, so other
# features (outbound webhooks) can react in the same transaction without the audit
# trail knowing them.
event_recorded = Namespace().signal("audit-event-recorded")


@dataclass
class _PendingEvent:
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    # The object itself only while it has no id yet (it gets one at the flush before the
    # commit); otherwise its id alone, so that the objects of a long transaction — the
    # morning sweep names thousands of tasks — need not stay in memory until it ends.
    obj: Any
    object_id: int | None
    before: dict | None
    after: dict | None

    @property
    def named_id(self) -> int:
        return self.object_id if self.object_id is not None else self.obj.id


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


def canonical_json(value: Any) -> str:
    """Serialise a value the same way every time, so its hash is reproducible."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )


def record(
    action: str,
    obj: Any,
    *,
    actor: Any | None,
    now: datetime,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Record that ``actor`` did ``action`` to ``obj`` at ``now``; written at commit."""
    pending = db.session.info.setdefault(_PENDING, [])
    pending.append(
        _PendingEvent(
            occurred_at=now,
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "username", SYSTEM_ACTOR),
            action=action,
            object_type=type(obj).__name__,
            obj=obj if obj.id is None else None,
            object_id=obj.id,
            before=before,
            after=after,
        )
    )
    event_recorded.send(action, obj=obj, after=after, now=now)


def changed_values(before: dict, after: dict) -> tuple[dict, dict]:
    """Return only the keys whose values differ, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def event_hash(fields: dict[str, Any]) -> str:
    """Return the SHA-256 of an event's content and the previous event's hash."""
    content = {
        "seq": fields["seq"],
        "occurred_at": fields["occurred_at"],
        "actor_id": fields["actor_id"],
        "actor_name": fields["actor_name"],
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "before": fields["before"],
        "after": fields["after"],
        "prev_hash": fields["prev_hash"],
    }
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _lock_chain_head(session: Session) -> tuple[int, str]:
    """Lock the chain's head row for this transaction and return (seq, last hash)."""
    head = AuditChainHead.__table__
    # A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite.
    locked = session.execute(sa.update(head).where(head.c.id == 1).values(seq=head.c.seq))
    if locked.rowcount == 0:
        session.execute(sa.insert(head).values(id=1, seq=0, last_hash=GENESIS_HASH))
    seq, last_hash = session.execute(
        sa.select(head.c.seq, head.c.last_hash).where(head.c.id == 1)
    ).one()
    return seq, last_hash


def _append(session: Session, pending: list[_PendingEvent]) -> None:
    seq, prev_hash = _lock_chain_head(session)
    rows = []
    for item in pending:
        seq += 1
        row = {
            "seq": seq,
            "occurred_at": item.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": item.actor_id,
            "actor_name": item.actor_name,
            "action": item.action,
            "object_type": item.object_type,
            "object_id": item.named_id,
            "before": None if item.before is None else canonical_json(item.before),
            "after": None if item.after is None else canonical_json(item.after),
            "prev_hash": prev_hash,
        }
        row["hash"] = prev_hash = event_hash(row)
        row["occurred_at"] = item.occurred_at
        rows.append(row)
    # Core, in batches of many VALUES (the ORM's bulk path would send a row at a time).
    session.connection().execute(sa.insert(AuditEvent.__table__), rows)
    head = AuditChainHead.__table__
    session.execute(sa.update(head).where(head.c.id == 1).values(seq=seq, last_hash=prev_hash))


def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint released: its events wait for the transaction's own commit, so the
        # chain's lock stays the last one a transaction takes.
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # new objects get their ids before the events name them
    _append(session, pending)


def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(_MARKS, {})
        marks[id(transaction)] = len(session.info.get(_PENDING, []))


def _discard_pending(session: Session, previous_transaction) -> None:
    """Forget the events of what was rolled back: all of them, or a savepoint's own."""
    if previous_transaction is not None and previous_transaction.nested:
        mark = session.info.get(_MARKS, {}).pop(id(previous_transaction), None)
        if mark is not None and _PENDING in session.info:
            del session.info[_PENDING][mark:]
        return
    session.info.pop(_PENDING, None)
    session.info.pop(_MARKS, None)


def _refuse_change(mapper, connection, target) -> None:
    raise RuntimeError("audit events are append-only")


def register_audit_hooks() -> None:
    """Chain pending events at commit, drop them on rollback, refuse ORM edits of events."""
    if sa.event.contains(Session, "before_commit", _write_pending):
        return
    sa.event.listen(Session, "before_commit", _write_pending)
    sa.event.listen(Session, "after_transaction_create", _mark_savepoint)
    sa.event.listen(Session, "after_soft_rollback", _discard_pending)
    sa.event.listen(AuditEvent, "before_update", _refuse_change)
    sa.event.listen(AuditEvent, "before_delete", _refuse_change)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _events_in_order() -> Iterator[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    yield from db.session.scalars(query)


def verify_chain() -> ChainReport:
    """Walk the chain from the first event and report the first broken link."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for event in _events_in_order():
        if event.seq != expected_seq:
            return ChainReport(
                checked, expected_seq, None, f"sự kiện số {expected_seq} bị thiếu (đã bị xoá)"
            )
        if event.prev_hash != prev_hash:
            return ChainReport(checked, event.seq, event.id, "liên kết tới sự kiện trước bị sai")
        fields = {column.key: getattr(event, column.key) for column in AuditEvent.__table__.columns}
        fields["occurred_at"] = event.occurred_at.isoformat(timespec="microseconds")
        if event_hash(fields) != event.hash:
            return ChainReport(checked, event.seq, event.id, "nội dung sự kiện đã bị sửa")
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = db.session.get(AuditChainHead, 1)
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(
            checked, checked + 1, None, f"các sự kiện từ số {checked + 1} đến {head_seq} bị thiếu"
        )
    return ChainReport(checked)

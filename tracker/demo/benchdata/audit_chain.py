"""The audit trail: one hash chain in time order, written across chunks."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from tracker.audit.services import canonical_json, event_hash
from tracker.demo.benchdata.tables import COLUMNS, Ids
from tracker.demo.bulk import BulkWriter


@dataclass(order=True)
class Event:
    """An audit event waiting for its place in the chain."""

    occurred_at: datetime
    order: int
    actor_id: int | None = field(compare=False)
    action: str = field(compare=False)
    object_type: str = field(compare=False)
    object_id: int = field(compare=False)
    before: dict | None = field(compare=False)
    after: dict | None = field(compare=False)


class AuditChain:
    """Chain events in time order across chunks: an event is written only once no later
    chunk can produce an earlier one (every later event is after the next chunk's start)."""

    def __init__(
        self, writer: BulkWriter, ids: Ids, seq: int, last_hash: str, names: dict[int, str]
    ) -> None:
        self.writer, self.ids, self.seq, self.last_hash = writer, ids, seq, last_hash
        self.names = names
        self.waiting: list[Event] = []
        self._order = 0

    def add(
        self,
        occurred_at: datetime,
        actor_id: int | None,
        action: str,
        object_type: str,
        object_id: int,
        before: dict | None = None,
        after: dict | None = None,
    ) -> None:
        """Queue an event; events of the same instant keep the order they were added in."""
        self._order += 1
        self.waiting.append(
            Event(occurred_at, self._order, actor_id, action, object_type, object_id, before, after)
        )

    def flush(self, before: datetime | None) -> None:
        """Write every waiting event earlier than ``before`` (all of them when None)."""
        self.waiting.sort()
        cut = len(self.waiting)
        if before is not None:
            cut = bisect.bisect_left([e.occurred_at for e in self.waiting], before)
        ready, self.waiting = self.waiting[:cut], self.waiting[cut:]
        self.writer.write("audit_events", COLUMNS["audit_events"], self._rows(ready))

    def _rows(self, events: list[Event]) -> Iterator[tuple]:
        for event in events:
            self.seq += 1
            fields = {
                "seq": self.seq,
                "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
                "actor_id": event.actor_id,
                "actor_name": self.names.get(event.actor_id, "system"),
                "action": event.action,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "before": None if event.before is None else canonical_json(event.before),
                "after": None if event.after is None else canonical_json(event.after),
                "prev_hash": self.last_hash,
            }
            self.last_hash = event_hash(fields)
            yield (
                self.ids("audit_events"),
                self.seq,
                self.writer.timestamp(event.occurred_at),
                event.actor_id,
                fields["actor_name"],
                event.action,
                event.object_type,
                event.object_id,
                fields["before"],
                fields["after"],
                fields["prev_hash"],
                self.last_hash,
            )

"""What the parts of one load share: the random draws, the calendar, ids, rows and chain."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tracker.demo.benchdata.audit_chain import AuditChain
from tracker.demo.benchdata.organisation import Organisation
from tracker.demo.benchdata.parameters import ReferenceDay, Scale, days_for
from tracker.demo.benchdata.tables import COLUMNS, Ids
from tracker.demo.benchdata.workdays import Days
from tracker.demo.bulk import BulkWriter


@dataclass
class LoadState:
    """The shared state of one load. Every part draws from the one ``rng`` in turn, so the
    order of the calls, not just their number, decides the rows."""

    scale: Scale
    org: Organisation
    writer: BulkWriter
    rng: random.Random
    days: Days
    ref: ReferenceDay
    ids: Ids
    chain: AuditChain
    rows: dict[str, list[tuple]]  # table → rows planned, not yet written

    @classmethod
    def start(
        cls,
        scale: Scale,
        org: Organisation,
        writer: BulkWriter,
        chain_head: tuple[int, str],
        first_event_id: int,
    ) -> LoadState:
        """Return the state of a load about to be planned, the chain going on from its head."""
        # The plan draws from a generator of its own, seeded alike: its draws do not depend
        # on how many the organisation took.
        rng = random.Random(scale.seed)
        days = days_for(scale)
        ids = Ids({"audit_events": first_event_id})
        seq, last_hash = chain_head
        chain = AuditChain(writer, ids, seq, last_hash, org.names)
        rows: dict[str, list[tuple]] = {name: [] for name in COLUMNS}
        return cls(scale, org, writer, rng, days, ReferenceDay.of(scale, days), ids, chain, rows)

    def flush_rows(self) -> None:
        """Write the rows waiting in every table but the audit trail (the chain writes it)."""
        for table, rows in self.rows.items():
            if rows and table != "audit_events":
                self.writer.write(table, COLUMNS[table], rows)
                self.rows[table] = []

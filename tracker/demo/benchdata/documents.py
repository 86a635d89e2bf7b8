"""The directive documents the tasks are issued under."""

from __future__ import annotations

import bisect
from datetime import date, timedelta

from tracker.demo import vocabulary as words
from tracker.demo.benchdata.state import LoadState

ISSUER = "UBND thành phố Hà Nội"


class Documents:
    """Register the documents of the whole span up front; find one issued before a day."""

    def __init__(self, state: LoadState) -> None:
        self.state = state
        self.registered: list[tuple[date, int]] = []  # (issued on, id), by date
        self._days: list[date] = []

    def register(self) -> None:
        """Plan one document for every 25 tasks, spread over the span, with its audit event."""
        s = self.state
        rng, ref = s.rng, s.ref
        count = max(20, s.scale.tasks // 25)
        span = (ref.today - ref.first_day).days + 60
        dates = sorted(
            ref.first_day - timedelta(days=60) + timedelta(days=rng.randrange(span))
            for _ in range(count)
        )
        numbers: dict[str, int] = {}
        for issued_on in dates:
            kind, suffix = rng.choice(words.DOCUMENT_KINDS)
            key = suffix  # numbered on from year to year: (number, issuer) is unique
            numbers[key] = numbers.get(key, 0) + 1
            self._register_one(issued_on, kind, f"{numbers[key]}/{suffix}")
        self._days = [day for day, _id in self.registered]

    def _register_one(self, issued_on: date, kind: str, number: str) -> None:
        s = self.state
        rng, w = s.rng, s.writer
        document_id = s.ids("source_documents")
        topic = rng.choice(words.OBJECTS)
        created = s.days.at(issued_on, 10 * 60)
        author = rng.choice(s.org.assigners)
        s.rows["source_documents"].append(
            (document_id, number, kind, ISSUER, w.day(issued_on),
             f"{kind} về {topic} năm {issued_on.year}", w.timestamp(created))
        )  # fmt: skip
        s.chain.add(
            created, author.id, "document.registered", "SourceDocument", document_id,
            after={"number": number, "kind": kind, "issuer": ISSUER, "issued_on": issued_on},
        )  # fmt: skip
        self.registered.append((issued_on, document_id))

    def for_day(self, day: date) -> int:
        """A directive document issued in the months before the day."""
        hi = bisect.bisect_right(self._days, day)
        lo = bisect.bisect_left(self._days, day - timedelta(days=120))
        if hi == 0:
            return self.registered[0][1]
        return self.registered[self.state.rng.randrange(min(lo, hi - 1), hi)][1]

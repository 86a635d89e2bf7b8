"""Sub-tasks: a parent split among the units directly below its lead unit."""

from __future__ import annotations

from datetime import datetime, timedelta

from tracker.demo.benchdata.lives import Life, LifePlanner
from tracker.demo.benchdata.planning import LATE, ON_TIME, ON_TRACK, OVERDUE, WITHDRAWN
from tracker.demo.benchdata.state import LoadState


class SubtaskPlanner:
    """Give a parent its sub-tasks, each one's life fitting inside the parent's."""

    def __init__(self, state: LoadState, lives: LifePlanner) -> None:
        self.state = state
        self.lives = lives

    def children(self, parent: Life, count: int) -> list[Life]:
        """Split the parent among units directly below its lead unit, due no later than it."""
        s = self.state
        rng, children = s.rng, []
        units = rng.sample(parent.lead.children, min(count, len(parent.lead.children)))
        accept_seq = self.lives.seq_of(parent.accepted_at)
        original_due = parent.deadlines[0][1]
        for unit in units:
            issue = accept_seq + 1
            due = rng.randint(issue + 3, max(issue + 3, original_due))
            child = Life(s.ids("tasks"), unit, issue, due, ON_TRACK, parent=parent)
            child.issued_at = self.lives.time_on(issue, parent.accepted_at)
            child.start_date = s.days.day_of(issue)
            child.field_id, child.supervisor_id = parent.field_id, parent.supervisor_id
            child.document_id, child.assigner_id = parent.document_id, parent.lead.head.id
            child.title = f"{parent.title} – phần việc của {unit.name}"
            child.description = f"Phần việc giao {unit.name}: {parent.description}"
            child.accountable = unit.head
            self._child_life(parent, child)
            parent.children.append(child)
            children.append(child)
        return children

    def _child_life(self, parent: Life, child: Life) -> None:
        """A sub-task ends before its parent reported or was withdrawn; under a parent still
        running, it is done (half of those due by now) or open."""
        s = self.state
        end = parent.running_until
        if parent.state in ("completed", "submitted"):
            self._ended_child(child, end - timedelta(minutes=10), "completed")
        elif parent.state == "withdrawn":
            self._ended_child(child, end - timedelta(minutes=5), "withdrawn")
        elif child.due_seq <= s.ref.last_seq and s.rng.random() < 0.5:
            self._ended_child(child, s.days.at(s.ref.today, 0), "completed")
        else:
            child.fate = OVERDUE if child.due_seq <= s.ref.last_seq else ON_TRACK
            self.lives.live(child, wants_children=False)

    def _ended_child(self, child: Life, limit: datetime, state: str) -> None:
        """A sub-task that ended before ``limit``: its steps at moments in between."""
        s = self.state
        rng, start = s.rng, child.issued_at
        child.created_at = start - timedelta(minutes=rng.randint(5, 60))
        child.deadlines = [(start, child.due_seq, None)]
        span = (limit - start).total_seconds()
        moments = sorted(
            start + timedelta(seconds=rng.uniform(0.02, 0.98) * span) for _ in range(4)
        )
        child.state = state
        child.accepted_at = moments[0]
        if state == "withdrawn":
            child.fate = WITHDRAWN
            child.withdrawn_at = moments[3]
            if rng.random() < 0.5:
                child.progress = [(moments[1], rng.randint(10, 60))]
            self.lives.milestones(child, self.lives.seq_of(moments[3]))
            return
        child.progress = [(moments[1], 100)]
        child.submissions = [moments[2]]
        child.completed_at = moments[3]
        self.lives.milestones(child, self.lives.seq_of(moments[2]))
        on_time = s.days.local_day(moments[2]) <= s.days.day_of(child.due_seq)
        child.fate = ON_TIME if on_time else LATE

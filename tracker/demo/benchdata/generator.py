"""The generator: plan every task, then write them chunk by chunk in the order of issue."""

from __future__ import annotations

import logging
from datetime import timedelta

from tracker.demo.benchdata.documents import Documents
from tracker.demo.benchdata.histories import TaskHistory
from tracker.demo.benchdata.lives import Life, LifePlanner
from tracker.demo.benchdata.notices import RuleView, Sweeps
from tracker.demo.benchdata.parameters import CHUNK, LAST_SWEEP
from tracker.demo.benchdata.planning import (
    KIND_GROUP,
    KIND_SERIES,
    LATE,
    ON_TIME,
    ON_TRACK,
    OVERDUE,
    Seed,
    SeedPlanner,
)
from tracker.demo.benchdata.series import RecurringReports
from tracker.demo.benchdata.state import LoadState
from tracker.demo.benchdata.subtasks import SubtaskPlanner
from tracker.demo.benchdata.tables import SWEEP_CLOCK_COLUMNS

logger = logging.getLogger(__name__)

# What a group's members copy from the template the group was planned with.
GROUP_SHARED = (
    "issued_at", "start_date", "field_id", "supervisor_id", "document_id", "title",
    "description", "assigner_id",
)  # fmt: skip


class Generator:
    """Plan every task, then write them chunk by chunk in the order they were issued."""

    def __init__(
        self, state: LoadState, rules: list[RuleView], escalate_after: int, modes: dict
    ) -> None:
        self.state = state
        self.documents = Documents(state)
        self.series = RecurringReports(state, self.documents)
        self.lives = LifePlanner(state, self.documents)
        self.subtasks = SubtaskPlanner(state, self.lives)
        self.history = TaskHistory(state, Sweeps(state, rules, escalate_after, modes))

    def plan(self) -> list[Seed]:
        """Decide the fate, issue day and size of every task (sub-tasks ride with parents)."""
        self.documents.register()
        series = self.series.plan()
        return SeedPlanner(self.state).plan(series)

    def run(self, seeds: list[Seed]) -> None:
        """Write the documents and series, then every task in the order of issue."""
        s = self.state
        # The series' rows in the order their first occurrences were issued.
        self.series.write({seed.series[0].row[0]: seed.series[0] for seed in seeds if seed.series})
        for start in range(0, len(seeds), CHUNK):
            for seed in seeds[start : start + CHUNK]:
                self._issue(seed)
            s.flush_rows()
            following = seeds[start + CHUNK].issued_at if start + CHUNK < len(seeds) else None
            s.chain.flush(following)
            logger.info("bench-data: %s of %s tasks written", self.history.written, s.scale.tasks)
        self._write_sweep_clock()
        s.flush_rows()
        s.chain.flush(None)

    def _issue(self, seed: Seed) -> None:
        if seed.kind == KIND_SERIES:
            self._occurrence(seed)
        elif seed.kind == KIND_GROUP:
            self._group(seed)
        else:
            self._task(seed)

    def _task(self, seed: Seed) -> None:
        """A single task, and its sub-tasks after it."""
        lead = self.state.org.units[seed.lead_id]
        life = self.lives.new_life(lead, seed, seed.fate)
        self.lives.live(life, wants_children=seed.subtasks > 0)
        self.history.write(life)
        if seed.subtasks:
            for child in self.subtasks.children(life, seed.subtasks):
                self.history.write(child)

    def _occurrence(self, seed: Seed) -> None:
        """One period's task of a series: mostly done on time; those due lately may be open."""
        s = self.state
        rng, ref = s.rng, s.ref
        (row, lead, content), occurrence = seed.series
        due_day = occurrence.due_date
        if due_day < ref.today:
            fate = ON_TIME if rng.random() < 0.85 else LATE
            if due_day >= ref.today - timedelta(days=20) and rng.random() < 0.3:
                fate = OVERDUE
        else:
            fate = ON_TRACK
        life = Life(s.ids("tasks"), lead, seed.issue_seq, seed.due_seq, fate)
        life.issued_at = seed.issued_at
        life.series_id, life.period_start = row[0], occurrence.period_start
        life.start_date = occurrence.start_date
        life.title, life.description = content["title"], content["description"]
        life.document_id = content["document_id"]
        life.field_id, life.supervisor_id = content["field_id"], content["supervisor_id"]
        life.assigner_id = row[13]  # the series' creator
        life.accountable = lead.head
        if fate in (ON_TIME, LATE) and seed.due_seq > ref.last_seq - 3:
            # Too close to today to have been done and reviewed: still open.
            fate = life.fate = ON_TRACK if seed.due_seq >= ref.today_seq else OVERDUE
        self.lives.live(life, wants_children=False, finish_by=seed.due_seq)
        self.history.write(life)
        s.chain.add(
            seed.issued_at, None, "task_series.occurrence", "TaskSeries", row[0],
            after={"task_id": life.id, "period_start": occurrence.period_start,
                   "due_date": due_day},
        )  # fmt: skip

    def _group(self, seed: Seed) -> None:
        """The same task issued to every district at once; each copy then goes its own way."""
        s = self.state
        group_id = s.ids("task_groups")
        template = self.lives.new_life(s.org.districts[0], seed, seed.fate)
        s.ids.give_back("tasks")  # the template only lends its content
        creator = template.assigner_id
        s.rows["task_groups"].append(
            (group_id, template.title, creator, s.writer.timestamp(seed.issued_at))
        )
        unit_ids = []
        for district in sorted(s.org.districts, key=lambda u: u.name):
            fate = seed.fate
            if fate in (ON_TIME, LATE):
                fate = ON_TIME if s.rng.random() < 0.85 else LATE
            life = Life(s.ids("tasks"), district, seed.issue_seq, seed.due_seq, fate)
            for name in GROUP_SHARED:
                setattr(life, name, getattr(template, name))
            life.group_id = group_id
            life.accountable = district.head
            self.lives.live(life, wants_children=False)
            self.history.write(life)
            unit_ids.append(district.id)
        s.chain.add(
            seed.issued_at, creator, "task_group.issued", "TaskGroup", group_id,
            after={"title": template.title, "unit_ids": sorted(unit_ids), "parent_id": None},
        )  # fmt: skip

    def _write_sweep_clock(self) -> None:
        """The sweep's clock: it last ran yesterday evening."""
        s = self.state
        last_sweep = s.days.at(s.ref.today - timedelta(days=1), LAST_SWEEP)
        s.writer.write("sweep_clock", SWEEP_CLOCK_COLUMNS, [(1, s.writer.timestamp(last_sweep))])

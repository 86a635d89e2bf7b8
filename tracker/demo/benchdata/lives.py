"""Each task's life up to the reference day: when it was accepted, reported on, extended,
returned, done or withdrawn, chosen so that its planned fate comes true."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tracker.demo import vocabulary as words
from tracker.demo.benchdata.documents import Documents
from tracker.demo.benchdata.organisation import Member, OrgUnit
from tracker.demo.benchdata.parameters import LONG_TASK_DAYS
from tracker.demo.benchdata.planning import (
    DRAFT,
    ON_TIME,
    ON_TRACK,
    OVERDUE,
    WITHDRAWN,
    Seed,
)
from tracker.demo.benchdata.state import LoadState
from tracker.demo.benchdata.workdays import office_minutes

# What an open task is waiting for.
OPEN_STATES = (("issued", 12), ("accepted", 13), ("in_progress", 63), ("submitted", 12))
EXTENSION_SHARE = 0.08


@dataclass
class Life:
    """One task's life up to the reference day: the facts every row and event comes from."""

    id: int
    lead: OrgUnit
    issue_seq: int
    due_seq: int  # the due date in force now
    fate: int
    state: str = "draft"
    parent: Life | None = None
    group_id: int | None = None
    series_id: int | None = None
    period_start: date | None = None
    start_date: date | None = None
    title: str = ""
    description: str = ""
    document_id: int | None = None
    field_id: int | None = None
    supervisor_id: int | None = None
    accountable: Member | None = None
    assignee: Member | None = None
    assigner_id: int = 0
    created_at: datetime | None = None
    issued_at: datetime | None = None
    accepted_at: datetime | None = None
    submissions: list[datetime] = field(default_factory=list)  # the last one stands
    returned_at: list[datetime] = field(default_factory=list)
    completed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    progress: list[tuple[datetime, int]] = field(default_factory=list)
    # Every due date and when it took effect: (effective at, due seq, extension request id).
    deadlines: list[tuple[datetime, int, int | None]] = field(default_factory=list)
    milestones: list[list] = field(default_factory=list)  # [id, title, due seq, completed on]
    children: list[Life] = field(default_factory=list)
    # (request id, asked at, decided at or None, status, due asked about, due asked for)
    extension: tuple | None = None
    warnings: list[tuple[datetime, int]] = field(default_factory=list)  # warnings and urgings

    @property
    def running_until(self) -> datetime | None:
        """When the clock stopped (a result reported, or withdrawn); None if it still runs."""
        if self.withdrawn_at is not None:
            return self.withdrawn_at
        return self.submissions[-1] if self.submissions else None


class LifePlanner:
    """Fill in each life's dates so that its fate comes true by the reference day."""

    def __init__(self, state: LoadState, documents: Documents) -> None:
        self.state = state
        self.documents = documents

    def new_life(self, lead: OrgUnit, seed: Seed, fate: int) -> Life:
        """A task of the lead unit, its content drawn: document, field, title, accountable."""
        s = self.state
        rng = s.rng
        life = Life(s.ids("tasks"), lead, seed.issue_seq, seed.due_seq, fate)
        life.issued_at = seed.issued_at
        issue_day = s.days.day_of(seed.issue_seq)
        life.start_date = issue_day
        field_id, leader_id = rng.choice(s.org.fields)
        life.field_id, life.supervisor_id = field_id, leader_id
        life.document_id = self.documents.for_day(issue_day)
        topic = rng.choice(words.OBJECTS)
        life.title = f"{rng.choice(words.VERBS)} {topic} năm {issue_day.year}"
        life.description = f"{lead.name} chủ trì {topic}; báo cáo kết quả về UBND thành phố."
        life.assigner_id = rng.choice(s.org.assigners).id
        life.accountable = (
            lead.head if rng.random() < 0.75 or not lead.staff else rng.choice(lead.staff)
        )
        return life

    def live(self, life: Life, *, wants_children: bool, finish_by: int | None = None) -> None:
        """Fill in the life's dates so that its fate comes true by the reference day."""
        rng = self.state.rng
        if life.fate == DRAFT:
            life.state, life.created_at, life.issued_at = "draft", life.issued_at, None
            return
        life.created_at = life.issued_at - timedelta(minutes=rng.randint(5, 240))
        life.deadlines = [(life.issued_at, life.due_seq, None)]
        life.state = self._state_now(life, wants_children)
        accepted = self._accept(life, wants_children)
        accept_seq = self.seq_of(life.accepted_at) if accepted else life.issue_seq
        end_seq = self._close(life, accept_seq, wants_children, finish_by)
        if accepted and life.state != "accepted":
            self._progress(life, accept_seq, end_seq)
        if life.state == "in_progress" and not life.progress:
            life.state = "accepted"
        self._extension(life)
        self.milestones(life, end_seq)

    def time_on(self, seq: int, after: datetime | None = None) -> datetime:
        """A moment in office hours of the working day ``seq``, later than ``after``."""
        s = self.state
        day = s.days.day_of(seq)
        moment = s.days.at(day, office_minutes(s.rng))
        if after is not None and moment <= after:
            moment = after + timedelta(minutes=s.rng.randint(5, 90))
        return moment

    def seq_of(self, moment: datetime) -> int:
        """Return the working-day count of the local day of ``moment``."""
        return self.state.days.seq_of(self.state.days.local_day(moment))

    # ------------------------------------------------------------ the steps of a life

    def _state_now(self, life: Life, wants_children: bool) -> str:
        """The state the fate leaves the task in today."""
        if life.fate in (ON_TRACK, OVERDUE):
            states, weights = zip(*OPEN_STATES, strict=True)
            state = self.state.rng.choices(states, weights)[0]
            # A split task was accepted to be split, and its sub-tasks are under way.
            return "in_progress" if wants_children and state == "issued" else state
        return "withdrawn" if life.fate == WITHDRAWN else "completed"

    def _accept(self, life: Life, wants_children: bool) -> bool:
        """Accept the task (or not: issued, or withdrawn first); return whether it was."""
        rng, issue = self.state.rng, life.issue_seq
        accepted = life.state != "issued" and (life.state != "withdrawn" or rng.random() < 0.7)
        if wants_children:
            accepted = True
        if accepted:
            accept_seq = min(issue + rng.choice((0, 0, 1)), self.state.ref.last_seq)
            life.accepted_at = self.time_on(max(accept_seq, issue), life.issued_at)
            if rng.random() < 0.7 and life.lead.staff:
                life.assignee = rng.choice(life.lead.staff)
        return accepted

    def _close(
        self, life: Life, accept_seq: int, wants_children: bool, finish_by: int | None
    ) -> int:
        """Report, complete or withdraw the task as its state says; return the working day
        its work stopped on (yesterday if it still runs)."""
        rng, last_seq = self.state.rng, self.state.ref.last_seq
        issue, due = life.issue_seq, life.due_seq
        # A parent leaves its sub-tasks time before reporting.
        floor = issue + 6 if wants_children else accept_seq + 1
        if life.state == "completed":
            if life.fate == ON_TIME:
                submit = rng.randint(min(floor, due), due)
            else:
                submit = due + rng.randint(1, 25)
            if finish_by is None:
                submit = min(submit, last_seq - 2)
            self._submit(life, submit, accept_seq, review=True)
            return submit
        if life.state == "submitted":
            low, high = (
                (floor, min(due, last_seq))
                if life.fate == ON_TRACK
                else (max(floor, due + 1), last_seq)
            )
            if low > high:
                life.state = "in_progress"
                return last_seq
            self._submit(life, rng.randint(low, high), accept_seq, review=False)
            return self.seq_of(life.submissions[-1])
        if life.state == "withdrawn":
            low = issue + (4 if wants_children else 1)
            withdraw = rng.randint(low, max(low, min(due + 10, last_seq)))
            life.withdrawn_at = self.time_on(
                min(withdraw, last_seq), life.accepted_at or life.issued_at
            )
            return self.seq_of(life.withdrawn_at)
        return last_seq

    def _submit(self, life: Life, submit: int, accept_seq: int, *, review: bool) -> None:
        """Report the result on ``submit``; reviewed, it is accepted (one in ten returned
        once first, when there is time)."""
        rng = self.state.rng
        after = life.accepted_at or life.issued_at
        if review and submit - accept_seq >= 4 and rng.random() < 0.1:
            first = rng.randint(accept_seq + 1, submit - 2)
            life.submissions.append(self.time_on(first, after))
            life.returned_at.append(self.time_on(first + 1, life.submissions[-1]))
            after = life.returned_at[-1]
        life.submissions.append(self.time_on(submit, after))
        if review:
            done = min(submit + rng.randint(0, 2), self.state.ref.last_seq)
            life.completed_at = self.time_on(max(done, submit), life.submissions[-1])

    def _progress(self, life: Life, accept_seq: int, end_seq: int) -> None:
        """One to four progress reports spread between acceptance and the end of the work."""
        rng = self.state.rng
        reports = rng.randint(1, 4)
        last = (life.submissions[0] if life.submissions else None) or life.withdrawn_at
        span = max(0, end_seq - accept_seq)
        after = life.accepted_at
        finishing = life.state in ("completed", "submitted")
        for k in range(reports):
            seq = accept_seq + span * k // reports
            moment = self.time_on(seq, after)
            if last is not None and moment >= last:
                break
            if finishing:
                percent = 100 * (k + 1) // reports if k + 1 < reports else 100
            else:
                percent = min(95, 10 + 80 * (k + 1) // reports)
            life.progress.append((moment, percent))
            after = moment

    def _extension(self, life: Life) -> None:
        """About one task in twelve asks to move its deadline; most are granted."""
        rng, last_seq = self.state.rng, self.state.ref.last_seq
        issue, due = life.issue_seq, life.due_seq
        if due - issue < 13 or rng.random() >= EXTENSION_SHARE or life.series_id:
            return
        stop = life.running_until
        roll = rng.random()
        if roll < 0.75:  # granted: the due date in force is the new one
            shift = rng.randint(10, min(30, due - issue - 3))
            original, request, decision = due - shift, due - shift - 3, due - shift - 1
        elif roll < 0.9:  # refused
            shift = rng.randint(5, 20)
            original, request, decision = due, due - 3, due - 1
        else:  # not decided yet
            original, request, decision = due, min(due - 2, last_seq), None
        request = max(request, issue + 1)
        if decision is not None and (decision > last_seq or decision <= request):
            return
        if decision is None and (
            life.state not in ("accepted", "in_progress", "issued") or request > last_seq
        ):
            return
        asked = self.time_on(request, life.accepted_at or life.issued_at)
        decided = self.time_on(decision, asked) if decision is not None else None
        if stop is not None and (decided or asked) >= stop:
            return
        request_id = self.state.ids("extension_requests")
        status = "pending" if decision is None else ("approved" if roll < 0.75 else "rejected")
        new_due = due if status == "approved" else original + (shift if roll < 0.9 else 15)
        life.extension = (request_id, asked, decided, status, original, new_due)
        if status == "approved":
            life.deadlines = [(life.issued_at, original, None), (decided, due, request_id)]

    def milestones(self, life: Life, end_seq: int) -> None:
        """A task longer than three months has a roadmap: milestones, reached or not."""
        s = self.state
        rng, d = s.rng, s.days
        issue, due = life.issue_seq, life.due_seq
        if (d.day_of(due) - life.start_date).days <= LONG_TASK_DAYS:  # the gate's own rule
            return
        count = rng.choice((2, 3))
        closed = life.state in ("completed", "submitted", "withdrawn")
        for k in range(count):
            at_seq = issue + (due - issue) * (k + 1) // (count + 1)
            completed = None
            if at_seq <= end_seq or closed:
                completed = self._milestone_reached(life, at_seq, end_seq)
            title = f"Hoàn thành giai đoạn {k + 1}"
            life.milestones.append([s.ids("milestones"), title, at_seq, completed])

    def _milestone_reached(self, life: Life, at_seq: int, end_seq: int) -> datetime | None:
        """When a milestone due on ``at_seq`` was reached: mostly a little early, before the
        work stopped; None if that would be today or later."""
        rng = self.state.rng
        done_seq = at_seq - rng.randint(0, 3) if rng.random() < 0.85 else at_seq + rng.randint(1, 5)
        done_seq = max(life.issue_seq + 1, min(done_seq, end_seq))
        if done_seq > self.state.ref.last_seq:
            return None
        completed = self.time_on(done_seq, life.accepted_at or life.issued_at)
        if life.running_until and completed >= life.running_until:
            completed = life.running_until - timedelta(minutes=5)
        return completed

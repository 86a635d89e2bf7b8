"""A task's history: its row, the rows of each step of its life and its audit events, the
way the services would have recorded them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from tracker.demo import vocabulary as words
from tracker.demo.benchdata.lives import Life
from tracker.demo.benchdata.notices import Sweeps
from tracker.demo.benchdata.planning import DRAFT
from tracker.demo.benchdata.state import LoadState
from tracker.text import fold

RESULT = "Đã hoàn thành, gửi kèm báo cáo kết quả."
RETURN_NOTE = "Đề nghị bổ sung số liệu"
REJECTION_NOTE = "Chưa đủ căn cứ gia hạn"
WITHDRAWAL_REASON = "Nhiệm vụ đã được lồng ghép vào nhiệm vụ khác"

# A change of a task as the services record it: (moment, actor id, action, before, after).
Change = tuple[datetime, int, str, dict | None, dict | None]


@dataclass
class Content:
    """What a task's rows and its "task.created" event share."""

    outcome: str
    target: str
    original_due: date | None
    snapshot: dict = field(default_factory=dict)


@lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    return fold(text)


def search_text(title: str, description: str) -> str:
    """The task's search column (what services store), from cached parts: titles repeat."""
    return f"{_folded(title)} {_folded(description)}".strip()


class TaskHistory:
    """Turn each life into its rows, its audit events and (through ``Sweeps``) the notices
    it received."""

    def __init__(self, state: LoadState, sweeps: Sweeps) -> None:
        self.state = state
        self.sweeps = sweeps
        self.written = 0  # lives written so far

    def write(self, life: Life) -> None:
        """Turn one life into its rows, its audit events and the notices it received."""
        chain = self.state.chain
        self.written += 1
        content = self._content(life)
        chain.add(life.created_at, life.assigner_id, "task.created", "Task", life.id,
                  after=content.snapshot)  # fmt: skip
        if life.parent is not None:
            chain.add(
                life.created_at, life.assigner_id, "task.subtask_created", "Task", life.parent.id,
                after={"subtask_id": life.id, "lead_unit_id": life.lead.id,
                       "due_date": content.original_due},
            )  # fmt: skip
        changes = self._changes(life) if life.issued_at else []
        for moment, who, action, before, after in changes:
            chain.add(moment, who, action, "Task", life.id, before=before, after=after)
        last_change = max([life.created_at, *(change[0] for change in changes)])
        self._task_row(life, content, version=1 + len(changes), updated_at=last_change)
        if life.issued_at:
            self.sweeps.notices(life)

    # ------------------------------------------------------------ what it was created with

    def _content(self, life: Life) -> Content:
        """The task's 5 rõ beyond its dates: steps, coordinating units, milestones, outcome."""
        s = self.state
        rng, d = s.rng, s.days
        issued = life.issued_at is not None
        content = Content(
            outcome=rng.choice(words.OUTCOMES),
            target="Hoàn thành đúng hạn, đạt yêu cầu",
            original_due=d.day_of(life.deadlines[0][1] if issued else life.due_seq),
        )
        if life.fate == DRAFT and rng.random() < 0.3:
            content.original_due = None  # a draft still unclear on its timeline
        steps = list(words.STEPS[: rng.randint(2, 4)]) if issued or rng.random() < 0.5 else []
        for position, text in enumerate(steps, start=1):
            s.rows["process_steps"].append((s.ids("process_steps"), life.id, position, text))
        coordinating = self._coordinations(life)
        self._milestone_rows(life)
        content.snapshot = {
            "title": life.title, "description": life.description, "document_id": life.document_id,
            "field_id": life.field_id, "lead_unit_id": life.lead.id,
            "accountable_user_id": life.accountable.id, "assignee_user_id": None,
            "supervisor_id": life.supervisor_id, "start_date": life.start_date,
            "due_date": content.original_due, "due_in_working_days": None,
            "expected_outcome": content.outcome, "target": content.target, "priority": "normal",
            "coordinating": coordinating,
            "milestones": [[m[1], d.day_of(m[2])] for m in life.milestones],
            "process_steps": steps,
        }  # fmt: skip
        if life.parent is not None:
            content.snapshot.update(parent_id=life.parent.id, weight=1)
        return content

    def _coordinations(self, life: Life) -> list[list]:
        """Two departments (less the lead itself) asked to help with three top-level tasks in
        ten; return them as the snapshot lists them."""
        s = self.state
        rng, coordinating = s.rng, []
        if life.parent is None and rng.random() < 0.3:
            for unit in rng.sample(s.org.departments, 2):
                if unit.id != life.lead.id:
                    coordinating.append([unit.id, "Cung cấp số liệu, phối hợp thực hiện"])
                    s.rows["task_coordinations"].append(
                        (s.ids("task_coordinations"), life.id, *coordinating[-1])
                    )
        return coordinating

    def _milestone_rows(self, life: Life) -> None:
        s = self.state
        w, d = s.writer, s.days
        for m_id, title, m_seq, completed in life.milestones:
            reached = w.day(d.local_day(completed)) if completed else None
            s.rows["milestones"].append((m_id, life.id, title, w.day(d.day_of(m_seq)), reached))

    # ------------------------------------------------------------ what happened to it

    def _changes(self, life: Life) -> list[Change]:
        """Write the rows of each step of an issued task's lifecycle; return its changes as
        (moment, actor, action, before, after), the way the services record them."""
        d = self.state.days
        office, head = life.assigner_id, life.lead.head.id
        author = (life.assignee or life.accountable).id
        changes: list[Change] = [
            (life.issued_at, office, "task.issued", {"state": "draft"},
             {"state": "issued", "due_date": d.day_of(life.deadlines[0][1])}),
        ]  # fmt: skip
        self._deadline_rows(life)
        state = "issued"
        if life.accepted_at:
            assignee = life.assignee.id if life.assignee else None
            changes.append((life.accepted_at, head, "task.accepted", {"state": "issued"},
                            {"state": "accepted", "assignee_user_id": assignee}))  # fmt: skip
            state = "accepted"
        state = self._progress_rows(life, author, state, changes)
        for _id, title, m_seq, completed in life.milestones:
            if completed:
                changes.append((completed, author, "task.milestone_completed", None,
                                {"milestone": title, "due_date": d.day_of(m_seq),
                                 "completed_on": d.local_day(completed)}))  # fmt: skip
        if life.extension:
            changes += self._extension_rows(life)
        changes += self._review_rows(life, author)
        if life.withdrawn_at:
            changes.append((life.withdrawn_at, office, "task.withdrawn", {"state": state},
                            {"state": "withdrawn", "reason": WITHDRAWAL_REASON}))  # fmt: skip
        return changes

    def _deadline_rows(self, life: Life) -> None:
        s = self.state
        w, d = s.writer, s.days
        for effective, due_seq, request_id in life.deadlines:
            s.rows["task_deadlines"].append((
                s.ids("task_deadlines"), life.id, w.day(d.day_of(due_seq)),
                w.timestamp(effective), "extension" if request_id else "issued", request_id,
            ))  # fmt: skip

    def _progress_rows(self, life: Life, author: int, state: str, changes: list[Change]) -> str:
        """The progress reports (the first one starts the work); return the state after."""
        s = self.state
        w = s.writer
        for moment, percent in life.progress:
            update_id = s.ids("progress_updates")
            s.rows["progress_updates"].append((
                update_id, life.id, author, w.timestamp(moment), percent,
                s.rng.choice(words.NARRATIVES), "", "",
            ))  # fmt: skip
            if state == "accepted":
                changes.append((moment, author, "task.started", {"state": "accepted"},
                                {"state": "in_progress"}))  # fmt: skip
                state = "in_progress"
            changes.append((moment, author, "task.progress", None,
                            {"percent": percent, "progress_update_id": update_id,
                             "evidence": []}))  # fmt: skip
        return state

    def _extension_rows(self, life: Life) -> list[Change]:
        s = self.state
        w, d = s.writer, s.days
        request_id, asked, decided, status, current, new_due = life.extension
        reason, asker = s.rng.choice(words.REASONS), life.accountable.id
        note = REJECTION_NOTE if status == "rejected" else ""
        s.rows["extension_requests"].append((
            request_id, life.id, asker, w.timestamp(asked), w.day(d.day_of(current)),
            w.day(d.day_of(new_due)), reason, status, life.assigner_id if decided else None,
            w.timestamp(decided), note,
        ))  # fmt: skip
        changes: list[Change] = [
            (asked, asker, "task.extension_requested", None,
             {"extension_request_id": request_id, "current_due_date": d.day_of(current),
              "new_due_date": d.day_of(new_due), "reason": reason}),
        ]  # fmt: skip
        if decided:
            approved = status == "approved"
            changes.append((
                decided, life.assigner_id, "task.extension_decided",
                {"due_date": d.day_of(current)},
                {"extension_request_id": request_id, "approved": approved,
                 "due_date": d.day_of(new_due if approved else current), "note": note},
            ))  # fmt: skip
        return changes

    def _review_rows(self, life: Life, author: int) -> list[Change]:
        """Each reported result with its review: returned for more work, accepted, or waiting."""
        s = self.state
        w, d, office = s.writer, s.days, life.assigner_id
        changes: list[Change] = []
        for k, submitted in enumerate(life.submissions):
            reviewer, reviewed, accepted, note = None, None, None, ""
            if k < len(life.returned_at):
                reviewer, reviewed, accepted, note = office, life.returned_at[k], False, RETURN_NOTE
            elif life.completed_at:
                reviewer, reviewed, accepted = office, life.completed_at, True
            s.rows["reviews"].append((
                s.ids("reviews"), life.id, author, w.timestamp(submitted), RESULT, reviewer,
                w.timestamp(reviewed), accepted, note,
            ))  # fmt: skip
            changes.append((submitted, author, "task.submitted", {"state": "in_progress"},
                            {"state": "submitted", "result": RESULT,
                             "submitted_on": d.local_day(submitted)}))  # fmt: skip
            if accepted is False:
                changes.append((reviewed, office, "task.returned", {"state": "submitted"},
                                {"state": "in_progress", "note": note}))  # fmt: skip
        if life.completed_at:
            changes.append((life.completed_at, office, "task.completed", {"state": "submitted"},
                            {"state": "completed", "note": "",
                             "completed_on": d.local_day(life.submissions[-1])}))  # fmt: skip
        return changes

    # ------------------------------------------------------------ where it stands now

    def _task_row(self, life: Life, content: Content, *, version: int, updated_at) -> None:
        s = self.state
        w, d = s.writer, s.days
        reported = life.state in ("submitted", "completed")
        submitted_on = d.local_day(life.submissions[-1]) if reported else None
        progress = life.progress[-1][1] if life.progress else 0
        issued, withdrawn = life.issued_at, life.withdrawn_at
        due = d.day_of(life.due_seq) if content.original_due else None
        s.rows["tasks"].append((
            life.id, version, life.parent.id if life.parent else None, 1, life.group_id,
            life.series_id, w.day(life.period_start), life.title, life.description,
            life.document_id, life.field_id, life.lead.id, life.accountable.id,
            life.assignee.id if life.assignee else None, life.supervisor_id,
            w.day(life.start_date), w.day(due), None,
            w.day(content.original_due) if issued else None,
            w.timestamp(life.deadlines[-1][0]) if issued else None, content.outcome, content.target,
            search_text(life.title, life.description), "normal", life.state,
            life.assigner_id, w.timestamp(life.created_at), w.timestamp(updated_at),
            w.timestamp(issued), life.assigner_id if issued else None,
            w.day(d.local_day(issued)) if issued else None, w.timestamp(life.accepted_at),
            100 if life.state == "completed" else progress,
            w.timestamp(life.progress[-1][0]) if life.progress else None, w.day(submitted_on),
            RESULT if reported else "",
            w.day(submitted_on) if life.state == "completed" else None,
            w.timestamp(life.completed_at), w.timestamp(withdrawn),
            w.day(d.local_day(withdrawn)) if withdrawn else None,
            WITHDRAWAL_REASON if withdrawn else "",
            # Every generated report raises the percentage: each one answered the notices.
            w.timestamp(life.progress[-1][0]) if life.progress else None,
        ))  # fmt: skip

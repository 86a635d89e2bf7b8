"""What the hourly sweep sent up to yesterday: reminders, warnings, urgings, escalations to
Sở Nội vụ and their conclusions, with notifications and audit events, exactly as the sweep
under the default rules would have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from tracker.demo.benchdata.lives import Life
from tracker.demo.benchdata.parameters import FIRST_SWEEP, LAST_SWEEP
from tracker.demo.benchdata.state import LoadState
from tracker.reminders.messages import ESCALATION_RECIPIENTS

OUTCOMES = ("no_fault", "reminder", "criticism", "discipline", "transfer")
OUTCOME_WEIGHTS = (30, 35, 20, 10, 5)
DISCIPLINE_PROPOSAL = ("reprimand", "less_serious", "Chủ tịch UBND thành phố")
CONCLUSION_NOTE = "Đã xem xét báo cáo giải trình của đơn vị và ý kiến của lãnh đạo phụ trách."
NOTICE_TAGS = {"reminder": "Nhắc hạn", "warning": "Cảnh báo quá hạn", "urging": "Đôn đốc"}


@dataclass(frozen=True)
class RuleView:
    """A reminder rule as plain values, read once before the load."""

    id: int
    kind: object
    offset_days: int
    repeat_every: int | None
    for_milestones: bool
    recipient_list: list


class Watched(NamedTuple):
    """A deadline a rule watches: the task's own ("t") or a milestone's ("m")."""

    prefix: str
    milestone: tuple[int, str] | None  # (id, title) of the milestone
    due_seq: int


def sweep_id(moment: datetime) -> str:
    """The id of the (simulated) sweep run at ``moment``."""
    return f"bench-{moment:%Y%m%d%H%M}"


class Sweeps:
    """Write the notices and records the sweeps up to yesterday made of each task."""

    def __init__(
        self, state: LoadState, rules: list[RuleView], escalate_after: int, modes: dict
    ) -> None:
        self.state = state
        self.rules = rules
        self.escalate_after = escalate_after  # working days overdue
        self.modes = modes  # user id → email mode
        self.inspector_ids = [m.id for m in state.org.inspectors]

    def notices(self, life: Life) -> None:
        """Write the notices and records the sweeps up to yesterday made of this life."""
        d, ref = self.state.days, self.state.ref
        issued_seq = d.seq_of(d.local_day(life.issued_at))
        stop = min(life.running_until or ref.sweeps_end, ref.sweeps_end)
        # Each due date in force watched from when it took effect until the next one did.
        segments = []
        for k, (start, due_seq, _request) in enumerate(life.deadlines):
            end = life.deadlines[k + 1][0] if k + 1 < len(life.deadlines) else stop
            segments.append((max(start, life.issued_at), min(end, stop), due_seq))
        for rule in self.rules:
            for start, end, due_seq in segments:
                watched = Watched("t", None, due_seq)
                self._rule_notices(life, rule, watched, start, end, issued_seq)
            if rule.for_milestones:
                for m_id, title, m_seq, completed in life.milestones:
                    end = min(stop, completed) if completed else stop
                    watched = Watched("m", (m_id, title), m_seq)
                    self._rule_notices(life, rule, watched, life.issued_at, end, issued_seq)
        for start, end, due_seq in segments:
            self._escalation(life, start, end, due_seq)

    def _first_sweep(self, moment: datetime) -> datetime:
        """The first hourly sweep (at :05, 07:05–18:05 local time) at or after ``moment``."""
        days = self.state.days
        day = days.local_day(moment)
        minutes = (moment - days.at(day, 0)).total_seconds() / 60
        if minutes <= FIRST_SWEEP:
            return days.at(day, FIRST_SWEEP)
        slot = FIRST_SWEEP + 60 * -(-(minutes - FIRST_SWEEP) // 60)
        if slot > LAST_SWEEP:
            return days.at(day + timedelta(days=1), FIRST_SWEEP)
        return days.at(day, int(slot))

    # ------------------------------------------------------------ reminders, warnings, urgings

    def _rule_notices(
        self,
        life: Life,
        rule: RuleView,
        watched: Watched,
        start: datetime,
        end: datetime,
        issued_seq: int,
    ) -> None:
        """Each notice the rule fired for the deadline while it was watched (start to end):
        on its day, at the first sweep, and again every ``repeat_every`` working days."""
        d = self.state.days
        occurrence = 1
        fire = watched.due_seq + rule.offset_days
        while True:
            fire_day = d.day_of(fire)
            opens = d.at(fire_day, FIRST_SWEEP)
            if opens >= end:
                return
            moment = self._first_sweep(max(opens, start))
            following = (
                d.at(d.day_of(fire + rule.repeat_every), FIRST_SWEEP) if rule.repeat_every else None
            )
            # Sent only if it fell due once the task was issued, and its first sweep came
            # before the watch ended and before the next repetition fell due.
            if fire >= issued_seq and moment < end and (following is None or moment < following):
                self._notice(life, rule, watched, fire_day, occurrence, moment)
            if not rule.repeat_every:
                return
            occurrence += 1
            fire += rule.repeat_every

    def _notice(
        self,
        life: Life,
        rule: RuleView,
        watched: Watched,
        fire_day: date,
        occurrence: int,
        moment: datetime,
    ) -> None:
        """One reminder, warning or urging: its row, its audit event (and the parent's, when
        a sub-task is overdue) and, when recent, its notifications."""
        s = self.state
        d, w = s.days, s.writer
        prefix, milestone, due_seq = watched
        reminder_id = s.ids("reminders")
        subject_id = milestone[0] if milestone else life.id
        deadline = d.day_of(due_seq)
        today_seq = d.seq_of(d.local_day(moment))
        overdue = max(0, today_seq - due_seq)
        kind = rule.kind.value
        s.rows["reminders"].append((
            reminder_id, f"{prefix}{subject_id}", life.id, milestone[0] if milestone else None,
            rule.id, kind, w.day(deadline), occurrence, w.day(fire_day), w.timestamp(moment),
            False, overdue, sweep_id(moment),
        ))  # fmt: skip
        if prefix == "t" and kind in ("warning", "urging"):
            life.warnings.append((moment, due_seq))  # counted by a later escalation
        users = self._recipients(life, rule.recipient_list)
        s.chain.add(
            moment, None, f"task.{kind}", "Task", life.id,
            after={
                "reminder_id": reminder_id, "deadline": deadline,
                "milestone": milestone[1] if milestone else None, "occurrence": occurrence,
                "overdue_days": overdue, "late": False, "recipients": users,
            },
        )  # fmt: skip
        if kind == "warning" and life.parent is not None:
            s.chain.add(
                moment, None, "task.subtask_overdue", "Task", life.parent.id,
                after={
                    "subtask_id": life.id, "title": life.title, "deadline": deadline,
                    "milestone": milestone[1] if milestone else None, "overdue_days": overdue,
                },
            )  # fmt: skip
        if moment >= s.ref.notify_since:
            subject = f"[{NOTICE_TAGS[kind]}] {life.title} — hạn {deadline:%d/%m/%Y}"
            self._notify(f"reminder:{reminder_id}", users, life, subject[:300], moment)

    def _recipients(self, life: Life, roles) -> list[int]:
        """The people the roles name for this task, and the parent's accountable person."""
        by_role = {
            "accountable": [life.accountable.id],
            "assignee": [life.assignee.id if life.assignee else None],
            "unit_head": [life.lead.head.id if life.lead.head else None],
            "assigner": [life.assigner_id],
            "supervisor": [life.supervisor_id],
            "inspectors": self.inspector_ids,
        }
        ids = [uid for role in roles for uid in by_role[role.value] if uid is not None]
        if life.parent is not None:
            ids.append(life.parent.accountable.id)
        return list(dict.fromkeys(ids))

    def _notify(
        self, key: str, users: list[int], life: Life, subject: str, moment: datetime
    ) -> None:
        """The inbox row and, by each person's choice, the email that went out."""
        s = self.state
        w, rng, data_end = s.writer, s.rng, s.ref.data_end
        link = f"/tasks/{life.id}"
        body = f"{subject}\nĐơn vị chủ trì: {life.lead.name}\nXem và cập nhật: {link}"
        for user_id in users:
            member_mode = self.modes.get(user_id, "immediate")
            read = moment + timedelta(hours=rng.randint(1, 72))
            s.rows["notifications"].append((
                s.ids("notifications"), key, user_id, "inbox", life.id, subject, body, link,
                False, w.timestamp(moment), "sent", 0, None, w.timestamp(moment), None,
                w.timestamp(read) if read < data_end and rng.random() < 0.7 else None,
            ))  # fmt: skip
            if member_mode == "none":
                continue
            digest = member_mode == "digest"
            sent = moment + (timedelta(hours=20) if digest else timedelta(minutes=1))
            delivered = sent < data_end  # else still waiting when the dataset ends
            waiting, sent_at = (
                (None, w.timestamp(sent)) if delivered else (w.timestamp(moment), None)
            )
            s.rows["notifications"].append((
                s.ids("notifications"), key, user_id, "email", life.id, subject, body, link,
                digest, w.timestamp(moment), "sent" if delivered else "pending", int(delivered),
                waiting, sent_at, None, None,
            ))  # fmt: skip

    # ------------------------------------------------------------ escalations

    def _escalation(self, life: Life, start: datetime, end: datetime, due_seq: int) -> None:
        """The record for Sở Nội vụ, on the first sweep ten working days past the deadline."""
        s = self.state
        d, w, rng, ref = s.days, s.writer, s.rng, s.ref
        threshold = d.at(d.day_of(due_seq + self.escalate_after), FIRST_SWEEP)
        if threshold >= end:
            return
        moment = self._first_sweep(max(threshold, start))
        if moment >= end:
            return
        # The warnings and urgings since the last progress report (or the issue).
        progress = [p for p, _percent in life.progress if p < moment]
        since = max(progress) if progress else life.issued_at
        notices = sum(1 for at, seq in life.warnings if seq == due_seq and since < at <= moment)
        escalation_id = s.ids("escalations")
        overdue = d.seq_of(d.local_day(moment)) - due_seq
        concluded = None
        if moment < ref.data_end - timedelta(days=20) and rng.random() < 0.7:
            concluded = moment + timedelta(days=rng.randint(5, 20), minutes=rng.randint(60, 480))
        head = life.lead.head.id if life.lead.head else None
        s.rows["escalations"].append((
            escalation_id, life.id, w.day(d.day_of(due_seq)), "overdue_days", overdue, notices,
            w.timestamp(moment), w.day(d.local_day(moment)), "concluded" if concluded else "open",
            life.accountable.id, head, life.supervisor_id, life.lead.id, sweep_id(moment),
        ))  # fmt: skip
        users = self._recipients(life, ESCALATION_RECIPIENTS)
        s.chain.add(
            moment, None, "task.escalated", "Task", life.id,
            after={
                "escalation_id": escalation_id, "deadline": d.day_of(due_seq),
                "reason": "overdue_days", "overdue_days": overdue, "notices_before": notices,
                "recipients": users,
            },
        )  # fmt: skip
        if moment >= ref.notify_since:
            subject = f"[Chuyển Sở Nội vụ xem xét] {life.title}"[:300]
            self._notify(f"escalation:{escalation_id}", users, life, subject, moment)
        if concluded:
            self._conclusion(life, escalation_id, concluded)

    def _conclusion(self, life: Life, escalation_id: int, concluded: datetime) -> None:
        """An inspector's conclusion on the escalation."""
        s = self.state
        rng = s.rng
        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
        inspector = rng.choice(s.org.inspectors).id
        conclusion_id = s.ids("escalation_conclusions")
        # A proposal of discipline names its form, severity and authority (NĐ 172/2025).
        form, severity, authority = (
            DISCIPLINE_PROPOSAL if outcome == "discipline" else (None, None, None)
        )
        s.rows["escalation_conclusions"].append((
            conclusion_id, escalation_id, outcome, CONCLUSION_NOTE, inspector,
            s.writer.timestamp(concluded), None, form, severity, authority,
        ))  # fmt: skip
        s.chain.add(
            concluded, inspector, "task.escalation_concluded", "Task", life.id,
            after={
                "escalation_id": escalation_id, "conclusion_id": conclusion_id,
                "outcome": outcome, "note": CONCLUSION_NOTE, "corrects_id": None,
                "discipline_form": form, "severity": severity,
                "competent_authority": authority,
            },
        )  # fmt: skip

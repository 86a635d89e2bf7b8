"""Load the realistic Hà Nội demo: the catalogue's units, people, fields, directive
documents, 151 tasks, process templates and a recurring report, told as a year of stories.

Everything is created through the services with ``now`` moved into the past, so the audit
trail, the deadline history and the reports read as if the city had used the tracker for a
year. Every step of every task is planned first (this module: each task's story), then all
steps are played back in time order (``playback``), so the audit trail is chronological too;
the scheduler's daily sweep runs among them. Dates are counted in working days from the local
date of ``now``, and every random choice comes from one seeded generator (``world``): a given
day always yields the same demo, and its categories make sense whatever that day is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tracker.clock import local_date, local_midnight
from tracker.demo.catalogue import (
    ACCEPTANCE_NOTES,
    APPROVAL_NOTES,
    CITY_CODE,
    DIFFICULTIES,
    DRAFT_FLAWS,
    EXTENSION_REASONS,
    LOGINS,
    MILESTONE_SPAN_DAYS,
    PEOPLE,
    PROPOSALS,
    REJECTION_NOTES,
    RETURN_NOTES,
    STORY_MIX,
    UNIT_PLACEHOLDER,
    UNITS,
    WITHDRAWAL_REASONS,
    Template,
)
from tracker.demo.playback import INSPECTOR, Replay, Scheduler, deliver_history
from tracker.demo.world import (
    Cast,
    Choice,
    Picker,
    Step,
    World,
    at_local,
    create_fields,
    create_people,
    create_process_templates,
    create_units,
    document_steps,
)
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import Field, Unit, User
from tracker.org.services import unit_by_code
from tracker.reminders.models import Escalation, NoticeKind, Reminder
from tracker.tasks.evidence import Upload
from tracker.tasks.models import ExtensionRequest, Priority, SourceDocument, Task
from tracker.tasks.series.services import Rule, create_series
from tracker.tasks.services import (
    CoordinationInput,
    MilestoneInput,
    TaskInput,
    accept_task,
    create_draft,
    decide_extension,
    issue_task,
    report_progress,
    request_extension,
    review_result,
    submit_result,
    withdraw_task,
)


@dataclass(frozen=True)
class DemoResult:
    """What ``tracker demo`` reports: whether it wrote anything, a summary and the logins."""

    created: bool
    summary: str
    logins: list[tuple[str, str]]


def _silent(_message: str) -> None:
    pass


def load_demo(*, now: datetime, progress: Callable[[str], None] = _silent) -> DemoResult:
    """Load the Hà Nội demo unless it is already there; return its summary and logins.
    ``progress`` is told, in a line for people, how far the load has come."""
    if unit_by_code(CITY_CODE) is not None:
        return DemoResult(created=False, summary=_summary(), logins=list(LOGINS))
    _refuse_clashes()
    with _quiet_services():
        progress("Đang tạo đơn vị, người dùng, lĩnh vực, quy trình mẫu…")
        world = World(now)
        units = create_units(world.setup_at)
        people = create_people(units, world.setup_at)
        fields = create_fields(people, world.setup_at)
        create_process_templates(people["vanphong"], world.setup_at)
        cast = Cast(units, people, world.rng)
        replay = Replay()
        for moment, action in document_steps(world, people["vanphong"]):
            replay.add(moment, action)
        for moment, action in _task_steps(world, units, fields, cast):
            replay.add(moment, action)
        Scheduler(world, replay, inspector=people[INSPECTOR]).plan()
        progress(f"Đã lên kế hoạch {sum(count for _kind, count in STORY_MIX)} nhiệm vụ.")
        # Played back in time order, so the audit trail reads as the year happened.
        replay.run(progress)
        progress("Đang tạo nhiệm vụ định kỳ, đánh dấu thư của lịch sử đã gửi…")
        _create_report_series(units, people, fields, now)
        _give_district_a_fresh_task(units, people, fields, now)
        deliver_history(people, before=local_midnight(world.today))
    return DemoResult(created=True, summary=_summary(), logins=list(LOGINS))


def _summary() -> str:
    counts = [
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Unit, User, Field, SourceDocument, Task)
    ]
    notices = dict(
        db.session.execute(sa.select(Reminder.kind, sa.func.count()).group_by(Reminder.kind)).all()
    )
    counts += [notices.get(kind, 0) for kind in NoticeKind]
    counts.append(db.session.scalar(sa.select(sa.func.count()).select_from(Escalation)))
    return (
        "{} đơn vị, {} người dùng, {} lĩnh vực, {} văn bản, {} nhiệm vụ, {} nhắc hạn, "
        "{} cảnh báo, {} đôn đốc, {} hồ sơ chuyển Sở Nội vụ"
    ).format(*counts)


def _give_district_a_fresh_task(units, people, fields, now: datetime) -> None:
    """A task Hoài Đức has just accepted, due in six weeks: one to pass on to its communes."""
    today = local_date(now)
    document = db.session.scalars(
        sa.select(SourceDocument).order_by(SourceDocument.issued_on.desc(), SourceDocument.id)
    ).first()
    task = create_draft(
        TaskInput(
            title="Rà soát, cập nhật danh sách hộ nghèo, hộ cận nghèo năm 2026",
            description="Rà soát hộ nghèo, hộ cận nghèo trên địa bàn huyện theo chuẩn nghèo "
            "đa chiều; niêm yết công khai và báo cáo kết quả.",
            document_id=document.id,
            field_id=fields["CCHC"].id,
            lead_unit_id=units["H-HOAIDUC"].id,
            accountable_user_id=people["hoaiduc.chutich"].id,
            supervisor_id=people["pct.ha"].id,
            start_date=today,
            due_date=today + timedelta(days=42),
            expected_outcome="Danh sách hộ nghèo, hộ cận nghèo được phê duyệt",
            target="100% xã, thị trấn hoàn thành rà soát",
            process_steps=["Các xã, thị trấn rà soát", "Niêm yết công khai", "Huyện tổng hợp"],
        ),
        actor=people["vanphong"],
        now=now,
    )
    issue_task(task, actor=people["vanphong"], now=now)
    accept_task(task, actor=people["hoaiduc.chutich"], now=now)


def _create_report_series(units, people, fields, now: datetime) -> None:
    """A quarterly report the Department of Home Affairs owes, as a recurring task."""
    document = db.session.scalars(
        sa.select(SourceDocument).order_by(SourceDocument.issued_on, SourceDocument.id)
    ).first()
    content = TaskInput(
        title="Báo cáo quý về công tác cải cách hành chính",
        description="Báo cáo kết quả cải cách hành chính của thành phố trong quý, "
        "kèm số liệu theo từng sở, ngành, quận, huyện.",
        document_id=document.id,
        field_id=fields["CCHC"].id,
        lead_unit_id=units["SNV"].id,
        accountable_user_id=people["snv.giamdoc"].id,
        supervisor_id=people["pct.ha"].id,
        expected_outcome="Báo cáo quý gửi UBND thành phố",
        target="Đủ số liệu của 100% đơn vị, gửi đúng hạn",
        process_steps=["Tổng hợp báo cáo của các đơn vị", "Dự thảo báo cáo", "Trình ký, gửi"],
    )
    start = date(local_date(now).year, 1, 1)
    create_series(
        content,
        Rule(frequency="quarterly", due_rule="calendar_day", due_day=20),
        starts_on=start,
        actor=people["vanphong"],
        now=now,
    )


def _refuse_clashes() -> None:
    """Refuse before writing anything if a demo unit code or username is already taken."""
    codes = [code for code, *_ in UNITS]
    usernames = [person.username for person in PEOPLE]
    taken = list(db.session.scalars(sa.select(Unit.code).where(Unit.code.in_(codes))))
    taken += db.session.scalars(sa.select(User.username).where(User.username.in_(usernames)))
    if taken:
        raise ValidationError(
            "Không thể nạp dữ liệu mẫu vì đã có đơn vị hoặc người dùng trùng mã: "
            + ", ".join(sorted(taken))
            + ".",
            fields={"demo": "trùng dữ liệu"},
        )


@contextmanager
def _quiet_services() -> Iterator[None]:
    # Each service logs one line per action; a year of history would flood the terminal.
    logger = logging.getLogger("tracker")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


# ---------------------------------------------------------------- one task's story


@dataclass
class _Plan:
    """What the task says, decided before any of it is written."""

    choice: Choice
    start: date
    due: date
    due_in_working_days: int | None
    flaw: str | None
    assigner: User
    head: User
    accountable: User
    assignee: User | None

    @property
    def carrier(self) -> User:
        return self.assignee or self.accountable


@dataclass
class _Story:
    """One task's life, planned as timed steps that run later in global time order.

    Days are working-day offsets from today (negative: in the past); every step happens
    on a past working day, each one after the one before.
    """

    world: World
    picker: Picker
    cast: Cast
    fields: dict[str, Field]
    steps: list[Step] = field(default_factory=list)
    plan: _Plan | None = None
    task: Task | None = None
    request: ExtensionRequest | None = None
    percent: int = 0
    _last_day: int | None = None
    _last_moment: datetime | None = None

    def r(self, low: int, high: int) -> int:
        return self.world.rng.randint(low, high)

    def choose(self, options: tuple[str, ...]) -> str:
        return self.world.rng.choice(options)

    # -- timing

    def _then(self, day: int, action: Callable[[datetime], None]) -> None:
        if day > -1 or (self._last_day is not None and day < self._last_day):
            raise ValueError(f"demo story step on day {day} is out of order or in the future")
        moment = at_local(self.world.day(day), self.r(8 * 60, 17 * 60))
        if self._last_moment is not None:
            moment = max(moment, self._last_moment + timedelta(minutes=self.r(5, 30)))
        self._last_day, self._last_moment = day, moment
        self.steps.append((moment, action))

    # -- drafting and issuing

    def draft(self, day: int, *, start: int, due: int, flaw: str | None = None) -> None:
        """Plan a draft written on ``day`` for work from ``start`` to ``due``."""
        self._plan(start, due, flaw=flaw, exact=True)
        self._then(day, self._create)

    def issue(self, day: int, *, due: int, exact: bool = False) -> None:
        """Plan a task drafted and issued on ``day``, due on working day ``due``."""
        self._plan(day, due, flaw=None, exact=exact)
        self._then(day, self._create)
        self._then(day, lambda at: issue_task(self.task, actor=self.plan.assigner, now=at))
        issued_on = local_date(self.steps[-1][0])
        if self.world.first_issue is None or issued_on < self.world.first_issue:
            self.world.first_issue = issued_on

    def _plan(self, start: int, due: int, *, flaw: str | None, exact: bool) -> None:
        start_day = self.world.day(start)
        span = due - start
        # Some tasks are given as "N working days", as many directives word them; kept away
        # from today, where the two ways of counting can differ by a day.
        in_working_days = (
            not exact and span <= 30 and (due <= -2 or due >= 5) and self.world.rng.random() < 0.35
        )
        due_day = (
            self.world.calendar.add_working_days(start_day, span)
            if in_working_days
            else self.world.day(due)
        )
        choice = self.picker.pick(start_day, due_day)
        code = choice.lead.code
        self.plan = _Plan(
            choice=choice,
            start=start_day,
            due=due_day,
            due_in_working_days=span if in_working_days else None,
            flaw=flaw,
            assigner=self.world.rng.choice(self.cast.assigners),
            head=self.cast.head(code),
            accountable=self.cast.accountable(code),
            assignee=self.cast.assignee(code),
        )

    def _create(self, moment: datetime) -> None:
        self.task = create_draft(self._input(), actor=self.plan.assigner, now=moment)

    def _input(self) -> TaskInput:
        plan, template = self.plan, self.plan.choice.template
        fill = plan.choice.fill
        flaw = plan.flaw
        return TaskInput(
            title=fill(template.title),
            description=fill(template.description),
            document_id=self.world.documents[template.document].id,
            field_id=self.fields[template.field].id,
            lead_unit_id=plan.choice.lead.id,
            accountable_user_id=None if flaw == "person" else plan.accountable.id,
            supervisor_id=self.fields[template.field].leader_id,
            start_date=plan.start,
            due_date=None if plan.due_in_working_days else plan.due,
            due_in_working_days=plan.due_in_working_days,
            expected_outcome="" if flaw == "outcome" else fill(template.outcome),
            target="" if flaw == "outcome" else fill(template.target),
            priority=self._priority(template),
            coordinating=self._coordinating(),
            milestones=[] if flaw == "timeline" else self._milestones(),
            process_steps=[] if flaw == "process" else [fill(s) for s in template.steps],
        )

    def _priority(self, template: Template) -> Priority:
        roll = self.world.rng.random()
        if roll < 0.05:
            return Priority.URGENT
        if roll < 0.15:
            return Priority.HIGH
        if roll < 0.25:
            return Priority.LOW
        return template.priority

    def _coordinating(self) -> list[CoordinationInput]:
        choice = self.plan.choice
        items: dict[int, CoordinationInput] = {}
        for code, responsibility in choice.template.coordinating:
            unit = choice.subject if code == UNIT_PLACEHOLDER else self.cast.units[code]
            if unit is not None and unit.id != choice.lead.id and unit.id not in items:
                items[unit.id] = CoordinationInput(unit.id, choice.fill(responsibility))
        return list(items.values())

    def _milestones(self) -> list[MilestoneInput]:
        plan = self.plan
        span = (plan.due - plan.start).days
        if span <= MILESTONE_SPAN_DAYS:
            return []
        calendar = self.world.calendar
        return [
            MilestoneInput(
                title,
                min(
                    calendar.next_working_day(plan.start + timedelta(days=span * share // 3)),
                    plan.due,
                ),
            )
            for share, title in enumerate(plan.choice.template.milestones, start=1)
        ]

    # -- the unit's work

    def accept(self, day: int) -> None:
        def run(at: datetime) -> None:
            assignee = self.plan.assignee
            accept_task(
                self.task,
                actor=self.plan.head,
                now=at,
                assignee_id=assignee.id if assignee else None,
            )

        self._then(day, run)

    def work(
        self,
        first: int,
        last: int,
        *,
        upto: int,
        reports: int | None = None,
        troubled: bool = False,
    ) -> None:
        """Plan progress reports between two days, rising towards ``upto`` percent."""
        last = min(last, -1)
        if first > last:
            return
        count = min(reports or self.r(1, 3), last - first + 1)
        days = sorted(self.world.rng.sample(range(first, last + 1), count))
        start = self.percent
        for index, day in enumerate(days, start=1):
            percent = max(start, round((start + (upto - start) * index / count) / 5) * 5)
            trouble = troubled and index == count
            self.percent = percent
            self._then(day, self._report(percent, trouble))

    def _report(self, percent: int, trouble: bool) -> Callable[[datetime], None]:
        narrative = _narrative(self.plan.choice, percent)
        difficulties = self.choose(DIFFICULTIES) if trouble else ""
        proposals = self.choose(PROPOSALS) if trouble else ""
        evidence = self._evidence(narrative) if self.world.rng.random() < 0.2 else None

        def run(at: datetime) -> None:
            report_progress(
                self.task,
                actor=self.plan.carrier,
                now=at,
                percent=percent,
                narrative=narrative,
                difficulties=difficulties,
                proposals=proposals,
                evidence=evidence,
            )

        return run

    def _evidence(self, narrative: str) -> list[Upload]:
        text = f"{self.plan.choice.fill(self.plan.choice.template.title)}\n\n{narrative}\n"
        return [Upload("bao-cao-tien-do.txt", text.encode("utf-8"))]

    def extend(self, day: int, *, new_due: int, approve: bool | None) -> None:
        """Plan an extension request; ``approve`` None leaves it pending."""
        reason = self.choose(EXTENSION_REASONS)

        def ask(at: datetime) -> None:
            self.request = request_extension(
                self.task,
                actor=self.plan.accountable,
                now=at,
                new_due_date=self.world.day(new_due),
                reason=reason,
            )

        self._then(day, ask)
        if approve is None:
            return
        note = self.choose(APPROVAL_NOTES if approve else REJECTION_NOTES)
        self._then(
            day + self.r(1, 2),
            lambda at: decide_extension(
                self.request, actor=self.plan.assigner, now=at, approve=approve, note=note
            ),
        )

    def submit(self, day: int) -> None:
        result = self.plan.choice.fill(self.plan.choice.template.result)
        self._then(
            day, lambda at: submit_result(self.task, actor=self.plan.carrier, now=at, result=result)
        )

    def review(self, day: int, *, accept: bool) -> None:
        note = self.choose(ACCEPTANCE_NOTES if accept else RETURN_NOTES)
        self._then(
            day,
            lambda at: review_result(
                self.task, actor=self.plan.assigner, now=at, accept=accept, note=note
            ),
        )

    def withdraw(self, day: int) -> None:
        reason = self.choose(WITHDRAWAL_REASONS)
        self._then(
            day,
            lambda at: withdraw_task(self.task, actor=self.plan.assigner, now=at, reason=reason),
        )


def _narrative(choice: Choice, percent: int) -> str:
    """Say which process steps are done and which one is under way."""
    steps = [choice.fill(step) for step in choice.template.steps]
    done = max(1, min(len(steps) - 1, len(steps) * percent // 100))
    text = "Đã hoàn thành: " + "; ".join(_lower_first(s) for s in steps[:done]) + "."
    return text + f" Đang thực hiện: {_lower_first(steps[done])} ({percent}%)."


def _lower_first(text: str) -> str:
    # Keep acronyms such as "UBND" intact.
    if len(text) > 1 and text[1].islower():
        return text[0].lower() + text[1:]
    return text


# ---------------------------------------------------------------- the stories
# Each takes a story and its number within its kind. Offsets are working days from today.


def _story_draft(s: _Story, n: int) -> None:
    start = s.r(1, 5)
    s.draft(-s.r(1, 8), start=start, due=start + s.r(15, 40))


def _story_draft_incomplete(s: _Story, n: int) -> None:
    flaw = DRAFT_FLAWS[n % len(DRAFT_FLAWS)]
    start = s.r(1, 5)
    # Over 90 days with no roadmap is what the "timeline" flaw is about.
    length = 75 if flaw == "timeline" else s.r(15, 40)
    s.draft(-s.r(1, 8), start=start, due=start + length, flaw=flaw)


def _story_withdrawn(s: _Story, n: int) -> None:
    issued = -s.r(15, 60)
    s.issue(issued, due=issued + s.r(20, 60))
    if n % 2:
        s.accept(issued + 1)
        s.work(issued + 3, issued + 6, upto=s.r(10, 30), reports=1)
    s.withdraw(-s.r(1, 5))


def _story_issued(s: _Story, n: int) -> None:
    s.issue(-s.r(1, 3), due=s.r(10, 30))


def _story_accepted(s: _Story, n: int) -> None:
    s.issue(-s.r(4, 8), due=s.r(10, 30))
    s.accept(-s.r(1, 3))


def _story_in_progress(s: _Story, n: int) -> None:
    issued = -s.r(10, 40)
    s.issue(issued, due=s.r(6, 40))
    s.accept(issued + s.r(0, 2))
    s.work(issued + 3, -1, upto=s.r(30, 70))


def _story_long(s: _Story, n: int) -> None:
    issued = -s.r(50, 60)
    s.issue(issued, due=s.r(45, 60))
    s.accept(issued + 1)
    s.work(issued + 5, -1, upto=s.r(40, 60), reports=3)


def _story_due_soon(s: _Story, n: int) -> None:
    issued = -s.r(10, 25)
    s.issue(issued, due=s.r(0, 3), exact=True)
    s.accept(issued + 1)
    s.work(issued + 3, -1, upto=s.r(60, 90))


def _story_submitted(s: _Story, n: int) -> None:
    issued = -s.r(12, 30)
    s.issue(issued, due=s.r(1, 10))
    s.accept(issued + 1)
    s.work(issued + 3, -3, upto=90)
    s.submit(-s.r(1, 2))


def _story_returned(s: _Story, n: int) -> None:
    issued = -s.r(30, 45)
    s.issue(issued, due=s.r(8, 15))
    s.accept(issued + 1)
    s.work(issued + 3, -12, upto=90)
    s.submit(-10)
    s.review(-8, accept=False)
    s.work(-4, -2, upto=95, reports=1)


def _story_extended(s: _Story, n: int) -> None:
    issued, due = -s.r(35, 45), -s.r(1, 4)
    s.issue(issued, due=due)
    s.accept(issued + 1)
    s.work(issued + 3, due - 8, upto=50)
    s.extend(due - s.r(5, 7), new_due=s.r(8, 20), approve=True)
    s.work(-3, -1, upto=70, reports=1)


def _story_pending_extension(s: _Story, n: int) -> None:
    issued = -s.r(20, 30)
    s.issue(issued, due=s.r(4, 8))
    s.accept(issued + 1)
    s.work(issued + 3, -3, upto=40, troubled=True)
    s.extend(-s.r(1, 2), new_due=s.r(20, 30), approve=None)


def _overdue_start(s: _Story, latest_due: int = -1) -> tuple[int, int]:
    issued = -s.r(25, 60)
    due = max(issued + 10, -s.r(-latest_due, 20))
    s.issue(issued, due=due)
    s.accept(issued + s.r(0, 2))
    return issued, due


def _story_overdue(s: _Story, n: int) -> None:
    issued, _ = _overdue_start(s)
    s.work(issued + 3, -1, upto=s.r(30, 80), troubled=True)


def _story_overdue_rejected(s: _Story, n: int) -> None:
    issued, due = _overdue_start(s)
    s.work(issued + 3, due - 5, upto=50)
    s.extend(due - s.r(2, 4), new_due=due + s.r(10, 20), approve=False)
    s.work(due + 1, -1, upto=70, reports=1, troubled=True)


def _story_overdue_pending(s: _Story, n: int) -> None:
    issued, due = _overdue_start(s, latest_due=-3)
    s.work(issued + 3, due - 1, upto=60, troubled=True)
    # Asked only after the due date had passed: the request is on record, still undecided.
    s.extend(-s.r(1, 2), new_due=s.r(5, 15), approve=None)


def _story_overdue_not_accepted(s: _Story, n: int) -> None:
    s.issue(-s.r(12, 20), due=-s.r(1, 5))


def _story_overdue_not_started(s: _Story, n: int) -> None:
    issued = -s.r(15, 25)
    s.issue(issued, due=-s.r(1, 5))
    s.accept(issued + 1)


def _story_submitted_late(s: _Story, n: int) -> None:
    issued, due = -s.r(30, 45), -s.r(4, 10)
    s.issue(issued, due=due)
    s.accept(issued + 1)
    s.work(issued + 3, due - 1, upto=80)
    s.submit(-s.r(1, 3))


def _story_done_on_time(s: _Story, n: int) -> None:
    issued = -s.r(20, 250)
    due = issued + s.r(10, 70)
    s.issue(issued, due=due)
    s.accept(issued + s.r(0, 2))
    submitted = max(min(due - s.r(0, 5), -2), issued + 3)
    s.work(issued + 3, submitted - 1, upto=s.r(70, 95))
    s.submit(submitted)
    s.review(min(submitted + s.r(1, 3), -1), accept=True)


def _story_done_extended(s: _Story, n: int) -> None:
    issued = -s.r(60, 200)
    due = issued + s.r(15, 40)
    new_due = due + s.r(8, 15)
    s.issue(issued, due=due)
    s.accept(issued + 1)
    s.work(issued + 3, due - 6, upto=60)
    s.extend(due - s.r(3, 5), new_due=new_due, approve=True)
    # Reported after the first due date, within the extended one: done on time.
    submitted = due + s.r(1, new_due - due)
    s.work(due, submitted - 1, upto=90, reports=1)
    s.submit(submitted)
    s.review(submitted + s.r(1, 3), accept=True)


def _story_done_returned(s: _Story, n: int) -> None:
    issued = -s.r(40, 250)
    due = min(issued + s.r(20, 60), -5)
    first = due - s.r(8, 12)
    s.issue(issued, due=due)
    s.accept(issued + 1)
    s.work(issued + 3, first - 1, upto=85)
    s.submit(first)
    s.review(first + 1, accept=False)
    s.work(first + 2, first + 3, upto=95, reports=1)
    second = due - s.r(0, 2)
    s.submit(second)
    s.review(min(second + s.r(1, 2), -1), accept=True)


def _story_done_late(s: _Story, n: int) -> None:
    issued = -s.r(40, 250)
    due = min(issued + s.r(10, 60), -6)
    submitted = min(due + s.r(1, 25), -2)
    s.issue(issued, due=due)
    s.accept(issued + s.r(0, 2))
    s.work(issued + 3, submitted - 1, upto=s.r(70, 90), troubled=True)
    s.submit(submitted)
    s.review(min(submitted + s.r(1, 3), -1), accept=True)


def _story_done_late_rejected(s: _Story, n: int) -> None:
    issued = -s.r(60, 250)
    due = min(issued + s.r(15, 50), -12)
    s.issue(issued, due=due)
    s.accept(issued + 1)
    s.work(issued + 3, due - 5, upto=50)
    s.extend(due - s.r(2, 4), new_due=due + s.r(10, 20), approve=False)
    submitted = min(due + s.r(3, 15), -2)
    s.work(due + 1, submitted - 1, upto=90, reports=1, troubled=True)
    s.submit(submitted)
    s.review(min(submitted + s.r(1, 3), -1), accept=True)


def _story_done_late_returned(s: _Story, n: int) -> None:
    issued = -s.r(60, 250)
    due = min(issued + s.r(20, 50), -12)
    first = due - s.r(2, 4)
    s.issue(issued, due=due)
    s.accept(issued + 1)
    s.work(issued + 3, first - 1, upto=85)
    s.submit(first)
    s.review(first + 1, accept=False)
    # The second report comes after the due date: judged late, by the day it was reported.
    second = min(due + s.r(2, 10), -2)
    s.work(due, second - 1, upto=95, reports=1)
    s.submit(second)
    s.review(min(second + s.r(1, 3), -1), accept=True)


STORIES: dict[str, Callable[[_Story, int], None]] = {
    "draft": _story_draft,
    "draft_incomplete": _story_draft_incomplete,
    "withdrawn": _story_withdrawn,
    "issued": _story_issued,
    "accepted": _story_accepted,
    "in_progress": _story_in_progress,
    "long": _story_long,
    "due_soon": _story_due_soon,
    "submitted": _story_submitted,
    "returned": _story_returned,
    "extended": _story_extended,
    "pending_extension": _story_pending_extension,
    "overdue": _story_overdue,
    "overdue_rejected": _story_overdue_rejected,
    "overdue_pending": _story_overdue_pending,
    "overdue_not_accepted": _story_overdue_not_accepted,
    "overdue_not_started": _story_overdue_not_started,
    "submitted_late": _story_submitted_late,
    "done_on_time": _story_done_on_time,
    "done_extended": _story_done_extended,
    "done_returned": _story_done_returned,
    "done_late": _story_done_late,
    "done_late_rejected": _story_done_late_rejected,
    "done_late_returned": _story_done_late_returned,
}


def _task_steps(
    world: World, units: dict[str, Unit], fields: dict[str, Field], cast: Cast
) -> list[Step]:
    picker = Picker(world, units)
    steps: list[Step] = []
    for kind, count in STORY_MIX:
        for n in range(count):
            story = _Story(world, picker, cast, fields)
            STORIES[kind](story, n)
            steps += story.steps
    return steps

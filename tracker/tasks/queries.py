"""Set-based reads of tasks for lists, counts and the home page.

Everything is filtered, counted and paginated in the database; each function runs a
fixed number of queries whatever the number of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.org.models import Role, Unit, User
from tracker.tasks.classification import (
    AsOf,
    Category,
    category_sql,
    closed_by_sql,
    due_soon_from,
    due_soon_sql,
    open_during_sql,
)
from tracker.tasks.closures import CLOSED_OUTCOMES
from tracker.tasks.counting import (
    WHOLE,
    ClosedPart,
    CountedFilter,
    added,
    closed_tally,
    count_if,
    open_tally,
    tally,
)
from tracker.tasks.models import (
    OPEN_STATES,
    ProgressUpdate,
    SourceDocument,
    Stage,
    Task,
    TaskState,
    stage_clause,
    without_long_texts,
)
from tracker.tasks.permissions import coordinated_by, sees_every_task, visible_tasks_clause
from tracker.text import fold

SORTS = {
    "due": (Task.due_date.asc().nulls_last(), Task.id),
    "-due": (Task.due_date.desc().nulls_last(), Task.id.desc()),
    "new": (Task.created_at.desc(), Task.id.desc()),
    "title": (Task.title, Task.id),
}


@dataclass
class TaskFilters:
    """What a person can narrow the task list by."""

    category: str | None = None
    due_soon: bool = False
    unit_id: int | None = None
    field_id: int | None = None
    document_id: int | None = None
    document_number: str = ""  # as officials cite it: "171-KH/TU", any case
    supervisor_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str = ""
    sort: str = "due"
    # Where the tasks are in their life: a Stage value, or OPEN_STAGE for every open one.
    stage: str | None = None


OPEN_STAGE = "open"


@dataclass
class TaskRow:
    task: Task
    category: Category
    due_soon: bool


@dataclass
class TaskPage:
    rows: list[TaskRow]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(user: User, filters: TaskFilters) -> list:
    """Return the conditions of the visible tasks narrowed by every filter but the category."""
    where = [visible_tasks_clause(user)]
    conditions = {
        Task.lead_unit_id: filters.unit_id,
        Task.field_id: filters.field_id,
        Task.document_id: filters.document_id,
        Task.supervisor_id: filters.supervisor_id,
    }
    where += [column == value for column, value in conditions.items() if value is not None]
    if filters.document_number:
        numbered = sa.select(SourceDocument.id).where(
            sa.func.lower(SourceDocument.number) == filters.document_number.lower()
        )
        where.append(Task.document_id.in_(numbered))
    if filters.due_from:
        where.append(Task.due_date >= filters.due_from)
    if filters.due_to:
        where.append(Task.due_date <= filters.due_to)
    if filters.stage == OPEN_STAGE:
        where.append(Task.state.in_(OPEN_STATES))
    elif filters.stage in set(Stage):
        where.append(stage_clause(Stage(filters.stage)))
    for word in fold(filters.q).split()[:8]:
        # Escaped so that % and _ typed by a person match themselves.
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Task.search_text.like(f"%{escaped}%", escape="\\"))
    return where


def visible_parts(user: User) -> list[ClosedPart] | None:
    """Split the tasks the user may see into parts the running counts of closures can count
    (or None when they cannot help): the office and the inspectors see every task; a unit's
    people see the unit's own tasks, those it coordinates (never its own: a lead unit
    cannot coordinate its task) and the rest of what visible_tasks_clause lets them see."""
    if sees_every_task(user):
        return [ClosedPart([], CountedFilter())]
    if user.has_role(Role.LEADER) or not user.may_carry_tasks:
        return None
    unit = user.unit_id
    coordinated = coordinated_by(unit)
    return [
        ClosedPart([Task.lead_unit_id == unit], CountedFilter(unit_id=unit)),
        ClosedPart([coordinated], CountedFilter(coordinator_id=unit)),
        ClosedPart([visible_tasks_clause(user), Task.lead_unit_id != unit, sa.not_(coordinated)]),
    ]


def _closed_parts(user: User, filters: TaskFilters) -> list[ClosedPart] | None:
    """Say the filters to the running counts of closed tasks, or None when they cannot
    (they know the lead unit, the field and the coordinating units)."""
    narrowed = (
        filters.document_id,
        filters.supervisor_id,
        filters.due_from,
        filters.due_to,
        filters.stage,
    )
    if any(v is not None for v in narrowed) or fold(filters.q) or filters.document_number:
        return None
    if filters.unit_id is None and filters.field_id is None:
        return visible_parts(user)
    if not sees_every_task(user):
        return None
    where = _filtered(user, filters)
    return [ClosedPart(where, CountedFilter(unit_id=filters.unit_id, field_id=filters.field_id))]


def _drafts_sql(as_of: AsOf) -> sa.ColumnElement[bool]:
    # The local day of issue (indexed) says "issued after the end of the day" as well.
    return sa.or_(Task.state == TaskState.DRAFT, Task.issued_on > as_of.day)


def category_counts(where: list, as_of: AsOf, closed_parts: list | None = None) -> dict:
    """Count the tasks meeting ``where`` per category as of the day, and those due soon: the
    open and draft ones classified, the closed ones counted in ``closed_parts`` (parts of
    the same tasks, see visible_parts; by default all of them from the tasks)."""
    names = (Category.DRAFT.value, Category.ON_TRACK.value, Category.OVERDUE.value)

    def measure(rows) -> list:
        category = rows.c.category_0
        soon = due_soon_from(rows.c, category, rows.c.due_0, as_of)
        return [*(count_if(category == name) for name in names), count_if(soon)]

    category = category_sql(as_of)
    drafts = [*(count_if(category == name) for name in names), count_if(due_soon_sql(as_of))]
    opened = added(
        open_tally(measure, where, {"all": None}, [as_of]),
        tally(drafts, [*where, _drafts_sql(as_of)], {"all": None}),
    )["all"].get(None, [0] * 4)
    closed = added(
        *(
            closed_tally(as_of, {"all": WHOLE}, part.where, part.counted)
            for part in (closed_parts or [ClosedPart(where)])
        )
    )["all"].get(None, [0] * 3)
    counts = dict(zip(names, opened, strict=False))
    counts.update(zip(CLOSED_OUTCOMES, closed, strict=True))
    counts["due_soon"] = opened[3]
    return {name: n for name, n in counts.items() if n}


def _narrowed_to(category: str, as_of: AsOf) -> sa.ColumnElement[bool]:
    """Return indexed conditions that hold for every task of the category as of the day,
    so that the database looks only there before classifying."""
    if category in (Category.ON_TRACK, Category.OVERDUE):
        return open_during_sql(as_of)
    if category == Category.DRAFT:
        return _drafts_sql(as_of)
    return closed_by_sql(as_of)


def _total(counts: dict, filters: TaskFilters) -> int:
    if filters.category:
        return counts.get(filters.category, 0)
    if filters.due_soon:
        return counts.get("due_soon", 0)
    return sum(counts.get(c.value, 0) for c in Category)


def search_tasks(
    user: User,
    filters: TaskFilters,
    as_of: AsOf,
    *,
    page: int = 1,
    per_page: int = 25,
    load: tuple = (),
) -> TaskPage:
    """Return one page of the tasks the user may see, with the counts per category.

    ``load`` adds loader options for what the caller shows of each task (the API shows
    its lists), so a page costs the same few queries whatever its length."""
    where = _filtered(user, filters)
    counts = category_counts(where, as_of, _closed_parts(user, filters))
    category, soon = category_sql(as_of), due_soon_sql(as_of)
    query = sa.select(Task, category.label("category"), soon.label("due_soon")).where(*where)
    if filters.category:
        query = query.where(_narrowed_to(filters.category, as_of), category == filters.category)
    if filters.due_soon:
        query = query.where(open_during_sql(as_of), soon)
    page = max(1, page)
    query = (
        query.order_by(*SORTS.get(filters.sort, SORTS["due"]))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .options(
            selectinload(Task.lead_unit),
            selectinload(Task.accountable_user),
            selectinload(Task.document),
            *load,
        )
    )
    rows = [TaskRow(task, Category(cat), bool(s)) for task, cat, s in db.session.execute(query)]
    return TaskPage(rows, _total(counts, filters), page, per_page, counts)


def _personal_clauses(user: User) -> list[sa.ColumnElement[bool]]:
    """The tasks the person is named on (a head's unit's tasks aside)."""
    clauses = [
        Task.accountable_user_id == user.id,
        Task.assignee_user_id == user.id,
        Task.supervisor_id == user.id,
    ]
    if user.has_role(Role.ASSIGNER):
        clauses += [Task.created_by_id == user.id, Task.issued_by_id == user.id]
    return clauses


def my_tasks_clause(user: User) -> sa.ColumnElement[bool]:
    """Return the condition for tasks that are this person's own work."""
    clauses = _personal_clauses(user)
    if user.has_role(Role.UNIT_HEAD):
        clauses.append(Task.lead_unit_id == user.unit_id)
    return sa.and_(sa.or_(*clauses), visible_tasks_clause(user))


def _named_outside_own_unit(user: User) -> sa.ColumnElement[bool]:
    """The head's own work led by another unit: tasks they are named on there."""
    # Written as (named AND below) OR (named AND above), not "named AND unit != own": each
    # branch is then one range of a (person, lead unit) index, instead of a walk through
    # every task the head is named on, nearly all of them their own unit's.
    ranges = (Task.lead_unit_id < user.unit_id, Task.lead_unit_id > user.unit_id)
    branches = [sa.and_(named, side) for named in _personal_clauses(user) for side in ranges]
    return sa.and_(sa.or_(*branches), visible_tasks_clause(user))


@dataclass
class MyWork:
    counts: dict[str, int]
    overdue: list[TaskRow]
    due_soon: list[TaskRow]
    on_track: list[TaskRow]
    recent_done: list[TaskRow]


def _rows(condition, as_of: AsOf, order, limit: int) -> list[TaskRow]:
    category, soon = category_sql(as_of), due_soon_sql(as_of)
    query = (
        sa.select(Task, category, soon)
        .where(condition)
        .order_by(*order)
        .limit(limit)
        .options(
            *without_long_texts(),
            selectinload(Task.lead_unit),
            selectinload(Task.accountable_user),
        )
    )
    return [TaskRow(t, Category(c), bool(s)) for t, c, s in db.session.execute(query)]


def my_work(user: User, as_of: AsOf, limit: int = 20) -> MyWork:
    """Return the person's tasks grouped the way the home page shows them."""
    mine = my_tasks_clause(user)
    category, soon = category_sql(as_of), due_soon_sql(as_of)
    parts = None
    if user.has_role(Role.UNIT_HEAD):
        # A head's own work is mostly the unit's: those closed come from the running counts.
        own = Task.lead_unit_id == user.unit_id
        parts = [
            ClosedPart([own], CountedFilter(unit_id=user.unit_id)),
            ClosedPart([_named_outside_own_unit(user)]),
        ]
    counts = category_counts([mine], as_of, parts)
    by_due = (Task.due_date, Task.id)
    opened = sa.and_(mine, open_during_sql(as_of))
    done = sa.and_(mine, Task.state == TaskState.COMPLETED, Task.completed_at < as_of.end_of_day)
    return MyWork(
        counts=counts,
        overdue=_rows(sa.and_(opened, category == Category.OVERDUE.value), as_of, by_due, limit),
        due_soon=_rows(sa.and_(opened, soon), as_of, by_due, limit),
        on_track=_rows(
            sa.and_(opened, category == Category.ON_TRACK.value, sa.not_(soon)),
            as_of,
            by_due,
            limit,
        ),
        recent_done=_rows(done, as_of, (Task.completed_at.desc(), Task.id.desc()), 10),
    )


@dataclass
class Subtasks:
    """A task's sub-tasks as of a day, with the parent's rolled-up progress."""

    rows: list[TaskRow]

    @property
    def counted(self) -> list[TaskRow]:
        # Drafts are not given out yet; withdrawn ones no longer count.
        return [r for r in self.rows if r.task.state not in (TaskState.DRAFT, TaskState.WITHDRAWN)]

    @property
    def progress(self) -> int | None:
        """Each sub-task's progress weighted by its share (a completed one counts 100 %)."""
        counted = self.counted
        total = sum(r.task.weight for r in counted)
        if not total:
            return None
        done = sum(r.task.weight * _percent_done(r.task) for r in counted)
        return round(done / total)

    @property
    def overdue(self) -> list[TaskRow]:
        return [r for r in self.rows if r.category == Category.OVERDUE]


def _percent_done(task: Task) -> int:
    return 100 if task.state == TaskState.COMPLETED else task.progress_percent


def progress_reports(task: Task) -> list[ProgressUpdate]:
    """Return the task's progress reports, the latest first, with their files and authors
    (a long-running task has hundreds: read in three statements, not one per report)."""
    return list(
        db.session.scalars(
            sa.select(ProgressUpdate)
            .where(ProgressUpdate.task_id == task.id)
            .order_by(ProgressUpdate.id.desc())
            .options(selectinload(ProgressUpdate.evidence), selectinload(ProgressUpdate.author))
        )
    )


def subtasks_of(task: Task, as_of: AsOf) -> Subtasks:
    """Return the task's sub-tasks with their categories, in one query."""
    category, soon = category_sql(as_of), due_soon_sql(as_of)
    query = (
        sa.select(Task, category, soon)
        .where(Task.parent_id == task.id)
        .order_by(Task.id)
        .options(selectinload(Task.lead_unit), selectinload(Task.accountable_user))
    )
    rows = [TaskRow(t, Category(c), bool(s)) for t, c, s in db.session.execute(query)]
    return Subtasks(rows)


@dataclass
class GroupSummary:
    """How a task issued to many units is going: received, accepted, done, late."""

    rows: list[TaskRow]

    def count(self, category: Category) -> int:
        return sum(1 for r in self.rows if r.category == category)

    @property
    def received(self) -> int:
        return sum(1 for r in self.rows if r.task.issued_at is not None)

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.task.accepted_at is not None)

    @property
    def done(self) -> int:
        return self.count(Category.DONE_ON_TIME) + self.count(Category.DONE_LATE)


def group_summary(group_id: int, user: User, as_of: AsOf) -> GroupSummary:
    """Return the group's tasks the user may see, with their categories, in one query."""
    category, soon = category_sql(as_of), due_soon_sql(as_of)
    query = (
        sa.select(Task, category, soon)
        .join(Unit, Unit.id == Task.lead_unit_id)
        .where(Task.group_id == group_id, visible_tasks_clause(user))
        .order_by(Unit.name, Task.id)
        .options(selectinload(Task.lead_unit), selectinload(Task.accountable_user))
    )
    return GroupSummary([TaskRow(t, Category(c), bool(s)) for t, c, s in db.session.execute(query)])

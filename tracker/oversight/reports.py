"""Every oversight figure, computed in SQL in this one module.

The dashboard, the scorecards, the briefing lists, their Excel exports (and later the
API) all read their numbers here, so a page and its export never disagree. Each report
runs a fixed number of grouped queries, whatever the number of units or tasks, and any
past date gives the figures as they stood then (classification uses the due date in
force that day and the completions recorded by then).

The on-time rate is the share of tasks that were due by the report date and were done on
time: done on time / (done on time + done late + still overdue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, selectinload

from tracker.calendar.models import WorkDay
from tracker.calendar.services import ensure_work_days, load_calendar, work_day_seq
from tracker.extensions import db
from tracker.org.models import Field, Unit, UnitKind, User
from tracker.reminders.models import (
    Conclusion,
    Escalation,
    NoticeKind,
    Reminder,
)
from tracker.tasks.classification import (
    AsOf,
    Category,
    as_of,
    category_sql,
    closed_since_sql,
    due_soon_from,
    due_soon_sql,
    due_sql,
    last_report_sql,
    open_during_sql,
    open_now_sql,
)
from tracker.tasks.closures import CLOSED_OUTCOMES, FIELD, UNIT
from tracker.tasks.counting import (
    WHOLE,
    CountedFilter,
    CountedGroup,
    classified,
    closed_tally,
    count_if,
    open_tally,
)
from tracker.tasks.models import (
    ExtensionRequest,
    ExtensionStatus,
    SourceDocument,
    Task,
)
from tracker.tasks.permissions import sees_every_task, visible_tasks_clause

OPEN = (Category.ON_TRACK.value, Category.OVERDUE.value)
DONE = (Category.DONE_ON_TIME.value, Category.DONE_LATE.value)
DEFAULT_STALE_DAYS = 30
WEEKS_SHOWN = 12


def _levels(top_level: bool) -> tuple:
    """Only the tasks given by the level above (no sub-tasks), or every task: each task is
    counted once, at its own level."""
    return (Task.parent_id.is_(None),) if top_level else ()


@dataclass
class Figures:
    """The standard categories of a set of tasks, plus due soon and not updated."""

    on_track: int = 0
    overdue: int = 0
    done_on_time: int = 0
    done_late: int = 0
    withdrawn: int = 0
    due_soon: int = 0
    stale: int = 0

    @property
    def total(self) -> int:
        return self.on_track + self.overdue + self.done_on_time + self.done_late

    @property
    def due(self) -> int:
        return self.done_on_time + self.done_late + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.due if self.due else None


def stale_sql(day: AsOf, stale_days: int) -> sa.ColumnElement[bool]:
    """Open tasks with no progress report in the ``stale_days`` before the report date."""
    cutoff = day.end_of_day - timedelta(days=stale_days)
    # CASE, not AND: the database must not look up reports of tasks that are not open.
    return sa.case(
        (
            category_sql(day).in_(OPEN),
            sa.func.coalesce(last_report_sql(day), Task.issued_at) < cutoff,
        ),
        else_=sa.false(),
    )


def _figure_columns(day: AsOf, stale_days: int) -> list:
    """Every figure of a set of tasks in the order of Figures' fields (for scorecards, which
    count the tasks issued in a period)."""
    category = category_sql(day)
    return [
        count_if(category == Category.ON_TRACK.value),
        count_if(category == Category.OVERDUE.value),
        count_if(category == Category.DONE_ON_TIME.value),
        count_if(category == Category.DONE_LATE.value),
        count_if(category == Category.WITHDRAWN.value),
        count_if(due_soon_sql(day)),
        count_if(stale_sql(day, stale_days)),
    ]


# ------------------------------------------------------------------ figures as of a day
#
# Each figure is counted in two parts (tasks/counting.py): the tasks open on the day,
# classified one by one, and the tasks closed by then, from the running counts of closures
# for those who see every task.

OPEN_FIGURES = ("on_track", "overdue", "due_soon", "stale")
DOCUMENTS_SHOWN = 30  # on the page; the workbook has every document

GROUPS = {
    "total": WHOLE,
    "unit": CountedGroup(Task.lead_unit_id, UNIT),
    # A task without a field is counted under 0 (a key column cannot be empty).
    "field": CountedGroup(Task.field_id, FIELD, lambda key: key or None),
    "document": CountedGroup(Task.document_id),
}


def _stale_from(rows, category, day: AsOf, stale_days: int) -> sa.ColumnElement[bool]:
    """Open tasks with no report in the days before the report date, among classified rows
    (stale_sql, said of counting.classified's columns)."""
    cutoff = day.end_of_day - timedelta(days=stale_days)
    return sa.and_(
        category.in_(OPEN), sa.func.coalesce(rows.c.last_report, rows.c.issued_at) < cutoff
    )


def _open_measures(day: AsOf, stale_days: int):
    def measure(rows) -> list:
        category = rows.c.category_0
        return [
            count_if(category == Category.ON_TRACK.value),
            count_if(category == Category.OVERDUE.value),
            count_if(due_soon_from(rows.c, category, rows.c.due_0, day)),
            count_if(_stale_from(rows, category, day, stale_days)),
        ]

    return measure


def _closed(user: User, day: AsOf, top_level: bool, names, where=()) -> dict:
    """Count the tasks closed by the end of the day in the named groups."""
    levels = _levels(top_level)
    if sees_every_task(user):
        counted = CountedFilter(top_level=top_level)
        return closed_tally(day, {n: GROUPS[n] for n in names}, [*levels, *where], counted)
    visible = [visible_tasks_clause(user), *levels, *where]
    return closed_tally(day, {n: GROUPS[n] for n in names}, visible, None)


def _figures_of(open_part: dict, closed_part: dict) -> dict[str, dict]:
    """Put the open and the closed counts of each group together as Figures."""
    figures: dict[str, dict] = {}
    for name in open_part.keys() | closed_part.keys():
        opened, closed = open_part.get(name, {}), closed_part.get(name, {})
        figures[name] = {
            key: Figures(
                **dict(zip(OPEN_FIGURES, opened.get(key, [0] * 4), strict=True)),
                **dict(zip(CLOSED_OUTCOMES, closed.get(key, [0] * 3), strict=True)),
            )
            for key in opened.keys() | closed.keys()
        }
    return figures


def figures_as_of(
    user: User,
    day: AsOf,
    *,
    stale_days: int = DEFAULT_STALE_DAYS,
    top_level: bool = False,
    names: tuple[str, ...] = ("total", "unit", "field"),
    documents: int | None = DOCUMENTS_SHOWN,
) -> dict[str, dict]:
    """Return Figures as of the day for each group asked for (the whole set, per lead unit,
    per field, per directive document), in a fixed number of queries.

    Documents are many: the ``documents`` with the most overdue, then open tasks come with
    their figures (all of them, open or not, when ``documents`` is None)."""
    levels, visible = _levels(top_level), visible_tasks_clause(user)
    measure = _open_measures(day, stale_days)
    ranked = [n for n in names if n != "document"]
    groups = {name: GROUPS[name].task_column for name in ranked}
    open_part = open_tally(measure, [visible, *levels], groups, [day], last_report=day)
    closed_part = _closed(user, day, top_level, ranked)
    if "document" in names:
        shown = []
        if documents is not None:
            top = _top_documents([visible, *levels], day, documents)
            shown.append(Task.document_id.in_(top))
        where, by_document = [visible, *levels, *shown], {"document": Task.document_id}
        open_part.update(open_tally(measure, where, by_document, [day], last_report=day))
        closed_part.update(_closed(user, day, top_level, ["document"], shown))
    return _figures_of(open_part, closed_part)


def _top_documents(where: list, day: AsOf, limit: int) -> list[int]:
    """Return the directive documents with the most overdue tasks on the day, then the most
    open ones: ranked in SQL, for a city has tens of thousands of documents."""
    parts = [
        classified([day], [*where, part], {"document": Task.document_id})
        for part in (open_now_sql(day), closed_since_sql(day))
    ]
    rows = sa.union_all(*(sa.select(p.c.document, p.c.category_0) for p in parts)).subquery()
    overdue = count_if(rows.c.category_0 == Category.OVERDUE.value)
    opened = count_if(rows.c.category_0.in_(OPEN))
    query = (
        sa.select(rows.c.document)
        .where(rows.c.document.is_not(None))
        .group_by(rows.c.document)
        .order_by(overdue.desc(), opened.desc(), rows.c.document)
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass
class Dashboard:
    day: date
    stale_days: int
    total: Figures
    by_unit: list[tuple[Unit, Figures]]
    by_field: list[tuple[Field, Figures]]
    by_document: list[tuple[SourceDocument, Figures]]
    weekly_overdue: list[tuple[date, int]]
    documents_limited: bool = True

    @property
    def ranking(self) -> list[tuple[Unit, Figures]]:
        """Units with tasks due, the best on-time rate first."""
        rated = [(u, f) for u, f in self.by_unit if f.on_time_rate is not None]
        return sorted(rated, key=lambda uf: (-uf[1].on_time_rate, -uf[1].due, uf[0].name))


def _named(model, figures: dict) -> list:
    ids = [k for k in figures if k is not None]
    objects = {o.id: o for o in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}
    return [(objects[k], f) for k, f in figures.items() if k in objects]


def _most_overdue_first(rows: list) -> list:
    return sorted(rows, key=lambda of: (-of[1].overdue, -of[1].total, str(of[0].id)))


def weekly_overdue(
    user: User, day: date, weeks: int = WEEKS_SHOWN, top_level: bool = False
) -> list[tuple[date, int]]:
    """Return how many tasks were overdue at the end of each of the last weeks, in one query
    over the tasks that may have been open at some point of them."""
    calendar = load_calendar()
    points = [day - timedelta(days=7 * back) for back in range(weeks - 1, -1, -1)]
    days = [AsOf.of(point, calendar) for point in points]

    def measure(rows) -> list:
        overdue = Category.OVERDUE.value
        return [count_if(rows.c[f"category_{k}"] == overdue) for k in range(len(days))]

    # Only a task whose first due date had passed by the last day can have been overdue on
    # one of them (an extension only ever moves the due date later).
    where = [
        visible_tasks_clause(user),
        *_levels(top_level),
        Task.original_due_date < days[-1].day,
    ]
    row = open_tally(measure, where, {"all": None}, days)["all"].get(None, [0] * len(days))
    return [(point, int(count or 0)) for point, count in zip(points, row, strict=True)]


def unit_figures(
    user: User, day: date, stale_days: int = DEFAULT_STALE_DAYS, top_level: bool = False
) -> tuple[Figures, list[tuple[Unit, Figures]]]:
    """Return the figures as of ``day`` in total and per lead unit, most overdue first."""
    figures = figures_as_of(
        user, as_of(day), stale_days=stale_days, top_level=top_level, names=("total", "unit")
    )
    total = figures["total"].get(None, Figures())
    return total, _most_overdue_first(_named(Unit, figures["unit"]))


def dashboard(
    user: User,
    day: date,
    stale_days: int = DEFAULT_STALE_DAYS,
    top_level: bool = False,
    documents: int | None = DOCUMENTS_SHOWN,
) -> Dashboard:
    """Return the dashboard as of ``day``: city-wide, per unit, per field, per document
    (the most overdue ``documents``, or all of them when None)."""
    figures = figures_as_of(
        user,
        as_of(day),
        stale_days=stale_days,
        top_level=top_level,
        names=("total", "unit", "field", "document"),
        documents=documents,
    )
    return Dashboard(
        day=day,
        stale_days=stale_days,
        total=figures["total"].get(None, Figures()),
        by_unit=_most_overdue_first(_named(Unit, figures["unit"])),
        by_field=_most_overdue_first(_named(Field, figures["field"])),
        by_document=_most_overdue_first(_named(SourceDocument, figures["document"])),
        weekly_overdue=weekly_overdue(user, day, top_level=top_level),
        documents_limited=documents is not None,
    )


# ------------------------------------------------------------------ scorecards


@dataclass
class Score:
    """What one unit (or one official) did with the tasks received in a period."""

    received: int = 0
    figures: Figures = field(default_factory=Figures)
    days_late_total: int = 0
    days_late_count: int = 0
    worst_days_late: int = 0
    extensions_asked: int = 0
    extensions_granted: int = 0
    reminders: int = 0
    warnings: int = 0
    urgings: int = 0
    escalations: int = 0
    conclusions: dict[str, int] = field(default_factory=dict)

    @property
    def average_days_late(self) -> float | None:
        return self.days_late_total / self.days_late_count if self.days_late_count else None


def _period_tasks(user: User, start: date, end: date):
    return (visible_tasks_clause(user), Task.issued_on >= start, Task.issued_on <= end)


def _days_late_columns(at: AsOf, end_seq: int) -> list:
    """Working days late: of a late completion, or of a task still overdue at the end."""
    due_day, done_day = aliased(WorkDay), aliased(WorkDay)
    category = category_sql(at)
    late = sa.case(
        (category == Category.DONE_LATE.value, done_day.seq - due_day.seq),
        (category == Category.OVERDUE.value, end_seq - due_day.seq),
        else_=None,
    )
    joins = [
        (due_day, due_day.day == due_sql(at)),
        (done_day, done_day.day == Task.completed_on),
    ]
    return [
        sa.func.coalesce(sa.func.sum(late), 0),
        sa.func.count(late),
        sa.func.coalesce(sa.func.max(late), 0),
    ], joins


def scorecards(
    user: User,
    start: date,
    end: date,
    group=Task.lead_unit_id,
    only: int | None = None,
    top_level: bool = False,
    unit_id: int | None = None,
) -> dict[int, Score]:
    """Return a Score per unit (or per accountable official) for tasks issued in the period
    (only those ``unit_id`` led, when given)."""
    at = as_of(end)
    ensure_work_days(end)
    end_seq = work_day_seq(end)
    where = [*_period_tasks(user, start, end), *_levels(top_level)]
    if unit_id is not None:
        where.append(Task.lead_unit_id == unit_id)
    if only is not None:
        where.append(group == only)
    scores: dict[int, Score] = {}

    late_columns, joins = _days_late_columns(at, end_seq)
    query = sa.select(
        group, sa.func.count(Task.id), *_figure_columns(at, DEFAULT_STALE_DAYS), *late_columns
    )
    query = query.select_from(Task)
    for alias, condition in joins:
        query = query.outerjoin(alias, condition)
    for row in db.session.execute(query.where(*where).group_by(group)):
        key, received, *rest = row
        figures, (late_sum, late_count, late_max) = Figures(*map(int, rest[:7])), rest[7:]
        scores[key] = Score(
            received=received,
            figures=figures,
            days_late_total=int(late_sum),
            days_late_count=int(late_count),
            worst_days_late=int(late_max),
        )

    def each(query_rows, apply):
        for key, *values in db.session.execute(query_rows):
            apply(scores.setdefault(key, Score()), *values)

    period = (
        ExtensionRequest.requested_at >= as_of(start - timedelta(days=1)).end_of_day,
        ExtensionRequest.requested_at < at.end_of_day,
    )
    each(
        sa.select(
            group,
            sa.func.count(ExtensionRequest.id),
            count_if(ExtensionRequest.status == ExtensionStatus.APPROVED),
        )
        .join(Task, Task.id == ExtensionRequest.task_id)
        .where(*where, *period)
        .group_by(group),
        lambda s, asked, granted: (
            setattr(s, "extensions_asked", asked),
            setattr(s, "extensions_granted", int(granted)),
        ),
    )
    each(
        sa.select(
            group,
            count_if(Reminder.kind == NoticeKind.REMINDER),
            count_if(Reminder.kind == NoticeKind.WARNING),
            count_if(Reminder.kind == NoticeKind.URGING),
        )
        .join(Task, Task.id == Reminder.task_id)
        .where(*where, Reminder.created_at < at.end_of_day)
        .group_by(group),
        lambda s, r, w, u: (
            setattr(s, "reminders", int(r)),
            setattr(s, "warnings", int(w)),
            setattr(s, "urgings", int(u)),
        ),
    )
    each(
        sa.select(group, sa.func.count(Escalation.id))
        .join(Task, Task.id == Escalation.task_id)
        .where(*where, Escalation.opened_on <= end)
        .group_by(group),
        lambda s, n: setattr(s, "escalations", n),
    )
    # A corrected conclusion counts once, as the correction in force at the period's end
    # says: a correction names the conclusion it replaces, so the one in force is the one
    # no correction made by then names (one look-up in the unique index of corrects_id).
    correction = aliased(Conclusion)
    corrected = sa.exists().where(
        correction.corrects_id == Conclusion.id, correction.concluded_at < at.end_of_day
    )
    each(
        sa.select(group, Conclusion.outcome, sa.func.count(Conclusion.id))
        .join(Escalation, Escalation.id == Conclusion.escalation_id)
        .join(Task, Task.id == Escalation.task_id)
        .where(*where, Conclusion.concluded_at < at.end_of_day, ~corrected)
        .group_by(group, Conclusion.outcome),
        lambda s, outcome, n: s.conclusions.__setitem__(str(outcome.value), n),
    )
    return scores


def unit_ranking(
    user: User, start: date, end: date, top_level: bool = False
) -> list[tuple[Unit, Score]]:
    """Return every unit with tasks in the period, the best on-time rate first."""
    rows = _named(Unit, scorecards(user, start, end, top_level=top_level))
    return sorted(
        rows,
        key=lambda us: (
            -(us[1].figures.on_time_rate if us[1].figures.on_time_rate is not None else -1),
            -us[1].received,
            us[0].name,
        ),
    )


# Units are ranked among their peers: departments with departments, communes and wards
# with communes and wards.
RANKING_GROUPS = (
    (
        "departments",
        _l("Sở, ban, ngành"),
        {UnitKind.DEPARTMENT, UnitKind.OFFICE, UnitKind.PUBLIC_SERVICE},
    ),
    ("districts", _l("Quận, huyện, thị xã"), {UnitKind.DISTRICT}),
    ("communes", _l("Xã, phường"), {UnitKind.COMMUNE}),
    ("others", _l("Đơn vị khác"), {UnitKind.CITY, UnitKind.DIVISION}),
)


@dataclass
class RankingGroup:
    """One kind of unit's ranking: those with enough tasks due to be ranked, best first,
    and those with too few, listed apart (one task on time says little)."""

    kind: str
    label: str
    ranked: list[tuple[Unit, Score]]
    too_few: list[tuple[Unit, Score]]


def ranking_groups(user: User, start: date, end: date, min_due: int) -> list[RankingGroup]:
    """Rank the units of each kind among themselves; a unit with fewer than ``min_due``
    tasks due in the period is shown, not ranked. Ties go to the unit with more tasks."""
    rows = unit_ranking(user, start, end)
    groups = []
    for kind, label, kinds in RANKING_GROUPS:
        peers = [row for row in rows if row[0].kind in kinds]
        if peers:
            groups.append(
                RankingGroup(
                    kind,
                    str(label),
                    [row for row in peers if row[1].figures.due >= min_due],
                    [row for row in peers if row[1].figures.due < min_due],
                )
            )
    return groups


def people_of_unit(user: User, unit_id: int, start: date, end: date) -> list[tuple[User, Score]]:
    """Return the score of each accountable official of a unit's tasks."""
    scores = scorecards(user, start, end, group=Task.accountable_user_id, unit_id=unit_id)
    people = db.session.scalars(
        sa.select(User).where(
            User.id.in_([k for k in scores if k is not None]), User.unit_id == unit_id
        )
    ).all()
    return sorted(((p, scores[p.id]) for p in people), key=lambda ps: ps[0].full_name)


# ------------------------------------------------------------------ briefing lists


@dataclass
class BriefingRow:
    task: Task
    category: str
    stale: bool
    days_overdue: int
    last_report: object


@dataclass
class BriefingGroup:
    """One leader's part of the weekly briefing: how many tasks are overdue or not updated,
    and the longest overdue of them first."""

    leader: User | None
    overdue: int
    stale: int
    total: int
    rows: list[BriefingRow] = field(default_factory=list)

    @property
    def shown_all(self) -> bool:
        return len(self.rows) == self.total


BRIEFING_ROWS = 25  # per leader on the page; the workbook has every task


def weekly_briefing(
    user: User, day: date, stale_days: int = DEFAULT_STALE_DAYS, limit: int | None = BRIEFING_ROWS
) -> list[BriefingGroup]:
    """Return the overdue and not-updated tasks as of ``day``, by supervising leader: the
    counts, and the ``limit`` longest overdue tasks of each (every task when None)."""
    at = as_of(day)
    ensure_work_days(day)
    today_seq = work_day_seq(day)
    category, stale = category_sql(at), stale_sql(at, stale_days)
    overdue = category == Category.OVERDUE.value
    listed = [visible_tasks_clause(user), open_during_sql(at), sa.or_(overdue, stale)]

    def measure(rows) -> list:
        late = rows.c.category_0 == Category.OVERDUE.value
        idle = _stale_from(rows, rows.c.category_0, at, stale_days)
        return [count_if(late), count_if(idle), count_if(sa.or_(late, idle))]

    counted = open_tally(
        measure,
        [visible_tasks_clause(user)],
        {"leader": Task.supervisor_id},
        [at],
        last_report=at,
    )["leader"]
    counted = {key: values for key, values in counted.items() if values[2]}
    due_day = aliased(WorkDay)
    place = sa.func.row_number().over(
        partition_by=Task.supervisor_id, order_by=(due_sql(at), Task.id)
    )
    ranked = (
        sa.select(
            Task.id.label("id"),
            category.label("category"),
            stale.label("stale"),
            (today_seq - due_day.seq).label("late"),
            last_report_sql(at).label("last_report"),
            Task.supervisor_id.label("leader"),
            place.label("place"),
        )
        .outerjoin(due_day, due_day.day == due_sql(at))
        .where(*listed)
        .subquery()
    )
    leaders = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(list(counted))))
    }
    groups = {
        key: BriefingGroup(leaders.get(key), overdue=n_over, stale=n_stale, total=n)
        for key, (n_over, n_stale, n) in counted.items()
    }
    for task, cat, is_stale, late, last in _briefing_rows(ranked, limit):
        days = max(int(late or 0), 0) if cat == Category.OVERDUE.value else 0
        groups[task.supervisor_id].rows.append(BriefingRow(task, cat, bool(is_stale), days, last))
    return sorted(groups.values(), key=lambda g: g.leader.full_name if g.leader else "")


def _briefing_rows(ranked: sa.Subquery, limit: int | None) -> list[tuple]:
    """Load the ranked tasks in the briefing's order: the first ``limit`` of each leader,
    or all of them."""
    loading = (
        selectinload(Task.lead_unit),
        selectinload(Task.accountable_user),
        selectinload(Task.supervisor),
    )
    shown = (ranked.c.category, ranked.c.stale, ranked.c.late, ranked.c.last_report)
    if limit is None:
        query = (
            sa.select(Task, *shown)
            .join(ranked, ranked.c.id == Task.id)
            .order_by(ranked.c.leader, ranked.c.place)
            .options(*loading)
        )
        return list(db.session.execute(query))
    # The page's few rows are chosen first, then loaded by id: joined to the ranking the
    # planner cannot tell that the cut leaves a few hundred of the city's tasks, and reads
    # the whole table to join them.
    chosen = db.session.execute(
        sa.select(ranked.c.id, *shown)
        .where(ranked.c.place <= limit)
        .order_by(ranked.c.leader, ranked.c.place)
    ).all()
    tasks = db.session.scalars(
        sa.select(Task).where(Task.id.in_([row.id for row in chosen])).options(*loading)
    )
    by_id = {task.id: task for task in tasks}
    return [(by_id[row.id], *row[1:]) for row in chosen]


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """Return the first and last day of a quarter."""
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, last - timedelta(days=1)


def slow_units(user: User, year: int, quarter: int) -> list[tuple[Unit, Score]]:
    """Return the units with late work in the quarter, the most late tasks first."""
    start, end = quarter_bounds(year, quarter)
    rows = [
        (u, s)
        for u, s in _named(Unit, scorecards(user, start, end))
        if s.figures.overdue + s.figures.done_late
    ]
    return sorted(
        rows,
        key=lambda us: (
            -(us[1].figures.overdue + us[1].figures.done_late),
            us[1].figures.on_time_rate or 0,
            us[0].name,
        ),
    )

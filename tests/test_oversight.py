"""Oversight figures against an independent count, for several past dates, and their exports."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import issued_task
from tracker.calendar.services import WorkingCalendar
from tracker.extensions import db
from tracker.org.models import Role
from tracker.org.services import set_unit_head, update_user
from tracker.oversight import reports
from tracker.tasks import services
from tracker.tasks.classification import as_of
from tracker.tasks.queries import my_work
from tracker.tasks.services import CoordinationInput

CAL = WorkingCalendar()
START = date(2026, 9, 1)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)


def _history(org, seed: int = 7) -> list[dict]:
    """Build tasks with varied lives and remember the plain facts of each, day by day."""
    rng = random.Random(seed)
    facts = []
    for n in range(24):
        issued = CAL.next_working_day(START + timedelta(days=rng.randint(0, 40)))
        due = CAL.next_working_day(issued + timedelta(days=rng.randint(5, 30)))
        unit, head = rng.choice([(org.dept_a, org.head_a), (org.dept_b, org.head_b)])
        task = issued_task(
            org,
            at(issued),
            title=f"Nhiệm vụ {n}",
            due_date=due,
            lead_unit_id=unit.id,
            accountable_user_id=head.id,
            # Sở Tư pháp coordinates some of the other department's tasks.
            coordinating=(
                [CoordinationInput(org.dept_b.id, "Thẩm định")]
                if unit is org.dept_a and n % 3 == 0
                else []
            ),
        )
        fact = {
            "task": task,
            "unit": unit.id,
            "issued": issued,
            "dues": [(issued, due)],
            "done": None,
            "withdrawn": None,
        }
        services.accept_task(task, actor=head, now=at(issued, 10))
        fate = rng.choice(["on_time", "late", "extended", "open", "withdrawn"])
        if fate == "extended":
            asked = due - timedelta(days=2)
            decided = due + timedelta(days=2)  # granted after the first due date passed
            new_due = CAL.next_working_day(due + timedelta(days=15))
            request = services.request_extension(
                task, actor=head, now=at(asked), new_due_date=new_due, reason="Chờ số liệu"
            )
            services.decide_extension(request, actor=org.assigner, now=at(decided), approve=True)
            fact["dues"].append((decided, new_due))
            due = new_due
        if fate in ("on_time", "late", "extended"):
            finished = due - timedelta(days=1) if fate != "late" else due + timedelta(days=4)
            finished = max(finished, issued)
            services.submit_result(task, actor=head, now=at(finished), result="Xong")
            services.review_result(task, actor=org.assigner, now=at(finished, 15), accept=True)
            fact["done"] = finished
        if fate == "withdrawn":
            withdrawn = issued + timedelta(days=3)
            services.withdraw_task(task, actor=org.assigner, now=at(withdrawn), reason="Trùng")
            fact["withdrawn"] = withdrawn
        db.session.commit()
        facts.append(fact)
    return facts


def _expected(fact: dict, day: date) -> str | None:
    """Classify one task on ``day`` from its plain facts, independently of the SQL."""
    if fact["issued"] > day:
        return None
    if fact["withdrawn"] and fact["withdrawn"] <= day:
        return "withdrawn"
    due = [d for decided, d in fact["dues"] if decided <= day][-1]
    if fact["done"] and fact["done"] <= day:
        final_due = fact["dues"][-1][1]
        return "done_on_time" if fact["done"] <= final_due else "done_late"
    return "overdue" if due < day else "on_track"


DAYS = [
    date(2026, 9, 20),
    date(2026, 10, 9),
    date(2026, 10, 20),
    date(2026, 11, 10),
    date(2026, 12, 31),
]


# The figures a dashboard gives for each category, named as _expected names them.
FIGURE_CATEGORIES = ("on_track", "overdue", "done_on_time", "done_late", "withdrawn")


def _by_category(figures) -> dict:
    return {category: getattr(figures, category) for category in FIGURE_CATEGORIES}


@pytest.mark.parametrize("day", DAYS)
def test_dashboard_figures_equal_an_independent_count(org, day):
    facts = _history(org)
    expected = Counter(_expected(f, day) for f in facts)
    expected_by_unit = Counter((f["unit"], _expected(f, day)) for f in facts)
    report = reports.dashboard(org.inspector, day)
    total = report.total
    assert _by_category(total) == {c: expected[c] for c in FIGURE_CATEGORIES}
    for unit, figures in report.by_unit:
        assert figures.overdue == expected_by_unit[(unit.id, "overdue")]
        assert figures.done_late == expected_by_unit[(unit.id, "done_late")]
    due = expected["done_on_time"] + expected["done_late"] + expected["overdue"]
    if due:
        assert total.on_time_rate == pytest.approx(expected["done_on_time"] / due)


@pytest.mark.parametrize("day", DAYS)
def test_a_unit_head_sees_the_figures_of_the_unit_own_tasks(org, day):
    # A unit head sees part of the city: the closed tasks are counted from the tasks, not
    # from the city's running counts.
    facts = _history(org)
    mine = [f for f in facts if f["unit"] == org.dept_a.id]
    expected = Counter(_expected(f, day) for f in mine)
    total = reports.dashboard(org.head_a, day).total
    assert _by_category(total) == {c: expected[c] for c in FIGURE_CATEGORIES}


@pytest.mark.parametrize("day", DAYS)
def test_a_head_moved_to_another_unit_still_counts_the_old_units_tasks_as_own_work(org, day):
    # Trần Văn Trưởng led Sở TT&TT's tasks, then became head of Sở Tư pháp: his home page
    # counts Sở Tư pháp's tasks and those he is still named on at his old department.
    facts = _history(org)
    now = at(date(2027, 1, 4))
    set_unit_head(org.dept_a, org.staff_a, actor=None, now=now)
    update_user(
        org.head_a,
        full_name=org.head_a.full_name,
        unit=org.dept_b,
        position="Giám đốc Sở",
        email=None,
        roles=[Role.UNIT_HEAD],
        actor=None,
        now=now,
    )
    set_unit_head(org.dept_b, org.head_a, actor=None, now=now)
    db.session.commit()
    expected = Counter(_expected(f, day) for f in facts)
    expected.pop(None, None)
    counts = my_work(org.head_a, as_of(day)).counts
    # (A task issued after the day is still a draft on it, and not one of _expected's.)
    assert {k: v for k, v in counts.items() if k not in ("draft", "due_soon")} == dict(expected)


def test_the_weekly_trend_counts_the_overdue_tasks_of_each_week(org):
    facts = _history(org)
    points = reports.weekly_overdue(org.inspector, date(2026, 12, 31))
    assert len(points) == reports.WEEKS_SHOWN
    for point, count in points:
        assert count == sum(1 for f in facts if _expected(f, point) == "overdue"), point


def test_the_scorecard_counts_what_each_unit_received(org):
    facts = _history(org)
    start, end = date(2026, 9, 1), date(2026, 9, 30)
    scores = reports.scorecards(org.inspector, start, end)
    for unit in (org.dept_a, org.dept_b):
        mine = [f for f in facts if f["unit"] == unit.id and start <= f["issued"] <= end]
        score = scores.get(unit.id)
        assert (score.received if score else 0) == len(mine)
        if score:
            got = Counter(_expected(f, end) for f in mine)
            assert score.figures.done_late == got["done_late"]
            assert score.figures.overdue == got["overdue"]


def test_the_weekly_briefing_lists_overdue_tasks_by_leader(org):
    facts = _history(org)
    day = date(2026, 10, 20)
    groups = reports.weekly_briefing(org.inspector, day, limit=None)
    listed = {row.task.id for g in groups for row in g.rows if row.category == "overdue"}
    overdue = {f["task"].id for f in facts if _expected(f, day) == "overdue"}
    assert listed == overdue
    assert all(g.leader.id == org.leader.id for g in groups)
    assert sum(g.overdue for g in groups) == len(overdue)
    # On the page, each leader sees the longest overdue first, as many as the limit.
    shown = reports.weekly_briefing(org.inspector, day, limit=2)
    assert [len(g.rows) for g in shown] == [min(2, g.total) for g in groups]
    longest = sorted((f for f in facts if f["task"].id in overdue), key=lambda f: f["dues"][-1][1])
    assert {r.task.id for r in shown[0].rows} <= {f["task"].id for f in longest[:3]}


def test_the_dashboard_workbook_opens_with_dates_and_rows(client, auth, org):
    facts = _history(org)
    auth.login("snv.thanhtra")
    response = client.get("/oversight", query_string={"as_of": "20/10/2026", "format": "xlsx"})
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == [
        "Toàn thành phố",
        "Theo đơn vị",
        "Theo lĩnh vực",
        "Theo văn bản",
        "Quá hạn theo tuần",
    ]
    city = book["Toàn thành phố"]
    assert city["A1"].value == "Ngày số liệu" and city.freeze_panes == "A2"
    assert city["A2"].value.date() == date(2026, 10, 20)
    assert city["A2"].number_format == "DD/MM/YYYY"
    expected = Counter(_expected(f, date(2026, 10, 20)) for f in facts)
    assert city["C2"].value == expected["overdue"]
    units = book["Theo đơn vị"]
    assert units.auto_filter.ref and units.max_row == 3  # header and the two departments


def test_the_task_list_exports_with_the_same_filters(client, auth, org):
    _history(org)
    auth.login("snv.thanhtra")
    response = client.get("/oversight/tasks.xlsx", query_string={"q": "nhiem vu 1"})
    sheet = load_workbook(BytesIO(response.data))["Nhiệm vụ"]
    titles = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    # Every word must appear: "1" is found in 1, 10–19 and 21.
    assert titles == {f"Nhiệm vụ {n}" for n in range(24) if "1" in str(n)}
    assert sheet["G2"].number_format == "DD/MM/YYYY"


def test_text_that_looks_like_a_formula_is_exported_as_text(client, auth, org, now):
    issued_task(org, now, title='=HYPERLINK("http://evil")')
    auth.login("snv.thanhtra")
    sheet = load_workbook(BytesIO(client.get("/oversight/tasks.xlsx").data))["Nhiệm vụ"]
    assert sheet["B2"].value == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    "path",
    [
        "/oversight",
        "/oversight/units",
        "/oversight/briefing",
        "/oversight/slow-units",
        "/oversight/units/3",
        "/oversight/people/5",
    ],
)
def test_oversight_pages_open_for_inspectors_and_not_for_staff(client, auth, org, path):
    auth.login("snv.thanhtra")
    assert client.get(path).status_code == 200
    auth.logout()
    auth.login("cv.tttt")
    assert client.get(path).status_code == 403


def test_a_past_date_on_the_page_shows_the_figures_of_that_day(client, auth, org):
    facts = _history(org)
    auth.login("snv.thanhtra")
    page = client.get("/oversight", query_string={"as_of": "09/10/2026"}).get_data(as_text=True)
    expected = Counter(_expected(f, date(2026, 10, 9)) for f in facts)
    assert f'id="count-overdue">{expected["overdue"]}<' in page
    assert "tính đến ngày 09/10/2026" in page


def _statements(client, path: str) -> int:
    db.session.commit()  # start from the same state each time: nothing cached in the session
    count = []
    listener = lambda *args: count.append(1)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(count)


@pytest.mark.parametrize(
    "path",
    [
        "/oversight",
        "/oversight/units",
        "/oversight/briefing",
        "/oversight/slow-units?year=2026&quarter=4",
        "/oversight/units/3",
        "/tasks",
        "/",
    ],
)
def test_a_pages_query_count_does_not_grow_with_the_data(client, auth, org, now, path):
    def grow(n, start):
        for k in range(n):
            issued_task(
                org, now, title=f"Việc {start + k}", due_date=now.date() + timedelta(days=3)
            )

    grow(3, 0)
    auth.login("vanphong")
    _statements(client, path)  # the first visit may build the working-day table once
    small = _statements(client, path)
    grow(30, 100)
    assert _statements(client, path) == small

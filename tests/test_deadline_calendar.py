"""The calendar of deadlines: a month of due dates and open milestones, Monday first."""

from __future__ import annotations

import re
from datetime import date, timedelta

import flask_babel
import pytest
import sqlalchemy as sa

from tests.factories import MilestoneInput, in_progress_task, issued_task
from tracker.calendar.models import DayKind
from tracker.calendar.services import set_override
from tracker.extensions import db
from tracker.tasks.calendar_view import PER_DAY

PAGE = "/calendar/deadlines"
# The tests' clock stands on Monday 02/11/2026.
DUE = date(2026, 11, 25)
MILESTONE = date(2026, 11, 13)


def _page(client, **query) -> str:
    response = client.get(PAGE, query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _cell(page: str, day: date) -> str:
    """The table cell of the day (its opening tag and content)."""
    found = re.search(rf'<td[^>]*data-day="{day.isoformat()}".*?</td>', page, re.DOTALL)
    assert found, f"no cell for {day}"
    return found.group(0)


def _opening(cell: str) -> str:
    return cell.split(">", 1)[0]


def _own_task(org, now, **overrides):
    """Department A's task carried by cv.tttt, due on the 25th, a milestone on the 13th."""
    values = dict(
        title="Số hoá hồ sơ thủ tục hành chính cấp sở",
        due_date=DUE,
        milestones=[MilestoneInput("Hoàn thành rà soát danh mục", MILESTONE)],
    )
    values.update(overrides)
    return in_progress_task(org, now, **values)


def _foreign_task(org, now):
    """Department B's task: nobody of department A is named on it or coordinates it."""
    return issued_task(
        org,
        now,
        title="Rà soát văn bản quy phạm pháp luật của Sở Tư pháp",
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
        due_date=DUE,
    )


def test_the_month_shows_a_task_on_its_due_day_and_a_milestone_on_its_day(client, auth, org, now):
    task = _own_task(org, now)
    auth.login("cv.tttt")
    page = _page(client)
    assert "Tháng 11 năm 2026" in page
    due, mark = _cell(page, DUE), _cell(page, MILESTONE)
    assert f'href="/tasks/{task.id}"' in due and "Số hoá hồ sơ" in due
    assert "mốc" not in due
    assert f'href="/tasks/{task.id}"' in mark and ">mốc<" in mark
    assert "Hoàn thành rà soát danh mục" in mark  # the milestone's title, in the link's title
    assert "quá hạn" not in page  # nothing is late yet
    # Monday first: the grid starts on Monday 26/10 and ends on Sunday 06/12.
    days = re.findall(r'data-day="([\d-]+)"', page)
    assert days[0] == "2026-10-26" and days[-1] == "2026-12-06" and len(days) == 42
    assert page.index("Thứ hai") < page.index("Chủ nhật")
    assert 'aria-current="date"' in _cell(page, date(2026, 11, 2))  # today
    assert '<div class="table-responsive">' in page
    assert 'href="/profile/access"' in page  # the iCalendar feed's page


def test_a_reached_milestone_and_a_closed_task_are_not_shown(client, auth, org, now):
    from tracker.tasks import services

    task = _own_task(org, now)
    services.complete_milestone(task, task.milestones[0].id, actor=org.staff_a, now=now)
    withdrawn = _own_task(org, now, title="Nhiệm vụ đã thu hồi")
    services.withdraw_task(withdrawn, actor=org.assigner, now=now, reason="Không còn cần")
    db.session.commit()
    auth.login("cv.tttt")
    page = _page(client)
    assert f'href="/tasks/{task.id}"' not in _cell(page, MILESTONE)
    assert f'href="/tasks/{task.id}"' in _cell(page, DUE)
    assert "Nhiệm vụ đã thu hồi" not in page


def test_a_past_deadline_of_an_open_task_is_overdue(client, auth, org, now, clock):
    task = _own_task(org, now)
    clock.set(now + timedelta(days=20))  # Sunday 22/11: the milestone of the 13th is missed
    auth.login("cv.tttt")
    page = _page(client)
    mark, due = _cell(page, MILESTONE), _cell(page, DUE)
    assert f'href="/tasks/{task.id}"' in mark and "quá hạn" in mark
    assert "quá hạn" not in due
    assert 'aria-current="date"' in _cell(page, date(2026, 11, 22))


def test_days_off_are_shaded_with_their_names(client, auth, org, now):
    set_override(date(2026, 11, 20), DayKind.DAY_OFF, "Nghỉ bù thử nghiệm", actor=None, now=now)
    set_override(date(2026, 11, 28), DayKind.WORKING_DAY, "Làm bù", actor=None, now=now)
    db.session.commit()
    auth.login("cv.tttt")
    page = _page(client)
    for day in (date(2026, 11, 7), date(2026, 11, 8), date(2026, 11, 20), date(2026, 11, 24)):
        assert "day-off" in _opening(_cell(page, day)), day
    for day in (date(2026, 11, 3), date(2026, 11, 28)):  # a Tuesday, a Saturday worked
        assert "day-off" not in _opening(_cell(page, day)), day
    assert "Ngày Văn hóa Việt Nam" in _cell(page, date(2026, 11, 24))  # public holiday
    assert "Nghỉ bù thử nghiệm" in _cell(page, date(2026, 11, 20))  # the admin's note
    september = _page(client, month="2026-09")
    assert "Quốc khánh" in _cell(september, date(2026, 9, 2))
    assert "day-off" in _opening(_cell(september, date(2026, 9, 2)))


def test_a_foreign_units_task_is_not_shown(client, auth, org, now):
    own, foreign = _own_task(org, now), _foreign_task(org, now)
    for username in ("gd.tttt", "cv.tttt"):
        auth.logout()
        auth.login(username)
        for scope in ("mine", "unit"):
            page = _page(client, scope=scope)
            assert f'href="/tasks/{own.id}"' in page, (username, scope)
            assert f'href="/tasks/{foreign.id}"' not in page, (username, scope)
    auth.logout()
    auth.login("gd.stp")
    page = _page(client)
    assert f'href="/tasks/{foreign.id}"' in page and f'href="/tasks/{own.id}"' not in page


def test_the_unit_switch_shows_the_units_tasks(client, auth, org, now):
    # cv2.tttt carries nothing: their own calendar is empty, their unit's is not.
    task = _own_task(org, now)
    auth.login("cv2.tttt")
    assert f'href="/tasks/{task.id}"' not in _page(client)
    assert f'href="/tasks/{task.id}"' in _page(client, scope="unit")


def test_the_office_and_inspectors_see_what_they_see(client, auth, org, now):
    own, foreign = _own_task(org, now), _foreign_task(org, now)
    auth.login("snv.thanhtra")
    assert "/tasks/" not in _page(client).split('id="deadline-calendar"')[1]  # none is theirs
    page = _page(client, scope="unit")
    assert f'href="/tasks/{own.id}"' in page and f'href="/tasks/{foreign.id}"' in page
    auth.logout()
    auth.login("quantri")  # the admin sees no task, and has no switch
    page = _page(client, scope="unit")
    assert "/tasks/" not in page.split('id="deadline-calendar"')[1]
    assert "month=2026-11&amp;scope=unit" not in page and "Của tôi" not in page


def test_previous_and_next_month_links(client, auth, org, now):
    auth.login("cv.tttt")
    page = _page(client, scope="unit")
    assert "/calendar/deadlines?month=2026-10&amp;scope=unit" in page
    assert "/calendar/deadlines?month=2026-12&amp;scope=unit" in page
    january = _page(client, month="2027-01")
    assert "Tháng 1 năm 2027" in january
    assert "month=2026-12&amp;scope=mine" in january and "month=2027-02&amp;scope=mine" in january


@pytest.mark.parametrize(
    "query",
    [
        {"month": "2026-13"},
        {"month": "2026-00"},
        {"month": "26-11"},
        {"month": "abc"},
        {"month": "99999-01"},
        {"month": "1899-12"},
        {"scope": "x"},
        {"month": "2026-13", "scope": "x"},
    ],
)
def test_bad_input_falls_back_to_this_month_and_my_own(client, auth, org, now, query):
    auth.login("gd.tttt")
    page = _page(client, **query)
    assert "Tháng 11 năm 2026" in page
    assert (
        'aria-current="page" href="/calendar/deadlines?month=2026-11&amp;scope=mine"'
        in " ".join(page.split())
    )


def test_a_crowded_day_lists_some_and_links_the_rest(client, auth, org, now):
    for k in range(PER_DAY + 2):
        issued_task(org, now, title=f"Nhiệm vụ số {k}", due_date=DUE)
    auth.login("gd.tttt")
    cell = _cell(_page(client), DUE)
    assert cell.count('href="/tasks/') == PER_DAY
    assert "và 2 hạn khác" in cell
    assert "due_from=25/11/2026" in cell and "due_to=25/11/2026" in cell


def _statements(client, **query) -> int:
    db.session.commit()  # expires what earlier requests loaded: each is read again
    counted = []

    def count(*_args) -> None:
        counted.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        _page(client, **query)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(counted)


@pytest.mark.parametrize(("username", "scope"), [("gd.tttt", "mine"), ("vanphong", "unit")])
def test_the_query_count_does_not_grow_with_the_tasks(client, auth, org, now, username, scope):
    _own_task(org, now)
    auth.login(username)
    _page(client, scope=scope)  # warm: what a first request loads once
    few = _statements(client, scope=scope)
    for k in range(12):
        _own_task(org, now, title=f"Nhiệm vụ thêm {k}", due_date=DUE - timedelta(days=k % 5))
        _foreign_task(org, now)
    many = _statements(client, scope=scope)
    page = _page(client, scope=scope)
    assert page.count("Nhiệm vụ thêm") >= 12
    assert many <= few, (few, many)


def test_the_menu_links_the_calendar(client, auth, org):
    auth.login("cv.tttt")
    home = client.get("/").get_data(as_text=True)
    assert f'href="{PAGE}"' in home and "Lịch hạn" in home


def test_month_and_weekday_names_follow_the_language(client, auth, org, app):
    app.before_request(flask_babel.refresh)
    auth.login("cv.tttt")
    client.post("/lang/en", data={"next": "/", "csrf_token": "x"})
    page = _page(client)
    assert "November 2026" in page and ">Mo<" in page and ">Su<" in page
    client.post("/lang/vi", data={"next": "/", "csrf_token": "x"})
    page = _page(client)
    assert "Tháng 11 năm 2026" in page and ">T2<" in page and ">CN<" in page

"""The log of reminders, warnings, urgings and escalations sent, for Sở Nội vụ (issue 17)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.factories import forget_workflow_notices, issued_task
from tests.test_reminders import DUE, at, sweep, wd
from tracker.extensions import db


def _two_tasks_reminded(org, now):
    """Sở TT&TT's task is reminded five working days ahead; Sở Tư pháp's is warned."""
    org.head_a.email = "truong@tttt.hanoi.gov.vn"
    db.session.commit()
    issued_task(org, now, title="Số hoá hồ sơ", due_date=DUE)
    issued_task(
        org,
        now,
        title="Rà soát văn bản",
        due_date=wd(DUE, -6),  # one working day overdue on the sweep's day
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
    )
    forget_workflow_notices()  # the log is about the sweep's notices
    sweep(wd(DUE, -5))


def test_the_log_says_who_got_what_by_which_rule_and_whether_it_was_read(
    client, auth, org, now, clock
):
    _two_tasks_reminded(org, now)
    clock.set(at(wd(DUE, -5), 10))
    auth.login("gd.tttt")
    client.post("/notifications/read")  # the head of Sở TT&TT reads his inbox
    auth.logout()
    auth.login("snv.thanhtra")
    page = client.get("/oversight/notices").get_data(as_text=True)
    [row] = _rows(page, "Số hoá hồ sơ", "Trần Văn Trưởng")
    assert "Nhắc hạn: 5 ngày làm việc trước hạn" in row
    assert "chờ gửi" in row  # he takes email; it waits for the scheduler
    assert "chưa đọc" not in row
    [warned] = _rows(page, "Rà soát văn bản", "Đỗ Văn Pháp", "Cảnh báo quá hạn")
    assert "Cảnh báo quá hạn: 1 ngày làm việc sau hạn" in warned
    assert "không nhận thư" in warned and "chưa đọc" in warned


def _rows(page: str, *words: str) -> list[str]:
    """The table rows of the page that hold every one of the words."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr>") if all(word in row for word in words)]


def test_the_log_filters_by_unit_person_kind_and_period(client, auth, org, now):
    _two_tasks_reminded(org, now)
    auth.login("snv.thanhtra")

    def shown(**query) -> set[str]:
        page = client.get("/oversight/notices", query_string=query).get_data(as_text=True)
        return {title for title in ("Số hoá hồ sơ", "Rà soát văn bản") if title in page}

    assert shown() == {"Số hoá hồ sơ", "Rà soát văn bản"}
    assert shown(unit_id=org.dept_b.id) == {"Rà soát văn bản"}
    assert shown(user_id=org.head_a.id) == {"Số hoá hồ sơ"}
    assert shown(kind="warning") == {"Rà soát văn bản"}
    assert shown(kind="urging") == set()
    day = wd(DUE, -5)
    assert shown(start=day.isoformat(), end=day.isoformat()) == {"Số hoá hồ sơ", "Rà soát văn bản"}
    assert shown(end=wd(DUE, -6).isoformat()) == set()


def test_the_log_exports_to_excel_and_is_closed_to_units(client, auth, org, now):
    _two_tasks_reminded(org, now)
    auth.login("gd.tttt")
    assert client.get("/oversight/notices").status_code == 403
    auth.logout()
    auth.login("vanphong")
    answer = client.get(f"/oversight/notices?format=xlsx&kind=reminder&unit_id={org.dept_a.id}")
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Thời điểm gửi", "Loại thông báo")
    assert {(r[1], r[3], r[5]) for r in rows[1:]} == {
        ("Nhắc hạn", "Số hoá hồ sơ", "Trần Văn Trưởng")
    }

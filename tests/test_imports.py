"""Importing tasks and the organisation from Excel: every row checked, all or nothing."""

from __future__ import annotations

import html
import re
import zipfile
from datetime import date, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from tests.factories import PASSWORD
from tracker.audit.models import AuditEvent
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.imports import organisation as org_im
from tracker.imports import tasks as im
from tracker.org.models import Role, Unit, UnitKind, User
from tracker.tasks.models import Priority, Task, TaskState

TASK_HEADERS = list(im.TASK_COLUMNS)
UNIT_HEADERS = list(org_im.UNIT_COLUMNS)
USER_HEADERS = list(org_im.USER_COLUMNS)


# ------------------------------------------------------------------ building workbooks


def _book(sheets: dict[str, tuple[list[str], list[dict]]]) -> bytes:
    """Write sheets of rows (dicts keyed by header) the way a person would fill them in."""
    book = Workbook()
    book.remove(book.active)
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header) for header in headers])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _today() -> date:
    return local_date(utcnow())


def _vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _task_row(**overrides) -> dict:
    """A row clear on every "rõ", led by Sở Thông tin và Truyền thông."""
    today = _today()
    row = {
        im.TITLE: "Số hoá hồ sơ thủ tục hành chính cấp sở",
        im.DESCRIPTION: "Số hoá toàn bộ hồ sơ TTHC tiếp nhận tại Sở trong năm.",
        im.DOCUMENT: "171-KH/TU",
        im.FIELD: "CDS",
        im.LEAD_UNIT: "STTTT",
        im.ACCOUNTABLE: "gd.tttt",
        im.ASSIGNEE: "cv.tttt",
        im.SUPERVISOR: "pct.ha",
        im.START: today,
        im.DUE: today + timedelta(days=30),
        im.STEPS: "Rà soát danh mục hồ sơ\nSố hoá và kiểm tra chất lượng",
        im.OUTCOME: "Kho dữ liệu hồ sơ điện tử",
        im.TARGET: "100% hồ sơ tiếp nhận được số hoá",
        im.COORDINATING: "STP: Thẩm định quy trình số hoá",
        im.PRIORITY: "Bình thường",
    }
    row.update(overrides)
    return row


def _tasks_book(*rows: dict) -> bytes:
    return _book({im.TASK_SHEET: (TASK_HEADERS, list(rows))})


def _post_tasks(client, data: bytes, filename: str = "nhiem-vu.xlsx", **fields):
    form = {"file": (BytesIO(data), filename), "mode": "issue", **fields}
    return client.post("/import/tasks", data=form, content_type="multipart/form-data")


def _post_org(client, data: bytes, filename: str = "to-chuc.xlsx"):
    form = {"file": (BytesIO(data), filename)}
    return client.post("/import/org", data=form, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _error_rows(response) -> list[tuple[str, ...]]:
    """Return the lines of the error table as the person reads them."""
    page = response.get_data(as_text=True)
    table = re.search(r'<table[^>]*id="import-errors".*?<tbody>(.*?)</tbody>', page, re.S)
    assert table, "no error table on the page"
    lines = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [
        tuple(
            html.unescape(cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", line, re.S)
        )
        for line in lines
    ]


# ------------------------------------------------------------------ tasks


def test_a_good_workbook_imports_and_issues_every_task(client, auth, org):
    today = _today()
    data = _tasks_book(
        # Real date cells, a milestone and a priority by its Vietnamese name.
        _task_row(
            **{
                im.MILESTONES: f"{_vn(today + timedelta(days=10))}: Xong rà soát",
                im.PRIORITY: "Khẩn",
            }
        ),
        # Dates typed as text, and a second coordinating unit.
        _task_row(
            **{
                im.TITLE: "Rà soát quy chế phối hợp",
                im.START: _vn(today),
                im.DUE: _vn(today + timedelta(days=20)),
                im.COORDINATING: "STP: Góp ý dự thảo\nSNV: Rà soát thẩm quyền",
                im.PRIORITY: None,
            }
        ),
        # A deadline in working days instead of a date.
        _task_row(**{im.TITLE: "Báo cáo sơ kết", im.DUE: None, im.WORKING_DAYS: 10}),
    )
    before = _count(Task)
    auth.login("vanphong")

    response = _post_tasks(client, data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/tasks")
    tasks = db.session.scalars(sa.select(Task).order_by(Task.id)).all()
    assert len(tasks) == before + 3
    first, second, third = tasks[-3:]
    assert {t.state for t in (first, second, third)} == {TaskState.ISSUED}
    assert first.lead_unit.code == "STTTT" and first.accountable_user.username == "gd.tttt"
    assert first.assignee_user.username == "cv.tttt" and first.supervisor.username == "pct.ha"
    assert first.priority == Priority.URGENT
    assert [m.title for m in first.milestones] == ["Xong rà soát"]
    assert [s.description for s in first.process_steps] == [
        "Rà soát danh mục hồ sơ",
        "Số hoá và kiểm tra chất lượng",
    ]
    assert second.start_date == today and second.due_date >= today + timedelta(days=20)
    assert {c.unit.code: c.responsibility for c in second.coordinations} == {
        "STP": "Góp ý dự thảo",
        "SNV": "Rà soát thẩm quyền",
    }
    assert third.due_in_working_days == 10 and third.due_date > today
    issued = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "task.issued")
    ).all()
    assert {first.id, second.id, third.id} <= set(issued)


def test_an_import_with_broken_rows_names_each_row_and_column_and_imports_nothing(
    client, auth, org
):
    data = _tasks_book(
        _task_row(),  # row 2 is fine
        _task_row(**{im.LEAD_UNIT: "SXYZ"}),  # row 3: no such unit
        _task_row(**{im.STEPS: None}),  # row 4: no process (rõ quy trình)
        _task_row(**{im.DUE: "31/02/2026"}),  # row 5: no such date
    )
    tasks, events = _count(Task), _count(AuditEvent)
    auth.login("vanphong")

    response = _post_tasks(client, data)

    assert response.status_code == 422
    lines = _error_rows(response)
    found = {(int(row), column) for row, column, _ in lines}
    assert found == {(3, "Mã đơn vị chủ trì"), (4, "Các bước thực hiện"), (5, "Hạn hoàn thành")}
    reasons = {int(row): message for row, _, message in lines}
    assert "SXYZ" in reasons[3]
    assert reasons[4].startswith("Rõ quy trình")
    assert "31/02/2026" in reasons[5] and "dd/mm/yyyy" in reasons[5]
    assert "Chưa nhập nhiệm vụ nào" in response.get_data(as_text=True)
    assert _count(Task) == tasks
    assert _count(AuditEvent) == events


def test_each_missing_rõ_is_reported_at_its_column(client, auth, org):
    data = _tasks_book(
        _task_row(**{im.SUPERVISOR: None}),
        _task_row(**{im.TARGET: "  "}),
        _task_row(**{im.ACCOUNTABLE: "gd.stp"}),  # heads another unit
    )
    auth.login("vanphong")

    lines = _error_rows(_post_tasks(client, data))

    assert {(int(row), column) for row, column, _ in lines} == {
        (2, "Lãnh đạo phụ trách"),
        (3, "Chỉ tiêu / tiêu chí nghiệm thu"),
        (4, "Người chịu trách nhiệm"),
    }


def test_valid_rows_can_be_kept_as_drafts_and_the_others_are_listed(client, auth, org):
    data = _tasks_book(
        _task_row(),
        _task_row(**{im.LEAD_UNIT: "SXYZ"}),
        _task_row(**{im.TITLE: "Nhiệm vụ thứ ba"}),
    )
    before = _count(Task)
    auth.login("vanphong")

    response = _post_tasks(client, data, valid_only="y")

    assert response.status_code == 200
    assert [(int(r), c) for r, c, _ in _error_rows(response)] == [(3, "Mã đơn vị chủ trì")]
    assert "Đã nhập 2 dòng hợp lệ dưới dạng dự thảo" in response.get_data(as_text=True)
    new = db.session.scalars(sa.select(Task).where(Task.id > before).order_by(Task.id)).all()
    assert [t.title for t in new] == ["Số hoá hồ sơ thủ tục hành chính cấp sở", "Nhiệm vụ thứ ba"]
    assert {t.state for t in new} == {TaskState.DRAFT}
    actions = db.session.execute(
        sa.select(AuditEvent.object_id, AuditEvent.action).where(AuditEvent.object_type == "Task")
    ).all()
    assert sorted(actions) == sorted((t.id, "task.created") for t in new)


def test_draft_mode_keeps_rows_that_are_not_yet_clear(client, auth, org):
    data = _tasks_book(_task_row(**{im.STEPS: None, im.SUPERVISOR: None}))
    auth.login("vanphong")

    response = _post_tasks(client, data, mode="draft")

    assert response.status_code == 302
    task = db.session.scalars(sa.select(Task)).one()
    assert task.state == TaskState.DRAFT and task.process_steps == []


def test_a_title_above_the_headers_extra_columns_and_another_order_are_read(client, auth, org):
    book = Workbook()
    sheet = book.active
    sheet.title = "Nhiệm vụ"
    sheet.append(["DANH MỤC NHIỆM VỤ GIAO THEO KẾ HOẠCH 171-KH/TU"])
    headers = ["STT", *reversed(TASK_HEADERS)]
    sheet.append(headers)
    row = _task_row()
    sheet.append([1, *[row.get(h) for h in reversed(TASK_HEADERS)]])
    sheet.append([2, *[_task_row(**{im.DUE: "01/01/2020"}).get(h) for h in reversed(TASK_HEADERS)]])
    buffer = BytesIO()
    book.save(buffer)
    auth.login("vanphong")

    response = _post_tasks(client, buffer.getvalue())

    # Row numbers are Excel's: the title is row 1, the headers row 2.
    lines = _error_rows(response)
    assert [(int(r), c) for r, c, _ in lines] == [(4, "Hạn hoàn thành")]
    assert "hạn hoàn thành đã qua" in lines[0][2]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("ghi-chu.txt", b"Danh sach nhiem vu", "Chỉ nhận tệp Excel .xlsx"),
        ("nhiem-vu.xlsx", b"day khong phai bang tinh", "không phải bảng tính Excel .xlsx"),
        ("nhiem-vu.xlsx", None, "Không đọc được tệp Excel"),
        ("nhiem-vu.xlsx", b"", "rỗng"),
    ],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_error(
    client, auth, org, filename, content, message
):
    if content is None:  # a zip, but not a workbook
        buffer = BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "xin chào")
        content = buffer.getvalue()
    auth.login("vanphong")

    response = _post_tasks(client, content, filename)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(Task) == 0


def test_wrong_headers_no_header_row_no_rows_or_too_many_rows_are_refused(client, auth, org):
    auth.login("vanphong")
    wrong = [h for h in TASK_HEADERS if h not in (im.DUE, im.STEPS)]
    cases = [
        (_book({im.TASK_SHEET: (wrong, [_task_row()])}), "thiếu cột: Hạn hoàn thành, Các bước"),
        (_book({im.TASK_SHEET: (["STT", "Việc", "Hạn"], [])}), "không có dòng tiêu đề"),
        (_tasks_book(), "chưa có dòng nhiệm vụ nào"),
        (_tasks_book(*[{im.TITLE: f"Việc {n}"} for n in range(2001)]), "hơn 2.000 dòng"),
    ]
    for data, message in cases:
        response = _post_tasks(client, data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True), message
    assert _count(Task) == 0


def test_only_the_office_imports_tasks_and_only_the_admin_the_organisation(client, auth, org):
    data = _tasks_book(_task_row())
    auth.login("gd.tttt")
    assert client.get("/import/tasks").status_code == 403
    assert client.get("/import/tasks/template").status_code == 403
    assert _post_tasks(client, data).status_code == 403
    auth.logout()
    auth.login("vanphong")
    assert client.get("/import/tasks").status_code == 200
    assert client.get("/import/org").status_code == 403
    assert client.get("/import/org/template").status_code == 403
    assert _post_org(client, _book({org_im.UNIT_SHEET: (UNIT_HEADERS, [])})).status_code == 403
    assert _count(Task) == 0


def test_the_task_template_has_the_headers_and_lists_the_valid_codes(client, auth, org):
    auth.login("vanphong")

    response = client.get("/import/tasks/template")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Nhiệm vụ", "Hướng dẫn"]
    assert [c.value for c in book["Nhiệm vụ"][1]] == TASK_HEADERS
    guide = {(r[0], r[1]) for r in book["Hướng dẫn"].iter_rows(min_row=2, values_only=True)}
    for entry in [
        ("Cột", "Mã đơn vị chủ trì"),
        ("Đơn vị", "STTTT"),
        ("Lãnh đạo", "pct.ha"),
        ("Văn bản chỉ đạo", "171-KH/TU"),
        ("Lĩnh vực", "CDS"),
        ("Mức độ ưu tiên", "Khẩn"),
    ]:
        assert entry in guide

    # The template, filled in as downloaded, imports.
    sheet = book["Nhiệm vụ"]
    row = _task_row(**{im.START: _vn(_today()), im.DUE: _vn(_today() + timedelta(days=15))})
    sheet.append([row.get(h) for h in TASK_HEADERS])
    buffer = BytesIO()
    book.save(buffer)
    assert _post_tasks(client, buffer.getvalue()).status_code == 302
    assert db.session.scalars(sa.select(Task.state)).one() == TaskState.ISSUED


# ------------------------------------------------------------------ organisation


def _org_book(units: list[dict], users: list[dict]) -> bytes:
    return _book(
        {org_im.UNIT_SHEET: (UNIT_HEADERS, units), org_im.USER_SHEET: (USER_HEADERS, users)}
    )


def _user_row(username: str, unit: str, roles: str, **overrides) -> dict:
    row = {
        org_im.USERNAME: username,
        org_im.FULL_NAME: f"Cán bộ {username}",
        org_im.USER_UNIT: unit,
        org_im.POSITION: "Chuyên viên",
        org_im.EMAIL: f"{username}@hanoi.gov.vn",
        org_im.ROLES: roles,
        org_im.PASSWORD: "mat-khau-ban-dau-1",
    }
    row.update(overrides)
    return row


def test_the_organisation_import_creates_units_in_any_order_users_and_heads(client, auth, org):
    data = _org_book(
        [
            # Children first: their parent is further down the sheet.
            {
                "Mã": "P-HB",
                "Tên": "UBND phường Hàng Bạc",
                "Loại": "Xã/phường/thị trấn",
                "Mã đơn vị cấp trên": "Q-HK",
            },
            {
                "Mã": "VP-QHK",
                "Tên": "Văn phòng HĐND-UBND quận",
                "Loại": "division",
                "Mã đơn vị cấp trên": "Q-HK",
            },
            {
                "Mã": "Q-HK",
                "Tên": "UBND quận Hoàn Kiếm",
                "Loại": "Quận/huyện/thị xã",
                "Mã đơn vị cấp trên": "UBND-HN",
            },
        ],
        [
            _user_row(
                "ct.hk", "Q-HK", "unit_head", **{org_im.HEAD: "x", org_im.POSITION: "Chủ tịch"}
            ),
            _user_row("cv.hb", "P-HB", "Chuyên viên"),
            _user_row("ld.hk", "VP-QHK", "Lãnh đạo đơn vị, staff", **{org_im.EMAIL: None}),
        ],
    )
    events = _count(AuditEvent)
    auth.login("quantri")

    response = _post_org(client, data)

    assert response.status_code == 302, _error_rows(response)
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    assert units["Q-HK"].parent.code == "UBND-HN" and units["Q-HK"].kind == UnitKind.DISTRICT
    assert units["P-HB"].parent.code == "Q-HK" and units["P-HB"].kind == UnitKind.COMMUNE
    assert units["VP-QHK"].parent.code == "Q-HK" and units["VP-QHK"].kind == UnitKind.DIVISION
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    assert users["ct.hk"].roles == {Role.UNIT_HEAD} and users["ct.hk"].unit.code == "Q-HK"
    assert users["cv.hb"].roles == {Role.STAFF}
    assert users["ld.hk"].roles == {Role.UNIT_HEAD, Role.STAFF} and users["ld.hk"].email is None
    assert units["Q-HK"].head.username == "ct.hk"
    assert units["P-HB"].head is None
    assert _count(AuditEvent) == events + 3 + 3 + 1
    # The initial password works, once: whoever filled in the workbook knows it.
    auth.logout()
    response = auth.login("cv.hb", "mat-khau-ban-dau-1")
    assert response.status_code == 302 and response.headers["Location"] == "/password"
    client.post(
        "/password",
        data={
            "current_password": "mat-khau-ban-dau-1",
            "new_password": "mat khau rieng cua toi",
            "confirm": "mat khau rieng cua toi",
        },
    )
    assert "Cán bộ cv.hb" in client.get("/").get_data(as_text=True)


def test_a_broken_organisation_workbook_names_each_row_and_imports_nothing(client, auth, org):
    data = _org_book(
        [
            {"Mã": "A", "Tên": "Đơn vị A", "Loại": "division", "Mã đơn vị cấp trên": "B"},
            {"Mã": "B", "Tên": "Đơn vị B", "Loại": "division", "Mã đơn vị cấp trên": "A"},
            {"Mã": "C", "Tên": "Đơn vị C", "Loại": "division", "Mã đơn vị cấp trên": "A"},
            {"Mã": "STTTT", "Tên": "Trùng mã", "Loại": "department"},
            {"Mã": "D", "Tên": "Đơn vị D", "Loại": "hành tinh"},
            {"Mã": "E", "Tên": "Đơn vị E", "Loại": "division", "Mã đơn vị cấp trên": "ZZZ"},
            {"Mã": "F", "Tên": "Đơn vị F", "Loại": "division", "Mã đơn vị cấp trên": "STP"},
        ],
        [
            _user_row("gd.tttt", "STTTT", "staff"),  # row 2: exists already
            _user_row("cv.moi", "STP", "sếp"),  # row 3: no such role
            _user_row("cv.moi2", "STP", "staff", **{org_im.PASSWORD: "ngan"}),  # row 4
            _user_row("cv.moi2", "STP", "staff"),  # row 5: same username as row 4
            _user_row("Nguyễn Văn A", "STP", "staff", **{org_im.EMAIL: None}),  # row 6
            _user_row("cv.f", "F", "staff", **{org_im.HEAD: "có lẽ"}),  # row 7
            _user_row("cv.a", "A", "staff"),  # row 8: its unit is in the cycle
        ],
    )
    units, users, events = _count(Unit), _count(User), _count(AuditEvent)
    auth.login("quantri")

    response = _post_org(client, data)

    assert response.status_code == 422
    found = {(sheet, int(row), column) for sheet, row, column, _ in _error_rows(response)}
    assert found == {
        ("Đơn vị", 2, "Mã đơn vị cấp trên"),
        ("Đơn vị", 3, "Mã đơn vị cấp trên"),
        ("Đơn vị", 4, "Mã đơn vị cấp trên"),
        ("Đơn vị", 5, "Mã"),
        ("Đơn vị", 6, "Loại"),
        ("Đơn vị", 7, "Mã đơn vị cấp trên"),
        ("Người dùng", 2, "Tên đăng nhập"),
        ("Người dùng", 3, "Vai trò"),
        ("Người dùng", 4, "Mật khẩu ban đầu"),
        ("Người dùng", 5, "Tên đăng nhập"),
        ("Người dùng", 6, "Tên đăng nhập"),
        ("Người dùng", 7, "Thủ trưởng đơn vị"),
        ("Người dùng", 8, "Mã đơn vị"),
    }
    page = response.get_data(as_text=True)
    assert "vòng lặp: A → B → A" in page
    assert (_count(Unit), _count(User), _count(AuditEvent)) == (units, users, events)


def test_the_organisation_template_has_both_sheets_and_their_headers(client, auth, org):
    auth.login("quantri")

    response = client.get("/import/org/template")

    assert response.status_code == 200
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Đơn vị", "Người dùng", "Hướng dẫn"]
    assert [c.value for c in book["Đơn vị"][1]] == ["Mã", "Tên", "Loại", "Mã đơn vị cấp trên"]
    assert [c.value for c in book["Người dùng"][1]] == USER_HEADERS
    guide = {(r[0], r[1]) for r in book["Hướng dẫn"].iter_rows(min_row=2, values_only=True)}
    assert ("Loại đơn vị", "commune") in guide and ("Vai trò", "unit_head") in guide
    assert ("Đơn vị hiện có", "STTTT") in guide
    assert PASSWORD not in str(guide)

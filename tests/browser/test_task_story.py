"""One task's whole story in a real browser, across the office, the unit head and the officer."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.factories import PASSWORD
from tracker.clock import local_date, utcnow
from tracker.extensions import db
from tracker.tasks.models import Task, TaskState

pytestmark = pytest.mark.browser


def _sign_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"{base}/")
    return page


def _flash(page) -> str:
    return page.locator(".alert").first.inner_text()


def test_a_task_from_draft_to_completion_with_an_extension(
    app, org, live_server, browser, screenshot, tmp_path
):
    today = local_date(utcnow())
    due = today + timedelta(days=20)
    new_due = due + timedelta(days=14)

    # The office drafts the task with all its 5 rõ and issues it.
    office = _sign_in(browser, live_server, "vanphong")
    office.goto(f"{live_server}/tasks/new")
    office.fill("#title", "Số hoá hồ sơ thủ tục hành chính năm 2026")
    office.fill("#description", "Số hoá 100% hồ sơ TTHC tiếp nhận tại Bộ phận Một cửa.")
    office.select_option("#document_id", label="Kế hoạch 171-KH/TU")
    office.select_option("#field_id", label="Chuyển đổi số")
    office.select_option("#lead_unit_id", label="Sở Thông tin và Truyền thông")
    # The accountable person is picked among the unit's people, loaded once it is chosen.
    office.select_option("#accountable_user_id", label="Trần Văn Trưởng (Giám đốc Sở)")
    office.select_option("#supervisor_id", label="Hà Minh Lãnh — Phó Chủ tịch UBND TP")
    # Date inputs are the browser's own pickers, which take ISO dates from a script.
    assert office.input_value("#start_date") == today.isoformat()  # filled in already
    office.fill("#due_date", due.isoformat())
    office.fill("#process_steps", "Rà soát danh mục hồ sơ\nSố hoá, kiểm tra chất lượng\nBáo cáo")
    office.fill("#expected_outcome", "Kho hồ sơ điện tử")
    office.fill("#target", "100% hồ sơ được số hoá")
    office.select_option("#coordinating-0-unit_id", label="Sở Tư pháp")
    office.fill("#coordinating-0-responsibility", "Hướng dẫn giá trị pháp lý của bản số hoá")
    screenshot(office, "01-office-new-task")
    office.click("#issue")
    assert "Đã giao nhiệm vụ cho Sở Thông tin và Truyền thông" in _flash(office)
    screenshot(office, "02-office-task-issued")
    task_url = office.url

    # The department head accepts it, names the officer, and asks for more time.
    head = _sign_in(browser, live_server, "gd.tttt")
    screenshot(head, "03-head-my-work")
    head.goto(task_url)
    head.select_option("#assignee_user_id", label="Lê Thị Làm (Chuyên viên)")
    head.click("input[value='Tiếp nhận nhiệm vụ']")
    assert "Đã tiếp nhận nhiệm vụ" in _flash(head)
    head.fill("#new_due_date", new_due.isoformat())
    head.fill("#reason", "Chờ Sở Tư pháp hướng dẫn giá trị pháp lý của bản số hoá")
    head.click("input[value='Gửi đề nghị gia hạn']")
    assert "Đã gửi đề nghị gia hạn" in _flash(head)

    # The office grants the extension.
    office.goto(task_url)
    office.fill("#note", "Đồng ý gia hạn")
    office.click("input[value='Đồng ý']")
    assert "Đã đồng ý gia hạn" in _flash(office)
    assert new_due.strftime("%d/%m/%Y") in office.content()

    # The officer reports progress with evidence, then the result.
    officer = _sign_in(browser, live_server, "cv.tttt")
    officer.goto(task_url)
    evidence = tmp_path / "Biên bản kiểm tra.pdf"
    evidence.write_bytes(b"%PDF-1.4\n" + io.BytesIO(b"bien ban").getvalue())
    officer.fill("#percent", "100")
    officer.fill("#narrative", "Đã số hoá 1.204 hồ sơ, kiểm tra chất lượng đạt yêu cầu.")
    officer.set_input_files("#evidence", str(evidence))
    officer.click("input[value='Gửi báo cáo tiến độ']")
    assert "Đã gửi báo cáo tiến độ" in _flash(officer)
    assert "Biên bản kiểm tra.pdf" in officer.content()
    officer.fill("#result", "Hoàn thành số hoá toàn bộ hồ sơ năm 2026.")
    officer.click("input[value='Báo cáo kết quả']")
    assert "chờ Văn phòng đánh giá" in _flash(officer)
    screenshot(officer, "04-officer-result-submitted")

    # The office accepts the result: the task is done on time, after its extension.
    office.goto(task_url)
    office.fill("#note", "Đạt yêu cầu")
    office.click("input[value='Công nhận hoàn thành']")
    assert "Đã công nhận hoàn thành" in _flash(office)
    page = office.content()
    assert "Hoàn thành đúng hạn" in page and "đã gia hạn" in page
    screenshot(office, "05-office-task-completed")
    office.goto(f"{live_server}/tasks")
    screenshot(office, "06-office-task-list")

    db.session.expire_all()
    task = db.session.query(Task).one()
    assert task.state == TaskState.COMPLETED
    assert task.due_date >= new_due  # the same day, or the next working day after it
    assert task.original_due_date is not None and task.was_extended

"""The task pages as each role uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import draft_task, in_progress_task, issued_task, submitted_task
from tracker.extensions import db
from tracker.tasks.models import Task, TaskState


def _form_data(org, today, **overrides):
    """What the office types into the new-task form for a task clear on every "rõ"."""
    data = {
        "title": "Rà soát thủ tục hành chính cấp quận",
        "description": "Rà soát, đề xuất cắt giảm thủ tục hành chính.",
        "document_id": str(org.document.id),
        "field_id": str(org.field.id),
        "lead_unit_id": str(org.dept_a.id),
        "accountable_user_id": str(org.head_a.id),
        "assignee_user_id": "",
        "supervisor_id": str(org.leader.id),
        "start_date": today.strftime("%d/%m/%Y"),
        "due_date": (today + timedelta(days=30)).strftime("%d/%m/%Y"),
        "expected_outcome": "Báo cáo rà soát",
        "target": "Cắt giảm ít nhất 20% thủ tục",
        "priority": "normal",
        "process_steps": "Thống kê thủ tục\nĐề xuất cắt giảm\nTrình UBND",
        "coordinating-0-unit_id": str(org.dept_b.id),
        "coordinating-0-responsibility": "Thẩm định pháp lý",
        "version": "",
    }
    data.update(overrides)
    return data


def _today(now):
    return (now + timedelta(hours=7)).date()


def test_the_office_drafts_and_issues_a_task_through_the_form(client, auth, org, now):
    auth.login("vanphong")
    response = client.post("/tasks/new", data={**_form_data(org, _today(now)), "issue": "1"})
    assert response.status_code == 302
    task = db.session.query(Task).one()
    assert task.state == TaskState.ISSUED
    assert [c.unit_id for c in task.coordinations] == [org.dept_b.id]
    assert len(task.process_steps) == 3
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rà soát thủ tục hành chính cấp quận" in page
    assert "Đã giao nhiệm vụ cho Sở Thông tin và Truyền thông" in page


MISSING = {
    "task": ({"document_id": ""}, "văn bản chỉ đạo"),
    "person": ({"accountable_user_id": ""}, "một việc – một đầu mối"),
    "timeline": ({"due_date": ""}, "chưa có hạn hoàn thành"),
    "process": ({"process_steps": "Làm"}, "ít nhất 2 bước"),
    "outcome": ({"expected_outcome": ""}, "chưa có sản phẩm đầu ra"),
    "responsibility": ({"supervisor_id": ""}, "chưa có lãnh đạo phụ trách"),
}


@pytest.mark.parametrize("key", MISSING)
def test_a_refused_issue_names_the_missing_ro_keeps_the_input_and_saves_the_draft(
    client, auth, org, now, key
):
    auth.login("vanphong")
    overrides, words = MISSING[key]
    response = client.post(
        "/tasks/new", data={**_form_data(org, _today(now), **overrides), "issue": "1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in page
    assert 'value="Rà soát thủ tục hành chính cấp quận"' in page  # nothing typed is lost
    assert "Thẩm định pháp lý" in page
    draft = db.session.query(Task).one()  # saved, not issued, and said so
    assert draft.state == TaskState.DRAFT
    assert "Đã lưu dự thảo nhưng chưa giao được" in page
    # The form now edits that draft: sending it again creates no second one.
    assert f'action="/tasks/{draft.id}/edit"' in page


def test_a_draft_can_be_saved_incomplete_and_shows_its_checklist(client, auth, org, now):
    auth.login("vanphong")
    response = client.post("/tasks/new", data={"title": "Việc mới", "save": "1"})
    assert response.status_code == 302
    task = db.session.query(Task).one()
    page = client.get(f"/tasks/{task.id}/edit").get_data(as_text=True)
    assert "✗ Rõ người: chưa có đơn vị chủ trì" in page


def test_due_date_as_working_days(client, auth, org, now):
    auth.login("vanphong")
    data = _form_data(org, _today(now), due_date="", due_in_working_days="10")
    assert client.post("/tasks/new", data={**data, "save": "1"}).status_code == 302
    assert db.session.query(Task).one().due_date.isoformat() == "2026-11-16"


def test_a_new_document_can_be_registered_from_the_task_form(client, auth, org, now):
    auth.login("vanphong")
    data = _form_data(
        org,
        _today(now),
        document_id="",
        new_document_number="3073/UBND-KSTTHC",
        new_document_kind="Công văn",
        new_document_issuer="UBND thành phố Hà Nội",
        new_document_date="28/08/2023",
    )
    assert client.post("/tasks/new", data={**data, "save": "1"}).status_code == 302
    assert db.session.query(Task).one().document.number == "3073/UBND-KSTTHC"


def test_a_bad_date_is_refused_next_to_its_field(client, auth, org, now):
    auth.login("vanphong")
    data = _form_data(org, _today(now), due_date="31/02/2026")
    response = client.post("/tasks/new", data={**data, "save": "1"})
    assert response.status_code == 422
    assert "hãy nhập theo dạng dd/mm/yyyy" in response.get_data(as_text=True)


def test_a_stale_edit_shows_the_conflict_and_keeps_the_input(client, auth, org, now):
    task = draft_task(org, now)
    auth.login("vanphong")
    stale_version = task.version
    data = _form_data(org, _today(now), version=str(stale_version), title="Bản của tôi")
    client.post(f"/tasks/{task.id}/edit", data={**data, "title": "Bản của người khác", "save": "1"})
    response = client.post(f"/tasks/{task.id}/edit", data={**data, "save": "1"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nhiệm vụ đã được người khác thay đổi" in page
    assert 'value="Bản của tôi"' in page
    db.session.expire_all()
    assert db.session.get(Task, task.id).title == "Bản của người khác"


def test_a_title_with_a_script_is_shown_escaped(client, auth, org, now):
    draft_task(org, now, title='<script>alert("xss")</script>Số hoá')
    auth.login("vanphong")
    for url in ("/tasks", "/tasks/1", "/"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in client.get("/tasks/1").get_data(as_text=True)


def test_search_without_diacritics_finds_titles_with_them(client, auth, org, now):
    issued_task(org, now, title="Đẩy mạnh cải cách hành chính")
    issued_task(org, now, title="Chuyển đổi số")
    auth.login("vanphong")
    page = client.get("/tasks", query_string={"q": "cai cach"}).get_data(as_text=True)
    assert "Đẩy mạnh cải cách hành chính" in page and "Chuyển đổi số</a>" not in page
    page = client.get("/tasks", query_string={"q": "CẢI CÁCH"}).get_data(as_text=True)
    assert "Đẩy mạnh cải cách hành chính" in page
    page = client.get("/tasks", query_string={"q": "day manh"}).get_data(as_text=True)
    assert "Đẩy mạnh cải cách hành chính" in page


def test_the_list_filters_by_category_and_unit(client, auth, org, now):
    issued_task(
        org,
        now,
        title="Việc của Sở Tư pháp",
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
    )
    issued_task(org, now, title="Việc của Sở TTTT")
    auth.login("vanphong")
    page = client.get("/tasks", query_string={"unit_id": org.dept_b.id}).get_data(as_text=True)
    assert "Việc của Sở Tư pháp" in page and "Việc của Sở TTTT" not in page
    page = client.get("/tasks", query_string={"category": "overdue"}).get_data(as_text=True)
    assert "Tìm thấy 0 nhiệm vụ" in page
    page = client.get("/tasks", query_string={"category": "nonsense", "unit_id": "x"})
    assert page.status_code == 200


def test_another_units_task_by_url_is_not_found(client, auth, org, now):
    foreign = issued_task(
        org, now, lead_unit_id=org.dept_b.id, accountable_user_id=org.head_b.id, coordinating=[]
    )
    auth.login("cv.tttt")
    assert client.get(f"/tasks/{foreign.id}").status_code == 404
    assert client.post(f"/tasks/{foreign.id}/accept").status_code == 404
    auth.logout()
    auth.login("gd.stp")
    assert client.get(f"/tasks/{foreign.id}").status_code == 200


def test_buttons_shown_are_only_the_users_actions(client, auth, org, now):
    task = issued_task(org, now)
    auth.login("gd.tttt")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Tiếp nhận nhiệm vụ</button>" in page or 'value="Tiếp nhận nhiệm vụ"' in page
    assert "Thu hồi nhiệm vụ" not in page
    auth.logout()
    auth.login("snv.thanhtra")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'value="Tiếp nhận nhiệm vụ"' not in page and "Thu hồi nhiệm vụ" not in page
    assert "Bạn không có thao tác nào" in page


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("snv.thanhtra", "accept", 403),
        ("snv.thanhtra", "withdraw", 403),
        ("cv.tttt", "accept", 403),
        ("gd.tttt", "withdraw", 403),
        ("pct.ha", "accept", 403),
    ],
)
def test_a_posted_action_the_user_may_not_take_is_refused(
    client, auth, org, now, username, path, status
):
    task = issued_task(org, now)
    auth.login(username)
    response = client.post(f"/tasks/{task.id}/{path}", data={"reason": "Thử"})
    assert response.status_code == status
    db.session.expire_all()
    assert db.session.get(Task, task.id).state == TaskState.ISSUED


def test_unit_head_accepts_and_names_the_official(client, auth, org, now):
    task = issued_task(org, now)
    auth.login("gd.tttt")
    response = client.post(
        f"/tasks/{task.id}/accept", data={"assignee_user_id": str(org.staff_a.id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.state == TaskState.ACCEPTED and task.assignee_user_id == org.staff_a.id


def test_staff_reports_progress_with_evidence_and_downloads_it(client, auth, org, now):
    task = in_progress_task(org, now)
    auth.login("cv.tttt")
    pdf = b"%PDF-1.4 bien ban"
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "percent": "70",
            "narrative": "Đã số hoá 70% hồ sơ",
            "evidence": [(__import__("io").BytesIO(pdf), "Biên bản.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Đã số hoá 70% hồ sơ" in page and "Biên bản.pdf" in page
    download = client.get(f"/tasks/{task.id}/evidence/1")
    assert download.status_code == 200 and download.data == pdf
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_bad_progress_report_keeps_what_was_typed(client, auth, org, now):
    task = in_progress_task(org, now)
    auth.login("cv.tttt")
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={
            "percent": "70",
            "narrative": "Đã làm được nhiều việc",
            "evidence": [(__import__("io").BytesIO(b"MZ"), "virus.exe")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Đã làm được nhiều việc" in page and "không được chấp nhận" in page


def test_extension_requested_by_the_head_and_decided_by_the_office(client, auth, org, now):
    task = in_progress_task(org, now)
    new_due = task.due_date + timedelta(days=14)
    auth.login("gd.tttt")
    client.post(
        f"/tasks/{task.id}/extension",
        data={"new_due_date": new_due.strftime("%d/%m/%Y"), "reason": "Chờ số liệu"},
    )
    auth.logout()
    auth.login("vanphong")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Quyết định gia hạn" in page
    response = client.post("/extensions/1/decide", data={"approve": "1", "note": "Đồng ý"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).due_date == new_due
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Hạn cũ → hạn mới" in page


def test_the_office_returns_then_accepts_a_result(client, auth, org, now):
    task = submitted_task(org, now)
    auth.login("vanphong")
    refused = client.post(f"/tasks/{task.id}/review", data={"send_back": "1", "note": ""})
    assert refused.status_code == 422
    client.post(f"/tasks/{task.id}/review", data={"send_back": "1", "note": "Bổ sung số liệu"})
    db.session.expire_all()
    assert db.session.get(Task, task.id).state == TaskState.IN_PROGRESS


def test_my_work_groups_the_users_tasks(client, auth, org, now):
    issued_task(org, now, title="Việc chờ tiếp nhận")
    auth.login("gd.tttt")
    page = client.get("/").get_data(as_text=True)
    assert "Chờ tôi xử lý" in page and "Việc chờ tiếp nhận" in page


def test_documents_list_and_detail(client, auth, org, now):
    issued_task(org, now, title="Việc theo Kế hoạch 171")
    auth.login("vanphong")
    assert "171-KH/TU" in client.get("/documents").get_data(as_text=True)
    page = client.get(f"/documents/{org.document.id}").get_data(as_text=True)
    assert "Việc theo Kế hoạch 171" in page
    response = client.post(
        "/documents/new",
        data={
            "number": "61/KH-UBND",
            "kind": "Kế hoạch",
            "issuer": "UBND thành phố Hà Nội",
            "issued_on": "01/03/2023",
            "summary": "Kiểm tra công tác CCHC năm 2023",
        },
    )
    assert response.status_code == 302
    duplicate = client.post(
        "/documents/new",
        data={
            "number": "61/KH-UBND",
            "kind": "Kế hoạch",
            "issuer": "UBND thành phố Hà Nội",
            "issued_on": "01/03/2023",
        },
    )
    assert duplicate.status_code == 422 and "đã được đăng ký" in duplicate.get_data(as_text=True)

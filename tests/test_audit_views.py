"""The audit pages: a task's, a user's and a unit's history, searching the trail, and the
state of the hash chain, checked on demand; for admins and inspectors only."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
import sqlalchemy as sa

from tests.factories import draft_task, in_progress_task, issued_task
from tests.test_audit import tamper
from tracker.audit.models import AuditEvent, ChainCheck
from tracker.extensions import db

RESULTS = re.compile(r'<table class="table table-sm align-top audit-events">.*?</table>', re.S)


def _page(client, path, **query) -> str:
    response = client.get(path, query_string=query)
    assert response.status_code == 200, (path, response.status_code)
    return unescape(response.get_data(as_text=True))


def _results(html: str) -> str:
    """Return the tables of events only (the search form lists every action's label)."""
    return "\n".join(RESULTS.findall(html))


def _rows(html: str) -> int:
    return _results(html).count("<tr>") - len(RESULTS.findall(html))  # minus the headers


def _in_order(text: str, *parts: str) -> bool:
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


def test_the_history_of_a_task_shows_its_events_in_order(client, auth, org, now):
    task = in_progress_task(org, now)
    draft_task(org, now, title="Một việc khác")
    auth.login("snv.thanhtra")
    html = _page(client, f"/audit/tasks/{task.id}")
    events = _results(html)
    assert _in_order(
        events,
        "Soạn dự thảo",
        "Giao nhiệm vụ",
        "Tiếp nhận nhiệm vụ",
        "Bắt đầu thực hiện",
        "Báo cáo tiến độ",
    )
    assert events.count("Soạn dự thảo") == 1  # not the other task's
    assert "Nguyễn Thị Giao" in events and "Lê Thị Làm" in events  # names, not usernames
    # Values before and after, indented JSON with the Vietnamese as typed.
    assert '"state": "issued"' in events
    assert '"title": "Số hoá hồ sơ thủ tục hành chính cấp sở"' in events
    assert f'href="/tasks/{task.id}"' in html


def test_the_history_of_a_user_has_what_happened_to_them_and_what_they_did(client, auth, org, now):
    task = in_progress_task(org, now)
    auth.login("quantri")
    html = _page(client, f"/audit/users/{org.head_a.id}")
    assert _in_order(
        html,
        "Thay đổi về tài khoản",
        "Tạo người dùng",
        "Các thao tác người dùng đã thực hiện",
        "Tiếp nhận nhiệm vụ",
    )
    assert f"Nhiệm vụ #{task.id}: Số hoá hồ sơ thủ tục hành chính cấp sở" in html
    assert "Soạn dự thảo" not in _results(html)  # the office's, not his
    unit = _results(_page(client, f"/audit/units/{org.dept_a.id}"))
    assert _in_order(unit, "Tạo đơn vị", "Thay đổi thủ trưởng đơn vị")
    assert "Tạo người dùng" not in unit


def test_search_by_actor(client, auth, org, now):
    in_progress_task(org, now)
    auth.login("quantri")
    html = _page(client, "/audit", actor="gd.tttt")
    assert "1 sự kiện, mới nhất trước." in html
    events = _results(html)
    assert "Tiếp nhận nhiệm vụ" in events
    assert "Soạn dự thảo" not in events and "Báo cáo tiến độ" not in events
    system = _results(_page(client, "/audit", actor="system"))
    assert "Tạo đơn vị" in system and "Tiếp nhận nhiệm vụ" not in system
    unknown = _page(client, "/audit", actor="khong.co")
    assert "Không có người dùng “khong.co”." in unknown
    assert _results(unknown) == ""


def test_search_by_date_range_counts_days_in_ha_noi(client, auth, org, now):
    # 23:30 on 05/11 and 00:30 on 06/11 in Hà Nội: the same UTC day, different local days.
    draft_task(org, datetime(2026, 11, 5, 16, 30, tzinfo=UTC), title="Việc tối ngày 5")
    draft_task(org, datetime(2026, 11, 5, 17, 30, tzinfo=UTC), title="Việc sáng ngày 6")
    auth.login("snv.thanhtra")
    fifth = _results(_page(client, "/audit", date_from="05/11/2026", date_to="05/11/2026"))
    assert "Việc tối ngày 5" in fifth
    assert "Việc sáng ngày 6" not in fifth and "Tạo đơn vị" not in fifth
    sixth = _results(_page(client, "/audit", date_from="06/11/2026"))
    assert "Việc sáng ngày 6" in sixth and "Việc tối ngày 5" not in sixth
    before = _results(_page(client, "/audit", date_to="02/11/2026"))
    assert "Tạo đơn vị" in before and "Việc tối ngày 5" not in before
    wrong = _page(client, "/audit", date_from="06/11/2026", date_to="05/11/2026")
    assert "“Đến ngày” phải sau “Từ ngày”." in wrong and _results(wrong) == ""


def test_search_by_object_and_action(client, auth, org, now):
    task = in_progress_task(org, now)
    auth.login("snv.thanhtra")
    by_unit = _results(_page(client, "/audit", object_kind="unit", object_key="stttt"))
    assert "Tạo đơn vị" in by_unit and "Tạo người dùng" not in by_unit
    by_user = _results(_page(client, "/audit", object_kind="user", object_key="gd.tttt"))
    assert "Tạo người dùng" in by_user and "Tạo đơn vị" not in by_user
    by_task = _page(client, "/audit", object_kind="task", object_key=str(task.id))
    assert "5 sự kiện, mới nhất trước." in by_task
    assert _in_order(_results(by_task), "Báo cáo tiến độ", "Soạn dự thảo")  # newest first
    issued = _page(client, "/audit", action="task.issued")
    assert "1 sự kiện" in issued and "Giao nhiệm vụ" in _results(issued)
    every_task_event = _page(client, "/audit", action="task.")
    assert "5 sự kiện" in every_task_event
    missing = _page(client, "/audit", object_kind="unit", object_key="KHONGCO")
    assert "Không có đơn vị mã “KHONGCO”." in missing


def test_the_search_is_paginated_fifty_at_a_time_newest_first(client, auth, org, now):
    for n in range(8):
        in_progress_task(org, now, title=f"Việc {n}")
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq)))
    assert total > 50
    auth.login("quantri")
    first = _page(client, "/audit")
    assert _rows(first) == 50
    assert re.search(rf'<td class="text-muted small">{newest}</td>', first)
    assert 'href="/audit?page=2"' in first
    assert _rows(_page(client, "/audit", page=2)) == total - 50


@pytest.mark.parametrize("username", ["vanphong", "gd.tttt", "cv.tttt", "pct.ha"])
def test_only_admins_and_inspectors_read_the_audit_trail(client, auth, org, now, username):
    task = issued_task(org, now)
    auth.login(username)
    for path in (
        "/audit",
        f"/audit/tasks/{task.id}",
        f"/audit/users/{org.head_a.id}",
        f"/audit/units/{org.dept_a.id}",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post("/audit/verify").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ChainCheck.id))) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    response = client.get("/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_chain_is_checked_on_demand_and_shows_the_first_broken_link(client, auth, org, now):
    issued_task(org, now)
    auth.login("quantri")
    assert "Chuỗi chưa được kiểm tra lần nào." in _page(client, "/audit")
    assert client.post("/audit/verify").status_code == 302
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    html = _page(client, "/audit")
    assert f"Chuỗi nhật ký nguyên vẹn: {total} sự kiện" in html
    assert "Kiểm tra lúc" in html and "quantri" in html

    tamper("UPDATE audit_events SET actor_name = 'ke.gian' WHERE seq = 3")
    # Viewing the page does not verify again: it shows the last check until someone asks.
    assert f"Chuỗi nhật ký nguyên vẹn: {total} sự kiện" in _page(client, "/audit")
    auth.logout()
    auth.login("snv.thanhtra")
    assert client.post("/audit/verify").status_code == 302
    html = _page(client, "/audit")
    assert "nguyên vẹn" not in html
    broken = re.search(r'<p class="text-danger[^"]*"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Chuỗi nhật ký bị phá vỡ tại sự kiện số 3" in broken
    assert "nội dung sự kiện đã bị sửa" in broken
    assert "2 sự kiện trước đó hợp lệ." in broken
    assert "snv.thanhtra" in html


def test_a_page_of_events_takes_the_same_queries_however_many_people_and_objects(
    client, auth, org, now
):
    def selects(path: str) -> int:
        statements = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        db.session.expire_all()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    in_progress_task(org, now)
    auth.login("snv.thanhtra")
    paths = ["/audit", f"/audit/users/{org.staff_a.id}", f"/audit/units/{org.dept_a.id}"]
    few = [selects(path) for path in paths]
    for n in range(6):
        task = in_progress_task(org, now, title=f"Việc {n}")
        assert task.id
    assert [selects(path) for path in paths] == few


def test_a_scheduled_check_leaves_its_result_where_the_page_reads_it(client, auth, org, now):
    from tracker.jobs.runner import run_job
    from tracker.jobs.work import VERIFY_JOB, verify_job

    issued_task(org, now)
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    db.session.commit()  # the job takes its lock on a connection of its own
    assert run_job(VERIFY_JOB, verify_job, now=now) is not None
    auth.login("snv.thanhtra")
    html = _page(client, "/audit")
    assert f"Chuỗi nhật ký nguyên vẹn: {total} sự kiện" in html
    assert "Kiểm tra lúc 02/11/2026 09:00 · Hệ thống (tự động, hằng đêm)" in html

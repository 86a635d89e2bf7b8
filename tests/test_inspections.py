"""Sở Nội vụ's inspections: recording them, their findings, and the follow-up tasks the
office hands out from the findings, which pass the same "5 rõ" gate as any task."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import render_template_string

from tests.factories import issued_task
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_chain
from tracker.clock import local_date, utcnow
from tracker.errors import ConflictError, PermissionDenied
from tracker.extensions import db
from tracker.inspections import permissions
from tracker.inspections import services as service
from tracker.inspections.models import Finding, Inspection
from tracker.inspections.services import InspectionInput
from tracker.tasks.clarity import missing_clarity
from tracker.tasks.models import Task, TaskState


def _today():
    # The pages use the real clock, so dates typed into them are relative to today.
    return local_date(utcnow())


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def _record_through_pages(client, auth, org, findings=("Chậm cập nhật tiến độ",)):
    """Record an inspection of department A with its findings, as the inspector does."""
    auth.login("snv.thanhtra")
    response = client.post(
        "/inspections/new",
        data={
            "kind": "direct",
            "unit_id": str(org.dept_a.id),
            "inspected_on": _day(_today() - timedelta(days=3)),
            "team": "Bùi Văn Soát — Trưởng đoàn\nNguyễn Thị Kiểm — thành viên",
            "summary": "Kiểm tra việc thực hiện nhiệm vụ theo nguyên tắc 5 rõ năm 2026.",
            "document_id": str(org.document.id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    inspection = db.session.scalars(sa.select(Inspection)).one()
    assert response.headers["Location"].endswith(f"/inspections/{inspection.id}")
    for text in findings:
        added = client.post(
            f"/inspections/{inspection.id}/findings",
            data={
                "text": text,
                "recommendation": "Cập nhật tiến độ hằng tuần trên hệ thống.",
                "severity": "moderate",
            },
        )
        assert added.status_code == 302
    auth.logout()
    return inspection


def _follow_up_data(org, **overrides):
    """What the office completes on the follow-up form for a task clear on every "rõ"."""
    data = {
        "title": "Khắc phục: chậm cập nhật tiến độ",
        "description": "Cập nhật đầy đủ tiến độ các nhiệm vụ được giao.",
        "document_id": str(org.document.id),
        "field_id": str(org.field.id),
        "lead_unit_id": str(org.dept_a.id),
        "accountable_user_id": str(org.head_a.id),
        "supervisor_id": str(org.leader.id),
        "start_date": _day(_today()),
        "due_date": _day(_today() + timedelta(days=30)),
        "process_steps": "Rà soát nhiệm vụ chậm cập nhật\nCập nhật tiến độ\nBáo cáo Sở Nội vụ",
        "expected_outcome": "Báo cáo kết quả khắc phục",
        "target": "100% nhiệm vụ được cập nhật tiến độ hằng tuần",
    }
    data.update(overrides)
    return data


def test_an_inspection_finding_becomes_a_task_that_passes_the_gate(client, auth, org):
    inspection = _record_through_pages(
        client, auth, org, findings=("Chậm cập nhật tiến độ", "Thiếu minh chứng kết quả")
    )
    first, second = inspection.findings
    auth.login("vanphong")
    form = client.get(f"/inspections/findings/{first.id}/follow-up").get_data(as_text=True)
    # Prefilled from the finding: the title, the inspected unit, its head, the plan.
    assert 'value="Khắc phục: Chậm cập nhật tiến độ"' in form
    assert re.search(rf'<option selected value="{org.dept_a.id}">Sở Thông tin', form)
    assert re.search(rf'<option selected value="{org.head_a.id}">Trần Văn Trưởng', form)
    assert re.search(rf'<option selected value="{org.document.id}">Kế hoạch 171-KH/TU', form)

    response = client.post(f"/inspections/findings/{first.id}/follow-up", data=_follow_up_data(org))
    assert response.status_code == 302
    task = db.session.scalars(sa.select(Task)).one()
    assert task.state == TaskState.ISSUED
    assert missing_clarity(task) == {}
    assert task.lead_unit_id == org.dept_a.id and task.accountable_user_id == org.head_a.id
    assert len(task.process_steps) == 3

    # Linked both ways: the finding names its task, the task's finding is found from it.
    db.session.expire_all()
    assert db.session.get(Finding, first.id).task_id == task.id
    assert db.session.get(Finding, second.id).task_id is None
    origin = permissions.finding_of_task(task.id, org.assigner)
    assert origin.id == first.id and origin.inspection_id == inspection.id

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã giao nhiệm vụ khắc phục cho Sở Thông tin và Truyền thông" in page
    assert f'href="/tasks/{task.id}"' in page
    assert "Đang thực hiện trong hạn" in page  # the task's category, next to its finding
    assert "Chưa có nhiệm vụ khắc phục" in page  # the second finding
    assert f'href="/inspections/findings/{second.id}/follow-up"' in page
    assert f'href="/inspections/findings/{first.id}/follow-up"' not in page

    # The unit head sees the task, and from it the inspection it comes from.
    auth.logout()
    auth.login("gd.tttt")
    assert client.get(f"/tasks/{task.id}").status_code == 200
    with client.application.test_request_context():
        from flask_login import login_user

        login_user(org.head_a)
        link = render_template_string(
            "{% set f = inspection_origin(task_id) %}{{ f.inspection.unit.name }} #{{ f.id }}",
            task_id=task.id,
        )
    assert link == f"Sở Thông tin và Truyền thông #{first.id}"

    # Every step is on the audit trail, and the trail is intact.
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-6:] == [
        "inspection.recorded",
        "inspection.finding_added",
        "inspection.finding_added",
        "task.created",
        "task.issued",
        "inspection.finding_followed_up",
    ]
    assert verify_chain().ok


MISSING = {
    "process": ({"process_steps": "Khắc phục"}, "Rõ quy trình: cần ít nhất 2 bước"),
    "responsibility": ({"supervisor_id": ""}, "Rõ trách nhiệm: chưa có lãnh đạo phụ trách"),
    "outcome": ({"target": ""}, "Rõ kết quả: chưa có chỉ tiêu đo được"),
}


@pytest.mark.parametrize("key", MISSING)
def test_an_incomplete_follow_up_names_the_missing_ro_and_creates_nothing(client, auth, org, key):
    inspection = _record_through_pages(client, auth, org)
    finding = inspection.findings[0]
    events_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    overrides, words = MISSING[key]
    auth.login("vanphong")
    response = client.post(
        f"/inspections/findings/{finding.id}/follow-up", data=_follow_up_data(org, **overrides)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in page
    assert 'value="Khắc phục: chậm cập nhật tiến độ"' in page  # nothing typed is lost
    assert "Báo cáo kết quả khắc phục" in page
    assert db.session.query(Task).count() == 0
    db.session.expire_all()
    assert db.session.get(Finding, finding.id).task_id is None
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events_before


def test_a_finding_is_followed_up_once(client, auth, org):
    inspection = _record_through_pages(client, auth, org)
    finding = inspection.findings[0]
    auth.login("vanphong")
    url = f"/inspections/findings/{finding.id}/follow-up"
    assert client.post(url, data=_follow_up_data(org)).status_code == 302
    task = db.session.scalars(sa.select(Task)).one()
    # The form is gone; the page leads to the task instead of drafting a second one.
    again = client.get(url)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/tasks/{task.id}")
    assert client.post(url, data=_follow_up_data(org)).status_code == 302
    assert db.session.query(Task).count() == 1
    # The service itself refuses too, whatever page calls it.
    db.session.expire_all()
    with pytest.raises(ConflictError):
        service.turn_finding_into_task(
            db.session.get(Finding, finding.id),
            service.follow_up_input(db.session.get(Finding, finding.id), today=_today()),
            actor=org.assigner,
            now=utcnow(),
        )
    db.session.rollback()


def test_recording_refuses_missing_facts_next_to_their_fields(client, auth, org):
    auth.login("snv.thanhtra")
    response = client.post(
        "/inspections/new",
        data={
            "kind": "reports",
            "unit_id": str(org.dept_b.id),
            "inspected_on": _day(_today() + timedelta(days=2)),
            "team": "",
            "summary": "Kiểm tra qua báo cáo quý III",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ngày kiểm tra không được sau hôm nay." in page
    assert "Hãy ghi thành phần đoàn kiểm tra." in page
    assert "Kiểm tra qua báo cáo quý III" in page  # kept
    assert db.session.query(Inspection).count() == 0
    bad_date = client.post("/inspections/new", data={"inspected_on": "31/02/2026"})
    assert bad_date.status_code == 422
    assert "hãy nhập theo dạng dd/mm/yyyy" in bad_date.get_data(as_text=True)


def _inspection_of(org, unit, now):
    inspection = service.record_inspection(
        InspectionInput(
            kind="system",
            unit_id=unit.id,
            inspected_on=local_date(now),
            team="Đoàn kiểm tra Sở Nội vụ",
            summary="Kiểm tra qua hệ thống",
        ),
        actor=org.inspector,
        now=now,
    )
    finding = service.add_finding(
        inspection, text="Nhiều nhiệm vụ quá hạn", actor=org.inspector, now=now
    )
    db.session.commit()
    return inspection, finding


# path → who may open it; everyone else signed in gets 403 or 404.
PAGES = {
    "/inspections": {"snv.thanhtra", "vanphong", "quantri", "gd.tttt", "gd.stp"},
    "/inspections/{a}": {"snv.thanhtra", "vanphong", "quantri", "gd.tttt"},
    "/inspections/{b}": {"snv.thanhtra", "vanphong", "quantri", "gd.stp"},
    "/inspections/new": {"snv.thanhtra"},
    "/inspections/findings/{fa}/follow-up": {"vanphong"},
}
USERS = ["vanphong", "gd.tttt", "cv.tttt", "gd.stp", "pct.ha", "snv.thanhtra", "quantri"]


@pytest.mark.parametrize("username", USERS)
def test_who_sees_and_does_what(client, auth, org, now, username):
    a, fa = _inspection_of(org, org.dept_a, now)
    b, _ = _inspection_of(org, org.dept_b, now)
    ids = {"a": a.id, "b": b.id, "fa": fa.id}
    auth.login(username)
    for template, allowed in PAGES.items():
        status = client.get(template.format(**ids)).status_code
        if username in allowed:
            assert status == 200, (username, template, status)
        else:
            assert status in (403, 404), (username, template, status)
    listing = client.get("/inspections").get_data(as_text=True)
    if username == "gd.tttt":  # a unit head sees only his unit's inspections
        assert f"/inspections/{a.id}" in listing and f"/inspections/{b.id}" not in listing
    # Only inspectors record findings; only the office hands out the follow-up task.
    posted = client.post(f"/inspections/{a.id}/findings", data={"text": "Kết luận mới"})
    if username == "snv.thanhtra":
        assert posted.status_code == 302
    else:
        assert posted.status_code in (403, 404)
    follow = client.post(f"/inspections/findings/{fa.id}/follow-up", data={"title": "X"})
    if username == "vanphong":
        assert follow.status_code == 422  # allowed, but not clear on every "rõ"
    else:
        assert follow.status_code in (403, 404)
    assert db.session.query(Task).count() == 0


def test_inspectors_propose_but_do_not_hand_out_tasks(org, now):
    _, finding = _inspection_of(org, org.dept_a, now)
    with pytest.raises(PermissionDenied):
        service.turn_finding_into_task(
            finding,
            service.follow_up_input(finding, today=local_date(now)),
            actor=org.inspector,
            now=now,
        )
    with pytest.raises(PermissionDenied):
        service.add_finding(finding.inspection, text="Tự ghi", actor=org.assigner, now=now)


def test_the_list_counts_findings_by_task_category_in_a_fixed_number_of_queries(
    client, auth, org, now
):
    def selects() -> int:
        statements = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        db.session.expire_all()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = client.get("/inspections")
            assert page.status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    inspection, finding = _inspection_of(org, org.dept_a, now)
    auth.login("vanphong")
    few = selects()
    # The list classifies as of today (the real clock): issue the tasks as of today too.
    today = utcnow()
    for n in range(6):
        _, extra = _inspection_of(org, org.dept_b if n % 2 else org.dept_a, now)
        extra.task_id = issued_task(org, today, title=f"Khắc phục {n}").id
        db.session.commit()
    finding.task_id = issued_task(org, today, title="Khắc phục chính").id
    db.session.commit()
    assert selects() == few
    page = client.get("/inspections").get_data(as_text=True)
    assert page.count("Đang thực hiện trong hạn: 1") == 7


def test_two_offices_following_up_the_same_finding_at_once_give_one_task(org, now):
    _, finding = _inspection_of(org, org.dept_a, now)
    other = issued_task(org, now, title="Khắc phục do người khác giao")
    data = service.follow_up_input(finding, today=local_date(now))
    data.supervisor_id, data.due_date = org.leader.id, local_date(now) + timedelta(days=20)
    data.process_steps, data.target = ["Rà soát", "Khắc phục"], "Không còn nhiệm vụ quá hạn"
    data.document_id = org.document.id
    tasks_before = db.session.query(Task).count()
    # Another request links the finding after this one read it (the object still says None).
    db.session.execute(
        sa.text("UPDATE inspection_findings SET task_id = :task WHERE id = :id"),
        {"task": other.id, "id": finding.id},
    )
    assert finding.task_id is None
    with pytest.raises(ConflictError):
        service.turn_finding_into_task(finding, data, actor=org.assigner, now=now)
    db.session.rollback()
    assert db.session.query(Task).count() == tasks_before
    assert db.session.get(Finding, finding.id).task_id is None  # the other link rolled back too

"""Builders of test data, going through the same services as the application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import sqlalchemy as sa

from tracker.extensions import db
from tracker.notify.models import Notification
from tracker.org.models import Field, Role, Unit, UnitKind, User
from tracker.org.services import (
    create_field,
    create_unit,
    create_user,
    hash_password,
    set_unit_head,
)
from tracker.reminders.models import Escalation, EscalationReason
from tracker.tasks import services
from tracker.tasks.documents import services as documents
from tracker.tasks.models import SourceDocument, Task
from tracker.tasks.services import CoordinationInput, MilestoneInput, TaskInput

PASSWORD = "mat-khau-thu-nghiem"


@dataclass
class Org:
    city: Unit
    office: Unit
    dept_a: Unit  # Sở Thông tin và Truyền thông
    dept_b: Unit  # Sở Tư pháp
    interior: Unit  # Sở Nội vụ
    admin: User
    assigner: User
    leader: User
    head_a: User
    staff_a: User
    staff_a2: User
    head_b: User
    staff_b: User
    inspector: User
    field: Field
    document: SourceDocument


@cache
def password_hash() -> str:
    """Hash the test password once: scrypt is slow on purpose."""
    return hash_password(PASSWORD)


def _user(username, name, unit, roles, now, position="") -> User:
    return create_user(
        username=username,
        full_name=name,
        unit=unit,
        roles=roles,
        position=position,
        password_hash=password_hash(),
        actor=None,
        now=now,
    )


def build_org(now: datetime) -> Org:
    """Create the small organisation the tests share."""
    unit = lambda code, name, kind, parent=None: create_unit(  # noqa: E731
        code=code, name=name, kind=kind, parent=parent, actor=None, now=now
    )
    city = unit("UBND-HN", "UBND thành phố Hà Nội", UnitKind.CITY)
    office = unit("VP-UBND", "Văn phòng UBND thành phố", UnitKind.OFFICE, city)
    dept_a = unit("STTTT", "Sở Thông tin và Truyền thông", UnitKind.DEPARTMENT, city)
    dept_b = unit("STP", "Sở Tư pháp", UnitKind.DEPARTMENT, city)
    interior = unit("SNV", "Sở Nội vụ", UnitKind.DEPARTMENT, city)
    admin = _user("quantri", "Quản Trị Viên", office, [Role.ADMIN], now)
    assigner = _user("vanphong", "Nguyễn Thị Giao", office, [Role.ASSIGNER], now, "Chuyên viên")
    leader = _user("pct.ha", "Hà Minh Lãnh", city, [Role.LEADER], now, "Phó Chủ tịch UBND TP")
    head_a = _user("gd.tttt", "Trần Văn Trưởng", dept_a, [Role.UNIT_HEAD], now, "Giám đốc Sở")
    staff_a = _user("cv.tttt", "Lê Thị Làm", dept_a, [Role.STAFF], now, "Chuyên viên")
    staff_a2 = _user("cv2.tttt", "Phạm Văn Hai", dept_a, [Role.STAFF], now, "Chuyên viên")
    head_b = _user("gd.stp", "Đỗ Văn Pháp", dept_b, [Role.UNIT_HEAD], now, "Giám đốc Sở")
    staff_b = _user("cv.stp", "Vũ Thị Tư", dept_b, [Role.STAFF], now, "Chuyên viên")
    inspector = _user("snv.thanhtra", "Bùi Văn Soát", interior, [Role.INSPECTOR], now)
    set_unit_head(dept_a, head_a, actor=None, now=now)
    set_unit_head(dept_b, head_b, actor=None, now=now)
    field = create_field(code="CDS", name="Chuyển đổi số", leader=leader, actor=None, now=now)
    document = documents.register_document(
        number="171-KH/TU",
        kind="Kế hoạch",
        issuer="Thành ủy Hà Nội",
        issued_on=date(2023, 8, 17),
        summary="Cá thể hoá trách nhiệm theo nguyên tắc 5 rõ.",
        actor=assigner,
        now=now,
    )
    return Org(
        city,
        office,
        dept_a,
        dept_b,
        interior,
        admin,
        assigner,
        leader,
        head_a,
        staff_a,
        staff_a2,
        head_b,
        staff_b,
        inspector,
        field,
        document,
    )


def complete_input(org: Org, today: date, **overrides) -> TaskInput:
    """Return the input of a task clear on every "rõ", led by department A."""
    values = dict(
        title="Số hoá hồ sơ thủ tục hành chính cấp sở",
        description="Số hoá toàn bộ hồ sơ TTHC tiếp nhận tại Sở trong năm.",
        document_id=org.document.id,
        field_id=org.field.id,
        lead_unit_id=org.dept_a.id,
        accountable_user_id=org.head_a.id,
        supervisor_id=org.leader.id,
        start_date=today,
        due_date=today + timedelta(days=30),
        expected_outcome="Kho dữ liệu hồ sơ điện tử",
        target="100% hồ sơ tiếp nhận được số hoá",
        coordinating=[CoordinationInput(org.dept_b.id, "Thẩm định quy trình số hoá")],
        process_steps=["Rà soát danh mục hồ sơ", "Số hoá và kiểm tra chất lượng"],
    )
    values.update(overrides)
    return TaskInput(**values)


def draft_task(org: Org, now: datetime, **overrides) -> Task:
    """Create a complete draft of department A (committed)."""
    today = (now + timedelta(hours=7)).date()
    task = services.create_draft(
        complete_input(org, today, **overrides), actor=org.assigner, now=now
    )
    db.session.commit()
    return task


def issued_task(org: Org, now: datetime, **overrides) -> Task:
    task = draft_task(org, now, **overrides)
    services.issue_task(task, actor=org.assigner, now=now)
    db.session.commit()
    return task


def in_progress_task(org: Org, now: datetime, **overrides) -> Task:
    task = issued_task(org, now, **overrides)
    services.accept_task(task, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    services.report_progress(task, actor=org.staff_a, now=now, percent=10, narrative="Bắt đầu")
    db.session.commit()
    return task


def submitted_task(org: Org, now: datetime, **overrides) -> Task:
    task = in_progress_task(org, now, **overrides)
    services.submit_result(task, actor=org.head_a, now=now, result="Đã số hoá xong")
    db.session.commit()
    return task


__all__ = [
    "Org",
    "build_org",
    "complete_input",
    "draft_task",
    "issued_task",
    "in_progress_task",
    "submitted_task",
    "MilestoneInput",
    "PASSWORD",
]


def forget_workflow_notices() -> None:
    """Remove the notices that the tasks' own steps queued (issued, accepted…), for tests
    that follow the sweep's reminders, warnings and escalations alone."""
    db.session.execute(sa.delete(Notification))
    db.session.commit()


def escalation_of(task: Task, *, opened_at: datetime, overdue_days: int = 10) -> Escalation:
    """An escalation record of a task for its current due date, as the sweep would open it
    (added, not committed): for lists that need many records without sweeping for each."""
    record = Escalation(
        task_id=task.id,
        deadline=task.due_date,
        reason=EscalationReason.OVERDUE_DAYS,
        overdue_days=overdue_days,
        notices_before=0,
        opened_at=opened_at,
        opened_on=(opened_at + timedelta(hours=7)).date(),
        lead_unit_id=task.lead_unit_id,
        accountable_user_id=task.accountable_user_id,
        supervisor_id=task.supervisor_id,
        sweep_id="test",
    )
    db.session.add(record)
    return record

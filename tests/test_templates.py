"""Process templates: kept by the office, filling a task's steps and proposing milestones."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api_client import api_as
from tracker.calendar.services import load_calendar
from tracker.clock import local_date, utcnow
from tracker.errors import PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.tasks.models import Task
from tracker.tasks.process_templates import services as templates
from tracker.tasks.process_templates.services import StepInput

STEPS = [
    StepInput("Xây dựng dự thảo kế hoạch", 3, "staff", True),
    StepInput("Lấy ý kiến các sở, ngành", 4, "unit_head", True),
    StepInput("Trình UBND thành phố ban hành", 2, "assigner"),
]


def _template(org, now, **overrides):
    values = {"name": "Xây dựng kế hoạch", "description": "", "steps": STEPS}
    values.update(overrides)
    template = templates.save_template(None, **values, actor=org.assigner, now=now)
    db.session.commit()
    return template


def test_a_template_counts_milestones_in_working_days_across_tet(org, now):
    template = _template(org, now)
    # From Wednesday 27/01/2027: Tết 2027 closes offices from Thursday 04/02 to Wednesday 10/02.
    plan = templates.plan(template, date(2027, 1, 27), load_calendar(), local_date(utcnow()))
    assert [(m.title, m.due_date) for m in plan.milestones] == [
        ("Xây dựng dự thảo kế hoạch", date(2027, 2, 1)),  # Thu 28, Fri 29, Mon 1
        ("Lấy ý kiến các sở, ngành", date(2027, 2, 12)),  # Tue 2, Wed 3, Thu 11, Fri 12
    ]
    assert plan.due_date == date(2027, 2, 16)  # Mon 15, Tue 16
    assert plan.process_steps[1] == (
        "Lấy ý kiến các sở, ngành (Thủ trưởng đơn vị chủ trì, 4 ngày làm việc)"
    )


def test_only_the_office_and_admins_keep_templates(org, now):
    with pytest.raises(PermissionDenied):
        templates.save_template(
            None, name="X", description="", steps=STEPS, actor=org.head_a, now=now
        )
    templates.save_template(None, name="Y", description="", steps=STEPS, actor=org.admin, now=now)


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([StepInput("Một bước", 3)], "steps"),
        ([StepInput("A", 0), StepInput("B", 2)], "steps"),
        ([StepInput("A", 2, "admin"), StepInput("B", 2)], "steps"),
    ],
)
def test_a_template_needs_real_steps(org, now, steps, field):
    with pytest.raises(ValidationError) as refused:
        templates.save_template(
            None, name="X", description="", steps=steps, actor=org.assigner, now=now
        )
    assert field in refused.value.fields


def test_two_templates_may_not_share_a_name(org, now):
    _template(org, now)
    with pytest.raises(ValidationError):
        _template(org, now)


def test_an_edit_replaces_the_steps_and_is_audited(org, now):
    from tracker.audit.models import AuditEvent

    template = _template(org, now)
    templates.save_template(
        template,
        name=template.name,
        description="Dùng cho kế hoạch năm",
        steps=STEPS[:2],
        actor=org.assigner,
        now=now,
    )
    db.session.commit()
    assert [s.description for s in template.steps] == [s.description for s in STEPS[:2]]
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "ProcessTemplate")
    ).all()
    assert actions == ["process_template.saved", "process_template.saved"]


def test_the_task_form_is_filled_from_a_template(client, auth, org, now):
    template = _template(org, now)
    auth.login("vanphong")
    page = client.post(
        "/tasks/new",
        data={
            "title": "Kế hoạch cải cách hành chính 2027",
            "start_date": "27/01/2027",
            "template_id": template.id,
            "apply_template": "1",
            "priority": "normal",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Lấy ý kiến các sở, ngành (Thủ trưởng đơn vị chủ trì, 4 ngày làm việc)" in html
    # Date inputs carry ISO dates; the browser shows them the person's way.
    assert 'value="2027-02-12"' in html and 'value="2027-02-16"' in html
    assert db.session.scalars(db.select(Task)).all() == []  # nothing saved yet


def test_applying_a_template_needs_a_start_date(client, auth, org, now):
    template = _template(org, now)
    auth.login("vanphong")
    page = client.post(
        "/tasks/new",
        data={
            "title": "X",
            "template_id": template.id,
            "apply_template": "1",
            "priority": "normal",
        },
    )
    assert page.status_code == 422
    assert "Cần ngày bắt đầu" in page.get_data(as_text=True)


def test_templates_are_kept_on_their_pages(client, auth, org):
    auth.login("vanphong")
    response = client.post(
        "/process-templates/new",
        data={
            "name": "Báo cáo định kỳ",
            "active": "y",
            "steps-0-description": "Tổng hợp số liệu",
            "steps-0-working_days": "3",
            "steps-0-responsible": "staff",
            "steps-1-description": "Thủ trưởng ký báo cáo",
            "steps-1-working_days": "1",
            "steps-1-responsible": "unit_head",
            "steps-1-milestone": "y",
        },
    )
    assert response.status_code == 302
    listing = client.get("/process-templates").get_data(as_text=True)
    assert "Báo cáo định kỳ" in listing and "Tổng cộng 4 ngày làm việc" in listing
    auth.logout()
    auth.login("gd.tttt")
    assert client.get("/process-templates").status_code == 403


def test_the_api_lists_templates_and_plans_a_task(client, org, now):
    template = _template(org, now)
    api = api_as(client, org.head_a)
    listed = api.get("/process-templates").get_json()
    assert listed["items"][0]["total_working_days"] == 9
    plan = api.get(f"/process-templates/{template.id}/plan", start_date="2027-01-27").get_json()
    assert plan["due_date"] == "2027-02-16"
    assert [m["due_date"] for m in plan["milestones"]] == ["2027-02-01", "2027-02-12"]
    body = {
        "name": "Mới",
        "steps": [{"description": "A", "working_days": 1}, {"description": "B", "working_days": 2}],
    }
    assert api.post("/process-templates", body).status_code == 403
    created = api_as(client, org.assigner).post("/process-templates", body)
    assert created.status_code == 201 and created.get_json()["steps"][1]["position"] == 2

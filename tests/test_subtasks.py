"""Sub-tasks: a department splits a city task among its divisions; the parent answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api_client import api_as
from tests.factories import _user, in_progress_task, issued_task
from tracker.calendar.services import load_calendar
from tracker.errors import PermissionDenied, TransitionError, ValidationError
from tracker.extensions import db
from tracker.org.models import Role, UnitKind
from tracker.org.services import create_unit, set_unit_head
from tracker.tasks import queries, services
from tracker.tasks.classification import AsOf
from tracker.tasks.models import TaskState
from tracker.tasks.permissions import can_view
from tracker.tasks.services import TaskInput


@pytest.fixture
def divisions(org, now):
    """Two divisions of department A, each with a head."""
    made = []
    for code, name, head in (
        ("STTTT-CNTT", "Phòng Công nghệ thông tin", "tp.cntt"),
        ("STTTT-BCVT", "Phòng Bưu chính, viễn thông", "tp.bcvt"),
    ):
        unit = create_unit(
            code=code, name=name, kind=UnitKind.DIVISION, parent=org.dept_a, actor=None, now=now
        )
        chief = _user(head, f"Trưởng {name}", unit, [Role.UNIT_HEAD], now, "Trưởng phòng")
        set_unit_head(unit, chief, actor=None, now=now)
        made.append((unit, chief))
    db.session.commit()
    return made


def _part(org, division, now, **overrides) -> TaskInput:
    unit, chief = division
    today = (now + timedelta(hours=7)).date()
    values = dict(
        title=f"Phần việc của {unit.name}",
        description="Thực hiện phần việc được Sở giao.",
        document_id=org.document.id,
        field_id=org.field.id,
        lead_unit_id=unit.id,
        accountable_user_id=chief.id,
        supervisor_id=org.leader.id,
        start_date=today,
        due_date=today + timedelta(days=20),
        expected_outcome="Báo cáo phần việc",
        target="Hoàn thành đúng hạn",
        process_steps=["Triển khai", "Báo cáo Sở"],
    )
    values.update(overrides)
    return TaskInput(**values)


def _split(org, parent, division, now, **overrides):
    task = services.create_subtask(
        parent, _part(org, division, now, **overrides), actor=org.head_a, now=now
    )
    services.issue_task(task, actor=org.head_a, now=now)
    db.session.commit()
    return task


def test_a_department_head_splits_a_city_task_between_two_divisions(org, now, divisions):
    parent = in_progress_task(org, now)
    first, second = (_split(org, parent, d, now) for d in divisions)
    assert (first.parent_id, second.parent_id) == (parent.id, parent.id)
    assert first.state == TaskState.ISSUED and first.issued_by_id == org.head_a.id
    # The division head accepts and carries it as any lead unit does.
    services.accept_task(first, actor=divisions[0][1], now=now)
    db.session.commit()
    assert first.state == TaskState.ACCEPTED
    assert can_view(org.staff_a, first) and can_view(divisions[0][1], first)
    assert not can_view(divisions[1][1], first) and not can_view(org.head_b, first)


def test_a_sub_task_due_after_its_parent_is_refused(org, now, divisions):
    parent = in_progress_task(org, now)
    with pytest.raises(ValidationError) as refused:
        services.create_subtask(
            parent,
            _part(org, divisions[0], now, due_date=parent.due_date + timedelta(days=1)),
            actor=org.head_a,
            now=now,
        )
    assert "due_date" in refused.value.fields


def test_a_sub_task_goes_only_to_a_unit_below_the_lead_unit(org, now, divisions):
    parent = in_progress_task(org, now)
    with pytest.raises(ValidationError) as refused:
        services.create_subtask(
            parent,
            _part(
                org,
                divisions[0],
                now,
                lead_unit_id=org.dept_b.id,
                accountable_user_id=org.head_b.id,
            ),
            actor=org.head_a,
            now=now,
        )
    assert "lead_unit_id" in refused.value.fields


def test_only_the_lead_units_head_splits_an_accepted_task(org, now, divisions):
    issued = issued_task(org, now)
    with pytest.raises(TransitionError):
        services.create_subtask(issued, _part(org, divisions[0], now), actor=org.head_a, now=now)
    parent = in_progress_task(org, now, title="Đang làm")
    for who in (org.staff_a, org.assigner, org.head_b):
        with pytest.raises(PermissionDenied):
            services.create_subtask(parent, _part(org, divisions[0], now), actor=who, now=now)


def test_the_parent_rolls_up_its_sub_tasks_progress_by_weight(org, now, divisions):
    parent = in_progress_task(org, now)
    first = _split(org, parent, divisions[0], now)
    second = services.create_subtask(
        parent, _part(org, divisions[1], now), weight=3, actor=org.head_a, now=now
    )
    services.issue_task(second, actor=org.head_a, now=now)
    for task, chief, percent in ((first, divisions[0][1], 80), (second, divisions[1][1], 20)):
        services.accept_task(task, actor=chief, now=now)
        services.report_progress(task, actor=chief, now=now, percent=percent, narrative="Đang làm")
    db.session.commit()
    as_of = AsOf.of((now + timedelta(hours=7)).date(), load_calendar())
    assert queries.subtasks_of(parent, as_of).progress == round((80 * 1 + 20 * 3) / 4)  # 35
    services.withdraw_task(second, actor=org.head_a, now=now, reason="Chuyển phòng khác")
    db.session.commit()
    assert queries.subtasks_of(parent, as_of).progress == 80


def test_a_parent_with_an_open_sub_task_cannot_be_submitted(org, now, divisions):
    parent = in_progress_task(org, now)
    child = _split(org, parent, divisions[0], now)
    with pytest.raises(TransitionError):
        services.submit_result(parent, actor=org.head_a, now=now, result="Xong")
    db.session.rollback()
    services.withdraw_task(child, actor=org.head_a, now=now, reason="Sở tự làm phần này")
    services.submit_result(parent, actor=org.head_a, now=now, result="Xong")
    db.session.commit()
    assert parent.state == TaskState.SUBMITTED


def test_a_late_sub_task_shows_on_the_parent_and_informs_its_owner(org, now, divisions):
    from tests.test_reminders import sweep, wd
    from tracker.notify.models import Notification

    parent = in_progress_task(org, now, due_date=now.date() + timedelta(days=60))
    child = _split(org, parent, divisions[0], now, due_date=now.date() + timedelta(days=10))
    sweep(wd(child.due_date, 1))
    actions = [e.action for e in services_timeline(parent)]
    assert "task.subtask_overdue" in actions
    told = db.session.scalars(
        db.select(Notification.user_id).where(Notification.task_id == child.id)
    ).all()
    assert org.head_a.id in told  # the parent's accountable person


def services_timeline(task):
    from tracker.tasks.timeline import task_timeline

    return task_timeline(task)


def test_the_parent_page_shows_sub_tasks_and_warns_of_late_ones(client, auth, org, now, divisions):
    parent = in_progress_task(org, now)
    _split(org, parent, divisions[0], now)
    auth.login("gd.tttt")
    html = client.get(f"/tasks/{parent.id}").get_data(as_text=True)
    assert "Phần việc của Phòng Công nghệ thông tin" in html
    assert f"/tasks/{parent.id}/subtasks/new" in html


def test_a_head_gives_a_sub_task_from_the_web_form(client, auth, org, now, divisions):
    parent = in_progress_task(org, now)
    unit, chief = divisions[1]
    auth.login("gd.tttt")
    form = client.get(f"/tasks/{parent.id}/subtasks/new").get_data(as_text=True)
    start = form.index('id="lead_unit_id"')
    lead_units = form[start : form.index("</select>", start)]
    assert f'<option value="{unit.id}">Phòng Bưu chính, viễn thông</option>' in lead_units
    assert "Sở Tư pháp" not in lead_units
    today = (now + timedelta(hours=7)).date()
    response = client.post(
        f"/tasks/{parent.id}/subtasks/new",
        data={
            "title": "Rà soát hạ tầng bưu chính",
            "description": "Rà soát điểm phục vụ bưu chính công ích.",
            "document_id": org.document.id,
            "field_id": org.field.id,
            "lead_unit_id": unit.id,
            "accountable_user_id": chief.id,
            "supervisor_id": org.leader.id,
            "start_date": today.strftime("%d/%m/%Y"),
            "due_date": parent.due_date.strftime("%d/%m/%Y"),
            "expected_outcome": "Báo cáo rà soát",
            "target": "100% điểm phục vụ",
            "process_steps": "Khảo sát\nBáo cáo",
            "priority": "normal",
            "weight": "2",
            "issue": "1",
        },
    )
    assert response.status_code == 302
    child = parent.subtasks[0]
    assert child.state == TaskState.ISSUED and child.weight == 2


def test_sub_tasks_through_the_api(client, org, now, divisions):
    parent = in_progress_task(org, now)
    unit, chief = divisions[0]
    head = api_as(client, org.head_a)
    today = (now + timedelta(hours=7)).date()
    body = {
        "title": "Nâng cấp cổng thông tin",
        "description": "Nâng cấp cổng thông tin điện tử của Sở.",
        "document_id": org.document.id,
        "field_id": org.field.id,
        "lead_unit_id": unit.id,
        "accountable_user_id": chief.id,
        "supervisor_user_id": org.leader.id,
        "start_date": today.isoformat(),
        "due_date": parent.due_date.isoformat(),
        "expected_outcome": "Cổng mới",
        "target": "Vận hành ổn định",
        "process_steps": ["Thiết kế", "Triển khai"],
        "weight": 2,
    }
    created = head.post(f"/tasks/{parent.id}/subtasks", body)
    assert created.status_code == 201
    child = created.get_json()
    assert child["parent_id"] == parent.id and child["weight"] == 2
    assert head.post(f"/tasks/{child['id']}/issue").get_json()["state"] == "issued"
    listed = head.get(f"/tasks/{parent.id}").get_json()
    assert listed["subtask_ids"] == [child["id"]]
    late = dict(body, due_date=(parent.due_date + timedelta(days=1)).isoformat())
    assert head.post(f"/tasks/{parent.id}/subtasks", late).status_code == 422
    assert api_as(client, org.staff_a).post(f"/tasks/{parent.id}/subtasks", body).status_code == 403


def test_reports_count_each_task_at_its_level_with_or_without_sub_tasks(
    client, org, now, divisions
):
    from tracker.clock import local_date, utcnow
    from tracker.oversight import reports

    parent = in_progress_task(org, now)
    _split(org, parent, divisions[0], now)
    _split(org, parent, divisions[1], now)
    day = local_date(utcnow())
    everything, by_unit = reports.unit_figures(org.assigner, day)
    top, top_by_unit = reports.unit_figures(org.assigner, day, top_level=True)
    assert (everything.total, top.total) == (3, 1)
    assert {u.code for u, _ in by_unit} == {"STTTT", "STTTT-CNTT", "STTTT-BCVT"}
    assert [u.code for u, _ in top_by_unit] == ["STTTT"]
    api = api_as(client, org.assigner)
    assert api.get("/reports/units").get_json()["total"]["total"] == 3
    assert api.get("/reports/units", include_subtasks="false").get_json()["total"]["total"] == 1

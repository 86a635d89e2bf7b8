"""One task issued to many units at once: a task each, followed together."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api_client import api_as
from tests.factories import complete_input, issued_task
from tracker.calendar.services import load_calendar
from tracker.clock import utcnow
from tracker.errors import PermissionDenied, ValidationError
from tracker.extensions import db
from tracker.org.models import UnitKind
from tracker.org.services import create_unit
from tracker.tasks import queries, services
from tracker.tasks.classification import AsOf
from tracker.tasks.models import Task, TaskState


def _today(now):
    return (now + timedelta(hours=7)).date()


def _district_task(org, now, district):
    unit, chair, _ = district
    task = issued_task(
        org, now, lead_unit_id=unit.id, accountable_user_id=chair.id, coordinating=[]
    )
    services.accept_task(task, actor=chair, now=now)
    db.session.commit()
    return task


def test_a_district_issues_a_task_to_all_its_communes(org, now, district):
    unit, chair, communes = district
    parent = _district_task(org, now, district)
    share = complete_input(org, _today(now), title="Rà soát hộ nghèo", coordinating=[])
    group = services.issue_to_units(
        share, [c.id for c in communes], actor=chair, now=now, parent=parent
    )
    db.session.commit()
    tasks = db.session.scalars(db.select(Task).where(Task.group_id == group.id)).all()
    assert sorted(t.lead_unit_id for t in tasks) == sorted(c.id for c in communes)
    assert {t.accountable_user_id for t in tasks} == {c.head_id for c in communes}
    assert all(t.state == TaskState.ISSUED and t.parent_id == parent.id for t in tasks)

    # One commune accepts, one finishes on time.
    first, second = tasks[0], tasks[1]
    services.accept_task(first, actor=first.accountable_user, now=now)
    services.accept_task(second, actor=second.accountable_user, now=now)
    services.submit_result(second, actor=second.accountable_user, now=now, result="Xong")
    services.review_result(second, actor=chair, now=now, accept=True)
    db.session.commit()
    summary = queries.group_summary(group.id, chair, AsOf.of(_today(now), load_calendar()))
    assert (summary.received, summary.accepted, summary.done) == (3, 2, 1)
    assert summary.count("done_on_time") == 1 and summary.count("overdue") == 0


def test_the_office_issues_to_many_units_and_nothing_when_one_cannot_take_it(org, now):
    headless = create_unit(
        code="SXD",
        name="Sở Xây dựng",
        kind=UnitKind.DEPARTMENT,
        parent=org.city,
        actor=None,
        now=now,
    )
    db.session.commit()
    share = complete_input(org, _today(now), coordinating=[])
    with pytest.raises(ValidationError) as refused:
        services.issue_to_units(
            share, [org.dept_a.id, org.dept_b.id, headless.id], actor=org.assigner, now=now
        )
    assert "Sở Xây dựng" in refused.value.message
    db.session.rollback()
    assert db.session.scalars(db.select(Task)).all() == []
    group = services.issue_to_units(
        share, [org.dept_a.id, org.dept_b.id], actor=org.assigner, now=now
    )
    db.session.commit()
    assert len(group.tasks) == 2 and all(t.parent_id is None for t in group.tasks)


def test_only_the_office_or_the_lead_units_head_issues_to_many(org, now):
    share = complete_input(org, _today(now), coordinating=[])
    with pytest.raises(PermissionDenied):
        services.issue_to_units(share, [org.dept_a.id, org.dept_b.id], actor=org.head_a, now=now)


def test_the_office_ticks_every_district_on_the_web_page(client, auth, org, now, district):
    auth.login("vanphong")
    assert "UBND huyện Hoài Đức" in client.get("/task-groups/new").get_data(as_text=True)
    today = _today(now)
    response = client.post(
        "/task-groups/new",
        data={
            "title": "Tổng kết công tác cải cách hành chính",
            "description": "Báo cáo tổng kết năm.",
            "document_id": org.document.id,
            "field_id": org.field.id,
            "supervisor_id": org.leader.id,
            "start_date": today.strftime("%d/%m/%Y"),
            "due_date": (today + timedelta(days=30)).strftime("%d/%m/%Y"),
            "expected_outcome": "Báo cáo",
            "target": "Đúng hạn",
            "process_steps": "Tổng hợp\nGửi báo cáo",
            "priority": "normal",
            "unit_ids": [org.dept_a.id, org.dept_b.id, district[0].id],
            "issue": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="group-received">3<' in page and "UBND huyện Hoài Đức" in page


def test_issuing_to_many_through_the_api(client, org, district):
    # The API acts at the real time, so the parent is given out at the real time too.
    unit, chair, communes = district
    now = utcnow()
    parent = _district_task(org, now, district)
    today = _today(now)
    body = {
        "title": "Cập nhật dữ liệu dân cư",
        "description": "Cập nhật dữ liệu dân cư trên địa bàn xã.",
        "document_id": org.document.id,
        "field_id": org.field.id,
        "supervisor_user_id": org.leader.id,
        "start_date": today.isoformat(),
        "due_date": (today + timedelta(days=20)).isoformat(),
        "expected_outcome": "Dữ liệu được cập nhật",
        "target": "100% hộ",
        "process_steps": ["Rà soát", "Cập nhật"],
        "unit_ids": [c.id for c in communes],
        "parent_task_id": parent.id,
    }
    created = api_as(client, chair).post("/task-groups", body)
    assert created.status_code == 201
    group = created.get_json()
    assert group["received"] == 3 and group["accepted"] == 0 and len(group["task_ids"]) == 3
    again = api_as(client, chair).get(f"/task-groups/{group['id']}").get_json()
    assert again["task_ids"] == group["task_ids"]
    assert api_as(client, org.head_b).get(f"/task-groups/{group['id']}").status_code == 404


def test_a_district_head_opens_the_form_for_its_communes(client, auth, org, now, district):
    unit, chair, communes = district
    parent = _district_task(org, now, district)
    auth.login("hoaiduc.chutich")
    page = client.get(f"/task-groups/new?parent={parent.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(c.name in html for c in communes)
    assert parent.due_date.strftime("%d/%m/%Y") in html  # the parent's deadline proposed
    auth.logout()
    auth.login("gd.tttt")
    assert client.get(f"/task-groups/new?parent={parent.id}").status_code == 404

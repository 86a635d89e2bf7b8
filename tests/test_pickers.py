"""The people pickers offer only whom a task may name: the lead unit's active leaders and
officers — never an inspector, an admin, a deactivated account or another unit's staff
(issue 17). The gate's own refusal of such people is in test_clarity.py."""

from __future__ import annotations

import re

import pytest

from tests.factories import _user, draft_task, issued_task
from tracker.extensions import db
from tracker.org.models import Role


@pytest.fixture
def dept_a_extras(org, now):
    """An inspector, an admin and a former officer, all of department A."""
    inspector = _user("tt.tttt", "Thanh Tra Sở", org.dept_a, [Role.INSPECTOR], now)
    admin = _user("qt.tttt", "Quản Trị Sở", org.dept_a, [Role.ADMIN], now)
    former = _user("cu.tttt", "Cán Bộ Cũ", org.dept_a, [Role.STAFF], now)
    former.active = False
    db.session.commit()
    return inspector, admin, former


def _offered(page: str, name: str) -> set[str]:
    """The labels a drop-down of the page offers (the empty choice left out)."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return {label for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)} - {"—"}


DEPT_A = {
    "Lê Thị Làm (Chuyên viên)",
    "Phạm Văn Hai (Chuyên viên)",
    "Trần Văn Trưởng (Giám đốc Sở)",
}


def test_the_carriers_of_a_unit_are_its_active_leaders_and_officers(
    client, auth, org, dept_a_extras
):
    auth.login("vanphong")
    people = client.get(f"/tasks/carriers?unit_id={org.dept_a.id}").get_json()
    assert {person["label"] for person in people} == DEPT_A
    assert client.get("/tasks/carriers").get_json() == []  # no unit chosen yet


def test_a_drafts_form_offers_only_its_lead_units_people(client, auth, org, now, dept_a_extras):
    task = draft_task(org, now)
    auth.login("vanphong")
    page = client.get(f"/tasks/{task.id}/edit").get_data(as_text=True)
    assert _offered(page, "accountable_user_id") == DEPT_A
    assert _offered(page, "assignee_user_id") == DEPT_A
    # A new task has no unit yet: nobody is offered until one is chosen.
    assert _offered(client.get("/tasks/new").get_data(as_text=True), "accountable_user_id") == set()


def test_the_heads_accept_form_offers_only_the_units_officers(
    client, auth, org, now, dept_a_extras
):
    task = issued_task(org, now)
    auth.login("gd.tttt")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert _offered(page, "assignee_user_id") == DEPT_A


def test_an_inspector_sent_as_carrier_is_refused_and_named(client, auth, org, now, dept_a_extras):
    inspector, _, _ = dept_a_extras
    task = issued_task(org, now)
    auth.login("gd.tttt")
    answer = client.post(f"/tasks/{task.id}/accept", data={"assignee_user_id": inspector.id})
    assert answer.status_code == 422
    assert "Thanh Tra Sở không phải lãnh đạo hay chuyên viên" in answer.get_data(as_text=True)
    db.session.refresh(task)
    assert task.state == "issued" and task.assignee_user_id is None


def test_a_person_of_another_unit_sent_as_accountable_is_refused_at_issue_with_the_reason(
    client, auth, org, now
):
    task = draft_task(org, now)
    auth.login("vanphong")
    page = client.get(f"/tasks/{task.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    answer = client.post(
        f"/tasks/{task.id}/edit",
        data={
            "version": version,
            "title": task.title,
            "lead_unit_id": org.dept_a.id,
            "accountable_user_id": org.staff_b.id,  # of Sở Tư pháp
            "issue": "1",
        },
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "người chịu trách nhiệm chính không thuộc đơn vị chủ trì" in page
    db.session.refresh(task)
    assert task.state == "draft"

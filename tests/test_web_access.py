"""Per role, the pages it may and may not reach."""

from __future__ import annotations

import pytest

from tests.factories import draft_task, issued_task

# path template → the users who may open it (everyone else signed in gets 403 or 404).
PAGES = {
    "/my-work": "all",  # "/" itself sends some roles on (test_workflow_notices)
    "/tasks": "all",
    "/documents": "all",
    "/tasks/{own}": {
        "vanphong",
        "gd.tttt",
        "cv.tttt",
        "gd.stp",
        "cv.stp",
        "pct.ha",
        "snv.thanhtra",
    },
    "/tasks/{foreign}": {"vanphong", "gd.stp", "cv.stp", "pct.ha", "snv.thanhtra"},
    "/tasks/{draft}": {"vanphong", "snv.thanhtra"},
    "/tasks/new": {"vanphong"},
    "/tasks/{draft}/edit": {"vanphong"},
    "/documents/new": {"vanphong"},
    "/admin/units": {"quantri"},
    "/admin/users": {"quantri"},
    "/notifications": "all",
    "/profile": "all",
    "/admin/fields": {"quantri"},
    "/admin/calendar": {"quantri"},
    "/admin/reminders": {"quantri"},
    "/import/tasks": {"vanphong"},
    "/import/org": {"quantri"},
    "/oversight": {"vanphong", "gd.tttt", "gd.stp", "pct.ha", "snv.thanhtra"},
    "/oversight/briefing": {"vanphong", "gd.tttt", "gd.stp", "pct.ha", "snv.thanhtra"},
    "/escalations": {"vanphong", "gd.tttt", "gd.stp", "pct.ha", "snv.thanhtra"},
    "/inspections": {"vanphong", "gd.tttt", "gd.stp", "snv.thanhtra", "quantri"},
    "/audit": {"snv.thanhtra", "quantri"},
}
USERS = ["vanphong", "gd.tttt", "cv.tttt", "gd.stp", "cv.stp", "pct.ha", "snv.thanhtra", "quantri"]


@pytest.fixture
def objects(org, now):
    # The leader supervises both tasks' field; department B coordinates the own task.
    own = issued_task(org, now, field_id=None)
    foreign = issued_task(
        org,
        now,
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
        field_id=None,
        supervisor_id=org.leader.id,
    )
    draft = draft_task(org, now)
    return {"own": own.id, "foreign": foreign.id, "draft": draft.id}


@pytest.mark.parametrize("username", USERS)
def test_each_role_reaches_exactly_its_pages(client, auth, objects, username):
    auth.login(username)
    for template, allowed in PAGES.items():
        path = template.format(**objects)
        status = client.get(path).status_code
        if allowed == "all" or username in allowed:
            assert status == 200, (username, path, status)
        else:
            assert status in (403, 404), (username, path, status)

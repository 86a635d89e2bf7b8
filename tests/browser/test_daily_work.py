"""A department's day on a phone: the bell and "Chờ tôi xử lý" bring the task, the head
accepts it, the office is told (issue 17). And no page of any role is wider than a phone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, draft_task
from tracker.demo.catalogue import DEMO_PASSWORD
from tracker.demo.stories import load_demo
from tracker.extensions import db
from tracker.tasks.models import SourceDocument, Task, TaskState

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _sign_in(browser, base: str, username: str, viewport=PHONE, password=PASSWORD):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_load_state()
    return page


def test_the_head_takes_a_new_task_from_the_bell_on_his_phone(
    app, org, now, live_server, browser, screenshot
):
    task_id = draft_task(org, now, title="Rà soát thủ tục hành chính quý IV").id
    db.session.commit()  # end the test's read: SQLite lets no one write while it lasts
    office = _sign_in(browser, live_server, "vanphong", {"width": 1366, "height": 900})
    office.goto(f"{live_server}/tasks/{task_id}")
    office.click("input[value='Giao nhiệm vụ']")
    assert "Đã giao nhiệm vụ" in office.locator(".alert").first.inner_text()

    head = _sign_in(browser, live_server, "gd.tttt")
    assert head.locator("#unread-count").inner_text() == "1"  # the bell
    pending = head.locator("#pending")
    assert "Tiếp nhận, phân công người thực hiện" in pending.inner_text()
    screenshot(head, "daily-01-head-phone-pending")
    pending.get_by_role("link", name="Rà soát thủ tục hành chính quý IV").click()
    # On the phone the action comes before the task's history.
    accept = head.locator("input[value='Tiếp nhận nhiệm vụ']")
    timeline = head.locator("#timeline-title")
    assert accept.bounding_box()["y"] < timeline.bounding_box()["y"]
    head.select_option("#assignee_user_id", label="Lê Thị Làm (Chuyên viên)")
    accept.click()
    assert "Đã tiếp nhận nhiệm vụ" in head.locator(".alert").first.inner_text()
    screenshot(head, "daily-02-head-phone-accepted")

    office.goto(f"{live_server}/notifications")
    assert "[Đã tiếp nhận] Rà soát thủ tục hành chính quý IV" in office.content()
    office.goto(f"{live_server}/tasks/{task_id}")
    assert "Đang thực hiện" in office.locator("h1 + p").inner_text()
    db.session.expire_all()
    assert db.session.get(Task, task_id).state == TaskState.ACCEPTED


# Every page a role reaches from its menu, and the pages of a task and a document.
PAGES = [
    "/",
    "/my-work",
    "/tasks",
    "/tasks/{running}",
    "/tasks/{submitted}",
    "/tasks/new",
    "/calendar/deadlines",
    "/documents",
    "/documents/{document}",
    "/notifications",
    "/profile",
    "/profile/access",
    "/oversight",
    "/oversight/briefing",
    "/oversight/units",
    "/oversight/notices",
    "/escalations",
    "/inspections",
    "/audit",
    "/admin/units",
    "/admin/users",
    "/admin/fields",
    "/admin/calendar",
    "/admin/reminders",
    "/admin/system",
    "/admin/webhooks",
    "/import/tasks",
    "/import/org",
]
# The demo's people: the admin, the office, a leader, a head, an officer, the inspector.
ROLES = ["quantri", "vanphong", "pct.ha", "snv.giamdoc", "stttt.minh", "snv.thanhtra"]


def _demo_ids() -> dict[str, int]:
    first = lambda *where: db.session.scalar(sa.select(sa.func.min(Task.id)).where(*where))  # noqa: E731
    ids = {
        "running": first(Task.state == TaskState.IN_PROGRESS),
        "submitted": first(Task.state == TaskState.SUBMITTED),
        "document": db.session.scalar(sa.select(sa.func.min(SourceDocument.id))),
    }
    db.session.commit()  # end the test's read before the browser writes (SQLite)
    return ids


def test_no_page_of_any_role_is_wider_than_a_phone(app, now, live_server, browser, screenshot):
    # The demo city: a deep tree of units, long names, a year of history on every list.
    load_demo(now=now)
    db.session.commit()
    ids = _demo_ids()
    too_wide = []
    for username in ROLES:
        page = _sign_in(browser, live_server, username, password=DEMO_PASSWORD)
        for path in PAGES:
            answer = page.goto(live_server + path.format(**ids))
            if answer.status >= 400:
                continue  # not this role's page
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{username} {path} ({width}px)")
                name = path.strip("/").replace("/", "-").replace("{", "").replace("}", "")
                screenshot(page, f"too-wide-{username}-{name or 'home'}")
        page.context.close()
    assert not too_wide, "wider than the phone: " + ", ".join(too_wide)

"""The audit trail reads as Sở Nội vụ speaks: people and units by name, actions and fields
in Vietnamese, local dates, the sweep as "Hệ thống (tự động)", the raw record one click
away (issue 17)."""

from __future__ import annotations

import re

from tests.factories import issued_task
from tests.test_reminders import DUE, sweep, wd
from tracker.extensions import db
from tracker.tasks import services


def _main_view(page: str) -> str:
    """The page without the raw records folded away under "Bản ghi gốc"."""
    return re.sub(r"<details class=\"audit-raw.*?</details>", "", page, flags=re.S)


def test_a_tasks_trail_names_people_and_units_and_speaks_vietnamese(client, auth, org, now):
    task = issued_task(org, now, due_date=DUE)
    services.accept_task(task, actor=org.head_a, now=now, assignee_id=org.staff_a.id)
    db.session.commit()
    sweep(wd(DUE, -5))
    auth.login("snv.thanhtra")
    page = client.get(f"/audit/tasks/{task.id}").get_data(as_text=True)
    shown = _main_view(page)
    # Names, not ids; Vietnamese labels, not codes or keys.
    assert "Lê Thị Làm" in shown and "Sở Thông tin và Truyền thông" in shown
    for raw in ("accountable_user_id", "assignee_user_id", "task.warning", "task.reminder"):
        assert raw not in shown, raw
    assert "<dt>Người thực hiện</dt>" in shown and "<dd>Lê Thị Làm</dd>" in shown
    # The sweep is the system, not "system"; times are local, dd/mm/yyyy HH:MM.
    assert "Hệ thống (tự động)" in shown and ">system<" not in shown
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", shown)
    # The raw record stays one click away.
    assert page.count("<summary>Bản ghi gốc</summary>") >= 3
    assert "assignee_user_id" in page

"""The admin sets the ladder; the sweep follows it."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import issued_task
from tests.test_reminders import DUE, sweep, wd
from tracker.extensions import db
from tracker.reminders.models import Escalation, EscalationSettings, Reminder, ReminderRule


def test_the_admin_sees_and_changes_the_rules(client, auth, org, now):
    auth.login("quantri")
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert "Cảnh báo quá hạn" in page and "Đôn đốc" in page
    five_before = db.session.scalar(sa.select(ReminderRule).where(ReminderRule.offset_days == -5))
    response = client.post(
        f"/admin/reminders/rules/{five_before.id}",
        data={
            "kind": "reminder",
            "offset_days": "-7",
            "recipients": ["accountable", "unit_head"],
            "for_milestones": "y",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (five_before.offset_days, five_before.recipients) == (-7, "accountable,unit_head")
    refused = client.post(
        "/admin/reminders/rules",
        data={"kind": "warning", "offset_days": "-1", "recipients": ["accountable"]},
    )
    assert refused.status_code == 422 and "sau ngày đến hạn" in refused.get_data(as_text=True)
    client.post(
        "/admin/reminders/thresholds", data={"overdue_working_days": "3", "unanswered_notices": "9"}
    )
    assert db.session.get(EscalationSettings, 1).overdue_working_days == 3


def test_the_sweep_follows_the_admins_rules(client, auth, org, now):
    auth.login("quantri")
    client.get("/admin/reminders")  # the defaults appear on first use
    client.post(
        "/admin/reminders/thresholds", data={"overdue_working_days": "3", "unanswered_notices": "9"}
    )
    urging = db.session.scalar(sa.select(ReminderRule).where(ReminderRule.kind == "urging"))
    client.post(
        f"/admin/reminders/rules/{urging.id}",
        data={
            "kind": "urging",
            "offset_days": "2",
            "repeat_every": "2",
            "recipients": ["supervisor"],
            "active": "y",
        },
    )
    issued_task(org, now, due_date=DUE)
    sweep(wd(DUE, 3))
    urgings = db.session.scalars(sa.select(Reminder).where(Reminder.kind == "urging")).all()
    assert [u.scheduled_on for u in urgings] == [wd(DUE, 2)]
    assert db.session.scalars(sa.select(Escalation)).one().opened_on == wd(DUE, 3)


def test_only_the_admin_may_change_the_rules(client, auth, org):
    auth.login("vanphong")
    assert client.get("/admin/reminders").status_code == 403
    assert (
        client.post(
            "/admin/reminders/thresholds",
            data={"overdue_working_days": "1", "unanswered_notices": "1"},
        ).status_code
        == 403
    )

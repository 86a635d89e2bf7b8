"""Every administrative action leaves an audit event naming who did what (ASVS V7.1, V7.2).

The table below has one entry per state-changing admin route; a new admin route that is
not in it fails ``test_every_admin_route_is_in_the_table``, so nobody can add one and
forget its audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import issued_task
from tracker.audit.models import AuditEvent
from tracker.calendar.models import DayKind
from tracker.calendar.services import set_override
from tracker.extensions import db
from tracker.org.services import set_unit_active, set_user_active
from tracker.reminders.models import ReminderRule
from tracker.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from tracker.webhooks.services import register_webhook

Setup = Callable[..., tuple[str, dict]]


def _rule_id(client) -> int:
    client.get("/admin/reminders")  # the default rules appear on first use
    return db.session.scalars(sa.select(ReminderRule.id).order_by(ReminderRule.id)).first()


def _webhook(org, now) -> Webhook:
    url = "http://127.0.0.1:9/"  # nothing listens: the delivery fails
    register_webhook(name="R", url=url, events=["task.issued"], actor=org.admin, now=now)
    db.session.commit()
    return db.session.scalars(sa.select(Webhook)).one()


def _failed_delivery(org, now) -> int:
    _webhook(org, now)
    issued_task(org, now)
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    delivery.status = DeliveryStatus.FAILED
    db.session.commit()
    return delivery.id


def _org_workbook(org, now) -> tuple[str, dict]:
    from io import BytesIO

    from tests.test_imports import _org_book, _user_row

    book = _org_book([], [_user_row("cv.nhap", "STP", "staff")])
    return "/import/org", {"file": (BytesIO(book), "to-chuc.xlsx")}


def _deactivated_unit(org, now):
    set_unit_active(org.dept_b, False, actor=None, now=now)
    db.session.commit()
    return f"/admin/units/{org.dept_b.id}/reactivate", {}


def _deactivated_user(org, now):
    set_user_active(org.staff_b, False, actor=None, now=now)
    db.session.commit()
    return f"/admin/users/{org.staff_b.id}/reactivate", {}


def _override(org, now):
    set_override(date(2026, 11, 7), DayKind.WORKING_DAY, "Làm bù", actor=None, now=now)
    db.session.commit()
    return "/admin/calendar/2026-11-07/remove", {}


NEW_USER = {
    "username": "cv9.stp",
    "full_name": "Người Mới",
    "roles": ["staff"],
    "password": "mot cau dai de nho",
    "confirm": "mot cau dai de nho",
}

# endpoint: (the action recorded, how to prepare the request: (org, now, client) → url, form)
ADMIN_ACTIONS: dict[str, tuple[str, Setup]] = {
    "org.new_unit": (
        "unit.created",
        lambda org, now, c: (
            "/admin/units/new",
            {"code": "P-MOI", "name": "Phòng mới", "kind": "division", "parent": org.dept_a.id},
        ),
    ),
    "org.edit_unit": (
        "unit.updated",
        lambda org, now, c: (
            f"/admin/units/{org.dept_b.id}",
            {"name": "Sở Tư pháp Hà Nội", "kind": "department", "parent": org.city.id},
        ),
    ),
    "org.deactivate_unit": (
        "unit.deactivated",
        lambda org, now, c: (f"/admin/units/{org.dept_b.id}/deactivate", {}),
    ),
    "org.reactivate_unit": ("unit.reactivated", lambda org, now, c: _deactivated_unit(org, now)),
    "org.new_user": (
        "user.created",
        lambda org, now, c: ("/admin/users/new", NEW_USER | {"unit": org.dept_b.id}),
    ),
    "org.edit_user": (
        "user.updated",
        lambda org, now, c: (
            f"/admin/users/{org.staff_b.id}",
            {"full_name": "Vũ Thị Tư (sửa)", "unit": org.dept_b.id, "roles": ["staff"]},
        ),
    ),
    "org.reset_password": (
        "user.password_reset",
        lambda org, now, c: (
            f"/admin/users/{org.staff_b.id}/password",
            {"password": "mat khau tam thoi 2026", "confirm": "mat khau tam thoi 2026"},
        ),
    ),
    "org.deactivate_user": (
        "user.deactivated",
        lambda org, now, c: (f"/admin/users/{org.staff_b.id}/deactivate", {}),
    ),
    "org.reactivate_user": ("user.reactivated", lambda org, now, c: _deactivated_user(org, now)),
    "org.new_field": (
        "field.created",
        lambda org, now, c: ("/admin/fields/new", {"code": "TP", "name": "Tư pháp"}),
    ),
    "org.edit_field": (
        "field.updated",
        lambda org, now, c: (f"/admin/fields/{org.field.id}", {"name": "Chuyển đổi số (sửa)"}),
    ),
    "calendar.overrides": (
        "calendar.override_set",
        lambda org, now, c: ("/admin/calendar", {"day": "03/11/2026", "kind": "day_off"}),
    ),
    "calendar.remove_override": (
        "calendar.override_removed",
        lambda org, now, c: _override(org, now),
    ),
    "reminder_rules.save_rule": (
        "reminder_rule.saved",
        lambda org, now, c: (
            f"/admin/reminders/rules/{_rule_id(c)}",
            {"kind": "reminder", "offset_days": "-7", "recipients": ["accountable"]},
        ),
    ),
    "reminder_rules.save_thresholds": (
        "escalation_settings.saved",
        lambda org, now, c: (
            "/admin/reminders/thresholds",
            {"overdue_working_days": "3", "unanswered_notices": "9"},
        ),
    ),
    "webhooks.index": (
        "webhook.created",
        lambda org, now, c: (
            "/admin/webhooks",
            {"name": "E-office", "url": "https://eoffice.example/h", "events": ["task.issued"]},
        ),
    ),
    "webhooks.set_active": (
        "webhook.deactivated",
        lambda org, now, c: (f"/admin/webhooks/{_webhook(org, now).id}/active/0", {}),
    ),
    "webhooks.retry": (
        "webhook.redelivery",
        lambda org, now, c: (f"/admin/webhooks/deliveries/{_failed_delivery(org, now)}/retry", {}),
    ),
    "imports.import_organisation": ("user.created", lambda org, now, c: _org_workbook(org, now)),
}
# Admin routes that change nothing: they are logged, not put in the trail.
READ_ONLY = {"audit.verify": "walks the hash chain and logs who checked it and the result"}
# Routes admins share with others, audited with the same services (tests of their features).
NOT_ADMIN_ONLY = {"imports.import_tasks"}


def test_every_admin_route_is_in_the_table(app):
    admin_routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        and (rule.rule.startswith(("/admin/", "/import/", "/audit/")) or rule.rule == "/admin")
    }
    assert admin_routes - NOT_ADMIN_ONLY == set(ADMIN_ACTIONS) | set(READ_ONLY)


@pytest.mark.parametrize("endpoint", sorted(ADMIN_ACTIONS))
def test_each_admin_action_writes_an_audit_event_naming_the_admin(client, auth, org, now, endpoint):
    action, setup = ADMIN_ACTIONS[endpoint]
    auth.login("quantri")
    url, form = setup(org, now, client)
    newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0
    multipart = any(isinstance(value, tuple) for value in form.values())
    response = client.post(
        url, data=form, content_type="multipart/form-data" if multipart else None
    )
    assert response.status_code in (200, 302), response.get_data(as_text=True)[-2000:]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq > newest)).all()
    assert [e for e in events if e.action == action and e.actor_id == org.admin.id], [
        (e.action, e.actor_id) for e in events
    ]

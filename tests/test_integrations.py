"""Calendar feeds, personal tokens on the profile page, and signed outbound webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from icalendar import Calendar

from tests.factories import draft_task, in_progress_task, issued_task
from tracker.audit.services import record
from tracker.auth.tokens import calendar_token
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.jobs.outbox import deliver_webhooks
from tracker.notify.models import DeliveryStatus
from tracker.tasks import services
from tracker.tasks.services import MilestoneInput
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.services import SIGNATURE_HEADER, register_webhook

# ------------------------------------------------------------------ calendar feed


def _feed_events(client, secret: str) -> dict[str, object]:
    response = client.get(f"/feeds/{secret}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_the_calendar_feed_holds_due_dates_and_open_milestones(client, org, now):
    first_day = now.date() + timedelta(days=10)
    task = in_progress_task(org, now, milestones=[MilestoneInput("Khảo sát xong", first_day)])
    secret = calendar_token(org.staff_a, now=utcnow())
    db.session.commit()
    events = _feed_events(client, secret)
    due = events[f"Hạn: {task.title}"]
    assert due.decoded("dtstart") == task.due_date
    milestone = task.milestones[0]
    assert events[f"Mốc: {milestone.title} – {task.title}"].decoded("dtstart") == (
        milestone.due_date
    )


def test_the_feed_shows_only_the_owners_open_tasks(client, org, now):
    mine = issued_task(org, now, title="Việc của Sở A")
    issued_task(
        org,
        now,
        title="Việc của Sở B",
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
    )
    draft_task(org, now, title="Dự thảo")
    secret = calendar_token(org.head_a, now=utcnow())
    db.session.commit()
    summaries = set(_feed_events(client, secret))
    assert f"Hạn: {mine.title}" in summaries
    assert not any("Sở B" in s or "Dự thảo" in s for s in summaries)


def test_a_new_calendar_address_stops_the_old_one(client, org):
    old = calendar_token(org.staff_a, now=utcnow())
    db.session.commit()
    new = calendar_token(org.staff_a, now=utcnow())
    db.session.commit()
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200


def test_an_api_token_does_not_open_a_calendar_and_back(client, org):
    from tests.api_client import api_as

    api = api_as(client, org.staff_a)
    api_token = api._headers["Authorization"].split()[1]
    assert client.get(f"/feeds/{api_token}.ics").status_code == 404
    feed_secret = calendar_token(org.staff_a, now=utcnow())
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {feed_secret}"})
    assert response.status_code == 401


# ------------------------------------------------------------------ tokens on the profile page


def _shown_secret(page: str, element_id: str) -> str:
    marker = f'id="{element_id}">'
    start = page.index(marker) + len(marker)
    return page[start : page.index("<", start)]


def test_a_person_makes_uses_and_revokes_a_personal_token(client, auth, org):
    auth.login("gd.tttt")
    page = client.post("/profile/access", data={"name": "Phần mềm báo cáo", "days": 30})
    assert page.status_code == 200
    secret = _shown_secret(page.get_data(as_text=True), "new-token")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["username"] == "gd.tttt"

    listed = client.get("/profile/access").get_data(as_text=True)
    assert "Phần mềm báo cáo" in listed and secret not in listed
    from tracker.auth.models import AccessToken

    token = db.session.scalars(db.select(AccessToken)).one()
    assert token.expires_at - token.created_at == timedelta(days=30)
    client.post(f"/profile/access/{token.id}/revoke")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_lifetime_outside_the_rule_is_refused(client, auth, org):
    auth.login("gd.tttt")
    response = client.post("/profile/access", data={"name": "Quá dài", "days": 5000})
    assert response.status_code == 422
    from tracker.auth.models import AccessToken

    assert db.session.scalars(db.select(AccessToken)).all() == []


def test_nobody_revokes_anothers_token(client, auth, org):
    from tracker.auth.tokens import personal_token

    personal_token(org.head_b, name="Của Sở B", days=10, now=utcnow())
    db.session.commit()
    from tracker.auth.models import AccessToken

    token = db.session.scalars(db.select(AccessToken)).one()
    auth.login("gd.tttt")
    assert client.post(f"/profile/access/{token.id}/revoke").status_code == 404
    db.session.expire_all()
    assert token.revoked_at is None


def test_a_person_gets_and_stops_a_calendar_address_from_the_profile(client, auth, org):
    auth.login("cv.tttt")
    page = client.post("/profile/access/calendar").get_data(as_text=True)
    url = _shown_secret(page, "feed-url")
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    client.post("/profile/access/calendar/revoke")
    assert client.get(f"/{path}").status_code == 404


# ------------------------------------------------------------------ webhooks


class _Receiver(BaseHTTPRequestHandler):
    """Records each POST; answers with the next status of the server's script."""

    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    server.received, server.statuses = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def test_a_webhook_is_received_with_a_valid_signature(org, now, receiver):
    webhook, secret = register_webhook(
        name="Hệ thống quản lý văn bản",
        url=_url(receiver),
        events=["task.issued", "task.completed"],
        actor=org.admin,
        now=now,
    )
    db.session.commit()
    task = issued_task(org, now)
    assert deliver_webhooks(now) == (1, 0)

    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers[SIGNATURE_HEADER], expected)
    payload = json.loads(body)
    assert payload["event"] == "task.issued" and headers["X-Tracker-Event"] == "task.issued"
    assert payload["task"]["id"] == task.id and payload["task"]["state"] == "issued"
    assert headers["X-Tracker-Delivery"] == payload["event_id"]


def test_a_failed_delivery_is_retried_later_and_sent_once(org, now, receiver):
    register_webhook(
        name="Báo cáo", url=_url(receiver), events=["task.issued"], actor=org.admin, now=now
    )
    db.session.commit()
    issued_task(org, now)
    receiver.statuses = [500]
    assert deliver_webhooks(now) == (0, 1)
    delivery = db.session.scalars(db.select(WebhookDelivery)).one()
    assert delivery.status == DeliveryStatus.PENDING and delivery.response_status == 500
    assert deliver_webhooks(now) == (0, 0)  # not before its pause is over
    assert deliver_webhooks(now + timedelta(minutes=2)) == (1, 0)
    assert deliver_webhooks(now + timedelta(hours=1)) == (0, 0)
    assert len(receiver.received) == 2
    assert receiver.received[0][1] == receiver.received[1][1]  # the same signed body
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2


def test_an_unreachable_receiver_is_logged_and_retried(org, now):
    register_webhook(
        name="Tắt máy",
        url="http://127.0.0.1:9/hook",
        events=["task.issued"],
        actor=org.admin,
        now=now,
    )
    db.session.commit()
    issued_task(org, now)
    assert deliver_webhooks(now) == (0, 1)
    delivery = db.session.scalars(db.select(WebhookDelivery)).one()
    assert delivery.last_error and delivery.status == DeliveryStatus.PENDING


def test_only_subscribed_events_of_active_receivers_are_queued(org, now):
    hook, _ = register_webhook(
        name="Chỉ hoàn thành",
        url="http://127.0.0.1:9/",
        events=["task.completed"],
        actor=org.admin,
        now=now,
    )
    paused, _ = register_webhook(
        name="Tạm dừng",
        url="http://127.0.0.1:9/",
        events=["task.issued"],
        actor=org.admin,
        now=now,
    )
    paused.active = False
    db.session.commit()
    task = in_progress_task(org, now)
    services.submit_result(task, actor=org.head_a, now=now, result="Xong")
    services.review_result(task, actor=org.assigner, now=now, accept=True)
    db.session.commit()
    deliveries = db.session.scalars(db.select(WebhookDelivery)).all()
    assert [(d.webhook_id, d.event) for d in deliveries] == [(hook.id, "task.completed")]


def test_overdue_and_escalation_notices_become_their_events(org, now):
    register_webhook(
        name="Tất cả",
        url="http://127.0.0.1:9/",
        events=["task.overdue", "task.escalated"],
        actor=org.admin,
        now=now,
    )
    task = issued_task(org, now)
    record("task.warning", task, actor=None, now=now, after={"overdue_days": 1})
    record("task.escalated", task, actor=None, now=now, after={"overdue_days": 10})
    db.session.commit()
    events = [d.event for d in db.session.scalars(db.select(WebhookDelivery))]
    assert events == ["task.overdue", "task.escalated"]


def test_a_rolled_back_change_sends_nothing(org, now):
    register_webhook(
        name="R", url="http://127.0.0.1:9/", events=["task.issued"], actor=org.admin, now=now
    )
    db.session.commit()
    task = draft_task(org, now)
    services.issue_task(task, actor=org.assigner, now=now)
    db.session.rollback()
    assert db.session.scalars(db.select(WebhookDelivery)).all() == []


def test_admins_register_receivers_and_see_the_key_once(client, auth, org):
    auth.login("quantri")
    page = client.post(
        "/admin/webhooks",
        data={"name": "E-office", "url": "https://eoffice.example/hook", "events": ["task.issued"]},
    )
    assert page.status_code == 200
    secret = _shown_secret(page.get_data(as_text=True), "webhook-secret")
    assert len(secret) == 64
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert "E-office" in listing and secret not in listing


@pytest.mark.parametrize("url", ["ftp://x.example/", "javascript:alert(1)", "eoffice/hook", ""])
def test_a_receiver_address_must_be_http(client, auth, org, url):
    auth.login("quantri")
    response = client.post(
        "/admin/webhooks", data={"name": "X", "url": url, "events": ["task.issued"]}
    )
    assert response.status_code == 422


def test_only_admins_manage_receivers(client, auth, org):
    auth.login("vanphong")
    assert client.get("/admin/webhooks").status_code == 403


def test_an_admin_sends_a_failed_delivery_again(client, auth, org, now):
    register_webhook(
        name="R", url="http://127.0.0.1:9/", events=["task.issued"], actor=org.admin, now=now
    )
    db.session.commit()
    issued_task(org, now)
    delivery = db.session.scalars(db.select(WebhookDelivery)).one()
    delivery.status = DeliveryStatus.FAILED
    db.session.commit()
    auth.login("quantri")
    assert f"/admin/webhooks/deliveries/{delivery.id}/retry" in client.get(
        f"/admin/webhooks/{delivery.webhook_id}"
    ).get_data(as_text=True)
    client.post(f"/admin/webhooks/deliveries/{delivery.id}/retry")
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.PENDING


def test_the_api_reference_is_served_from_the_app(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/tasks/{task_id}/issue" in spec["paths"]

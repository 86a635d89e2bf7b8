"""Email through a real SMTP server on loopback: the right Vietnamese text, exactly once."""

from __future__ import annotations

import socket
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.factories import forget_workflow_notices, issued_task
from tests.test_reminders import DUE, at, sweep, wd
from tracker.extensions import db
from tracker.jobs.outbox import deliver_digests, deliver_pending
from tracker.notify.email import SmtpSender
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.org.models import EmailMode


class Sink:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    # aiosmtpd cannot pick a free port itself (port=0 fails), so find one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    sink, port = Sink(), _free_port()
    servers = [Controller(sink, hostname="127.0.0.1", port=port)]
    servers[0].start()
    yield sink, port, servers
    for server in servers:
        if getattr(server, "_thread", None) is not None:
            server.stop()


def _sender(app, port) -> SmtpSender:
    return SmtpSender(
        {
            **app.config,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_TIMEOUT": 5,
            "MAIL_FROM": "nhiemvu@hanoi.gov.vn",
        }
    )


def _with_email(org):
    org.head_a.email = "truong@tttt.hanoi.gov.vn"
    org.assigner.email = "giao@vpub.hanoi.gov.vn"
    db.session.commit()


def test_warnings_arrive_by_email_in_vietnamese(app, org, now, smtp):
    sink, port, _ = smtp
    _with_email(org)
    issued_task(org, now, title="Số hoá hồ sơ TTHC", due_date=DUE)
    forget_workflow_notices()  # this test follows the sweep's mail
    sweep(wd(DUE, 1))
    sent, failed = deliver_pending(at(wd(DUE, 1)), _sender(app, port))
    assert (sent, failed) == (
        5,
        0,
    )  # three reminders and the warning to the head, one to the office
    subjects = sorted(m["Subject"] for m in sink.messages)
    assert "[Cảnh báo quá hạn] Số hoá hồ sơ TTHC — hạn 16/11/2026" in subjects
    warning = next(
        m for m in sink.messages if m["Subject"].startswith("[Cảnh báo") and "truong@" in m["To"]
    )
    body = warning.get_content()
    assert "đã quá hạn 1 ngày làm việc" in body and "Căn cứ: Kế hoạch 171-KH/TU" in body
    assert warning["From"] == "nhiemvu@hanoi.gov.vn"
    assert "Trần Văn Trưởng" in warning["To"]
    # Nothing is sent twice.
    assert deliver_pending(at(wd(DUE, 2)), _sender(app, port)) == (0, 0)
    assert len(sink.messages) == 5


def test_a_server_that_is_down_delays_mail_and_loses_none(app, org, now, smtp):
    sink, port, servers = smtp
    _with_email(org)
    issued_task(org, now, due_date=DUE)
    forget_workflow_notices()  # this test follows the sweep's mail
    sweep(wd(DUE, 1))
    servers[0].stop()
    moment = at(wd(DUE, 1))
    for minutes in range(0, 60, 5):  # an hour of attempts while the server is down
        deliver_pending(moment + timedelta(minutes=minutes), _sender(app, port))
    waiting = db.session.scalars(
        sa.select(Notification).where(Notification.channel == Channel.EMAIL)
    ).all()
    assert {n.status for n in waiting} == {DeliveryStatus.PENDING}
    assert all(n.attempts >= 3 and n.last_error for n in waiting)
    servers.append(Controller(sink, hostname="127.0.0.1", port=port))  # back up
    servers[-1].start()
    later = moment + timedelta(hours=3)
    sent, _ = deliver_pending(later, _sender(app, port))
    assert sent == len(waiting) == len(sink.messages) == 5
    assert deliver_pending(later + timedelta(hours=1), _sender(app, port)) == (0, 0)
    ids = [m["Message-ID"] for m in sink.messages]
    assert len(set(ids)) == len(ids)


def test_digest_users_get_one_morning_email(app, org, now, smtp):
    sink, port, _ = smtp
    _with_email(org)
    org.head_a.email_mode = EmailMode.DIGEST
    db.session.commit()
    issued_task(org, now, due_date=DUE)
    forget_workflow_notices()  # this test follows the sweep's mail
    sweep(wd(DUE, 1))
    assert deliver_pending(at(wd(DUE, 1)), _sender(app, port)) == (1, 0)  # the office's
    sent, _ = deliver_digests(at(date(2026, 11, 18), 7), _sender(app, port))
    assert sent == 1
    digest = sink.messages[-1]
    assert digest["Subject"] == "[Tổng hợp buổi sáng] 4 thông báo về nhiệm vụ"
    assert "truong@" in digest["To"]
    assert deliver_digests(at(date(2026, 11, 19), 7), _sender(app, port)) == (0, 0)

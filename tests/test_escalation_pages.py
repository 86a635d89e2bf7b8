"""Sở Nội vụ's queue, a record's page, conclusions and corrections; the inbox and the bell."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL
from tests.factories import escalation_of, issued_task
from tests.test_reminders import DUE, at, sweep, wd
from tracker.errors import TransitionError
from tracker.extensions import db
from tracker.org.models import User
from tracker.oversight.reports import scorecards
from tracker.reminders.escalation_routes import PER_PAGE
from tracker.reminders.models import Conclusion, Escalation
from tracker.reminders.services import conclude


def _escalated(org, now):
    task = issued_task(org, now, title="Việc quá hạn lâu", due_date=DUE)
    sweep(wd(DUE, 10))
    return task, db.session.scalars(sa.select(Escalation)).one()


def test_the_inspector_sees_the_queue_and_concludes(client, auth, org, now):
    task, escalation = _escalated(org, now)
    auth.login("snv.thanhtra")
    page = client.get("/escalations").get_data(as_text=True)
    assert "Việc quá hạn lâu" in page and "Chưa kết luận" in page
    page = client.get(f"/escalations/{escalation.id}").get_data(as_text=True)
    assert "Cảnh báo quá hạn" in page and "Đôn đốc" in page and "Trần Văn Trưởng" in page
    response = client.post(
        f"/escalations/{escalation.id}/conclusion",
        data={"outcome": "criticism", "note": "Chậm báo cáo, không có lý do"},
    )
    assert response.status_code == 302
    # A concluded record is never edited: a second conclusion must name the one it corrects.
    refused = client.post(
        f"/escalations/{escalation.id}/conclusion", data={"outcome": "no_fault", "note": "Sửa lại"}
    )
    assert refused.status_code == 409
    first = db.session.scalars(sa.select(Conclusion)).one()
    corrected = client.post(
        f"/escalations/{escalation.id}/conclusion",
        data={
            "outcome": "no_fault",
            "note": "Có văn bản xin lùi hạn",
            "corrects_id": str(first.id),
        },
    )
    assert corrected.status_code == 302
    conclusions = db.session.scalars(sa.select(Conclusion).order_by(Conclusion.id)).all()
    assert [(c.outcome.value, c.corrects_id) for c in conclusions] == [
        ("criticism", None),
        ("no_fault", first.id),
    ]
    timeline = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Chuyển Sở Nội vụ xem xét trách nhiệm" in timeline
    assert "Kết luận xem xét trách nhiệm" in timeline


def test_who_sees_which_records(client, auth, org, now):
    _, escalation = _escalated(org, now)
    # Another unit's head follows escalations but not this one: not found. Staff follow
    # none at all: refused, as on the queue and in the API.
    for username, expected in (
        ("gd.tttt", 200),
        ("pct.ha", 200),
        ("gd.stp", 404),
        ("cv.tttt", 403),
    ):
        auth.login(username)
        status = client.get(f"/escalations/{escalation.id}").status_code
        assert status == expected, username
        auth.logout()
    auth.login("gd.tttt")
    response = client.post(
        f"/escalations/{escalation.id}/conclusion",
        data={"outcome": "no_fault", "note": "Tự kết luận"},
    )
    assert response.status_code == 403
    assert db.session.query(Conclusion).count() == 0


def test_the_bell_counts_unread_notices_and_the_inbox_marks_them_read(client, auth, org, now):
    issued_task(org, now, title="Việc sắp đến hạn", due_date=DUE)
    sweep(wd(DUE, -2))
    auth.login("gd.tttt")
    page = client.get("/").get_data(as_text=True)
    assert 'id="unread-count">3<' in page  # the task's arrival and two reminders
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "[Nhắc hạn] Việc sắp đến hạn" in inbox
    client.post("/notifications/read")
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)


def test_each_person_chooses_how_email_reaches_them(client, auth, org):
    auth.login("cv.tttt")
    client.post("/profile", data={"email_mode": "digest"})
    db.session.expire_all()
    assert org.staff_a.email_mode.value == "digest"


def test_a_scorecard_counts_each_record_once_as_the_conclusion_in_force_at_its_end(org, now):
    # Sở Nội vụ concluded "phê bình" on 07/12 and corrected it to "không có lỗi" on 14/12:
    # a scorecard ending between the two says "phê bình"; one ending later says only the
    # correction; one ending before the first conclusion says nothing.
    task, escalation = _escalated(org, now)
    first = conclude(
        escalation,
        actor=org.inspector,
        now=at(date(2026, 12, 7)),
        outcome="criticism",
        note="Chậm báo cáo, không có lý do",
    )
    conclude(
        escalation,
        actor=org.inspector,
        now=at(date(2026, 12, 14)),
        outcome="no_fault",
        note="Có văn bản xin lùi hạn",
        corrects_id=first.id,
    )
    db.session.commit()

    def conclusions_by(end: date) -> dict:
        scores = scorecards(org.inspector, date(2026, 1, 1), end)
        return scores[task.lead_unit_id].conclusions

    assert conclusions_by(date(2026, 12, 4)) == {}
    assert conclusions_by(date(2026, 12, 10)) == {"criticism": 1}
    assert conclusions_by(date(2026, 12, 31)) == {"no_fault": 1}


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="SQLite takes the write lock when a transaction begins: conclusions cannot interleave",
)
def test_a_conclusion_recorded_meanwhile_makes_the_second_a_correction(org, now):
    # One inspector opened the record before any conclusion; another concluded it and
    # committed before the first did: the first must now name that conclusion to correct
    # it, not record a second "first" conclusion beside it.
    _, escalation = _escalated(org, now)
    escalation_id, inspector_id = escalation.id, org.inspector.id
    db.session.expunge_all()  # a fresh request of the first inspector's
    escalation = db.session.get(Escalation, escalation_id)
    assert escalation.conclusions == []  # as the first inspector read it
    with db.engine.begin() as other_inspector:
        other_inspector.execute(
            sa.insert(Conclusion).values(
                escalation_id=escalation_id, outcome="criticism", note="Chậm báo cáo",
                concluded_by_id=inspector_id, concluded_at=at(date(2026, 12, 7)),
            )
        )  # fmt: skip
    with pytest.raises(TransitionError):
        conclude(
            escalation,
            actor=db.session.get(User, inspector_id),
            now=at(date(2026, 12, 7)),
            outcome="no_fault",
            note="Có văn bản xin lùi hạn",
        )


def test_the_record_list_shows_every_page_its_range_and_todays_lateness(
    client, auth, org, now, clock
):
    opened_on = wd(DUE, 10)
    tasks = [issued_task(org, now, title=f"Việc {n}", due_date=DUE) for n in range(PER_PAGE + 4)]
    for task in tasks:
        escalation_of(task, opened_at=at(opened_on))
    db.session.commit()
    clock.set(at(opened_on))
    auth.login("snv.thanhtra")
    first = client.get("/escalations").get_data(as_text=True)
    assert f"Đang xem 1–{PER_PAGE} trong {PER_PAGE + 4}" in first
    assert 'href="/escalations?page=2"' in first
    second = client.get("/escalations?page=2").get_data(as_text=True)
    assert f"Đang xem {PER_PAGE + 1}–{PER_PAGE + 4} trong {PER_PAGE + 4}" in second
    assert second.count("/escalations/") - second.count("/escalations/?") >= 4
    # Lateness counts on to today, not frozen at the day the record opened.
    clock.set(at(wd(DUE, 12)))
    auth.login("snv.thanhtra")  # two days on: a new session
    today = client.get("/escalations?page=2").get_data(as_text=True)
    assert "12 ngày làm việc" in today and "10 ngày làm việc" not in today

"""A proposal of discipline as Nghị định 172/2025/NĐ-CP has it (issue 18): its form, its
severity and the competent authority; no abolished form; cách chức only for one who holds
a post; and a conclusion form with nothing chosen beforehand."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.api_client import api_as
from tests.factories import issued_task
from tests.test_reminders import DUE, sweep, wd
from tracker.clock import local_date
from tracker.extensions import db
from tracker.reminders.models import Conclusion, Escalation

PROPOSAL = {
    "outcome": "discipline",
    "note": "Chậm 10 ngày làm việc, không giải trình",
    "discipline_form": "reprimand",
    "severity": "less_serious",
    "competent_authority": "Chủ tịch UBND thành phố",
}


def _escalated(org, now, accountable=None) -> Escalation:
    accountable = accountable or org.head_a
    issued_task(org, now, due_date=DUE, accountable_user_id=accountable.id)
    sweep(wd(DUE, 10))
    return db.session.scalars(sa.select(Escalation)).one()


def _conclude(client, org, escalation, **changes):
    body = {k: v for k, v in {**PROPOSAL, **changes}.items() if v is not None}
    return api_as(client, org.inspector).post(f"/escalations/{escalation.id}/conclusion", body)


def test_a_proposal_of_discipline_names_its_form_severity_and_authority(client, org, now):
    escalation = _escalated(org, now)
    answer = _conclude(client, org, escalation)
    assert answer.status_code == 201
    [conclusion] = answer.get_json()["conclusions"]
    assert (conclusion["discipline_form"], conclusion["severity"]) == ("reprimand", "less_serious")
    assert conclusion["competent_authority"] == "Chủ tịch UBND thành phố"


@pytest.mark.parametrize("missing", ["discipline_form", "severity", "competent_authority"])
def test_a_proposal_of_discipline_without_its_details_is_refused(client, org, now, missing):
    escalation = _escalated(org, now)
    answer = _conclude(client, org, escalation, **{missing: None})
    assert answer.status_code == 422
    assert missing in answer.get_json()["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Conclusion.id))) == 0


@pytest.mark.parametrize(
    ("form", "name"), [("salary_downgrade", "hạ bậc lương"), ("demotion", "giáng chức")]
)
def test_the_forms_nd172_abolished_are_refused_naming_the_decree(client, org, now, form, name):
    escalation = _escalated(org, now)
    answer = _conclude(client, org, escalation, discipline_form=form)
    assert answer.status_code == 422
    message = answer.get_json()["message"]
    assert name in message and "Nghị định 172/2025/NĐ-CP" in message


def test_dismissal_is_refused_for_one_without_a_post(client, org, now):
    escalation = _escalated(org, now, accountable=org.staff_a)  # an officer, not a head
    answer = _conclude(client, org, escalation, discipline_form="dismissal")
    assert answer.status_code == 422
    assert "chức vụ lãnh đạo, quản lý" in answer.get_json()["message"]


def test_dismissal_may_be_proposed_for_a_head(client, org, now):
    escalation = _escalated(org, now)  # the head of Sở TT&TT answers for the task
    assert _conclude(client, org, escalation, discipline_form="dismissal").status_code == 201


def test_other_outcomes_carry_no_discipline_details(client, org, now):
    escalation = _escalated(org, now)
    answer = _conclude(client, org, escalation, outcome="criticism")
    [conclusion] = answer.get_json()["conclusions"]
    assert conclusion["discipline_form"] is None and conclusion["severity"] is None


def test_the_conclusion_form_has_nothing_chosen_and_shows_the_proposal(client, auth, org, now):
    escalation = _escalated(org, now)
    auth.login("snv.thanhtra")
    page = client.get(f"/escalations/{escalation.id}").get_data(as_text=True)
    select = page.split('name="outcome"', 1)[1].split("</select>", 1)[0]
    assert "selected" not in select.split("</option>", 1)[1]  # only the prompt may be
    refused = client.post(f"/escalations/{escalation.id}/conclusion", data={"note": "Xem xét"})
    assert refused.status_code == 422 and "Hãy chọn kết luận." in refused.get_data(as_text=True)
    client.post(f"/escalations/{escalation.id}/conclusion", data=PROPOSAL)
    page = client.get(f"/escalations/{escalation.id}").get_data(as_text=True)
    assert "Khiển trách" in page and "Ít nghiêm trọng" in page and "Chủ tịch UBND thành phố" in page


def _decide(client, org, escalation, **changes):
    body = {"number": "125/QĐ-UBND", "signed_on": "2026-12-15", "form": "reprimand"}
    body.update(changes)
    return api_as(client, org.inspector).post(f"/escalations/{escalation.id}/decision", body)


def test_the_authoritys_decision_is_recorded_once_on_a_proposal(client, org, now, clock):
    escalation = _escalated(org, now)
    assert _decide(client, org, escalation).status_code == 409  # nothing proposed yet
    _conclude(client, org, escalation)
    clock.advance(timedelta(days=30))
    answer = _decide(client, org, escalation, signed_on=str(local_date(clock.now)))
    assert answer.status_code == 201
    decision = answer.get_json()["decision"]
    assert (decision["number"], decision["form"]) == ("125/QĐ-UBND", "reprimand")
    assert answer.get_json()["decision_overdue"] is False
    assert _decide(client, org, escalation).status_code == 409  # never recorded twice


@pytest.mark.parametrize(
    "changes",
    [{"form": "salary_downgrade"}, {"signed_on": "2027-06-01"}, {"number": " "}],
    ids=["abolished form", "signed in the future", "no number"],
)
def test_a_decision_that_cannot_be_true_is_refused(client, org, now, clock, changes):
    escalation = _escalated(org, now)
    _conclude(client, org, escalation)
    clock.advance(timedelta(days=10))
    answer = _decide(
        client, org, escalation, **{"signed_on": str(local_date(clock.now)), **changes}
    )
    assert answer.status_code == 422
    db.session.expire_all()
    assert db.session.get(Escalation, escalation.id).decision is None


def test_a_proposal_without_a_decision_after_90_days_is_flagged_and_listed(client, org, now, clock):
    escalation = _escalated(org, now)
    _conclude(client, org, escalation)

    def overdue() -> list[int]:
        inspector = api_as(client, org.inspector)  # a token of the day
        listed = inspector.get("/escalations", status="decision_overdue").get_json()["items"]
        return [e["id"] for e in listed if e["decision_overdue"]]

    clock.advance(timedelta(days=89))
    assert overdue() == []
    clock.advance(timedelta(days=2))
    assert overdue() == [escalation.id]


def test_the_inspector_records_the_decision_on_the_page(client, auth, org, now, clock):
    clock.set(now)
    escalation = _escalated(org, now)
    auth.login("snv.thanhtra")
    client.post(f"/escalations/{escalation.id}/conclusion", data=PROPOSAL)
    answer = client.post(
        f"/escalations/{escalation.id}/decision",
        data={
            "number": "7/QĐ-UBND",
            "signed_on": local_date(clock.now).isoformat(),
            "form": "none",
        },
    )
    assert answer.status_code == 302
    page = client.get(f"/escalations/{escalation.id}").get_data(as_text=True)
    assert "Không xử lý kỷ luật" in page and "Quyết định số 7/QĐ-UBND" in page

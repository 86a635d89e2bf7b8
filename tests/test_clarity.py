"""The 5 rõ gate: a task is issued only when it is clear on every "rõ"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import complete_input, draft_task
from tracker.errors import IncompleteTaskError
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.clarity import CLARITY_KEYS, missing_clarity
from tracker.tasks.models import TaskState
from tracker.tasks.services import CoordinationInput, MilestoneInput

TODAY_OFFSET = timedelta(hours=7)

# One way of leaving each "rõ" unclear, and the words the refusal must use.
UNCLEAR = {
    "task": ({"document_id": None}, "văn bản chỉ đạo"),
    "person": ({"accountable_user_id": None}, "một việc – một đầu mối"),
    "timeline": ({"due_date": None}, "hạn hoàn thành"),
    "process": ({"process_steps": ["Làm"]}, "ít nhất 2 bước"),
    "outcome": ({"target": ""}, "tiêu chí nghiệm thu"),
    "responsibility": ({"supervisor_id": None}, "lãnh đạo phụ trách"),
}


def _today(now):
    return (now + TODAY_OFFSET).date()


def test_a_complete_task_is_issued(org, now):
    task = draft_task(org, now)
    services.issue_task(task, actor=org.assigner, now=now)
    db.session.commit()
    assert task.state == TaskState.ISSUED
    assert task.original_due_date == task.due_date


@pytest.mark.parametrize("key", CLARITY_KEYS)
def test_issuing_refuses_each_missing_ro_on_its_own_and_names_it(org, now, key):
    overrides, words = UNCLEAR[key]
    task = draft_task(org, now, **overrides)
    with pytest.raises(IncompleteTaskError) as refused:
        services.issue_task(task, actor=org.assigner, now=now)
    assert refused.value.missing == [key]
    assert words in refused.value.fields[key]
    assert words in refused.value.message
    db.session.rollback()
    assert task.state == TaskState.DRAFT


def test_an_empty_draft_is_saved_and_refusal_names_every_ro(org, now):
    task = services.create_draft(
        services.TaskInput(title="Việc chưa rõ"), actor=org.assigner, now=now
    )
    db.session.commit()
    with pytest.raises(IncompleteTaskError) as refused:
        services.issue_task(task, actor=org.assigner, now=now)
    assert refused.value.missing == list(CLARITY_KEYS)
    for label in (
        "Rõ việc",
        "Rõ người",
        "Rõ tiến độ",
        "Rõ quy trình",
        "Rõ kết quả",
        "Rõ trách nhiệm",
    ):
        assert label in refused.value.message


def test_due_date_before_start_is_refused(org, now):
    today = _today(now)
    task = draft_task(
        org, now, start_date=today + timedelta(days=10), due_date=today + timedelta(days=3)
    )
    assert "hạn hoàn thành trước ngày bắt đầu" in missing_clarity(task)["timeline"]
    with pytest.raises(IncompleteTaskError) as refused:
        services.issue_task(task, actor=org.assigner, now=now)
    assert refused.value.missing == ["timeline"]


def test_due_date_already_past_at_issue_time_is_refused(org, now):
    today = _today(now)
    task = draft_task(
        org, now, start_date=today - timedelta(days=20), due_date=today - timedelta(days=6)
    )
    assert "timeline" not in missing_clarity(task)  # a draft may sit with an old date
    with pytest.raises(IncompleteTaskError) as refused:
        services.issue_task(task, actor=org.assigner, now=now)
    assert "hạn hoàn thành đã qua" in refused.value.fields["timeline"]


def test_accountable_person_outside_the_lead_unit_is_refused(org, now):
    task = draft_task(org, now, accountable_user_id=org.head_b.id)
    with pytest.raises(IncompleteTaskError) as refused:
        services.issue_task(task, actor=org.assigner, now=now)
    assert refused.value.missing == ["person"]
    assert "không thuộc đơn vị chủ trì" in refused.value.fields["person"]


def test_lead_unit_also_coordinating_is_refused(org, now):
    task = draft_task(org, now, coordinating=[CoordinationInput(org.dept_a.id, "Tự phối hợp")])
    with pytest.raises(IncompleteTaskError) as refused:
        services.issue_task(task, actor=org.assigner, now=now)
    assert refused.value.missing == ["responsibility"]
    assert "đồng thời là đơn vị phối hợp" in refused.value.fields["responsibility"]


def test_a_coordinating_unit_must_say_what_it_owes(org, now):
    task = draft_task(org, now, coordinating=[CoordinationInput(org.dept_b.id, "  ")])
    assert "chưa ghi rõ trách nhiệm của Sở Tư pháp" in missing_clarity(task)["responsibility"]


def test_supervisor_must_be_a_leader(org, now):
    task = draft_task(org, now, supervisor_id=org.staff_b.id)
    assert "vai trò lãnh đạo" in missing_clarity(task)["responsibility"]


def test_a_long_task_needs_a_roadmap(org, now):
    today = _today(now)
    long_task = dict(start_date=today, due_date=today + timedelta(days=180))
    task = draft_task(org, now, **long_task)
    assert "lộ trình" in missing_clarity(task)["timeline"]
    with_milestone = draft_task(
        org,
        now,
        milestones=[MilestoneInput("Hoàn thành giai đoạn 1", today + timedelta(days=90))],
        **long_task,
    )
    assert "timeline" not in missing_clarity(with_milestone)


def test_the_input_lists_are_kept_in_order(org, now):
    task = draft_task(org, now, process_steps=["Bước một", "Bước hai", "Bước ba"])
    assert [s.description for s in task.process_steps] == ["Bước một", "Bước hai", "Bước ba"]
    assert [s.position for s in task.process_steps] == [1, 2, 3]


def test_due_date_as_working_days_from_the_start(org, now):
    today = _today(now)  # Monday 02/11/2026
    task = services.create_draft(
        complete_input(org, today, due_date=None, due_in_working_days=10),
        actor=org.assigner,
        now=now,
    )
    # Ten working days after Monday 02/11, skipping two weekends.
    assert task.due_date.isoformat() == "2026-11-16"

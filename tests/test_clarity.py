"""The 5 rõ gate: a task is issued only when it is clear on every "rõ"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import _user, complete_input, draft_task
from tracker.errors import IncompleteTaskError
from tracker.extensions import db
from tracker.org.models import Role
from tracker.tasks import services
from tracker.tasks.clarity import CLARITY_KEYS, CLARITY_LABELS, LONG_TASK_DAYS, missing_clarity
from tracker.tasks.models import Coordination, Milestone, ProcessStep, TaskState
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


def _member(org, now, username, roles, active=True):
    person = _user(username, f"Người {username}", org.dept_a, roles, now)
    person.active = active
    return person


def _set(**values):
    """A change to the draft: each attribute set to its value (a callable gets org, now)."""

    def change(task, org, now):
        for name, value in values.items():
            setattr(task, name, value(org, now) if callable(value) else value)

    return change


def _days(n):
    return lambda org, now: _today(now) + timedelta(days=n)


def _with_coordination(unit, duty):
    def change(task, org, now):
        coordinating = getattr(org, unit)
        task.coordinations = [
            Coordination(unit=coordinating, unit_id=coordinating.id, responsibility=duty)
        ]

    return change


def _with_steps(*steps):
    def change(task, org, now):
        task.process_steps = [ProcessStep(position=i, description=s) for i, s in enumerate(steps)]

    return change


def _with_milestone(offset_days):
    def change(task, org, now):
        day = _today(now) + timedelta(days=offset_days)
        task.milestones = [Milestone(title="Mốc lệch", due_date=day)]

    return change


# Every reason the gate can refuse a draft for, each on its own: the change that makes the
# draft unclear, the "rõ" it breaks, and what the refusal says about it, word for word.
GATE_REFUSALS = {
    "blank title": (_set(title="   "), "task", "chưa có tên nhiệm vụ"),
    "blank description": (_set(description=" \n "), "task", "chưa có nội dung cụ thể"),
    "no directive document": (
        _set(document_id=None),
        "task",
        "chưa có văn bản chỉ đạo làm căn cứ",
    ),
    "no lead unit": (_set(lead_unit_id=None), "person", "chưa có đơn vị chủ trì"),
    "no accountable person": (
        _set(accountable_user=None),
        "person",
        "chưa có cá nhân chịu trách nhiệm chính (một việc – một đầu mối)",
    ),
    "accountable from another unit": (
        _set(accountable_user=lambda org, now: org.head_b),
        "person",
        "người chịu trách nhiệm chính không thuộc đơn vị chủ trì",
    ),
    "accountable locked out": (
        _set(accountable_user=lambda org, now: _member(org, now, "khoa", [Role.STAFF], False)),
        "person",
        "người chịu trách nhiệm chính đã bị khoá tài khoản",
    ),
    "accountable is an inspector": (
        _set(accountable_user=lambda org, now: _member(org, now, "tt.a", [Role.INSPECTOR])),
        "person",
        "Người tt.a không phải lãnh đạo hay chuyên viên của đơn vị nên không thể chịu "
        "trách nhiệm chính",
    ),
    "accountable is an admin": (
        _set(accountable_user=lambda org, now: _member(org, now, "qt.a", [Role.ADMIN])),
        "person",
        "Người qt.a không phải lãnh đạo hay chuyên viên của đơn vị nên không thể chịu "
        "trách nhiệm chính",
    ),
    "carrier from another unit": (
        _set(assignee_user=lambda org, now: org.staff_b),
        "person",
        "người thực hiện không thuộc đơn vị chủ trì",
    ),
    "carrier locked out": (
        _set(assignee_user=lambda org, now: _member(org, now, "khoa2", [Role.STAFF], False)),
        "person",
        "người thực hiện đã bị khoá tài khoản",
    ),
    "carrier is an inspector": (
        _set(assignee_user=lambda org, now: _member(org, now, "tt.b", [Role.INSPECTOR])),
        "person",
        "Người tt.b không phải lãnh đạo hay chuyên viên của đơn vị nên không thể thực hiện "
        "nhiệm vụ",
    ),
    "no start date": (_set(start_date=None), "timeline", "chưa có ngày bắt đầu"),
    "no due date": (_set(due_date=None), "timeline", "chưa có hạn hoàn thành"),
    "due before start": (
        _set(start_date=_days(10), due_date=_days(3)),
        "timeline",
        "hạn hoàn thành trước ngày bắt đầu",
    ),
    "long task without a roadmap": (
        _set(due_date=_days(LONG_TASK_DAYS + 1)),
        "timeline",
        f"nhiệm vụ dài hơn {LONG_TASK_DAYS} ngày cần có lộ trình (mốc tiến độ)",
    ),
    "due date already past": (
        _set(start_date=_days(-20), due_date=_days(-1)),
        "timeline",
        "hạn hoàn thành đã qua",
    ),
    "milestone after the due date": (
        _with_milestone(31),
        "timeline",
        "mốc “Mốc lệch” nằm ngoài thời gian thực hiện",
    ),
    "milestone before the start": (
        _with_milestone(-1),
        "timeline",
        "mốc “Mốc lệch” nằm ngoài thời gian thực hiện",
    ),
    "one step": (_with_steps("Làm"), "process", "cần ít nhất 2 bước thực hiện theo thứ tự"),
    "a blank step does not count": (
        _with_steps("Làm", "  "),
        "process",
        "cần ít nhất 2 bước thực hiện theo thứ tự",
    ),
    "no expected product": (_set(expected_outcome=" "), "outcome", "chưa có sản phẩm đầu ra"),
    "no measurable target": (
        _set(target=""),
        "outcome",
        "chưa có chỉ tiêu đo được hoặc tiêu chí nghiệm thu",
    ),
    "no supervising leader": (
        _set(supervisor=None),
        "responsibility",
        "chưa có lãnh đạo phụ trách",
    ),
    "supervisor who is no leader": (
        _set(supervisor=lambda org, now: org.staff_b),
        "responsibility",
        "lãnh đạo phụ trách phải là người có vai trò lãnh đạo",
    ),
    "lead unit coordinating itself": (
        _with_coordination("dept_a", "Tự phối hợp"),
        "responsibility",
        "đơn vị chủ trì không thể đồng thời là đơn vị phối hợp",
    ),
    "coordination without a duty": (
        _with_coordination("dept_b", " "),
        "responsibility",
        "chưa ghi rõ trách nhiệm của Sở Tư pháp",
    ),
}


@pytest.mark.parametrize("reason", list(GATE_REFUSALS))
def test_the_gate_refuses_each_reason_on_its_own_and_says_it(org, now, reason):
    change, key, words = GATE_REFUSALS[reason]
    task = draft_task(org, now)
    assert missing_clarity(task, _today(now)) == {}
    with db.session.no_autoflush:
        change(task, org, now)
        missing = missing_clarity(task, _today(now))
    assert list(missing) == [key]
    assert missing[key] == f"{CLARITY_LABELS[key]}: {words}."
    db.session.rollback()


def test_the_gate_refuses_an_inspector_as_accountable_through_issue(org, now):
    inspector_of_a = _member(org, now, "tt.a", [Role.INSPECTOR])
    db.session.commit()
    task = draft_task(org, now, accountable_user_id=inspector_of_a.id)
    with pytest.raises(IncompleteTaskError) as refused:
        services.issue_task(task, actor=org.assigner, now=now)
    assert refused.value.missing == ["person"]
    assert "Người tt.a không phải lãnh đạo hay chuyên viên" in refused.value.fields["person"]

"""The lifecycle: every legal transition works, every illegal one is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL
from tests.factories import draft_task, in_progress_task, issued_task, submitted_task
from tracker.errors import TransitionError, ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks import services
from tracker.tasks.models import ExtensionRequest, ExtensionStatus, Task, TaskDeadline, TaskState
from tracker.tasks.permissions import ACTION_STATES, Action


def test_the_whole_story_from_draft_to_completion(org, now):
    task = draft_task(org, now)
    services.issue_task(task, actor=org.assigner, now=now)
    services.accept_task(task, actor=org.head_a, now=now + timedelta(hours=1))
    assert task.state == TaskState.ACCEPTED
    services.assign_task(
        task, assignee_id=org.staff_a.id, actor=org.head_a, now=now + timedelta(hours=2)
    )
    services.report_progress(
        task,
        actor=org.staff_a,
        now=now + timedelta(days=1),
        percent=40,
        narrative="Đã rà soát xong danh mục",
        difficulties="Thiếu máy quét",
    )
    assert task.state == TaskState.IN_PROGRESS
    assert task.progress_percent == 40
    services.submit_result(
        task, actor=org.staff_a, now=now + timedelta(days=5), result="Đã số hoá 1.204 hồ sơ"
    )
    assert task.state == TaskState.SUBMITTED
    services.review_result(
        task, actor=org.assigner, now=now + timedelta(days=6), accept=True, note="Đạt yêu cầu"
    )
    db.session.commit()
    assert task.state == TaskState.COMPLETED
    assert task.completed_on == (now + timedelta(days=5, hours=7)).date()
    assert task.progress_percent == 100


def test_a_returned_result_goes_back_to_work_with_the_note(org, now):
    task = submitted_task(org, now)
    services.review_result(
        task, actor=org.assigner, now=now, accept=False, note="Thiếu số liệu quận Hoàn Kiếm"
    )
    db.session.commit()
    assert task.state == TaskState.IN_PROGRESS
    assert task.submitted_on is None
    assert task.reviews[-1].note == "Thiếu số liệu quận Hoàn Kiếm"
    assert task.reviews[-1].accepted is False


def test_returning_a_result_needs_a_note(org, now):
    task = submitted_task(org, now)
    with pytest.raises(ValidationError) as refused:
        services.review_result(task, actor=org.assigner, now=now, accept=False, note=" ")
    assert "note" in refused.value.fields


@pytest.mark.parametrize("build", [issued_task, in_progress_task])
def test_an_open_task_is_withdrawn_with_a_reason(org, now, build):
    task = build(org, now)
    services.withdraw_task(task, actor=org.assigner, now=now, reason="Trùng với nhiệm vụ khác")
    db.session.commit()
    assert task.state == TaskState.WITHDRAWN
    assert task.withdrawal_reason == "Trùng với nhiệm vụ khác"


def test_withdrawal_without_a_reason_is_refused(org, now):
    task = issued_task(org, now)
    with pytest.raises(ValidationError):
        services.withdraw_task(task, actor=org.assigner, now=now, reason="")
    db.session.rollback()
    assert task.state == TaskState.ISSUED


def test_an_approved_extension_moves_the_due_date_and_keeps_the_old_one(org, now):
    task = in_progress_task(org, now)
    original = task.due_date
    request = services.request_extension(
        task,
        actor=org.head_a,
        now=now,
        new_due_date=original + timedelta(days=14),
        reason="Chờ số liệu của Cục Thống kê",
    )
    services.decide_extension(request, actor=org.assigner, now=now, approve=True, note="Đồng ý")
    db.session.commit()
    assert task.due_date == original + timedelta(days=14)
    assert task.original_due_date == original
    assert task.was_extended
    assert [(d.due_date, d.reason) for d in services.deadline_history(task)] == [
        (original, "issued"),
        (task.due_date, "extension"),
    ]
    assert request.status == ExtensionStatus.APPROVED


def test_a_rejected_extension_leaves_the_due_date(org, now):
    task = in_progress_task(org, now)
    original = task.due_date
    request = services.request_extension(
        task, actor=org.head_a, now=now, new_due_date=original + timedelta(days=7), reason="Bận"
    )
    services.decide_extension(
        request, actor=org.assigner, now=now, approve=False, note="Lý do chưa thuyết phục"
    )
    db.session.commit()
    assert task.due_date == original
    assert db.session.query(TaskDeadline).filter_by(task_id=task.id).count() == 1


def test_an_extension_must_move_the_date_later(org, now):
    task = in_progress_task(org, now)
    with pytest.raises(ValidationError) as refused:
        services.request_extension(
            task, actor=org.head_a, now=now, new_due_date=task.due_date, reason="Không rõ"
        )
    assert "new_due_date" in refused.value.fields


def test_a_decided_extension_cannot_be_decided_again(org, now):
    task = in_progress_task(org, now)
    request = services.request_extension(
        task,
        actor=org.head_a,
        now=now,
        new_due_date=task.due_date + timedelta(days=3),
        reason="Chờ số liệu",
    )
    services.decide_extension(request, actor=org.assigner, now=now, approve=True)
    with pytest.raises(TransitionError):
        services.decide_extension(request, actor=org.assigner, now=now, approve=False, note="Đổi ý")


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="SQLite takes the write lock when a transaction begins: decisions cannot interleave",
)
def test_a_decision_committed_meanwhile_refuses_the_second(org, now):
    # One officer opened the request while it was pending; another approved it and
    # committed before the first decided (and before the first read the task): the first
    # decision is refused, it does not overwrite the approval.
    task = in_progress_task(org, now)
    request = services.request_extension(
        task, actor=org.head_a, now=now, new_due_date=task.due_date + timedelta(days=3),
        reason="Chờ số liệu",
    )  # fmt: skip
    db.session.commit()
    task_id, request_id, assigner_id = task.id, request.id, org.assigner.id
    db.session.expunge_all()  # a fresh request of the first officer's
    request = db.session.get(ExtensionRequest, request_id)
    with db.engine.begin() as other_officer:
        other_officer.execute(
            sa.update(ExtensionRequest)
            .where(ExtensionRequest.id == request_id)
            .values(status=ExtensionStatus.APPROVED.value, decided_at=now)
        )
        other_officer.execute(
            sa.update(Task).where(Task.id == task_id).values(version=Task.version + 1)
        )
    assert request.status == ExtensionStatus.PENDING  # as the first officer read it
    with pytest.raises(TransitionError):
        services.decide_extension(
            request,
            actor=db.session.get(User, assigner_id),
            now=now,
            approve=False,
            note="Chưa đủ lý do",
        )


# Who performs each action in the tests below, and with which arguments.
def _perform(action, task, org, now):
    head, assigner = org.head_a, org.assigner
    calls = {
        Action.ISSUE: lambda: services.issue_task(task, actor=assigner, now=now),
        Action.ACCEPT: lambda: services.accept_task(task, actor=head, now=now),
        Action.ASSIGN: lambda: services.assign_task(
            task, assignee_id=org.staff_a.id, actor=head, now=now
        ),
        Action.REPORT_PROGRESS: lambda: services.report_progress(
            task, actor=head, now=now, percent=50, narrative="Đang làm"
        ),
        Action.REQUEST_EXTENSION: lambda: services.request_extension(
            task,
            actor=head,
            now=now,
            new_due_date=task.due_date + timedelta(days=9),
            reason="Cần thêm thời gian",
        ),
        Action.SUBMIT: lambda: services.submit_result(task, actor=head, now=now, result="Xong"),
        Action.REVIEW: lambda: services.review_result(task, actor=assigner, now=now, accept=True),
        Action.WITHDRAW: lambda: services.withdraw_task(
            task, actor=assigner, now=now, reason="Không còn cần thiết"
        ),
        Action.SPLIT: lambda: services.create_subtask(
            task, services.TaskInput(title="Phần việc"), actor=head, now=now
        ),
    }
    return calls[action]()


def _task_in(state, org, now):
    if state == TaskState.DRAFT:
        return draft_task(org, now)
    if state == TaskState.ISSUED:
        return issued_task(org, now)
    if state == TaskState.ACCEPTED:
        task = issued_task(org, now)
        services.accept_task(task, actor=org.head_a, now=now)
        db.session.commit()
        return task
    if state == TaskState.IN_PROGRESS:
        return in_progress_task(org, now)
    task = submitted_task(org, now)
    if state == TaskState.COMPLETED:
        services.review_result(task, actor=org.assigner, now=now, accept=True)
    if state == TaskState.WITHDRAWN:
        task = issued_task(org, now)
        services.withdraw_task(task, actor=org.assigner, now=now, reason="Thu hồi")
    db.session.commit()
    return task


TRANSITION_ACTIONS = [a for a in Action if a not in (Action.EDIT, Action.DECIDE_EXTENSION)]
CASES = [(state, action) for state in TaskState for action in TRANSITION_ACTIONS]


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_each_action_works_exactly_in_the_states_the_lifecycle_allows(org, now, state, action):
    task = _task_in(state, org, now)
    if state in ACTION_STATES[action]:
        _perform(action, task, org, now)
        db.session.commit()
    else:
        with pytest.raises(TransitionError) as refused:
            _perform(action, task, org, now)
        assert "Không thể thực hiện thao tác này" in refused.value.message
        db.session.rollback()
        assert db.session.get(type(task), task.id).state == state

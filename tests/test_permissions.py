"""Who may see a task and who may act on it, per role and unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import draft_task, in_progress_task, issued_task, submitted_task
from tracker.errors import NotFound, PermissionDenied
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.documents import services as documents
from tracker.tasks.models import Task
from tracker.tasks.permissions import Action, allowed_actions, get_task, visible_tasks_clause

A = Action


def _visible_ids(user):
    return set(db.session.scalars(sa.select(Task.id).where(visible_tasks_clause(user))))


def test_visibility_by_role_and_unit(org, now):
    own = issued_task(org, now)  # led by department A, department B coordinates
    foreign = issued_task(
        org,
        now,
        lead_unit_id=org.dept_b.id,
        accountable_user_id=org.head_b.id,
        coordinating=[],
        field_id=None,
    )
    draft = draft_task(org, now)
    everything = {own.id, foreign.id, draft.id}
    assert _visible_ids(org.assigner) == everything
    assert _visible_ids(org.inspector) == everything
    assert _visible_ids(org.head_a) == {own.id}
    assert _visible_ids(org.staff_a) == {own.id}
    # Department B sees its own task and the one it coordinates.
    assert _visible_ids(org.head_b) == {own.id, foreign.id}
    # The leader sees the tasks of the field he supervises; the admin sees no tasks.
    assert _visible_ids(org.leader) == {own.id, foreign.id}
    assert _visible_ids(org.admin) == set()


def test_another_units_task_is_not_found(org, now):
    foreign = issued_task(
        org, now, lead_unit_id=org.dept_b.id, accountable_user_id=org.head_b.id, coordinating=[]
    )
    with pytest.raises(NotFound):
        get_task(foreign.id, org.staff_a)
    with pytest.raises(NotFound):
        get_task(foreign.id, org.head_a, Action.ACCEPT)
    assert get_task(foreign.id, org.head_b).id == foreign.id


def test_a_missing_task_is_not_found(org):
    with pytest.raises(NotFound):
        get_task(9999, org.assigner)


def test_a_deactivated_user_sees_nothing(org, now):
    task = issued_task(org, now)
    org.head_a.active = False
    db.session.commit()
    assert _visible_ids(org.head_a) == set()
    assert allowed_actions(org.head_a, task) == frozenset()


def test_the_actions_offered_on_an_issued_task(org, now):
    task = issued_task(org, now)
    assert allowed_actions(org.assigner, task) == {A.EDIT, A.WITHDRAW}
    assert allowed_actions(org.head_a, task) == {A.ACCEPT, A.REQUEST_EXTENSION}
    assert allowed_actions(org.staff_a, task) == set()
    assert allowed_actions(org.head_b, task) == set()  # coordinating, not leading
    assert allowed_actions(org.inspector, task) == set()
    assert allowed_actions(org.leader, task) == set()


def test_the_actions_offered_on_a_task_in_progress(org, now):
    task = in_progress_task(org, now)  # carried by staff_a
    assert allowed_actions(org.head_a, task) == {
        A.ASSIGN,
        A.REPORT_PROGRESS,
        A.REQUEST_EXTENSION,
        A.SUBMIT,
        A.SPLIT,
    }
    assert allowed_actions(org.staff_a, task) == {A.REPORT_PROGRESS, A.SUBMIT}
    assert allowed_actions(org.staff_a2, task) == set()  # same unit, not carrying it
    assert allowed_actions(org.assigner, task) == {A.EDIT, A.WITHDRAW}


def test_a_pending_extension_is_decided_only_by_the_assigner(org, now):
    task = in_progress_task(org, now)
    services.request_extension(
        task,
        actor=org.head_a,
        now=now,
        new_due_date=task.due_date + timedelta(days=5),
        reason="Chờ",
    )
    db.session.commit()
    assert A.DECIDE_EXTENSION in allowed_actions(org.assigner, task)
    assert A.REQUEST_EXTENSION not in allowed_actions(org.head_a, task)  # one at a time
    with pytest.raises(PermissionDenied):
        services.decide_extension(
            task.extension_requests[0], actor=org.head_a, now=now, approve=True
        )


def test_a_submitted_result_is_reviewed_only_by_the_assigner(org, now):
    task = submitted_task(org, now)
    assert allowed_actions(org.assigner, task) == {A.REVIEW}
    with pytest.raises(PermissionDenied):
        services.review_result(task, actor=org.head_a, now=now, accept=True)


ROLE_REFUSALS = [
    ("staff_a", "accept"),
    ("head_b", "accept"),
    ("inspector", "accept"),
    ("head_a", "issue"),
    ("leader", "issue"),
    ("inspector", "withdraw"),
    ("head_a", "withdraw"),
    ("staff_b", "progress"),
    ("inspector", "progress"),
    ("admin", "issue"),
]


@pytest.mark.parametrize(("who", "what"), ROLE_REFUSALS)
def test_actions_outside_ones_role_or_unit_are_refused(org, now, who, what):
    task = draft_task(org, now) if what == "issue" else issued_task(org, now)
    if what == "progress":
        services.accept_task(task, actor=org.head_a, now=now)
        db.session.commit()
    user = getattr(org, who)
    call = {
        "accept": lambda: services.accept_task(task, actor=user, now=now),
        "issue": lambda: services.issue_task(task, actor=user, now=now),
        "withdraw": lambda: services.withdraw_task(task, actor=user, now=now, reason="Thử"),
        "progress": lambda: services.report_progress(
            task, actor=user, now=now, percent=5, narrative="Thử"
        ),
    }[what]
    state = task.state
    with pytest.raises(PermissionDenied):
        call()
    db.session.rollback()
    assert db.session.get(Task, task.id).state == state


def test_only_assigners_draft_tasks_and_register_documents(org, now):
    with pytest.raises(PermissionDenied):
        services.create_draft(services.TaskInput(title="Tự giao việc"), actor=org.head_a, now=now)
    with pytest.raises(PermissionDenied):
        documents.register_document(
            number="1/CV",
            kind="Công văn",
            issuer="Sở",
            actor=org.leader,
            issued_on=now.date(),
            now=now,
        )

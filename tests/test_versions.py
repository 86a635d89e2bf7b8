"""No lost updates: an edit based on a stale version is refused and changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.factories import draft_task, issued_task
from tracker.errors import ConflictError, ValidationError
from tracker.extensions import db
from tracker.tasks import services
from tracker.tasks.models import Task
from tracker.tasks.services import task_input_from


def test_an_edit_bumps_the_version(org, now):
    task = draft_task(org, now)
    first = task.version
    data = task_input_from(task)
    data.process_steps.append("Báo cáo UBND thành phố")
    services.update_task(task, data, expected_version=first, actor=org.assigner, now=now)
    db.session.commit()
    assert task.version == first + 1


def test_a_stale_edit_is_refused_and_the_stored_task_is_unchanged(org, now):
    task = draft_task(org, now)
    read_version = task.version
    first = task_input_from(task)
    first.title = "Bản sửa của người thứ nhất"
    services.update_task(task, first, expected_version=read_version, actor=org.assigner, now=now)
    db.session.commit()

    second = task_input_from(task)
    second.title = "Bản sửa của người thứ hai"
    second.target = "Chỉ tiêu khác"
    with pytest.raises(ConflictError) as refused:
        services.update_task(
            task, second, expected_version=read_version, actor=org.assigner, now=now
        )
    assert refused.value.status == 409
    db.session.rollback()
    stored = db.session.get(Task, task.id)
    assert stored.title == "Bản sửa của người thứ nhất"
    assert stored.target == "100% hồ sơ tiếp nhận được số hoá"


def test_a_race_between_two_sessions_is_lost_by_the_second(org, now, app):
    task = draft_task(org, now)
    task_id, version = task.id, task.version
    db.session.commit()  # our page view ends; the version travels in the form
    with Session(db.engine) as other:
        # Someone else saves the same task between our read and our write.
        other.execute(
            sa.update(Task)
            .where(Task.id == task_id)
            .values(title="Người khác", version=version + 1)
        )
        other.commit()
    data = task_input_from(task)
    data.title = "Bản của tôi"
    with pytest.raises(ConflictError):
        services.update_task(task, data, expected_version=version, actor=org.assigner, now=now)
    db.session.rollback()
    assert db.session.get(Task, task.id).title == "Người khác"


def test_an_issued_tasks_due_date_changes_only_through_an_extension(org, now):
    task = issued_task(org, now)
    data = task_input_from(task)
    data.due_date = task.due_date.replace(day=28)
    with pytest.raises(ValidationError) as refused:
        services.update_task(task, data, expected_version=task.version, actor=org.assigner, now=now)
    assert "gia hạn" in refused.value.message


def test_an_issued_task_cannot_be_edited_into_an_unclear_one(org, now):
    task = issued_task(org, now)
    data = task_input_from(task)
    data.expected_outcome = ""
    with pytest.raises(ValidationError) as refused:
        services.update_task(task, data, expected_version=task.version, actor=org.assigner, now=now)
    assert "outcome" in refused.value.fields

"""A task's discussion (ý kiến trao đổi): anyone who may see a task may comment on it,
with files; the participants are told, and the comment is on the task's trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from tracker.audit.services import record
from tracker.errors import NotFound, ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.tasks import notices
from tracker.tasks.evidence import Upload, store_evidence
from tracker.tasks.models import Task, TaskComment
from tracker.tasks.permissions import can_view
from tracker.tasks.services import checked_text

COMMENT_MAX = 10_000


def add_comment(
    task: Task, *, actor: User, now: datetime, body: str, files: Sequence[Upload] = ()
) -> TaskComment:
    """Add a comment (and its files) to the task's discussion and tell its participants."""
    if not can_view(actor, task):
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    body = checked_text(body, "body", COMMENT_MAX)
    if not body:
        raise ValidationError(_("Hãy viết nội dung ý kiến."), fields={"body": _("bắt buộc")})
    comment = TaskComment(task_id=task.id, author_id=actor.id, created_at=now, body=body)
    db.session.add(comment)
    db.session.flush()
    stored = store_evidence(
        files, task_id=task.id, user_id=actor.id, now=now, comment_id=comment.id
    )
    record(
        "task.commented",
        task,
        actor=actor,
        now=now,
        after={"comment_id": comment.id, "body": body, "files": [f.original_name for f in stored]},
    )
    notices.comment_added(task, comment, actor=actor, now=now)
    return comment


def comments_of(task: Task) -> list[TaskComment]:
    """Return the task's comments, oldest first, with their authors and files (two queries)."""
    return list(
        db.session.scalars(
            sa.select(TaskComment)
            .where(TaskComment.task_id == task.id)
            .order_by(TaskComment.id)
            .options(selectinload(TaskComment.author), selectinload(TaskComment.files))
        )
    )

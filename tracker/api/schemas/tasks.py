"""Directive documents, tasks, their parts, every step of their life, and their history."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from tracker.api.schemas.common import DATE, ID, ID_QUERY, ID_RANGE, ISSUE_DATE, TEXT, PageArgs
from tracker.tasks.comments import COMMENT_MAX
from tracker.tasks.models import Priority, Stage, TaskState
from tracker.tasks.services import MAX_WORKING_DAYS, TEXT_MAX, TITLE_MAX


class DocumentIn(ma.Schema):
    number = fields.String(required=True, validate=validate.Length(max=80))
    kind = fields.String(required=True, validate=validate.Length(max=80))
    issuer = fields.String(required=True, validate=validate.Length(max=255))
    issued_on = fields.Date(required=True, **ISSUE_DATE)
    summary = fields.String(**TEXT)


class DocumentOut(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    kind = fields.String(required=True)
    issuer = fields.String(required=True)
    issued_on = fields.Date(required=True)
    summary = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class CoordinationIn(ma.Schema):
    unit_id = fields.Integer(required=True, **ID)
    responsibility = fields.String(validate=validate.Length(max=2000), load_default="")


class MilestoneIn(ma.Schema):
    title = fields.String(required=True, validate=validate.Length(max=TITLE_MAX))
    due_date = fields.Date(required=True, **DATE)


class TaskIn(ma.Schema):
    """A draft may leave any "rõ" open; the gate at issue names what is missing."""

    title = fields.String(validate=validate.Length(max=TITLE_MAX), load_default="")
    description = fields.String(**TEXT)
    document_id = fields.Integer(allow_none=True, load_default=None, **ID)
    field_id = fields.Integer(allow_none=True, load_default=None, **ID)
    lead_unit_id = fields.Integer(allow_none=True, load_default=None, **ID)
    accountable_user_id = fields.Integer(allow_none=True, load_default=None, **ID)
    assignee_user_id = fields.Integer(allow_none=True, load_default=None, **ID)
    supervisor_user_id = fields.Integer(allow_none=True, load_default=None, **ID)
    coordinating_units = fields.List(
        fields.Nested(CoordinationIn), validate=validate.Length(max=100), load_default=list
    )
    start_date = fields.Date(allow_none=True, load_default=None, **DATE)
    due_date = fields.Date(allow_none=True, load_default=None, **DATE)
    due_in_working_days = fields.Integer(
        allow_none=True,
        load_default=None,
        strict=True,
        validate=validate.Range(min=1, max=MAX_WORKING_DAYS),
    )
    milestones = fields.List(
        fields.Nested(MilestoneIn), validate=validate.Length(max=100), load_default=list
    )
    process_steps = fields.List(
        fields.String(validate=validate.Length(max=TEXT_MAX)),
        validate=validate.Length(max=100),
        load_default=list,
    )
    expected_outcome = fields.String(**TEXT)
    target = fields.String(**TEXT)
    priority = fields.Enum(Priority, by_value=True, load_default=Priority.NORMAL)


class SubtaskIn(TaskIn):
    weight = fields.Integer(
        load_default=1,
        strict=True,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "share of the parent's rolled-up progress"},
    )


class TaskGroupIn(TaskIn):
    unit_ids = fields.List(
        fields.Integer(strict=True, validate=ID_RANGE),
        required=True,
        validate=validate.Length(min=2, max=1000),
        metadata={"description": "one task each; the unit's head is accountable"},
    )
    parent_task_id = fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "give them as sub-tasks of this task (its lead unit's head)"},
        **ID,
    )


class TaskGroupOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    received = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    done = fields.Integer(required=True)
    done_on_time = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    task_ids = fields.List(fields.Integer(), required=True)


class TaskPatch(TaskIn):
    """The fields given replace the task's; those left out keep their values."""

    version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "the version read; a stale one is refused with 409"},
    )


class CoordinationOut(ma.Schema):
    unit_id = fields.Integer(required=True)
    responsibility = fields.String(required=True)


class MilestoneOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    due_date = fields.Date(required=True)
    completed_on = fields.Date(allow_none=True)


class ExtensionRequestOut(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    status = fields.String(required=True)
    current_due_date = fields.Date(required=True)
    new_due_date = fields.Date(required=True)
    reason = fields.String(required=True)
    requested_by_id = fields.Integer(required=True)
    requested_at = fields.DateTime(required=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String(required=True)
    late_request = fields.Boolean(
        required=True,
        metadata={"description": "asked after the due date then in force: lateness is kept"},
    )


class TaskOut(ma.Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": [s.value for s in TaskState]})
    stage = fields.String(
        required=True,
        metadata={
            "enum": [s.value for s in Stage],
            "description": "where the task is in its life; 'returned': sent back for more work",
        },
    )
    category = fields.String(required=True)
    due_soon = fields.Boolean(required=True)
    was_overdue = fields.Boolean(
        required=True,
        metadata={
            "description": "late now, done late, or extended on a request made after its due "
            "date (the lateness is kept)"
        },
    )
    missing = fields.List(
        fields.String(), required=True, metadata={"description": "the 'rõ' still unclear"}
    )
    allowed_actions = fields.List(fields.String(), required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    document_id = fields.Integer(allow_none=True)
    field_id = fields.Integer(allow_none=True)
    lead_unit_id = fields.Integer(allow_none=True)
    accountable_user_id = fields.Integer(allow_none=True)
    assignee_user_id = fields.Integer(allow_none=True)
    supervisor_user_id = fields.Integer(allow_none=True, attribute="supervisor_id")
    coordinating_units = fields.List(
        fields.Nested(CoordinationOut), attribute="coordinations", required=True
    )
    start_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    due_in_working_days = fields.Integer(allow_none=True)
    original_due_date = fields.Date(allow_none=True)
    milestones = fields.List(fields.Nested(MilestoneOut), required=True)
    process_steps = fields.Method("step_texts", required=True)
    expected_outcome = fields.String(required=True)
    target = fields.String(required=True)
    priority = fields.String(required=True)
    progress_percent = fields.Integer(required=True)
    last_progress_at = fields.DateTime(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    submitted_on = fields.Date(allow_none=True)
    result = fields.String(attribute="result_summary", required=True)
    completed_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    withdrawal_reason = fields.String(required=True)
    extension_requests = fields.List(fields.Nested(ExtensionRequestOut), required=True)
    parent_id = fields.Integer(allow_none=True)
    weight = fields.Integer(required=True)
    subtask_ids = fields.Method("subtask_id_list", required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)

    def step_texts(self, task) -> list[str]:
        return [step.description for step in task.process_steps]

    def subtask_id_list(self, task) -> list[int]:
        return [sub.id for sub in task.subtasks]


class TaskArgs(PageArgs):
    category = fields.String(
        validate=validate.OneOf(
            ["draft", "on_track", "overdue", "done_on_time", "done_late", "withdrawn"]
        )
    )
    lead_unit_id = fields.Integer(**ID_QUERY)
    field_id = fields.Integer(**ID_QUERY)
    document_id = fields.Integer(**ID_QUERY)
    due_before = fields.Date(**DATE)
    due_after = fields.Date(**DATE)
    q = fields.String(validate=validate.Length(max=200), load_default="")
    as_of = fields.Date(**DATE)
    stage = fields.String(
        validate=validate.OneOf(["open", *(s.value for s in Stage)]),
        metadata={"description": "'open': every task not yet completed or withdrawn"},
    )


class WithdrawIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class AcceptIn(ma.Schema):
    assignee_user_id = fields.Integer(allow_none=True, load_default=None, **ID)


class ProgressIn(ma.Schema):
    percent = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    note = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))
    difficulties = fields.String(**TEXT)
    proposals = fields.String(**TEXT)


class SubmitIn(ma.Schema):
    result = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class ReviewIn(ma.Schema):
    accept = fields.Boolean(required=True, truthy={True}, falsy={False})
    note = fields.String(**TEXT)


class ExtensionIn(ma.Schema):
    new_due_date = fields.Date(required=True, **DATE)
    reason = fields.String(required=True, validate=validate.Length(max=TEXT_MAX))


class DecisionIn(ma.Schema):
    approve = fields.Boolean(required=True, truthy={True}, falsy={False})
    note = fields.String(**TEXT)


class ExtensionDecided(ExtensionRequestOut):
    task = fields.Nested(TaskOut, required=True)


class HistoryEventOut(ma.Schema):
    seq = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True)
    actor = fields.String(required=True, attribute="actor_name")
    action = fields.String(required=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class FileOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="original_name")
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class CommentIn(ma.Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=COMMENT_MAX))


class CommentOut(ma.Schema):
    id = fields.Integer(required=True)
    task_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    author = fields.String(required=True, attribute="author.full_name")
    created_at = fields.DateTime(required=True)
    body = fields.String(required=True)
    files = fields.List(fields.Nested(FileOut), required=True)


class CommentList(ma.Schema):
    items = fields.List(fields.Nested(CommentOut), required=True)

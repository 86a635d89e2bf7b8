"""The tables the load writes in bulk, their columns in row order, and their ids."""

from __future__ import annotations

TASK_COLUMNS = (
    "id", "version", "parent_id", "weight", "group_id", "series_id", "period_start", "title",
    "description", "document_id", "field_id", "lead_unit_id", "accountable_user_id",
    "assignee_user_id", "supervisor_id", "start_date", "due_date", "due_in_working_days",
    "original_due_date", "due_date_since", "expected_outcome", "target", "search_text",
    "priority", "state", "created_by_id", "created_at", "updated_at", "issued_at",
    "issued_by_id", "issued_on", "accepted_at", "progress_percent", "last_progress_at",
    "submitted_on", "result_summary", "completed_on", "completed_at", "withdrawn_at",
    "withdrawn_on", "withdrawal_reason", "last_answered_at",
)  # fmt: skip

COLUMNS = {
    "source_documents": ("id", "number", "kind", "issuer", "issued_on", "summary", "created_at"),
    "task_groups": ("id", "title", "created_by_id", "created_at"),
    "task_series": (
        "id", "title", "content", "frequency", "every_working_days", "due_rule", "due_day",
        "due_next_month", "create_days_ahead", "starts_on", "ends_on", "paused", "previous_id",
        "created_by_id", "created_at", "last_error",
    ),
    "tasks": TASK_COLUMNS,
    "task_coordinations": ("id", "task_id", "unit_id", "responsibility"),
    "milestones": ("id", "task_id", "title", "due_date", "completed_on"),
    "process_steps": ("id", "task_id", "position", "description"),
    "task_deadlines": (
        "id", "task_id", "due_date", "effective_at", "reason", "extension_request_id",
    ),
    "progress_updates": (
        "id", "task_id", "author_id", "created_at", "percent", "narrative", "difficulties",
        "proposals",
    ),
    "extension_requests": (
        "id", "task_id", "requested_by_id", "requested_at", "current_due_date", "new_due_date",
        "reason", "status", "decided_by_id", "decided_at", "decision_note",
    ),
    "reviews": (
        "id", "task_id", "submitted_by_id", "submitted_at", "result", "reviewer_id",
        "reviewed_at", "accepted", "note",
    ),
    "reminders": (
        "id", "subject", "task_id", "milestone_id", "rule_id", "kind", "deadline", "occurrence",
        "scheduled_on", "created_at", "late", "overdue_days", "sweep_id",
    ),
    "escalations": (
        "id", "task_id", "deadline", "reason", "overdue_days", "notices_before", "opened_at",
        "opened_on", "status", "accountable_user_id", "unit_head_id", "supervisor_id",
        "lead_unit_id", "sweep_id",
    ),
    "escalation_conclusions": (
        "id", "escalation_id", "outcome", "note", "concluded_by_id", "concluded_at",
        "corrects_id", "discipline_form", "severity", "competent_authority",
    ),
    "notifications": (
        "id", "key", "user_id", "channel", "task_id", "subject", "body", "link", "digest",
        "created_at", "status", "attempts", "next_attempt_at", "sent_at", "last_error",
        "read_at",
    ),
    "audit_events": (
        "id", "seq", "occurred_at", "actor_id", "actor_name", "action", "object_type",
        "object_id", "before", "after", "prev_hash", "hash",
    ),
}  # fmt: skip

# Tables written in bulk, parents before children.
BULK_TABLES = tuple(COLUMNS)


class Ids:
    """The next id of each table (the database is empty, so ids start at 1)."""

    def __init__(self, start: dict[str, int]) -> None:
        self._next = dict(start)

    def __call__(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value

    def give_back(self, table: str) -> None:
        """Return the id last taken from ``table``, unused, to be taken again."""
        self._next[table] -= 1


# The sweep's clock: written once, after the tasks (not a bulk table).
SWEEP_CLOCK_COLUMNS = ("id", "last_swept_at")

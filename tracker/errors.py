"""Errors a person or a system can cause, each with a stable code and a clear message.

Services raise these; the web pages, the API and the commands turn them into a page,
a JSON body or a message on the terminal. Messages are Vietnamese first (the source
language of the catalogue) and translated to English by Flask-Babel.
"""

from __future__ import annotations


class TrackerError(Exception):
    """Base class: ``code`` is stable for programs, ``message`` is for people."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields: dict[str, str] = {k: str(v) for k, v in (fields or {}).items()}


class ValidationError(TrackerError):
    """The input breaks a rule; ``fields`` names each offending field."""

    status = 422
    code = "validation_error"


class StorageUnavailable(ValidationError):
    """A file could not be stored (the disk is full or cannot be written): nothing was
    saved, and nothing in the input is wrong. Answered like a refused form (422), so the
    page with what the person typed comes back through any proxy."""

    code = "storage_unavailable"


class IncompleteTaskError(ValidationError):
    """The task is not clear on every "rõ"; ``missing`` lists their keys."""

    code = "incomplete_task"

    def __init__(self, message: str, missing: dict[str, str]):
        super().__init__(message, fields=missing)
        self.missing = list(missing)


class PermissionDenied(TrackerError):
    status = 403
    code = "forbidden"


class NotFound(TrackerError):
    status = 404
    code = "not_found"


class ConflictError(TrackerError):
    """Someone else changed the object since it was read."""

    status = 409
    code = "stale_version"


class TransitionError(TrackerError):
    """The action is not possible in the task's current state."""

    status = 409
    code = "illegal_transition"


class BusyError(TrackerError):
    """The database could not take the change now (locked, deadlocked, serialised);
    nothing was saved and the same request can simply be sent again."""

    status = 503
    code = "busy"

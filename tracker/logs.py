"""Logging: one line per event, JSON for log collectors, tagged with the request or job run.

Every line goes through one handler on the root logger. Its filter adds the id of the
request (``request_id``) or of the scheduler job's run (``run_id``, ``job``) being served,
and its formatter removes secrets from whatever was written: calendar feed addresses
(``/feeds/<secret>.ics``), access tokens (``5ro_…``) and bearer credentials. Requests end
with one access line (logger ``tracker.access``), job runs with one job line
(``tracker.jobs``, see tracker/jobs/runner.py).
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask, g, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

HANDLER_NAME = "tracker"
REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only if it is short and plain: it is copied into every log line.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
MAX_PATH = 300

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_job_run: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "job_run", default=None
)

access_logger = logging.getLogger("tracker.access")
jobs_logger = logging.getLogger("tracker.jobs")

_SECRETS = (
    # The feed's address is its key (tracker/tasks/feed.py): whatever follows /feeds/.
    (re.compile(r"/feeds/[^\s?#\"'\\<>]+"), "/feeds/[redacted]"),
    # API and calendar tokens all carry the prefix of tracker/auth/tokens.py.
    (re.compile(r"5ro_[A-Za-z0-9_-]+"), "5ro_[redacted]"),
    (re.compile(r"(?i)\b(bearer\s+)[^\s\"'\\,]+"), r"\1[redacted]"),
)


def redact(text: str) -> str:
    """Return the text with feed addresses, tokens and bearer credentials blanked out."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


@contextmanager
def job_run(name: str) -> Iterator[str]:
    """Tag every log line written inside the block with a new run id and the job's name."""
    run_id = uuid.uuid4().hex[:16]
    token = _job_run.set((run_id, name))
    try:
        yield run_id
    finally:
        _job_run.reset(token)


class ContextFilter(logging.Filter):
    """Put the current request id, or job run id and job name, on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id is not None:
            record.request_id = request_id
        run = _job_run.get()
        if run is not None:
            record.run_id, record.job = run
        return True


def _iso_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, then extras."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data["time"] = _iso_time(record)  # first, so a line reads in time order
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data: dict) -> dict:
        # Before serialising, so JSON escapes never hide a secret or get cut in half.
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in log_data.items()
        }


class TextFormatter(logging.Formatter):
    """A line for people: time (UTC), level, logger, [request or run id], message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return _iso_time(record)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        ids = [
            f"{key}={getattr(record, key)}"
            for key in ("request_id", "job", "run_id")
            if getattr(record, key, None)
        ]
        tag = f" [{' '.join(ids)}]" if ids else ""
        return f"{record.asctime} {record.levelname} {record.name}{tag}: {record.message}"

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class StandardErrorHandler(logging.StreamHandler):
    """Write to whatever ``sys.stderr`` is when a line is written, as logging's own
    last-resort handler does: a test's capture, or gunicorn's redirection, may swap it."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_id = request_id
    g.request_started = time.perf_counter()
    g.request_id_token = _request_id.set(request_id)


def _logged_path() -> str:
    # The path only: a query string may carry what a person typed.
    return redact(request.path)[:MAX_PATH]


def _signed_in_user_id() -> int | None:
    # Flask-Login keeps the user it loaded on g; reading current_user here would load one.
    user = g.get("_login_user")
    return user.id if user is not None and user.is_authenticated else None


def _finish_request(response):
    request_id = g.get("request_id")
    if request_id is None:  # another hook failed before ours ran
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    status = response.status_code
    path = _logged_path()
    access_logger.log(
        logging.ERROR if status >= 500 else logging.INFO,
        "%s %s %s %.1f ms",
        request.method,
        path,
        status,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "endpoint": request.endpoint,
            "status": status,
            "duration_ms": duration_ms,
            "user_id": _signed_in_user_id(),
            "remote_addr": request.remote_addr,
        },
    )
    return response


def _end_request(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        _request_id.reset(token)


def register_logging(app: Flask) -> None:
    """Send every log line to standard error in LOG_FORMAT, and log each request once."""
    handler = StandardErrorHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if app.config["LOG_FORMAT"] == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)  # a second app in the same process (tests) replaces the first's
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"].upper())
    # Flask's own handler on the app's logger ("tracker") would print every line twice.
    logging.getLogger(app.name).removeHandler(default_handler)
    # First before-request hook and, since they run in reverse, last after-request hook:
    # the access line sees the final status and headers, and times nearly everything.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)

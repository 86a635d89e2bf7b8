"""One transaction per request: the request commits once, when its view has answered, or
rolls back; views and API endpoints never commit themselves (as Indico's base handler).

A view that answers 2xx or 3xx to a POST (or PUT, PATCH, DELETE) commits. One that answers
4xx or 5xx rolls back, unless it kept what it did on purpose with ``keep_changes()`` (a
draft saved while its issue was refused). A GET only reads: it rolls back, unless it
asked to keep something. The commit runs inside the request's dispatch, so a commit that fails is
handled like any error of the view: a version conflict is a 409, a lost database a 503
that says whether the change may have been saved.

This module also tells the database's passing troubles (busy, away) from its bugs.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from flask import Flask, g, has_app_context, has_request_context, request

from tracker.extensions import db

_READING = ("GET", "HEAD", "OPTIONS")
_KEEP = "tracker_keep_changes"  # on ``g``: commit although the answer is a refusal
_COMMIT_SENT = "tracker_commit_sent"  # on ``g``: a COMMIT went out and did not come back


class TrackerFlask(Flask):
    """Flask, with the request's transaction ended by the answer its view gave."""

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        end_transaction(response.status_code)
        return response


def keep_changes() -> None:
    """Commit this request's changes even though it answers with a refusal (4xx)."""
    g.setdefault(_KEEP, True)


def end_transaction(status: int) -> None:
    """Commit the request's work if its answer says it succeeded (or it asked to keep it),
    else roll it back."""
    session = db.session()  # the request's own session, behind the scoped proxy
    if not session.in_transaction():
        return
    kept = g.get(_KEEP)
    writing = not (has_request_context() and request.method in _READING)
    if (status < 400 and (writing or kept)) or (status < 500 and kept):
        session.commit()
    else:
        session.rollback()


def discard_transaction() -> None:
    """Roll back what the request did; a connection that is gone is simply dropped."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.invalidate()


# ------------------------------------------------------------------ the database's troubles

# Lock and serialisation failures of PostgreSQL: another transaction won; trying again works.
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}
_TRANSIENT_SQLITE = ("database is locked", "database table is locked", "database is busy")
# What SQLite says when its file cannot be used for a while (the disk, the mount).
SQLITE_FAULTS = ("disk i/o error", "unable to open database", "database or disk is full")


def is_transient(error: sa.exc.DBAPIError) -> bool:
    """Tell whether a database error only means "busy now" (a lock not granted in time,
    a deadlock or serialisation failure), as opposed to a bug or a broken database."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _TRANSIENT_SQLSTATES:
        return True
    return isinstance(error.orig, sqlite3.OperationalError) and any(
        text in str(error.orig) for text in _TRANSIENT_SQLITE
    )


def database_unavailable(error: BaseException) -> bool:
    """Tell whether an error means the database could not be reached or dropped us,
    rather than a bug or a broken rule: the same request may succeed a moment later."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.exc.OperationalError) and _sqlite_error(error):
        # SQLite reports its bugs' errors ("no such column") the same way as its faults.
        return any(fault in str(error.orig).lower() for fault in SQLITE_FAULTS)
    return isinstance(
        error,
        sa.exc.OperationalError
        | sa.exc.InterfaceError
        | sa.exc.DisconnectionError
        | sa.exc.TimeoutError,
    )


def _sqlite_error(error: sa.exc.DBAPIError) -> bool:
    return type(error.orig).__module__.startswith("sqlite3")


def commit_outcome_unknown() -> bool:
    """Tell (once) whether the request lost its database after sending COMMIT: whether the
    change was saved is then unknown to us."""
    return bool(g.pop(_COMMIT_SENT, False))


def _commit_sent(conn) -> None:
    # The last moment before the database decides: from here on, a lost connection
    # leaves the outcome unknown to us.
    if has_app_context():
        setattr(g, _COMMIT_SENT, True)


def _commit_returned(session) -> None:
    if has_app_context():
        g.pop(_COMMIT_SENT, None)


def _start_request() -> None:
    # ``g`` outlives a request where an app context is shared (tests): start afresh.
    g.pop(_COMMIT_SENT, None)
    g.pop(_KEEP, None)


def register_transactions(app: Flask) -> None:
    """Follow each COMMIT, so a connection lost while it is out can be told apart."""
    if not sa.event.contains(sa.Engine, "commit", _commit_sent):
        sa.event.listen(sa.Engine, "commit", _commit_sent)
        sa.event.listen(sa.orm.Session, "after_commit", _commit_returned)
    app.before_request(_start_request)

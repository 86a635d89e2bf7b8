"""Sessions of the web interface, kept in the database (ASVS V3).

The session cookie is signed by Flask, but a signed cookie cannot be taken back: a copy
of it would work until it expires, after sign-out or a password change. So each sign-in
gets a random secret, the cookie carries it and ``user_sessions`` keeps its SHA-256; a
request counts as signed in only while that row is open (see ``UserSession.open_at``).
The idle timeout is kept in the signed cookie itself (the time of the last request),
so a page view costs one indexed read and no write.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from tracker.audit.services import record
from tracker.auth.models import SessionEnd, UserSession
from tracker.extensions import db
from tracker.org.models import User

logger = logging.getLogger(__name__)

# Ended and expired sessions stay listed this long, then go at the owner's next sign-in.
KEEP_ENDED = timedelta(days=30)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def session_hours() -> int:
    """Return the absolute lifetime of a session (SESSION_HOURS)."""
    return current_app.config["SESSION_HOURS"]


def idle_limit() -> timedelta:
    """Return how long a session may go without a request (SESSION_IDLE_MINUTES)."""
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def start_session(user: User, *, now: datetime, user_agent: str, remote_addr: str) -> str:
    """Open a session for a user who just proved who they are; return its secret."""
    db.session.execute(
        sa.delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.expires_at < now - KEEP_ENDED
        )
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=_hash(secret),
            created_at=now,
            expires_at=now + timedelta(hours=session_hours()),
            user_agent=(user_agent or "")[:255],
            remote_addr=(remote_addr or "")[:45],
        )
    )
    db.session.flush()
    return secret


def find_session(secret: str | None) -> UserSession | None:
    """Return the session a cookie's secret stands for, open or not, or None."""
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    query = (
        sa.select(UserSession)
        .options(joinedload(UserSession.user))  # one query per request, user included
        .where(UserSession.token_hash == _hash(secret))
    )
    return db.session.scalars(query).first()


def open_session(user_id: int, secret: str | None, *, now: datetime) -> UserSession | None:
    """Return the open session of that (active) user for this secret, or None."""
    found = find_session(secret)
    if found is None or found.user_id != user_id or not found.user.active:
        return None
    return found if found.open_at(now) else None


def end_session(secret: str | None, *, reason: SessionEnd, now: datetime) -> None:
    """End the session of this secret (signing out); nothing happens if it is not open."""
    found = find_session(secret)
    if found is not None and found.ended_at is None:
        found.ended_at, found.end_reason = now, reason
        db.session.flush()


def user_sessions(user: User, *, now: datetime) -> list[UserSession]:
    """Return the user's open sessions, newest first."""
    query = (
        sa.select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
        )
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    )
    return [found for found in db.session.scalars(query) if found.open_at(now)]


def end_other_sessions(user: User, *, keep_secret: str | None, now: datetime) -> int:
    """End every open session of the user but the one of ``keep_secret``; return how many."""
    kept = find_session(keep_secret)
    ended = [found for found in user_sessions(user, now=now) if kept is None or found != kept]
    for found in ended:
        found.ended_at, found.end_reason = now, SessionEnd.SIGNED_OUT_ELSEWHERE
    db.session.flush()
    if ended:
        record("user.sessions_ended", user, actor=user, now=now, after={"sessions": len(ended)})
        logger.info("User %s ended %s other sessions", user.username, len(ended))
    return len(ended)

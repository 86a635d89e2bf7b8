"""Make, check and revoke access tokens (API and calendar feeds).

A token is 32 random bytes, shown to its owner once; the database keeps its SHA-256.
Random tokens need no slow hash: there is nothing to guess, and a lookup by hash is
one indexed query per request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import after_this_request, current_app, has_request_context, request, url_for
from flask_babel import gettext as _

from tracker.audit.services import record
from tracker.auth.models import AccessToken, TokenKind
from tracker.errors import NotFound, ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.text import nfc

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "5ro_"
NAME_MAX = 120
MAX_PERSONAL_DAYS = 365
# Writing "last used" on every call would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=10)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_token(user: User, kind: TokenKind, name: str, now: datetime, expires_at) -> str:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:12],
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    record(
        "token.created",
        user,
        actor=user,
        now=now,
        after={"token_id": token.id, "kind": kind, "name": name, "expires_at": expires_at},
    )
    return secret


def sign_in_token(user: User, *, now: datetime) -> tuple[str, datetime]:
    """Return a fresh API token for a user who gave their password, and its expiry."""
    expires_at = now + timedelta(hours=current_app.config["API_TOKEN_HOURS"])
    return _new_token(user, TokenKind.SIGN_IN, "", now, expires_at), expires_at


def personal_token(user: User, *, name: str, days: int, now: datetime) -> str:
    """Return a named token the user made for a program of theirs."""
    name = nfc(name).strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError(
            _("Hãy đặt tên cho mã truy cập (tối đa %(n)s ký tự).", n=NAME_MAX),
            fields={"name": _("bắt buộc")},
        )
    if not 1 <= days <= MAX_PERSONAL_DAYS:
        raise ValidationError(
            _("Thời hạn từ 1 đến %(n)s ngày.", n=MAX_PERSONAL_DAYS),
            fields={"days": f"1–{MAX_PERSONAL_DAYS}"},
        )
    return _new_token(user, TokenKind.PERSONAL, name, now, now + timedelta(days=days))


def calendar_token(user: User, *, now: datetime) -> str:
    """Return the user's new calendar-feed secret; the previous feed address stops working."""
    for token in user_tokens(user, kinds=(TokenKind.CALENDAR,)):
        _revoke(token, user, now)
    return _new_token(user, TokenKind.CALENDAR, "", now, None)


def feed_url(secret: str) -> str:
    """Return the full address of a calendar feed, to paste into a calendar program."""
    return current_app.config["BASE_URL"] + url_for("feed.calendar", secret=secret)


def user_tokens(user: User, kinds=tuple(TokenKind)) -> list[AccessToken]:
    """Return the user's tokens that have not been revoked, newest first."""
    query = (
        sa.select(AccessToken)
        .where(
            AccessToken.user_id == user.id,
            AccessToken.kind.in_(kinds),
            AccessToken.revoked_at.is_(None),
        )
        .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
    )
    return list(db.session.scalars(query))


def _revoke(token: AccessToken, actor: User, now: datetime) -> None:
    token.revoked_at = now
    record(
        "token.revoked",
        token.user,
        actor=actor,
        now=now,
        after={"token_id": token.id, "kind": token.kind, "name": token.name},
    )


def revoke_token(user: User, token_id: int, *, now: datetime) -> None:
    """Revoke one of the user's own tokens."""
    token = db.session.get(AccessToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(_("Không tìm thấy mã truy cập."))
    _revoke(token, user, now)


def user_for_token(secret: str, kind: TokenKind | tuple, *, now: datetime) -> User | None:
    """Return the active owner of a usable token of that kind, or None."""
    if not secret or len(secret) > 200:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    token = db.session.scalars(
        sa.select(AccessToken).where(AccessToken.token_hash == hash_token(secret))
    ).first()
    if token is None or token.kind not in kinds or not token.usable(now):
        return None
    if not token.user.is_active:
        return None
    valid_after = token.user.sessions_valid_after
    if token.kind == TokenKind.SIGN_IN and valid_after and token.created_at < valid_after:
        # Made from a password that has since been changed or reset: it ends with it.
        # Personal tokens and calendar feeds are named by their owner and revoked by them.
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        _note_use(token.id, now)
    return token.user


def _note_use(token_id: int, now: datetime) -> None:
    """Record when a token was last used.

    A request that writes records it in its own transaction. One that only reads records
    it once it has answered, in a short transaction of its own: on SQLite a read that turns
    into a write fails at once ("database is locked") when another connection wrote in
    between, which parallel page views of one program do all the time. The time is a hint
    shown to the owner, so a database too busy to take it is no reason to refuse anything.
    """
    update = (
        sa.update(AccessToken.__table__)
        .where(AccessToken.__table__.c.id == token_id)
        .values(last_used_at=now)
    )
    if not (has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")):
        db.session.execute(update)
        return

    @after_this_request
    def note(response):
        try:
            with db.engine.begin() as connection:
                connection.execute(update)
        except sa.exc.OperationalError:
            logger.warning("Last use of token %s not recorded: the database is busy", token_id)
        return response

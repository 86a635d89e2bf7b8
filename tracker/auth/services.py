"""Check credentials, sign in and change passwords."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit.services import record
from tracker.auth.models import SessionEnd
from tracker.auth.sessions import end_other_sessions, end_session, start_session
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.org.passwords import hash_method, hash_password, needs_rehash, passes_policy
from tracker.org.services import user_by_username
from tracker.text import nfc

logger = logging.getLogger(__name__)


@cache
def _dummy_hash(method: str) -> str:
    """A hash to compare against when the username is unknown, made the same way as real
    ones, so both cases take the same time (no way to tell which usernames exist)."""
    return generate_password_hash("not-a-real-password", method=method)


def _password_matches(stored: str, password: str) -> bool:
    # Hashes are made of the NFC form; one made before that rule, of a password typed in
    # another form (macOS keyboards give NFD), still matches the form it was made of.
    normal = nfc(password)
    return check_password_hash(stored, normal) or (
        normal != password and check_password_hash(stored, password)
    )


def _log_name(username: str) -> str:
    """Name an unknown username in the log without writing it: people type their password
    into the username box, and a log must not keep a password (ASVS V7.1.1)."""
    digest = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:12]
    return f"unknown username #{digest}"


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (never says which was wrong).

    A hash made with older parameters is made again with today's (the password is at hand
    only now), and a password that no longer meets the policy must be changed: both are
    flushed for the caller to commit.
    """
    user = user_by_username(username or "")
    method = hash_method()
    stored = user.password_hash if user and user.password_hash else _dummy_hash(method)
    valid = _password_matches(stored, password or "")
    if user is None or not valid or not user.password_hash:
        logger.info("Failed sign-in for %s", user.username if user else _log_name(username))
        return None
    if not user.active:
        logger.info("Sign-in refused for inactive user %s", user.username)
        return None
    if needs_rehash(user.password_hash, method):
        user.password_hash = generate_password_hash(nfc(password), method=method)
        logger.info("Password hash of %s upgraded to %s", user.username, method)
    if not user.password_change_required and not passes_policy(password, username=user.username):
        user.password_change_required = True
        logger.info("Password of %s no longer meets the policy: change required", user.username)
    db.session.flush()
    return user


def sign_in(
    username: str, password: str, *, now: datetime, user_agent: str, remote_addr: str
) -> tuple[User, str] | None:
    """Check the credentials and open a web session; return the user and its secret."""
    user = authenticate(username, password)
    if user is None:
        return None
    secret = start_session(user, now=now, user_agent=user_agent, remote_addr=remote_addr)
    logger.info("User %s signed in from %s", user.username, remote_addr)
    return user, secret


def sign_out(user: User | None, secret: str | None, *, now: datetime) -> None:
    """End the web session of this secret: a copy of the cookie no longer works."""
    end_session(secret, reason=SessionEnd.SIGNED_OUT, now=now)
    if user is not None:
        logger.info("User %s signed out", user.username)


def _check_current(user: User, current: str) -> None:
    if not user.password_hash or not _password_matches(user.password_hash, current or ""):
        raise ValidationError(
            _("Mật khẩu hiện tại không đúng."), fields={"current_password": _("không đúng")}
        )


def change_password(
    user: User,
    *,
    current: str,
    new: str,
    now: datetime,
    session_secret: str | None,
    user_agent: str = "",
    remote_addr: str = "",
) -> str:
    """Replace the user's password after checking the current one; end every other session
    and sign-in token of theirs (ASVS V3.3.3), and return the secret of a new session for
    the browser that made the change (its own is replaced too)."""
    _check_current(user, current)
    if nfc(new) == nfc(current):
        raise ValidationError(
            _("Mật khẩu mới phải khác mật khẩu hiện tại."), fields={"new_password": _("trùng")}
        )
    user.password_hash = hash_password(new, username=user.username)
    user.password_change_required = False
    user.sessions_valid_after = now
    end_session(session_secret, reason=SessionEnd.PASSWORD_CHANGED, now=now)
    secret = start_session(user, now=now, user_agent=user_agent, remote_addr=remote_addr)
    db.session.flush()
    record("user.password_changed", user, actor=user, now=now)
    logger.info("User %s changed their password; their other sessions ended", user.username)
    return secret


def sign_out_elsewhere(user: User, *, password: str, session_secret: str | None, now) -> int:
    """End the user's sessions on every other browser, once they re-entered their password
    (ASVS V3.3.4); return how many were ended."""
    _check_current(user, password)
    return end_other_sessions(user, keep_secret=session_secret, now=now)

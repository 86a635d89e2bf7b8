"""Check credentials and change passwords."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit.services import record
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.org.services import hash_password, user_by_username

logger = logging.getLogger(__name__)

# Compared against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (never says which was wrong)."""
    user = user_by_username(username or "")
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    valid = check_password_hash(stored, password or "")
    if user is None or not valid or not user.password_hash:
        logger.info("Failed sign-in for %r", username)
        return None
    if not user.active:
        logger.info("Sign-in refused for inactive user %s", user.username)
        return None
    return user


def change_password(user: User, *, current: str, new: str, now: datetime) -> None:
    """Replace the user's password after checking the current one."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise ValidationError(
            _("Mật khẩu hiện tại không đúng."), fields={"current_password": _("không đúng")}
        )
    if new == current:
        raise ValidationError(
            _("Mật khẩu mới phải khác mật khẩu hiện tại."), fields={"new_password": _("trùng")}
        )
    user.password_hash = hash_password(new)
    db.session.flush()
    record("user.password_changed", user, actor=user, now=now)
    logger.info("User %s changed their password", user.username)

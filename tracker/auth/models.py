"""Access tokens: for programs calling the API, and for calendar feeds."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.dbtypes import UTCDateTime, enum_column
from tracker.extensions import db
from tracker.org.models import User


class TokenKind(enum.StrEnum):
    SIGN_IN = "sign_in"  # from POST /api/v1/tokens with a username and password
    PERSONAL = "personal"  # named by its owner on the profile page
    CALENDAR = "calendar"  # reads only the owner's calendar feed


class AccessToken(db.Model):
    """A secret that stands for its owner. Only its SHA-256 is kept: a stolen database
    gives no usable token, and the secret itself is shown once, when it is made."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[TokenKind] = mapped_column(enum_column(TokenKind, "token_kind"))
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        """Tell whether the token still opens the door: not revoked, not expired."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class SessionEnd(enum.StrEnum):
    SIGNED_OUT = "signed_out"
    PASSWORD_CHANGED = "password_changed"  # replaced by the session that changed it
    SIGNED_OUT_ELSEWHERE = "ended_by_owner"  # from the owner's list of sessions


class UserSession(db.Model):
    """A sign-in on one browser. The cookie holds a random secret; the database keeps its
    SHA-256, so signing out (or a password change elsewhere) ends a copied cookie too —
    a signed cookie alone could not be taken back before it expires."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The absolute end (SESSION_HOURS after sign-in), however active the person is.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[SessionEnd | None] = mapped_column(enum_column(SessionEnd, "session_end"))
    # Shown to the owner in their list of sessions, to recognise a browser they do not know.
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")
    remote_addr: Mapped[str] = mapped_column(sa.String(45), default="")

    user: Mapped[User] = relationship()

    def open_at(self, now: datetime) -> bool:
        """Tell whether the session still counts: not ended, not past its absolute end,
        and not begun before its owner's sessions were ended (a password change or reset,
        a deactivation)."""
        valid_after = self.user.sessions_valid_after
        return (
            self.ended_at is None
            and now < self.expires_at
            and (valid_after is None or self.created_at >= valid_after)
        )

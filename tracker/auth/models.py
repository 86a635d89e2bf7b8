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

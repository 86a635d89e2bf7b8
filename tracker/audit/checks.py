"""Checks of the audit chain: run one and keep its result, read the last one.

The whole chain is too long to verify on every page view, so it is verified by the nightly
job, by ``tracker audit verify`` and by an audit reader's button; each check is kept in
``audit_chain_checks`` and the audit page and the system page show the latest.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.audit.models import AuditChainHead, ChainCheck
from tracker.audit.services import SYSTEM_ACTOR, verify_chain
from tracker.extensions import db

logger = logging.getLogger(__name__)

# Who checked the chain when the command line did it (the page names its user).
COMMAND_VERIFIER = "tracker audit verify"


def _head_seq() -> int:
    return db.session.scalar(sa.select(AuditChainHead.seq).where(AuditChainHead.id == 1)) or 0


def verify_and_record(*, by: str, now: datetime) -> ChainCheck:
    """Verify the whole chain now and keep the result; ``by`` names who asked (a username,
    the command line, or the system for the nightly job)."""
    head_seq = _head_seq()
    started = time.monotonic()
    report = verify_chain()
    check = ChainCheck(
        started_at=now,
        finished_at=now + timedelta(seconds=time.monotonic() - started),
        checked_by=by[:80],
        ok=report.ok,
        checked=report.checked,
        head_seq=head_seq,
        broken_seq=report.broken_seq,
        broken_id=report.broken_id,
        reason=report.reason,
    )
    db.session.add(check)
    db.session.flush()
    if report.ok:
        logger.info("Audit chain verified by %s: %s events intact", by, report.checked)
    else:
        logger.warning(
            "Audit chain verified by %s: broken at event %s (%s)",
            by,
            report.broken_seq,
            report.reason,
        )
    return check


@dataclass(frozen=True)
class ChainState:
    """The last check of the chain (if any), and how many events came after it."""

    last: ChainCheck | None
    newer_events: int

    @property
    def ok(self) -> bool | None:
        """True or False as the last check found; None when it was never checked."""
        return None if self.last is None else self.last.ok

    @property
    def checked_at(self) -> datetime | None:
        return None if self.last is None else self.last.started_at

    @property
    def checked(self) -> int:
        return 0 if self.last is None else self.last.checked

    @property
    def broken_seq(self) -> int | None:
        return None if self.last is None else self.last.broken_seq

    @property
    def broken_id(self) -> int | None:
        return None if self.last is None else self.last.broken_id

    @property
    def reason(self) -> str | None:
        return None if self.last is None else self.last.reason

    @property
    def verifier(self) -> str | None:
        """Who checked, as a reader says it: the nightly job, the command line, or a user."""
        if self.last is None:
            return None
        if self.last.checked_by == SYSTEM_ACTOR:
            return str(_l("Hệ thống (tự động, hằng đêm)"))
        if self.last.checked_by == COMMAND_VERIFIER:
            return str(_l("lệnh %(command)s", command=COMMAND_VERIFIER))
        return self.last.checked_by


def chain_state() -> ChainState:
    """Return the last check's result without checking again (two queries)."""
    last = db.session.scalar(
        sa.select(ChainCheck).order_by(ChainCheck.started_at.desc(), ChainCheck.id.desc()).limit(1)
    )
    head = _head_seq()
    return ChainState(last, max(head - (last.head_seq if last else 0), 0))

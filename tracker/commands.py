"""What every command shares: one transaction, and errors printed for people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from tracker.errors import TrackerError
from tracker.extensions import db


@contextmanager
def command_transaction() -> Iterator[None]:
    """Commit once if the block succeeds; roll back and print the error if it fails."""
    try:
        yield
        db.session.commit()
    except TrackerError as exc:
        db.session.rollback()
        details = "".join(f"\n  - {name}: {text}" for name, text in exc.fields.items())
        raise click.ClickException(f"{exc.message}{details}") from exc
    except BaseException:
        db.session.rollback()
        raise

"""``tracker audit verify``: check that nobody rewrote the audit trail."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.audit.checks import COMMAND_VERIFIER, verify_and_record
from tracker.clock import utcnow
from tracker.extensions import db

audit_cli = AppGroup("audit", help="Nhật ký kiểm toán (audit trail).")


@audit_cli.command("verify")
def verify() -> None:
    """Verify the hash chain; name the first broken link and exit 1 if there is one. The
    result is kept, and shown on the audit page and the system page."""
    report = verify_and_record(by=COMMAND_VERIFIER, now=utcnow())
    db.session.commit()
    if report.ok:
        click.echo(f"Chuỗi nhật ký nguyên vẹn: {report.checked} sự kiện đã kiểm tra.")
        return
    where = f"sự kiện số {report.broken_seq}"
    if report.broken_id is not None:
        where += f" (id {report.broken_id})"
    click.echo(
        f"CHUỖI NHẬT KÝ BỊ PHÁ VỠ tại {where}: {report.reason}. "
        f"{report.checked} sự kiện trước đó hợp lệ.",
        err=True,
    )
    raise SystemExit(1)

"""``tracker backup`` and ``tracker restore``: an administrator's snapshot and its return."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.backup.services import BackupError, create_backup, restore_backup
from tracker.clock import utcnow
from tracker.storage import current_storage


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Tệp sao lưu sẽ ghi (mặc định: tracker-backup-<thời điểm UTC>.tar ở thư mục hiện tại).",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Write a consistent snapshot of the database and the evidence files to one archive."""
    now = utcnow()
    output = output or Path(f"tracker-backup-{now:%Y%m%d-%H%M%S}.tar")
    try:
        result = create_backup(output, current_storage(), now=now)
    except BackupError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(result.summary())
    for warning in result.warnings():
        click.echo(warning, err=True)


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore a backup into this empty instance (stop its web and scheduler processes)."""
    try:
        result = restore_backup(archive, current_storage())
    except BackupError as exc:
        raise click.ClickException(exc.message) from exc
    manifest = result.manifest
    rows = sum(manifest["tables"].values())
    click.echo(
        f"Đã khôi phục bản sao lưu lúc {manifest['created_at']}: {rows} dòng trong "
        f"{len(manifest['tables'])} bảng, {result.files} tệp minh chứng vào "
        f"{current_storage().describe()}.\n"
        f"(Restored the backup of {manifest['created_at']}: {rows} rows, "
        f"{result.files} evidence files.)"
    )
    if not result.ok:
        for problem in result.problems:
            click.echo(f"  - {problem}", err=True)
        raise click.ClickException(
            "Dữ liệu đã khôi phục KHÔNG khớp với bản sao lưu (see above); đừng đưa hệ thống "
            "vào sử dụng (the restored data does not match the backup: do not put it in use)."
        )
    click.echo(
        f"Đã kiểm tra: chuỗi nhật ký kiểm toán nguyên vẹn ({result.chain_checked} sự kiện), "
        "số dòng từng bảng khớp manifest.\n"
        f"(Checked: audit chain intact, {result.chain_checked} events; row counts match.)"
    )
    if result.upgrade_needed:
        click.echo(
            "Bản sao lưu từ phiên bản cũ hơn: hãy chạy `tracker db upgrade` "
            "(the backup is from an older version: run `tracker db upgrade`)."
        )

"""``tracker demo``: load the Hà Nội demo data (idempotent)."""

from __future__ import annotations

import click

from tracker.clock import utcnow
from tracker.commands import command_transaction


@click.command("demo")
def demo_command() -> None:
    """Load a realistic Hà Nội demo (units, users, documents, tasks) and print the logins."""
    from tracker.demo.data import DEMO_PASSWORD, load_demo

    with command_transaction():
        result = load_demo(now=utcnow())
    if result.created:
        click.echo(f"Đã tạo dữ liệu mẫu: {result.summary}.")
    else:
        click.echo("Dữ liệu mẫu đã có sẵn; không tạo thêm gì.")
    click.echo(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
    for username, description in result.logins:
        click.echo(f"  {username:<16} {description}")

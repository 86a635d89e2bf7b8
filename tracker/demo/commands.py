"""``tracker demo``: load the Hà Nội demo data (idempotent); ``tracker bench-data``: a
city-sized dataset for the benchmarks."""

from __future__ import annotations

from datetime import date

import click

from tracker.clock import local_date, utcnow
from tracker.commands import command_transaction


@click.command("demo")
def demo_command() -> None:
    """Load a realistic Hà Nội demo (units, users, documents, tasks) and print the logins."""
    from tracker.demo.catalogue import DEMO_PASSWORD
    from tracker.demo.stories import load_demo

    with command_transaction():
        # A minute of work: say how far it has come, so nobody thinks it is stuck.
        result = load_demo(now=utcnow(), progress=click.echo)
    if result.created:
        click.echo(f"Đã tạo dữ liệu mẫu: {result.summary}.")
    else:
        click.echo("Dữ liệu mẫu đã có sẵn; không tạo thêm gì.")
    click.echo(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
    for username, description in result.logins:
        click.echo(f"  {username:<16} {description}")


def _day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"ngày không hợp lệ (invalid date): {value!r}, ví dụ 2026-12-01"
        ) from exc


@click.command("bench-data")
@click.option("--tasks", type=click.IntRange(min=100), default=100_000, show_default=True)
@click.option("--units", type=click.IntRange(min=20), default=700, show_default=True)
@click.option("--users", type=click.IntRange(min=40), default=5_000, show_default=True)
@click.option("--years", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--seed", type=int, default=171, show_default=True)
@click.option(
    "--today",
    callback=_day,
    help="Ngày tham chiếu (YYYY-MM-DD), mặc định hôm nay; cùng seed và ngày cho cùng dữ liệu.",
)
def bench_data_command(tasks, units, users, years, seed, today) -> None:
    """Fill an empty database with a city-sized dataset for the benchmarks (bench/)."""
    from tracker.demo.benchdata import PASSWORD, Scale, load_scale

    scale = Scale(tasks, units, users, years, seed, today or local_date(utcnow()))
    with command_transaction():
        report = load_scale(scale, progress=click.echo)
    rows = sum(report.counts.values())
    click.echo(
        f"Đã nạp {report.counts.get('tasks', 0):,} nhiệm vụ, {rows:,} dòng"
        f" trong {report.seconds:.0f} giây (ngày tham chiếu {scale.today:%d/%m/%Y})."
    )
    for table, count in sorted(report.counts.items()):
        click.echo(f"  {table:<24} {count:>12,}")
    click.echo(f"Tài khoản (mật khẩu chung: {PASSWORD}):")
    for username, description in report.logins:
        click.echo(f"  {username:<24} {description}")

"""``tracker sweep``, ``tracker deliver``, ``tracker digest`` and ``tracker scheduler``."""

from __future__ import annotations

import contextlib
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.clock import local_zone, parse_instant, utcnow
from tracker.jobs import work
from tracker.jobs.runner import run_job


class Instant(click.ParamType):
    """An ISO-8601 date or time; without a zone it is Hà Nội's local time."""

    name = "ISO-8601"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(value, local_zone())
        except ValueError:
            self.fail(f"không đọc được thời điểm {value!r}; ví dụ: 2026-12-15T08:00", param, ctx)


@click.command("sweep")
@click.option("--now", type=Instant(), default=None, help="Quét như thể lúc này (ISO-8601).")
@with_appcontext
def sweep_command(now: datetime | None) -> None:
    """Run one sweep and print what it created, by kind."""
    result = run_job("sweep", work.sweep_work, now or utcnow())
    if result is None:
        # Not an error: another scheduler is doing this very work right now.
        click.echo("Một tiến trình khác đang quét; lần quét này bỏ qua.")
        return
    click.echo(f"Đã quét: {result}.")


@click.command("deliver")
@click.option("--now", type=Instant(), default=None, help="Gửi như thể lúc này (ISO-8601).")
@with_appcontext
def deliver_command(now: datetime | None) -> None:
    """Send what waits in the outbox once: webhook deliveries and emails."""
    click.echo(run_job("deliver", work.deliver_job, now or utcnow()) or "Đang bận.")


@click.command("series")
@click.option("--now", type=Instant(), default=None, help="Chạy như thể lúc này (ISO-8601).")
@with_appcontext
def series_command(now: datetime | None) -> None:
    """Create the occurrences of recurring tasks that are due, once."""
    click.echo(run_job("series", work.series_job, now or utcnow()) or "Đang bận.")


@click.command("digest")
@click.option("--now", type=Instant(), default=None, help="Gửi như thể lúc này (ISO-8601).")
@with_appcontext
def digest_command(now: datetime | None) -> None:
    """Send the morning digest emails once."""
    click.echo(run_job("digest", work.digest_job, now or utcnow()) or "Đang bận.")


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process: the sweep, the morning digest and email delivery."""
    from tracker.jobs.scheduler import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("Bộ lập lịch đang chạy (Ctrl+C để dừng).")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()

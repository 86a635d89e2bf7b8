"""The ``tracker`` console script: Flask's commands plus the tracker's own."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup


def register_commands(app: Flask) -> None:
    """Attach each feature's command group to the app."""
    from tracker.audit.commands import audit_cli
    from tracker.backup.commands import backup_command, restore_command
    from tracker.demo.commands import bench_data_command, demo_command
    from tracker.jobs.commands import (
        deliver_command,
        digest_command,
        scheduler_command,
        series_command,
        sweep_command,
    )
    from tracker.org.commands import units_cli, users_cli

    for command in (
        audit_cli,
        demo_command,
        bench_data_command,
        units_cli,
        users_cli,
        sweep_command,
        deliver_command,
        digest_command,
        series_command,
        scheduler_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)


def _create_app():
    from tracker import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, help='Hệ thống theo dõi nhiệm vụ "5 rõ".')

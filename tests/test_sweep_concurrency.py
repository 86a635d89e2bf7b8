"""Several sweeps at the same instant, from separate processes, create each notice once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGRES_URL
from tests.factories import forget_workflow_notices, issued_task
from tracker.extensions import db
from tracker.notify.models import Notification
from tracker.reminders.models import Escalation, Reminder

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")

ROOT = Path(__file__).resolve().parent.parent

# Without the job lock: four processes race on the inserts themselves.
RAW_SWEEP = """
import sys
from datetime import datetime
from tracker import create_app
from tracker.extensions import db
from tracker.reminders.sweep import run_sweep
app = create_app()
with app.app_context():
    run_sweep(datetime.fromisoformat(sys.argv[1]))
    db.session.commit()
"""


def _environment(app) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    env["SECRET_KEY"] = "test"
    return env


def _counts():
    db.session.expire_all()
    return (
        db.session.scalar(sa.select(sa.func.count(Reminder.id))),
        db.session.scalar(sa.select(sa.func.count(Escalation.id))),
        db.session.scalar(sa.select(sa.func.count(Notification.id))),
    )


def _tasks(org, now):
    for n in range(6):
        issued_task(org, now, title=f"Nhiệm vụ {n}", due_date=(now + timedelta(days=7 + n)).date())
    forget_workflow_notices()  # the sweep's notices are counted, not the issue's own


@pytest.mark.parametrize("how", ["command", "raw"])
def test_four_processes_sweeping_at_once_create_each_item_once(app, org, now, how):
    _tasks(org, now)
    moment = (now + timedelta(days=40)).isoformat()
    if how == "command":
        command = [str(ROOT / ".venv/bin/tracker"), "sweep", "--now", moment]
        if not Path(command[0]).exists():
            command = [sys.executable, "-m", "flask", "--app", "wsgi", "sweep", "--now", moment]
    else:
        command = [sys.executable, "-c", RAW_SWEEP, moment]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=_environment(app),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    reminders, escalations, notifications = _counts()
    # Each task: reminders 5 and 2 days before and on the day, a warning, the latest urging.
    assert (reminders, escalations) == (6 * 5, 6)
    # Per task, one inbox message per person: three reminders to the accountable head, the
    # warning to him and the office, the urging to the leader, the escalation to him, the
    # leader and the inspector.
    assert notifications == 6 * (3 + 2 + 1 + 3)
    # Sweeping again alone adds nothing.
    subprocess.run(command, cwd=ROOT, env=_environment(app), check=True, capture_output=True)
    assert _counts() == (reminders, escalations, notifications)

"""``/healthz`` for load balancers and monitoring: database, migrations, scheduler.

The database and the schema decide the status code (503 takes a web process out of a
load balancer's rotation). The scheduler runs apart from the web processes, so its
heartbeat only turns the answer into a 503 when monitoring asks (``?scheduler=1``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify, request

from tracker.clock import utcnow
from tracker.extensions import db, limiter
from tracker.observability.status import scheduler_state

bp = Blueprint("health", __name__)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@cache
def _head_revision() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _database() -> tuple[str, str | None]:
    try:
        version = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return "error", type(error).__name__
    return "ok", version


def _scheduler() -> tuple[str, str | None]:
    state = scheduler_state(utcnow(), current_app.config["DELIVERY_INTERVAL_SECONDS"])
    return state.state, state.last_beat.isoformat() if state.last_beat else None


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Answer 200 when this process can serve: the database answers and its schema is the
    one this code expects; with ``?scheduler=1`` the scheduler must also be alive."""
    database, version = _database()
    migrations = "ok" if version == _head_revision() else "behind"
    scheduler, last_beat = _scheduler() if database == "ok" else ("unknown", None)
    body = {
        "database": database,
        "migrations": migrations,
        "schema_version": version,
        "expected_version": _head_revision(),
        "scheduler": scheduler,
        "scheduler_last_run": last_beat,
    }
    healthy = database == "ok" and migrations == "ok"
    if request.args.get("scheduler") == "1":
        healthy = healthy and scheduler == "ok"
    body["status"] = "ok" if healthy else "unavailable"
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    return response

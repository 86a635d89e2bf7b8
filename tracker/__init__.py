"""A task and accountability tracker built on the "5 rõ" rule."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from tracker.config import load_settings
from tracker.extensions import babel, db, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config = dict(config or {})
    if "INSTANCE_PATH" in config:
        app.instance_path = config.pop("INSTANCE_PATH")
    app.config.update(load_settings(Path(app.instance_path)))
    app.config.update(config)
    register_extensions(app)
    register_cli(app)
    return app


def _import_models() -> None:
    """Import every feature's models so the metadata (and Alembic) sees all tables."""
    from tracker.audit import models as _audit  # noqa: F401
    from tracker.calendar import models as _calendar  # noqa: F401
    from tracker.org import models as _org  # noqa: F401
    from tracker.tasks import models as _tasks  # noqa: F401


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, translations and the audit hooks to the app."""
    from tracker.audit.services import register_audit_hooks
    from tracker.tasks.evidence import register_evidence_hooks

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app)
    register_audit_hooks()
    register_evidence_hooks()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def register_cli(app: Flask) -> None:
    """Add the tracker's own commands to ``flask``/``tracker``."""
    from tracker.cli import register_commands

    register_commands(app)

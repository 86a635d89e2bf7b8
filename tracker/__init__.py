"""A task and accountability tracker built on the "5 rõ" rule."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker.config import ConfigurationError, engine_options, load_settings
from tracker.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    from tracker.web.transactions import TrackerFlask

    app = TrackerFlask(
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
    check_production(app)
    register_logging(app)
    register_proxies(app)
    register_url_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    """Log in LOG_FORMAT with each request's id, one access line per request, and count
    requests for /metrics; first, so the other steps' hooks run inside them."""
    from tracker.logs import register_logging as configure_logging
    from tracker.observability.metrics import register_metrics

    configure_logging(app)
    register_metrics(app)


def check_production(app: Flask) -> None:
    """Refuse to start a production site in debug mode: Werkzeug's debugger runs any code
    typed into an error page, and debug pages show settings and source (ASVS V14.3.2)."""
    if app.config.get("TRACKER_ENV") == "production" and (app.debug or app.config.get("DEBUG")):
        raise ConfigurationError(
            "Không chạy chế độ gỡ lỗi (FLASK_DEBUG/--debug) khi TRACKER_ENV=production "
            "(debug mode must be off in production)."
        )


def register_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto from the TRUSTED_PROXIES proxies in front (nginx), so
    throttling counts each person's address, not the proxy's, and links say https."""
    count = app.config.get("TRUSTED_PROXIES", 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_url_converters(app: Flask) -> None:
    """Bound the ids in addresses before any route is added (see web.requests.DatabaseId),
    and read every form and query in NFC (see web.requests.NfcRequest)."""
    from tracker.web.requests import DatabaseId, NfcRequest

    app.url_map.converters["int"] = DatabaseId
    app.request_class = type("Request", (NfcRequest, app.request_class), {})


def _import_models() -> None:
    """Import every feature's models so the metadata (and Alembic) sees all tables."""
    from tracker.audit import models as _audit  # noqa: F401
    from tracker.auth import models as _auth  # noqa: F401
    from tracker.calendar import models as _calendar  # noqa: F401
    from tracker.inspections import models as _inspections  # noqa: F401
    from tracker.jobs import models as _jobs  # noqa: F401
    from tracker.notify import models as _notify  # noqa: F401
    from tracker.org import models as _org  # noqa: F401
    from tracker.reminders import models as _reminders  # noqa: F401
    from tracker.tasks import models as _tasks  # noqa: F401
    from tracker.webhooks import models as _webhooks  # noqa: F401


def register_extensions(app: Flask) -> None:
    """Bind the storage, database, migrations, sign-in, CSRF, limits, translations, hooks."""
    from tracker.audit.services import register_audit_hooks
    from tracker.storage import register_storage
    from tracker.tasks.evidence import register_evidence_hooks
    from tracker.web.locale import select_locale
    from tracker.web.widgets import register_widgets
    from tracker.webhooks.services import register_webhook_hooks

    _import_models()
    # Options for the database actually used (tests and callers may change the URL).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(app.config["SQLALCHEMY_DATABASE_URI"]),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    register_storage(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    register_audit_hooks()
    register_evidence_hooks()
    register_webhook_hooks()
    register_widgets()


def register_blueprints(app: Flask) -> None:
    """Mount each feature's pages, and the API."""
    from tracker.api import init_api
    from tracker.auth.routes import bp as auth_bp
    from tracker.calendar.routes import bp as calendar_bp
    from tracker.imports.routes import bp as imports_bp
    from tracker.inspections.routes import bp as inspections_bp
    from tracker.notify.routes import bp as notify_bp
    from tracker.observability.health import bp as health_bp
    from tracker.observability.metrics import bp as metrics_bp
    from tracker.observability.routes import bp as system_bp
    from tracker.org.routes import bp as org_bp
    from tracker.oversight.audit_routes import bp as audit_bp
    from tracker.oversight.routes import bp as oversight_bp
    from tracker.reminders.escalation_routes import bp as escalations_bp
    from tracker.reminders.rule_routes import bp as reminder_rules_bp
    from tracker.tasks.calendar_routes import bp as deadlines_bp
    from tracker.tasks.documents.routes import bp as documents_bp
    from tracker.tasks.feed import bp as feed_bp
    from tracker.tasks.process_templates.routes import bp as process_templates_bp
    from tracker.tasks.routes import bp as tasks_bp
    from tracker.tasks.series.routes import bp as series_bp
    from tracker.webhooks.routes import bp as webhooks_bp

    for blueprint in (
        auth_bp,
        tasks_bp,
        deadlines_bp,
        feed_bp,
        documents_bp,
        org_bp,
        calendar_bp,
        notify_bp,
        escalations_bp,
        reminder_rules_bp,
        oversight_bp,
        inspections_bp,
        audit_bp,
        imports_bp,
        webhooks_bp,
        process_templates_bp,
        series_bp,
        health_bp,
        metrics_bp,
        system_bp,
    ):
        app.register_blueprint(blueprint)
    init_api(app)


def register_errorhandlers(app: Flask) -> None:
    """Give every error its own page (JSON under /api/), every response the security
    headers, every request its one transaction. Registered after the API, so these
    handlers replace flask-smorest's."""
    from tracker.web import register_web

    register_web(app)


def register_cli(app: Flask) -> None:
    """Add the tracker's own commands to ``flask``/``tracker``."""
    from tracker.cli import register_commands

    register_commands(app)

"""Test fixtures: an app on SQLite or PostgreSQL (TEST_DATABASE_URL), built by the migrations.

Each test gets an empty database with the schema the migrations create: on SQLite a
fresh copy of a migrated template file, on PostgreSQL the migrated schema with every
table emptied after the test.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import g
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings

from tests.factories import PASSWORD, Org, _user, build_org
from tracker import create_app
from tracker.config import database_url
from tracker.extensions import db
from tracker.org.models import Role, UnitKind
from tracker.org.services import create_unit, set_unit_head

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")

# Monday 02/11/2026, 09:00 in Hà Nội: the instant every test's clock stands at.
FIXED_NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

# Property-based tests: a bounded, reproducible run in CI, a long random hunt on request
# (HYPOTHESIS_PROFILE=long). No deadline: a slow example on a busy machine is no failure.
_HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "database": None,
}
settings.register_profile("ci", max_examples=20, derandomize=True, **_HYPOTHESIS)
settings.register_profile("long", max_examples=500, **_HYPOTHESIS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _app_for(url: str, instance_path, **overrides) -> object:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url(url),
            "INSTANCE_PATH": str(instance_path),
            "SECRET_KEY": "test-secret",
            "UPLOAD_FOLDER": str(instance_path / "uploads"),
            "MAX_UPLOAD_MB": 1,
            "MAX_CONTENT_LENGTH": 3 * 1024 * 1024,
            # Most tests post forms directly; test_web_security turns CSRF back on.
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            # A cheap scrypt: every sign-in checks a hash. test_security checks the real one.
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            # The machine's clock is never read: each test app's clock stands at the
            # test's ``now`` (tracker.clock), whatever the date the suite runs on.
            "TRACKER_NOW": FIXED_NOW,
            **overrides,
        }
    )


def database_for(migrated_database: str, folder, name: str = "tracker.sqlite3") -> str:
    """The database URL of one test app: on SQLite its own copy (in ``folder``) of the
    migrated template; on PostgreSQL the shared test database, emptied after each test."""
    if POSTGRES_URL:
        return migrated_database
    copy = folder / name
    shutil.copy(migrated_database.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


def forget_between_requests(application) -> None:
    """Tests hold one app context, which every request then shares; Flask-Login caches the
    signed-in user on it, so forget that user at each request as a real server would —
    first of all, before any other hook looks at the user."""

    def _forget_cached_user() -> None:
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)  # and the language chosen by the previous request

    application.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_user)


def _reset_postgres_schema(app) -> None:
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """Build the schema once through the migrations; return the URL (or template file)."""
    instance = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        app = _app_for(POSTGRES_URL, instance)
        _reset_postgres_schema(app)
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{instance / 'template.sqlite3'}"
        app = _app_for(url, instance)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _empty_postgres_tables() -> None:
    names = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_overrides() -> dict:
    """Settings a test module gives its apps (test_evidence: each upload storage)."""
    return {}


@pytest.fixture
def app(migrated_database, tmp_path, app_overrides, now):
    """An application with an empty, migrated database, inside an app context; its clock
    stands at ``now``."""
    instance = tmp_path / "instance"
    instance.mkdir()
    application = _app_for(
        database_for(migrated_database, instance),
        instance,
        **{"TRACKER_NOW": now, **app_overrides},
    )
    forget_between_requests(application)
    with application.app_context():
        yield application
        db.session.rollback()
        db.session.remove()
        if POSTGRES_URL:
            _empty_postgres_tables()
        db.engine.dispose()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A real S3-compatible server (moto) on a free local port; its address."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_settings(s3_server) -> dict:
    """The settings of an empty bucket of its own on the S3 server, for one test."""
    import boto3

    settings = {
        "UPLOAD_STORAGE": "s3",
        "S3_ENDPOINT_URL": s3_server,
        "S3_BUCKET": f"tracker-{uuid.uuid4().hex[:12]}",
        "S3_PREFIX": "evidence/",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test-key",
        "S3_SECRET_ACCESS_KEY": "test-secret",
    }
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    ).create_bucket(Bucket=settings["S3_BUCKET"])
    return settings


@pytest.fixture
def now() -> datetime:
    """A fixed instant: Monday 02/11/2026, 09:00 in Hà Nội."""
    return FIXED_NOW


class Clock:
    """The test app's clock: where it stands, and moving it as the story of a test needs."""

    def __init__(self, application):
        self._app = application

    @property
    def now(self) -> datetime:
        return self._app.config["TRACKER_NOW"]

    def set(self, instant: datetime) -> datetime:
        """Stand the clock at ``instant`` (timezone-aware)."""
        assert instant.tzinfo is not None, "pass a timezone-aware instant"
        self._app.config["TRACKER_NOW"] = instant.astimezone(UTC)
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock on by ``delta``."""
        return self.set(self.now + delta)


@pytest.fixture
def clock(app) -> Clock:
    """The clock of the test's app (pinned at ``now``)."""
    return Clock(app)


@pytest.fixture
def org(app, now) -> Org:
    """A small city: the office, two departments, a leader, an inspector and an admin."""
    organisation = build_org(now)
    db.session.commit()
    return organisation


@pytest.fixture
def client(app):
    return app.test_client()


class AuthActions:
    """Sign in and out through the real sign-in page, as a person would."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = PASSWORD):
        return self._client.post(
            "/login", data={"username": username, "password": password, "csrf_token": "x"}
        )

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def strict_app(migrated_database, tmp_path):
    """An app with CSRF protection and sign-in throttling switched on, as in production."""
    instance = tmp_path / "strict"
    instance.mkdir()
    application = _app_for(
        database_for(migrated_database, instance),
        instance,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    forget_between_requests(application)
    with application.app_context():
        from tracker.extensions import limiter

        limiter.reset()
        yield application
        db.session.remove()
        if POSTGRES_URL:
            _empty_postgres_tables()
        db.engine.dispose()


@pytest.fixture
def district(org, now):
    """A district (Hoài Đức) with its chairman and three communes, each with a head."""
    unit = create_unit(
        code="H-HOAIDUC",
        name="UBND huyện Hoài Đức",
        kind=UnitKind.DISTRICT,
        parent=org.city,
        actor=None,
        now=now,
    )
    chair = _user("hoaiduc.chutich", "Chủ tịch huyện", unit, [Role.UNIT_HEAD], now)
    set_unit_head(unit, chair, actor=None, now=now)
    communes = []
    for code, name in (
        ("X-ANKHANH", "UBND xã An Khánh"),
        ("X-KIMCHUNG", "UBND xã Kim Chung"),
        ("X-DUCTHUONG", "UBND xã Đức Thượng"),
    ):
        commune = create_unit(
            code=code, name=name, kind=UnitKind.COMMUNE, parent=unit, actor=None, now=now
        )
        head = _user(code.lower(), f"Chủ tịch {name}", commune, [Role.UNIT_HEAD], now)
        set_unit_head(commune, head, actor=None, now=now)
        communes.append(commune)
    db.session.commit()
    return unit, chair, communes


def pytest_sessionfinish(session, exitstatus):
    """Stop the timers libraries leave running, so the process can end.

    The rate limiter's in-memory storage re-arms a 10 ms ``threading.Timer``, which is not
    a daemon thread. Under the shifted clock of scripts/test.sh (faketime) its wait never
    ends, and Python would wait for it at exit forever."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()

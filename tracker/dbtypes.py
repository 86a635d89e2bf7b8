"""Column types shared by every feature."""

from __future__ import annotations

import enum
import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import has_request_context, request


def enum_column(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """Store an enum as its value in a VARCHAR with a CHECK constraint (portable, readable)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps the zone in ``timestamptz``; SQLite keeps none, so values are
    stored as UTC and handed back with ``tzinfo=UTC``. Naive datetimes are refused
    because a naive time in this application would be ambiguous (UTC or Hà Nội?).
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@sa.event.listens_for(sa.Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """On SQLite: enforce foreign keys, let readers and a writer work side by side (WAL),
    and wait for a lock instead of failing at once."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the driver, begin transactions (see _sqlite_begin), so that
    # schema changes in a migration are rolled back with everything else on failure.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 15000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@sa.event.listens_for(sa.Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Start SQLite transactions explicitly, DDL included (SQLAlchemy's documented recipe).

    A transaction that will write takes the write lock at once (BEGIN IMMEDIATE), so two
    writers queue for each other instead of one failing when it upgrades a read lock;
    page views (GET) read without blocking anyone.
    """
    if connection.dialect.name != "sqlite":
        return
    reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


# Indexes only PostgreSQL has, made by migrations and not described by the models (a
# trigram index on SQLite would be a useless copy of the text): autogenerate leaves them be.
POSTGRES_ONLY_INDEXES = frozenset({"ix_tasks_search_trgm"})


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Tell Alembic's comparison of models and database what to compare."""
    return not (type_ == "index" and name in POSTGRES_ONLY_INDEXES)

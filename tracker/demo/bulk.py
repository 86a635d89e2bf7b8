"""Write millions of rows fast: COPY on PostgreSQL, executemany on SQLite.

Only the benchmark dataset (``tracker bench-data``) writes this way. It goes around the ORM
on purpose: the rows it writes were planned to satisfy the application's rules, and the
services' one-row-at-a-time care would take hours at city scale. Secondary indexes are
dropped for the load and built again at the end (faster than maintaining them row by row),
and foreign keys are checked by the database once the rows are all there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa

logger = logging.getLogger(__name__)


def _sqlite_timestamp(value: datetime | None) -> str | None:
    # The text SQLAlchemy's SQLite DateTime writes: UTC, without a zone, with microseconds.
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


class BulkWriter:
    """Append rows to tables through one raw connection, inside one transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.connection = None
        self.rows_written: dict[str, int] = {}
        self._indexes: list[tuple[str, str]] = []
        self._began = False

    # Cell conversions: PostgreSQL's COPY takes Python values; SQLite gets SQLAlchemy's text.
    def timestamp(self, value: datetime | None):
        """Return a UTC timestamp the way this database stores it."""
        return value if self.postgres else _sqlite_timestamp(value)

    def day(self, value: date | None):
        """Return a date the way this database stores it."""
        return value if self.postgres else _sqlite_date(value)

    def begin(self, tables: Sequence[str]) -> None:
        """Start the load: one transaction, the tables' secondary indexes dropped."""
        self.connection = self.engine.raw_connection()
        cursor = self.connection.cursor()
        if self.postgres:
            # Foreign keys and the audit trail's guard are triggers: replica mode skips
            # them for the load (the rows were planned consistent; checked at the end).
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                " AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM"
                " pg_constraint)",
                (list(tables),),
            )
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB of page cache
            cursor.execute("BEGIN IMMEDIATE")
            marks = ",".join("?" for _ in tables)
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({marks})",
                list(tables),
            )
        self._indexes = [(name, ddl) for name, ddl in cursor.fetchall()]
        for name, _ddl in self._indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        self._began = True

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Append the rows to the table; return how many were written."""
        count = 0
        cursor = self.connection.cursor()
        if self.postgres:
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            rows = list(rows)
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            count = len(rows)
        self.rows_written[table] = self.rows_written.get(table, 0) + count
        return count

    def execute(self, statement: str, parameters: Sequence = ()) -> None:
        """Run one statement on the load's connection (placeholders: %s or ?)."""
        cursor = self.connection.cursor()
        if not self.postgres:
            statement = statement.replace("%s", "?")
        cursor.execute(statement, parameters)

    def finish(self, id_tables: Sequence[str]) -> None:
        """Build the indexes again, move the id sequences on, check keys, and commit."""
        cursor = self.connection.cursor()
        for name, ddl in self._indexes:
            logger.info("Building index %s", name)
            cursor.execute(ddl)
        if self.postgres:
            self._check_foreign_keys_postgres(list(self.rows_written))
            for table in id_tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
            cursor.execute("SET session_replication_role = DEFAULT")
            self.connection.commit()
        else:
            cursor.execute("PRAGMA foreign_key_check")
            broken = cursor.fetchmany(5)
            if broken:
                cursor.execute("ROLLBACK")
                raise RuntimeError(f"foreign keys broken by the bulk load: {broken}")
            cursor.execute("COMMIT")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = FULL")
        self._began = False

    def _check_foreign_keys_postgres(self, tables: Sequence[str]) -> None:
        # Replica mode skipped the foreign-key triggers: one anti-join per key instead.
        cursor = self.connection.cursor()
        cursor.execute(
            "SELECT conrelid::regclass::text, a.attname, confrelid::regclass::text, af.attname"
            " FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
            " JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]"
            " WHERE c.contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            (list(tables),),
        )
        for table, column, parent, parent_column in cursor.fetchall():
            cursor.execute(
                f"SELECT t.{column} FROM {table} t LEFT JOIN {parent} p"
                f" ON p.{parent_column} = t.{column}"
                f" WHERE t.{column} IS NOT NULL AND p.{parent_column} IS NULL LIMIT 1"
            )
            missing = cursor.fetchone()
            if missing:
                self.connection.rollback()
                raise RuntimeError(
                    f"foreign key {table}.{column} → {parent} broken by the bulk load: {missing}"
                )

    def analyze(self) -> None:
        """Refresh the planner's statistics (and, on PostgreSQL, the visibility map)."""
        if self.postgres:
            driver = self.connection.driver_connection  # VACUUM refuses a transaction block
            driver.autocommit = True
            driver.execute("VACUUM (ANALYZE)")
            driver.autocommit = False
        else:
            self.connection.cursor().execute("ANALYZE")

    def close(self) -> None:
        """Give the connection back; roll back whatever was not finished."""
        if self.connection is None:
            return
        if self._began:
            if self.postgres:
                self.connection.rollback()
            else:
                self.connection.cursor().execute("ROLLBACK")
        self.connection.close()

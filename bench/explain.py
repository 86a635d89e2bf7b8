"""The query plans of docs/PERFORMANCE.md: what one page sends, and how PostgreSQL runs it.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_run \\
        .venv/bin/python bench/explain.py bench.thanhtra1 /oversight --slowest 4

Signs in as the person (the benchmark's password), opens the page once to warm the caches,
opens it again recording every statement with its parameters and time, prints the count
and the total, and runs ``EXPLAIN (ANALYZE, BUFFERS)`` on the slowest ones (``--slowest``)
or on those containing a text (``--matching "FROM closed_task_counts"``). Run it on the
copy ``bench/run.py --keep`` leaves: ANALYZE runs the statements.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PASSWORD  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402


def record_statements(app) -> list[tuple[float, str, object]]:
    """Keep (seconds, statement, parameters) of every statement the app sends from now on."""
    sent: list[tuple[float, str, object]] = []
    with app.app_context():
        engine = db.engine

        @sa.event.listens_for(engine, "before_cursor_execute")
        def started(conn, cursor, statement, parameters, context, many):
            conn.info["bench.started"] = time.perf_counter()

        @sa.event.listens_for(engine, "after_cursor_execute")
        def finished(conn, cursor, statement, parameters, context, many):
            sent.append((time.perf_counter() - conn.info["bench.started"], statement, parameters))

    return sent


def explain(app, statement: str, parameters) -> str:
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            connection.rollback()
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("username")
    parser.add_argument("path", help="the page, e.g. /oversight or '/tasks?q=ra+soat'")
    parser.add_argument("--slowest", type=int, default=3)
    parser.add_argument("--matching", help="explain the statements containing this text")
    args = parser.parse_args()

    app = create_app({"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    signed_in = client.post("/login", data={"username": args.username, "password": PASSWORD})
    if signed_in.status_code != 302:
        sys.exit(f"Không đăng nhập được {args.username} (HTTP {signed_in.status_code}).")
    client.get(args.path)
    sent = record_statements(app)
    started = time.perf_counter()
    page = client.get(args.path)
    took_ms = (time.perf_counter() - started) * 1000
    sql_ms = sum(seconds for seconds, _statement, _parameters in sent) * 1000
    print(
        f"# {args.path} as {args.username}: HTTP {page.status_code}, {len(page.data):,} bytes,"
        f" {took_ms:.0f} ms, {len(sent)} statements, SQL {sql_ms:.0f} ms"
    )
    if args.matching:
        chosen = [s for s in sent if args.matching in s[1]]
    else:
        chosen = sorted(sent, key=lambda s: -s[0])[: args.slowest]
    for seconds, statement, parameters in chosen:
        print(f"\n## {seconds * 1000:.1f} ms\n{statement}\n")
        print(explain(app, statement, parameters))


if __name__ == "__main__":
    main()

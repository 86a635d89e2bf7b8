"""The two floors every figure of the benchmark is compared with, on the same gunicorn.

- ``raw``: a WSGI callable that answers a fixed text, what gunicorn itself costs;
- ``flask_floor``: a Flask view doing one primary-key SELECT of a task (SQLAlchemy, the
  same database and pool settings as the tracker) and rendering a small template.

    gunicorn bench.floors:raw
    DATABASE_URL=… FLOOR_TASK_ID=… gunicorn 'bench.floors:flask_floor()'
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, render_template_string

from tracker.config import database_url, engine_options


def raw(environ, start_response):
    """Answer a fixed text: nothing but the server."""
    body = b"ok\n"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{{ title }}</title>
</head><body><h1>{{ title }}</h1><p>Hạn: {{ due }} · {{ state }}</p></body></html>"""


def flask_floor() -> Flask:
    """Build the Flask floor (gunicorn calls this factory in each worker)."""
    app = Flask(__name__)
    url = database_url(os.environ.get("DATABASE_URL", "sqlite://"))
    engine = sa.create_engine(url, **engine_options(url))
    task_id = int(os.environ.get("FLOOR_TASK_ID", "1"))
    query = sa.text("SELECT title, due_date, state FROM tasks WHERE id = :id")

    @app.route("/")
    def page():
        with engine.connect() as conn:
            title, due, state = conn.execute(query, {"id": task_id}).one()
        return render_template_string(PAGE, title=title, due=due, state=state)

    return app

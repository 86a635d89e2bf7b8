"""Gunicorn's settings for the tracker, read from the folder gunicorn starts in.

- Prometheus: with PROMETHEUS_MULTIPROC_DIR set, every worker writes its request counts
  in that folder and /metrics adds them up. The folder is emptied when gunicorn starts
  (counts of a previous run would be added again) and prometheus_client is told when a
  worker exits (``child_exit``), as its documentation asks.
- Logs: with LOG_FORMAT=json (the default when TRACKER_ENV=production) gunicorn's own
  lines are JSON objects too. Leave gunicorn's access log off: the tracker writes one
  access line per request itself, with secrets (calendar feed addresses) removed.
- Garbage collection: each worker freezes what the application built at start (``gc.freeze``
  in ``post_worker_init``), so Python's full collections no longer walk those objects.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from tracker.config import log_format


def on_starting(server) -> None:
    """Start from an empty PROMETHEUS_MULTIPROC_DIR."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def post_worker_init(worker) -> None:
    """Keep the objects the application made at start out of the cyclic collector's way.

    They live as long as the worker; a full collection walking them all took about 100 ms
    and made one request in twenty three times slower than the others (bench/run.py).
    Frozen, they stay out of every collection; the request's own objects are collected
    as before."""
    gc.collect()
    gc.freeze()


def child_exit(server, worker) -> None:
    """Tell prometheus_client that a worker is gone (its live gauges go with it)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


if log_format() == "json":
    _json = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    logconfig_dict = {
        "formatters": {"json": {"()": "tracker.logs.JsonFormatter"}},
        "handlers": {"json": _json},
        # The workers' application adds its own handler to the root logger.
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            # Any logconfig_dict turns gunicorn's access log on: keep it silent. It would
            # write query strings and referrers, and the tracker's own line says it all.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }

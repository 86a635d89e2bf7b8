"""``/metrics`` for Prometheus: requests and latencies, the outbox, the scheduler, escalations.

Request figures are counted in each web process by prometheus_client. Under gunicorn
with several workers, set PROMETHEUS_MULTIPROC_DIR (an empty folder, the same for every
worker; gunicorn.conf.py empties it at start and tells prometheus_client when a worker
exits): each worker then writes its counts there and a scrape, whichever worker answers
it, adds them all up. Everything else (backlog, jobs, escalations) is read from the
database at scrape time, so it is right however many web and scheduler processes run.

/metrics is not public: it answers only to ``Authorization: Bearer <METRICS_TOKEN>``, and
is a 404 while that setting is empty.
"""

from __future__ import annotations

import hmac
import logging
import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY

from tracker.clock import utcnow
from tracker.extensions import db, limiter
from tracker.observability.status import COUNT_CAP, SystemStatus, system_status

logger = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__)

ENDPOINT = "metrics.metrics"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# The *_created series double every counter; multiprocess mode has none either.
disable_created_metrics()

REQUESTS = Counter(
    "tracker_http_requests",
    "HTTP requests answered, by endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "tracker_http_request_duration_seconds",
    "Time taken to answer a request, by endpoint.",
    ["endpoint"],
)


def multiprocess_dir() -> str | None:
    """Return PROMETHEUS_MULTIPROC_DIR when prometheus_client runs in multiprocess mode."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count_request(response):
    started = g.pop("metrics_started", None)
    if started is None or request.endpoint == ENDPOINT:  # scrapes would count themselves
        return response
    # The rule's name, never the address: ids and secrets in paths would be endless labels.
    endpoint = request.endpoint or "unmatched"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def register_metrics(app: Flask) -> None:
    """Count every request's endpoint, method, status and duration."""
    path = multiprocess_dir()
    if path:
        os.makedirs(path, exist_ok=True)
    app.before_request(_start_timer)
    app.after_request(_count_request)


class _Families:
    """A collector that hands over metric families built beforehand."""

    def __init__(self, families) -> None:
        self._families = families

    def collect(self):
        return iter(self._families)


class _ThisProcess:
    """The default registry's metrics (this process's requests, the process's own figures)."""

    def collect(self):
        return REGISTRY.collect()


def _timestamp(moment) -> float:
    return moment.timestamp() if moment else 0.0


def database_families(status: SystemStatus | None, now) -> list:
    """Return the figures read from the database as Prometheus metric families."""
    up = GaugeMetricFamily(
        "tracker_database_up", "1 when the figures below could be read from the database."
    )
    up.add_metric([], 1 if status is not None else 0)
    if status is None:
        return [up]
    pending = GaugeMetricFamily(
        "tracker_outbox_pending",
        f"Messages waiting in the outbox, by queue (counted up to {COUNT_CAP}).",
        labels=["queue"],
    )
    failed = GaugeMetricFamily(
        "tracker_outbox_failed",
        f"Messages given up after the last retry, by queue (counted up to {COUNT_CAP}).",
        labels=["queue"],
    )
    oldest = GaugeMetricFamily(
        "tracker_outbox_oldest_pending_age_seconds",
        "Age of the oldest message waiting in the queue (0 when none waits).",
        labels=["queue"],
    )
    for queue in status.queues:
        pending.add_metric([queue.name], queue.pending)
        failed.add_metric([queue.name], queue.failed)
        age = queue.oldest_age(now)
        oldest.add_metric([queue.name], max(age.total_seconds(), 0.0) if age else 0.0)
    opened = CounterMetricFamily(
        "tracker_escalations_opened", "Escalation records opened for Sở Nội vụ, ever."
    )
    opened.add_metric([], status.escalations.opened)
    still_open = GaugeMetricFamily(
        "tracker_escalations_open", "Escalation records waiting for the inspector's conclusion."
    )
    still_open.add_metric([], status.escalations.open)
    runs = CounterMetricFamily(
        "tracker_job_runs",
        "Scheduler job runs, by job and result (ok or failed).",
        labels=["job", "result"],
    )
    duration = GaugeMetricFamily(
        "tracker_job_last_duration_seconds",
        'Duration of the job\'s last finished run (job="sweep": the sweep).',
        labels=["job"],
    )
    finished = GaugeMetricFamily(
        "tracker_job_last_success_timestamp_seconds",
        "When the job's last run finished (Unix time; 0 if it never did).",
        labels=["job"],
    )
    for job in status.jobs:
        runs.add_metric([job.name, "ok"], job.runs)
        runs.add_metric([job.name, "failed"], job.failures)
        duration.add_metric([job.name], (job.last_duration_ms or 0) / 1000)
        finished.add_metric([job.name], _timestamp(job.last_finished_at))
    created = GaugeMetricFamily(
        "tracker_sweep_last_created",
        "What the last sweep created, by kind (reminder, warning, urging, escalation, late).",
        labels=["kind"],
    )
    sweep = status.job("sweep")
    for kind, count in sorted((sweep.counts if sweep else {}).items()):
        created.add_metric([kind], count)
    scheduler = GaugeMetricFamily(
        "tracker_scheduler_up",
        "1 when the scheduler's outbox job ran recently (the rule of /healthz?scheduler=1).",
    )
    scheduler.add_metric([], 1 if status.scheduler.state == "ok" else 0)
    families = [up, pending, failed, oldest, opened, still_open]
    return [*families, runs, duration, finished, created, scheduler]


def _authorised() -> bool:
    expected = current_app.config["METRICS_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


@bp.route("/metrics")
@limiter.exempt
def metrics():
    """Serve the metrics to a Prometheus server holding METRICS_TOKEN (404 when unset)."""
    if not current_app.config["METRICS_TOKEN"]:
        abort(404)
    if not _authorised():
        return Response(
            "Cần Authorization: Bearer <METRICS_TOKEN>.\n",
            status=401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    now = utcnow()
    try:
        interval = current_app.config["DELIVERY_INTERVAL_SECONDS"]
        status = system_status(now, interval, with_errors=False)
    except sa.exc.SQLAlchemyError:
        # The request figures are still worth having when the database does not answer.
        db.session.rollback()
        logger.exception("Metrics: the database did not answer")
        status = None
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_Families(database_families(status, now)))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

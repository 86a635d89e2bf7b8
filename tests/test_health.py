"""/healthz: what a load balancer and monitoring ask of each process."""

from __future__ import annotations

from datetime import timedelta

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.jobs.runner import run_job


def test_a_migrated_database_is_healthy_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["migrations"] == "ok"
    assert body["schema_version"] == body["expected_version"]


def test_a_schema_behind_the_code_is_unavailable(client, monkeypatch):
    from tracker.observability import health

    monkeypatch.setattr(health, "_head_revision", lambda: "9999")  # newer code, older schema
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "behind"


def test_the_scheduler_heartbeat_counts_only_when_asked(client):
    assert client.get("/healthz").get_json()["scheduler"] == "never_ran"
    assert client.get("/healthz?scheduler=1").status_code == 503
    db.session.rollback()  # the test's session shares requests' transaction: see the job's
    run_job("deliver", lambda now: "ok")
    assert client.get("/healthz?scheduler=1").status_code == 200
    from tracker.jobs.models import JobRun

    beat = db.session.get(JobRun, "deliver")
    beat.last_finished_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    stale = client.get("/healthz?scheduler=1")
    assert stale.status_code == 503 and stale.get_json()["scheduler"] == "stale"
    assert client.get("/healthz").status_code == 200  # the web still serves

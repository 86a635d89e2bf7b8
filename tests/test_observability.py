"""What operators see: a JSON line per request and per job run, /metrics, the status page."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import (
    POSTGRES_URL,
    _app_for,
    _empty_postgres_tables,
    database_for,
    forget_between_requests,
)
from tests.factories import PASSWORD, forget_workflow_notices, issued_task
from tracker.auth.tokens import calendar_token
from tracker.calendar.services import WorkingCalendar
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.jobs.models import JobRun
from tracker.jobs.outbox import deliver_pending, deliver_webhooks
from tracker.jobs.runner import JobResult, run_job
from tracker.jobs.work import deliver_job, digest_job, series_job, sweep_work
from tracker.notify.models import Channel, DeliveryStatus, Notification
from tracker.reminders.models import Escalation
from tracker.web.templating import format_moment
from tracker.webhooks.models import WebhookDelivery
from tracker.webhooks.services import register_webhook

TOKEN = "metrics-token-for-the-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
CAL = WorkingCalendar()
DUE = date(2026, 11, 16)  # ten working days after the fixtures' Monday 02/11/2026


class Logs:
    """What the app wrote to standard error, line by line."""

    def __init__(self, capsys):
        self._capsys = capsys
        self._text = ""

    def text(self) -> str:
        self._text += self._capsys.readouterr().err
        return self._text

    def records(self) -> list[dict]:
        """Every line as JSON (a line that is not one object fails the test)."""
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def access(self, path: str) -> list[dict]:
        return [r for r in self.records() if r["logger"] == "tracker.access" and r["path"] == path]


@pytest.fixture
def app(migrated_database, tmp_path, capsys, request):
    """The conftest app, logging JSON (or the format given as the fixture's parameter),
    with /metrics open to TOKEN; the handler writes to pytest's captured stderr."""
    instance = tmp_path / "instance"
    instance.mkdir()
    application = _app_for(
        database_for(migrated_database, instance),
        instance,
        LOG_FORMAT=getattr(request, "param", "json"),
        METRICS_TOKEN=TOKEN,
    )
    forget_between_requests(application)

    with application.app_context():
        yield application
        db.session.rollback()
        db.session.remove()
        if POSTGRES_URL:
            _empty_postgres_tables()
        db.engine.dispose()


@pytest.fixture
def logs(app, capsys) -> Logs:
    capsys.readouterr()  # what building the app wrote
    return Logs(capsys)


def at(day: date, hour: int = 8) -> datetime:
    """``hour`` o'clock in Hà Nội on ``day``."""
    return datetime(day.year, day.month, day.day, hour - 7, tzinfo=UTC)


# ------------------------------------------------------------------ request logs


def test_a_request_logs_one_json_line_with_the_id_of_its_response(client, auth, org, logs):
    auth.login("cv.tttt")
    response = client.get("/tasks")
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = logs.access("/tasks")
    assert line["request_id"] == request_id
    assert line["level"] == "INFO" and line["message"].startswith("GET /tasks 200 ")
    assert (line["method"], line["endpoint"], line["status"]) == ("GET", "tasks.task_list", 200)
    assert line["user_id"] == org.staff_a.id and line["remote_addr"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    moment = datetime.fromisoformat(line["time"])
    assert moment.utcoffset() == timedelta(0)
    # A log line is stamped by the machine's clock, not the app's pinned one: it says when
    # the process wrote it.
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


def test_every_line_written_during_a_request_carries_its_id(client, org, logs):
    response = client.post(
        "/login",
        data={"username": "vanphong", "password": "not-the-password", "csrf_token": "x"},
        headers={"X-Request-ID": "portal-42.a"},
    )
    assert response.headers["X-Request-ID"] == "portal-42.a"  # a well-formed id is kept
    during = [r for r in logs.records() if r.get("request_id") == "portal-42.a"]
    assert {r["logger"] for r in during} == {"tracker.auth.services", "tracker.access"}
    assert [r for r in during if r["message"] == "Failed sign-in for vanphong"]
    assert "not-the-password" not in logs.text()
    # The next request gets an id of its own, and so do lines written outside requests.
    other = client.get("/healthz").headers["X-Request-ID"]
    assert other != "portal-42.a"
    outside = [r for r in logs.records() if r["logger"] != "tracker.access"]
    assert all(r.get("request_id") in ("portal-42.a", None) for r in outside)


def test_an_ill_formed_request_id_is_replaced(client, logs):
    for incoming in ["x" * 65, "a b", "id;forged=1", "<script>", "ä-unicode", ""]:
        response = client.get("/healthz", headers={"X-Request-ID": incoming})
        request_id = response.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id), incoming
        assert logs.access("/healthz")[-1]["request_id"] == request_id
    assert "forged" not in logs.text() and "script" not in logs.text()


@pytest.mark.parametrize("app", ["json", "text"], indirect=True)
def test_no_secret_reaches_the_logs(app, client, org, logs, monkeypatch):
    feed = calendar_token(org.staff_a, now=utcnow())
    db.session.commit()
    assert client.get(f"/feeds/{feed}.ics?utm=x").status_code == 200
    assert client.get(f"/feeds/{feed}x.ics").status_code == 404
    # A failure while serving the feed is logged with its traceback: still no secret.
    from tracker.tasks import feed as feed_module

    def broken(user, *, now):
        raise RuntimeError(f"cannot build /feeds/{feed}.ics")

    monkeypatch.setattr(feed_module, "build_feed", broken)
    assert client.get(f"/feeds/{feed}.ics").status_code == 500
    # A password sent for a token, the token, and a token put in a query string.
    answer = client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": PASSWORD})
    api_token = answer.get_json()["token"]
    assert (
        client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {api_token}"}).status_code
        == 200
    )
    client.get(f"/tasks?token={api_token}&q=abc")
    text = logs.text()
    assert "RuntimeError" in text and "/feeds/[redacted]" in text  # the failure was logged
    for secret in (feed, feed[4:], api_token, api_token[4:], PASSWORD):
        assert secret not in text
    assert "q=abc" not in text  # no query strings at all


# ------------------------------------------------------------------ job logs


def _overdue_tasks_with_email(org, now):
    """Two tasks ten working days overdue whose notices also go by email and webhook."""
    org.head_a.email = "truong@tttt.hanoi.gov.vn"
    org.assigner.email = "giao@vpub.hanoi.gov.vn"
    register_webhook(
        name="Hệ thống quản lý văn bản",
        url="http://127.0.0.1:9/hook",  # nobody listens: every delivery fails
        events=["task.overdue", "task.escalated"],
        actor=org.admin,
        now=now,
    )
    db.session.commit()
    for n in range(2):
        issued_task(org, now, title=f"Số hoá hồ sơ {n}", due_date=DUE)
    forget_workflow_notices()  # the sweep's notices alone; commits, for the job's own lock
    return at(CAL.add_working_days(DUE, 10))


def test_a_job_run_logs_one_line_with_its_figures(app, org, now, logs):
    moment = _overdue_tasks_with_email(org, now)
    summary = run_job("sweep", sweep_work, moment)
    records = logs.records()
    [line] = [r for r in records if r["logger"] == "tracker.jobs"]
    assert (
        line["job"] == "sweep"
        and line["result"] == "ok"
        and re.fullmatch(r"[0-9a-f]{16}", line["run_id"])
    )
    assert isinstance(line["duration_ms"], int) and summary in line["message"]
    escalations = db.session.scalar(sa.select(sa.func.count(Escalation.id)))
    assert escalations == 2 and line["counts"]["escalation"] == 2
    assert line["counts"]["warning"] == 2 and line["counts"]["late"] > 0
    # What the sweep itself logged belongs to the same run.
    [sweep_line] = [r for r in records if r["logger"] == "tracker.reminders.sweep"]
    assert (sweep_line["run_id"], sweep_line["job"]) == (line["run_id"], "sweep")
    assert "request_id" not in line
    run = db.session.get(JobRun, "sweep")
    assert run.runs == 1 and run.failures == 0 and json.loads(run.last_counts) == line["counts"]


def test_a_failing_job_logs_its_error_and_keeps_it_for_the_admins(app, org, now, logs):
    def broken(moment):
        raise ConnectionError("SMTP server said no")

    with pytest.raises(ConnectionError):
        run_job("digest", broken, now)
    [line] = [r for r in logs.records() if r["logger"] == "tracker.jobs"]
    assert (line["level"], line["job"], line["result"]) == ("ERROR", "digest", "failed")
    assert "SMTP server said no" in line["exc_info"]
    db.session.expire_all()
    run = db.session.get(JobRun, "digest")
    assert run.failures == 1 and run.runs == 0 and "SMTP server said no" in run.last_error
    assert run.last_finished_at is None  # a failed run is no heartbeat


def test_the_schedulers_jobs_log_their_figures_and_leave_a_heartbeat(client, org, now, logs):
    """Each job as the scheduler runs it. On SQLite the outbox job used to leave its last
    read open, which held the write lock: its heartbeat and the release of its lease then
    failed, so /healthz never saw the scheduler and the next runs were skipped."""
    register_webhook(
        name="Văn bản", url="http://127.0.0.1:9/", events=["task.issued"], actor=org.admin, now=now
    )
    db.session.commit()
    issued_task(org, now)
    jobs = [("deliver", deliver_job), ("digest", digest_job), ("series", series_job)]
    jobs += [("sweep", sweep_work), ("deliver", deliver_job)]
    for name, work in jobs:
        assert run_job(name, work) is not None, name  # not skipped: the lease was released
    lines = [r for r in logs.records() if r["logger"] == "tracker.jobs"]
    assert [(r["job"], r["result"]) for r in lines] == [(name, "ok") for name, _ in jobs]
    assert lines[0]["counts"] == {"webhooks_delivered": 0, "webhooks_failed": 1}
    assert lines[2]["counts"] == {"created": 0, "failed": 0, "skipped_past_due": 0}
    assert len({r["run_id"] for r in lines}) == len(jobs)
    assert db.session.get(JobRun, "deliver").runs == 2
    assert client.get("/healthz?scheduler=1").status_code == 200


# ------------------------------------------------------------------ /metrics


def _scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_refused_without_the_token(app, client):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and "tracker_" not in wrong.get_data(as_text=True)
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    app.config["METRICS_TOKEN"] = ""  # not configured: as if there were no such address
    assert client.get("/metrics", headers=BEARER).status_code == 404


def test_metrics_count_requests_by_endpoint_method_and_status(client, auth, org):
    before = _scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    auth.login("cv.tttt")
    after = _scrape(client)

    def delta(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    requests = "tracker_http_requests_total"
    assert delta(requests, endpoint="health.healthz", method="GET", status="200") == 3
    assert delta(requests, endpoint="unmatched", method="GET", status="404") == 1
    assert delta(requests, endpoint="auth.login", method="POST", status="302") == 1
    assert delta("tracker_http_request_duration_seconds_count", endpoint="health.healthz") == 3
    # The scrapes themselves are not counted.
    assert not [k for k in after if k[0] == requests and ("endpoint", "metrics.metrics") in k[1]]


def test_metrics_still_answer_when_the_database_does_not(client, monkeypatch):
    from tracker.observability import metrics

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("db down"))

    client.get("/healthz")
    monkeypatch.setattr(metrics, "system_status", unreachable)
    samples = _scrape(client)
    assert _value(samples, "tracker_database_up") == 0
    assert (
        _value(
            samples,
            "tracker_http_requests_total",
            endpoint="health.healthz",
            method="GET",
            status="200",
        )
        >= 1
    )
    assert not [k for k in samples if k[0].startswith("tracker_outbox")]


def test_metrics_show_the_backlog_the_sweep_and_the_escalations(client, org, now, clock):
    moment = _overdue_tasks_with_email(org, now)
    clock.set(moment + timedelta(minutes=30))  # Prometheus scrapes half an hour after the sweep
    run_job("sweep", sweep_work, moment)
    # One attempt at each email and webhook, all failing: they wait for their retry.
    assert deliver_pending(moment, lambda note, user: (_ for _ in ()).throw(OSError("down")))[1] > 0
    assert deliver_webhooks(moment)[1] > 0
    db.session.commit()
    pending_emails = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.channel == Channel.EMAIL, Notification.status == DeliveryStatus.PENDING
        )
    )
    pending_hooks = db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id)))
    oldest = db.session.scalar(
        sa.select(sa.func.min(Notification.created_at)).where(Notification.channel == Channel.EMAIL)
    )
    assert pending_emails > 0 and pending_hooks > 0
    before = utcnow()
    samples = _scrape(client)
    after = utcnow()
    assert _value(samples, "tracker_outbox_pending", queue="email") == pending_emails
    assert _value(samples, "tracker_outbox_pending", queue="webhook") == pending_hooks
    assert _value(samples, "tracker_outbox_pending", queue="digest") == 0
    assert _value(samples, "tracker_outbox_failed", queue="email") == 0
    age = _value(samples, "tracker_outbox_oldest_pending_age_seconds", queue="email")
    assert (before - oldest).total_seconds() <= age <= (after - oldest).total_seconds()
    assert _value(samples, "tracker_escalations_opened_total") == 2
    assert _value(samples, "tracker_escalations_open") == 2
    assert _value(samples, "tracker_job_runs_total", job="sweep", result="ok") == 1
    assert _value(samples, "tracker_job_runs_total", job="sweep", result="failed") == 0
    run = db.session.get(JobRun, "sweep")
    assert (
        _value(samples, "tracker_job_last_duration_seconds", job="sweep")
        == run.last_duration_ms / 1000
    )
    assert (
        _value(samples, "tracker_job_last_success_timestamp_seconds", job="sweep")
        == run.last_finished_at.timestamp()
    )
    assert _value(samples, "tracker_sweep_last_created", kind="escalation") == 2
    assert _value(samples, "tracker_sweep_last_created", kind="warning") == 2
    assert _value(samples, "tracker_database_up") == 1
    assert _value(samples, "tracker_scheduler_up") == 0  # the outbox job never ran
    db.session.commit()  # end the test's read: the job writes on a connection of its own
    run_job("deliver", lambda at: "ok")
    assert _value(_scrape(client), "tracker_scheduler_up") == 1
    # A second sweep creates nothing, and the figures say so.
    db.session.commit()
    run_job("sweep", sweep_work, moment)
    samples = _scrape(client)
    assert _value(samples, "tracker_job_runs_total", job="sweep", result="ok") == 2
    assert _value(samples, "tracker_sweep_last_created", kind="escalation") == 0
    assert _value(samples, "tracker_escalations_opened_total") == 2


# ------------------------------------------------------------------ the admins' page


def _row(html: str, marker: str) -> str:
    """Return the table row that carries an attribute (data-queue="email"…)."""
    return html.split(marker, 1)[1].split("</tr>", 1)[0]


def test_the_status_page_shows_the_backlog_the_sweep_and_the_jobs(client, auth, org, now):
    moment = _overdue_tasks_with_email(org, now)
    run_job("sweep", sweep_work, moment)
    deliver_pending(moment, lambda note, user: (_ for _ in ()).throw(OSError("535 auth refused")))
    db.session.commit()
    pending = db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.channel == Channel.EMAIL, Notification.status == DeliveryStatus.PENDING
        )
    )
    auth.login("quantri")
    response = client.get("/admin/system")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tình trạng hệ thống" in html and 'href="/admin/system"' in html  # in the admin tabs
    email = _row(html, 'data-queue="email"')
    assert f'data-pending="{pending}"' in email and 'data-failed="0"' in email
    assert f"từ {format_moment(moment)}" in email  # the oldest waiting email: the sweep's
    hooks = db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id)))
    assert hooks > 0 and f'data-pending="{hooks}"' in _row(html, 'data-queue="webhook"')
    assert f"Quét tính đến {format_moment(moment)}, xong lúc" in html
    assert ">2</td>" in _row(html, 'data-kind="escalation"')
    assert "Hồ sơ chuyển Sở Nội vụ: 2 đã mở, 2 chưa có kết luận." in html
    sweep_row = _row(html, 'data-job="sweep"')
    assert "hồ sơ chuyển Sở Nội vụ: 2" in sweep_row and "1 / " in sweep_row
    # The latest errors, and the warning that the scheduler never sent the outbox.
    assert "535 auth refused" in html and "Sẽ thử lại lúc" in html
    assert 'id="scheduler-warning"' in html and "chưa chạy lần nào" in html


def test_only_admins_see_the_status_page(client, auth, org):
    assert client.get("/admin/system").status_code == 302  # to the sign-in page
    for username in ["cv.tttt", "gd.tttt", "snv.thanhtra", "vanphong", "pct.ha"]:
        auth.login(username)
        assert client.get("/admin/system").status_code == 403, username
        auth.logout()
    auth.login("quantri")
    assert client.get("/admin/system").status_code == 200


def test_the_page_warns_when_the_scheduler_looks_stopped_by_the_rule_of_healthz(
    client, auth, org, now
):
    run_job("deliver", lambda at: JobResult("webhook: đã gửi 0, lỗi 0", {"webhooks_sent": 0}))
    with pytest.raises(RuntimeError):
        run_job("series", lambda at: (_ for _ in ()).throw(RuntimeError("series table gone")))
    auth.login("quantri")
    html = client.get("/admin/system").get_data(as_text=True)
    assert 'id="scheduler-ok"' in html and 'id="scheduler-warning"' not in html
    series = _row(html, 'data-job="series"')
    assert "Lỗi lúc" in series and "RuntimeError: series table gone" in series
    assert "0 / " in series and ">1</span>" in series
    assert "Chưa quét lần nào." in html
    # The outbox job has not run for an hour: /healthz and the page agree it is stale.
    beat = db.session.get(JobRun, "deliver")
    beat.last_finished_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    html = client.get("/admin/system").get_data(as_text=True)
    assert 'id="scheduler-warning"' in html and "có vẻ đã dừng" in html
    assert "cách đây 1 giờ 0 phút" in html
    assert client.get("/healthz?scheduler=1").get_json()["scheduler"] == "stale"


def test_the_status_page_reads_in_english_and_in_a_fixed_number_of_queries(client, auth, org, now):
    auth.login("quantri")

    def selects() -> int:
        statements = []

        def count(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        db.session.expire_all()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/system").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    empty = selects()
    moment = _overdue_tasks_with_email(org, now)
    run_job("sweep", sweep_work, moment)
    deliver_pending(moment, lambda note, user: (_ for _ in ()).throw(OSError("down")))
    deliver_webhooks(moment)
    db.session.commit()
    assert selects() == empty
    client.post("/lang/en", data={"next": "/admin/system", "csrf_token": "x"})
    html = client.get("/admin/system").get_data(as_text=True)
    assert "System status" in html and "Outbox" in html and "Last sweep" in html
    assert "Tình trạng hệ thống" not in html


# ------------------------------------------------------------------ several processes

ROOT = Path(__file__).resolve().parent.parent
# Requests sent through gunicorn; each worker is replaced after MAX_REQUESTS of them.
GUNICORN_REQUESTS = int(os.environ.get("OBSERVABILITY_GUNICORN_REQUESTS", "20"))
MAX_REQUESTS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_gunicorn_workers_add_up_their_counts_in_the_multiprocess_folder(app, tmp_path):
    """Two workers, each replaced after a few requests: every count survives its process,
    and whichever worker answers the scrape reports the total of all of them."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left by an earlier run")  # emptied at start
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="test",
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(folder),
        LOG_FORMAT="json",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--max-requests", str(MAX_REQUESTS), "--max-requests-jitter", "0"]
    # Imported once, then forked: a replacement worker starts at once instead of importing
    # the app again (seconds here); each is still a process with counts of its own.
    command += ["--preload", "wsgi:app"]
    errors = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=errors, stderr=errors)
    try:
        answered = 0
        for _ in range(300):  # until the first worker answers (a minute at most)
            try:
                answered += _get(f"{base}/healthz")[0] == 200
                break
            except OSError:
                time.sleep(0.2)
        assert answered == 1, "gunicorn did not start"
        for _ in range(GUNICORN_REQUESTS):
            assert _get(f"{base}/healthz")[0] == 200
        assert _get(f"{base}/metrics")[0] == 401
        totals = []
        for _ in range(2):  # two scrapes, most likely answered by different processes
            status, body = _get(f"{base}/metrics", BEARER)
            assert status == 200
            samples = {
                (s.name, tuple(sorted(s.labels.items()))): s.value
                for family in text_string_to_metric_families(body)
                for s in family.samples
            }
            totals.append(
                _value(
                    samples,
                    "tracker_http_requests_total",
                    endpoint="health.healthz",
                    method="GET",
                    status="200",
                )
            )
            assert _value(samples, "tracker_database_up") == 1
        assert totals == [GUNICORN_REQUESTS + 1] * 2
        # No single process could have counted that many: each served at most MAX_REQUESTS.
        pids = {path.stem.rsplit("_", 1)[1] for path in folder.glob("*.db")}
        assert "1" not in pids and len(pids) >= (GUNICORN_REQUESTS + 1) // MAX_REQUESTS
    finally:
        server.terminate()
        server.wait(timeout=30)
        errors.close()
    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]  # gunicorn's own, too
    assert any(
        r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in records
    )
    assert len([r for r in records if r["logger"] == "tracker.access"]) == GUNICORN_REQUESTS + 4
    assert not [r for r in records if r["logger"] == "gunicorn.access"]  # the tracker's is enough

"""Try the several-hosts setup of docs/DEPLOYMENT.md on this one machine, and say what held.

    .venv/bin/python deploy/trial.py

Two web "hosts" (two gunicorn processes with settings of their own, as on two machines)
behind nginx, one PostgreSQL, Redis for the sign-in counts, one shared evidence folder
(standing for the NFS mount), and two schedulers. It checks, through the proxy:

1. a person signed in on one host stays signed in on the other (sessions live in the
   database, the key is shared);
2. an evidence file uploaded through one host downloads, byte for byte, from the other;
3. failed sign-ins are counted across the hosts (Redis): the limit holds however nginx
   shares them out;
4. stopping one host loses no request: nginx sends the next ones to the other, and takes
   the host back when it returns;
5. of the two schedulers, one at a time runs a job: a job the other is running is skipped,
   and no two runs of one job overlap;
6. ``/healthz`` answers 200 through the proxy, with the scheduler's heartbeat.

It prints what it found and writes it to bench/results/scale-out.json. Needs PostgreSQL,
Redis and nginx (installed from Debian's packages when missing and run as root).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
DATABASE = os.environ.get(
    "TRIAL_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tracker_trial"
)
REDIS = os.environ.get("TRIAL_REDIS_URL", "redis://127.0.0.1:6379/7")
DEMO_PASSWORD = "demo-5ro-2026"
METRICS_TOKEN = secrets.token_hex(24)
PDF = b"%PDF-1.4\n% bien ban kiem tra\n" + secrets.token_bytes(4096) + b"\n%%EOF\n"


def say(text: str) -> None:
    print(text, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Cài nginx (installing Debian's nginx)…")
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True)
        return "/usr/sbin/nginx"
    sys.exit("nginx is needed (apt-get install nginx-light)")


class Trial:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.uploads = work / "shared-uploads"  # the NFS mount of the hosts
        self.uploads.mkdir()
        self.secret = secrets.token_hex(32)
        self.processes: dict[str, subprocess.Popen] = {}
        self.findings: dict[str, object] = {}

    def env(self, host: str, **extra) -> dict:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=DATABASE,
            SECRET_KEY=self.secret,
            TRACKER_ENV="production",
            LOG_FORMAT="json",
            RATELIMIT_STORAGE_URI=REDIS,
            RATELIMIT_KEY_PREFIX="trial",
            LOGIN_RATE_LIMIT="5 per minute",
            TRUSTED_PROXIES="1",
            UPLOAD_FOLDER=str(self.uploads),
            PROMETHEUS_MULTIPROC_DIR=str(self.work / f"prometheus-{host}"),
            DELIVERY_INTERVAL_SECONDS="5",
            METRICS_TOKEN=METRICS_TOKEN,
            PATH=f"{VENV}:{env.get('PATH', '')}",
            **extra,
        )
        return env

    def tracker(self, *args: str) -> str:
        done = subprocess.run(
            [str(VENV / "tracker"), *args],
            env=self.env("setup"),
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def start(self, name: str, command: list[str], env: dict) -> None:
        log = (self.work / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    # ------------------------------------------------------------------ setting up

    def database(self) -> None:
        admin = DATABASE.rsplit("/", 1)[0] + "/postgres"
        name = DATABASE.rsplit("/", 1)[1]
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
        subprocess.run(["redis-cli", "-u", REDIS, "FLUSHDB"], check=True, capture_output=True)
        say("Tạo lược đồ và dữ liệu mẫu (schema and the demo)…")
        self.tracker("db", "upgrade")
        self.tracker("demo")

    def hosts(self) -> dict[str, str]:
        urls = {}
        for host in ("host_a", "host_b"):
            port = free_port()
            self.start(host, gunicorn_command(port), self.env(host))
            urls[host] = f"http://127.0.0.1:{port}"
        for url in urls.values():
            wait_for(url + "/healthz")
        return urls

    def proxy(self, nginx: str, hosts: dict[str, str]) -> str:
        """nginx with deploy/nginx.conf as written: only the hosts' addresses, the
        certificate (made here, self-signed) and the Prometheus network are this machine's."""
        certificate, key = self.work / "fullchain.pem", self.work / "privkey.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=nhiemvu.hanoi.gov.vn", "-keyout", str(key), "-out", str(certificate),
             "-addext", "subjectAltName=DNS:nhiemvu.hanoi.gov.vn,IP:127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip
        os.environ["REQUESTS_CA_BUNDLE"] = str(certificate)
        servers = "\n".join(
            f"    server {url.removeprefix('http://')} max_fails=3 fail_timeout=15s;"
            for url in hosts.values()
        )
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        site = re.sub(r"(?m)^    server 10\.0\.0\.\d+:8000 .*\n", "", site)
        site = site.replace("upstream tracker_web {\n", f"upstream tracker_web {{\n{servers}\n")
        site = site.replace("listen 80;", "listen 127.0.0.1:80;")
        site = site.replace("listen 443 ssl", "listen 127.0.0.1:443 ssl")
        site = site.replace("/etc/ssl/tracker/fullchain.pem", str(certificate))
        site = site.replace("/etc/ssl/tracker/privkey.pem", str(key))
        site = site.replace("allow 10.0.0.0/24;", "allow 127.0.0.1;")
        conf = self.work / "nginx.conf"
        conf.write_text(
            f"""
worker_processes 1;
pid {self.work}/nginx.pid;
error_log {self.work}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {self.work}/nginx-body;
    proxy_temp_path {self.work}/nginx-proxy;
{site}
}}
"""
        )
        checked = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True)
        self.findings["nginx_conf_test"] = checked.stderr.strip().splitlines()
        if checked.returncode:
            raise RuntimeError(f"nginx -t refused deploy/nginx.conf:\n{checked.stderr}")
        self.start("nginx", [nginx, "-c", str(conf), "-g", "daemon off;"], dict(os.environ))
        url = "https://127.0.0.1"
        wait_for(url + "/healthz")
        return url

    def schedulers(self) -> None:
        for name in ("scheduler_1", "scheduler_2"):
            self.start(name, [str(VENV / "tracker"), "scheduler"], self.env(name))

    # ------------------------------------------------------------------ the checks

    def sessions_across_hosts(self, proxy: str, hosts: dict[str, str]) -> bool:
        session = sign_in(proxy, "snv.giamdoc")
        answers = [
            requests.get(url + "/", headers=forwarded(session.cookies), allow_redirects=False,
                         timeout=30)
            for url in hosts.values()
        ]  # fmt: skip
        held = all(answer.status_code == 200 for answer in answers)
        self.findings["signed_in_on_both_hosts"] = held
        return held

    def evidence_across_hosts(self, proxy: str, hosts: dict[str, str]) -> bool:
        head = sign_in(proxy, "snv.giamdoc")
        task_id = first_task_with(head, proxy, "/progress")
        page = head.get(f"{proxy}/tasks/{task_id}", timeout=30).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        posted = requests.post(
            f"{hosts['host_a']}/tasks/{task_id}/progress",
            data={"csrf_token": token, "percent": "70", "narrative": "Đã kiểm tra tại các xã"},
            files={"evidence": ("bien-ban-kiem-tra.pdf", PDF, "application/pdf")},
            headers=forwarded(head.cookies, f"/tasks/{task_id}"),
            allow_redirects=False,
            timeout=60,
        )
        on_b = forwarded(head.cookies)
        detail = requests.get(f"{hosts['host_b']}/tasks/{task_id}", headers=on_b, timeout=30)
        link = re.search(rf'href="(/tasks/{task_id}/evidence/\d+)"', detail.text)
        body = (
            requests.get(hosts["host_b"] + link.group(1), headers=on_b, timeout=60).content
            if link
            else b""
        )
        same = posted.status_code == 302 and body == PDF
        self.findings["evidence_uploaded_on_a_downloaded_from_b"] = same
        return same

    def throttle_across_hosts(self, proxy: str, hosts: dict[str, str]) -> bool:
        statuses = []
        for attempt in range(7):
            url = list(hosts.values())[attempt % 2]  # alternately, as nginx shares them
            page = requests.get(url + "/login", headers=forwarded([]), timeout=30)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
            answer = requests.post(
                url + "/login",
                data={
                    "username": "snv.giamdoc",
                    "password": f"sai-mat-khau-{attempt}",
                    "csrf_token": token.group(1) if token else "",
                },  # fmt: skip
                headers=forwarded(page.cookies, "/login", client="203.0.113.7"),
                timeout=30,
            )
            statuses.append(answer.status_code)
        held = statuses[:5].count(429) == 0 and statuses[5:] == [429, 429]
        self.findings["failed_sign_ins_statuses"] = statuses
        self.findings["throttled_across_hosts"] = held
        return held

    def one_scheduler_at_a_time(self) -> bool:
        time.sleep(float(os.environ.get("TRIAL_SCHEDULER_SECONDS", "40")))
        runs = {
            name: log_lines(self.work / f"{name}.log", "tracker.jobs")
            for name in ("scheduler_1", "scheduler_2")
        }
        done = {
            name: sum(1 for line in lines if line.get("result") == "ok")
            for name, lines in runs.items()
        }
        skipped = {
            name: sum(1 for line in lines if line.get("result") == "skipped")
            for name, lines in runs.items()
        }
        # A job's lock lets one scheduler at a time run it: the two may take turns (each
        # deliver tick finds the other's run finished), but no two runs of one job overlap.
        overlapping = _overlapping_runs([line for lines in runs.values() for line in lines])
        self.findings["scheduler_job_runs_ok"] = done
        self.findings["scheduler_job_runs_skipped"] = skipped
        self.findings["overlapping_runs_of_one_job"] = overlapping
        held = sum(done.values()) > 0 and sum(skipped.values()) > 0 and overlapping == 0
        self.findings["each_job_run_by_one_scheduler"] = held
        return held

    def health(self, proxy: str) -> bool:
        answer = requests.get(proxy + "/healthz?scheduler=1", timeout=30)
        self.findings["healthz_through_proxy"] = {"status": answer.status_code, **answer.json()}
        return answer.status_code == 200

    def metrics(self, proxy: str) -> bool:
        bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        answer = requests.get(proxy + "/metrics", headers=bearer, timeout=30)
        held = answer.status_code == 200 and "tracker_http_requests_total" in answer.text
        self.findings["metrics_through_proxy"] = answer.status_code
        return held

    def host_down(self, proxy: str, hosts: dict[str, str]) -> bool:
        session = sign_in(proxy, "vanphong")
        failures = 0
        for k in range(40):
            if k == 10:
                self.stop("host_a")
            answer = session.get(proxy + "/tasks", timeout=30)
            failures += answer.status_code != 200
        self.findings["requests_failed_with_a_host_down"] = failures
        # Back again: once fail_timeout has passed, nginx shares requests with it again.
        self.start("host_a", gunicorn_command(int(hosts["host_a"].rsplit(":", 1)[1])),
                   self.env("host_a"))  # fmt: skip
        wait_for(hosts["host_a"] + "/healthz")
        time.sleep(16)
        for _ in range(20):
            failures += session.get(proxy + "/tasks", timeout=30).status_code != 200
        served = sum(
            1
            for line in log_lines(self.work / "host_a.log", "tracker.access")
            if line.get("path") == "/tasks"
        )
        self.findings["requests_served_by_the_host_after_its_return"] = served
        self.findings["requests_failed_around_the_host_down"] = failures
        return failures == 0 and served > 0


def gunicorn_command(port: int) -> list[str]:
    """gunicorn as deploy/systemd/tracker-web.service starts it, on this machine's port and
    with two workers (two cores)."""
    unit = (ROOT / "deploy" / "systemd" / "tracker-web.service").read_text()
    line = re.search(r"(?ms)^ExecStart=(.*?[^\\])$", unit).group(1).replace("\\\n", " ")
    words = line.split()
    words[0] = str(VENV / "gunicorn")
    words[words.index("--workers") + 1] = "2"
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    return words


def forwarded(cookies, path: str = "/", client: str = "198.51.100.20") -> dict:
    """What nginx adds to a request, for one sent straight to a host as if it had come
    through the proxy (https, the site's host, the person's address and cookies)."""
    return {
        "Host": "127.0.0.1",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": client,
        "Referer": f"https://127.0.0.1{path}",  # Flask-WTF checks it on https
        "Cookie": "; ".join(f"{cookie.name}={cookie.value}" for cookie in cookies),
    }


def wait_for(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"no answer from {url}")


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    answer = session.post(
        base + "/login",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrf_token": token.group(1) if token else "",
        },  # fmt: skip
        headers={"Referer": base + "/login"},  # Flask-WTF checks it on https
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {username} through {base}: {answer.status_code}")
    return session


def first_task_with(session: requests.Session, base: str, action: str) -> int:
    """The first task on the person's home page whose page has the action's form."""
    home = session.get(base + "/", timeout=30).text
    for task_id in dict.fromkeys(re.findall(r'href="/tasks/(\d+)"', home)):
        page = session.get(f"{base}/tasks/{task_id}", timeout=30).text
        if f'action="/tasks/{task_id}{action}"' in page:
            return int(task_id)
    raise RuntimeError(f"no task on the home page has the form {action!r}")


def log_lines(log: Path, logger: str) -> list[dict]:
    lines = []
    for raw in log.read_text(errors="replace").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("logger") == logger:
            lines.append(line)
    return lines


def _overlapping_runs(lines: list[dict]) -> int:
    """Count pairs of finished runs of one job whose times overlap (a line is written at a
    run's end, with how long it took)."""
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for line in lines:
        if line.get("result") != "ok":
            continue
        end = datetime.fromisoformat(line["time"])
        start = end - timedelta(milliseconds=line.get("duration_ms") or 0)
        spans.setdefault(line["job"], []).append((start, end))
    overlaps = 0
    for runs in spans.values():
        runs.sort()
        overlaps += sum(1 for (_, end), (start, _) in pairwise(runs) if start < end)
    return overlaps


def main() -> None:
    nginx = ensure_nginx()
    work = Path(tempfile.mkdtemp(prefix="tracker-trial-"))
    trial = Trial(work)
    results = {}
    try:
        trial.database()
        hosts = trial.hosts()
        proxy = trial.proxy(nginx, hosts)
        trial.schedulers()
        for name, check in (
            ("sessions", lambda: trial.sessions_across_hosts(proxy, hosts)),
            ("evidence", lambda: trial.evidence_across_hosts(proxy, hosts)),
            ("throttling", lambda: trial.throttle_across_hosts(proxy, hosts)),
            ("schedulers", trial.one_scheduler_at_a_time),
            ("health", lambda: trial.health(proxy)),
            ("metrics", lambda: trial.metrics(proxy)),
            ("host_down", lambda: trial.host_down(proxy, hosts)),
        ):
            results[name] = check()
            verdict = "ĐẠT (held)" if results[name] else "KHÔNG ĐẠT (failed)"
            say(f"{verdict}: {name}")
    finally:
        trial.stop_all()
    report = {"held": results, "findings": trial.findings, "logs": str(work)}
    out = ROOT / "bench" / "results" / "scale-out.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    say(json.dumps(trial.findings, indent=2, ensure_ascii=False, default=str))
    say(f"Kết quả: {out.relative_to(ROOT)}; nhật ký (logs): {work}")
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()

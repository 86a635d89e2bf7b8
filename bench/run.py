"""The benchmarks of docs/PERFORMANCE.md, in one command.

    .venv/bin/python bench/run.py                     # 1,000,000 tasks on PostgreSQL
    .venv/bin/python bench/run.py --tasks 100000 --duration 5

It (1) fills a PostgreSQL database with ``tracker bench-data`` once (kept for later runs,
``--reload`` makes it again) and times the load; (2) works on a copy of it, so every run
starts from the same data; (3) times the sweep as of the reference day's morning, cold and
again with nothing new; (4) starts the tracker under gunicorn and loads each page with
Debian's ``wrk`` on loopback, signed in as the official who would open it; (5) measures
two floors on the same gunicorn settings — a raw WSGI callable and a Flask view doing one
primary-key SELECT and a small template; (6) reads each worker's peak memory; and prints a
table (every figure also as a ratio to the Flask floor) and writes the figures as JSON to
``bench/results/``.

Nothing here is part of the test suite: figures depend on the machine, and a test that
failed on a slower one would say nothing about the code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV = ROOT / ".venv" / "bin"
PASSWORD = "bench-5ro-2026"  # tracker.demo.benchdata.PASSWORD

# What the issue asks of a million tasks on two cores (PostgreSQL, two workers).
TARGETS_P95_MS = {
    "my_work": 50,
    "list_unit_overdue": 50,
    "list_free_text": 50,
    "task_detail": 50,
    "dashboard_today": 150,
    "dashboard_past": 150,
}


@dataclass
class Figures:
    name: str
    path: str
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    unexpected: int = 0
    socket_errors: int = 0
    target_p95_ms: float | None = None
    ratio_to_floor: float | None = None  # requests per second ÷ the Flask floor's
    p50_to_floor: float | None = None  # p50 ÷ the Flask floor's p50 (how many times slower)
    p95_to_floor: float | None = None


@dataclass
class Run:
    tasks: int
    database: str
    reference_day: str
    machine: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)
    sweep: dict = field(default_factory=dict)
    pages: list = field(default_factory=list)
    floors: list = field(default_factory=list)
    worker_peak_rss_mb: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)


# ------------------------------------------------------------------ helpers


def say(text: str) -> None:
    print(text, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _psql(url: str, sql: str) -> str:
    admin = _database(url, "postgres")
    return subprocess.run(
        ["psql", admin, "-Atqc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def _env(database: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database,
        TRACKER_ENV="development",  # plain http on loopback: production cookies are Secure
        LOG_FORMAT="json",  # production's logging, one line per request
        SECRET_KEY=secrets.token_hex(32),
        PATH=f"{VENV}:{env.get('PATH', '')}",
        **extra,
    )
    return env


def _tracker(database: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV / "tracker"), *args],
        env=_env(database),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("Cài wrk (installing Debian's wrk)…")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return shutil.which("wrk")
    sys.exit("wrk không có trên máy (apt-get install wrk) — wrk is needed")


def machine() -> dict:
    """Describe the machine the figures come from."""
    cpu = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpu)
    memory = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout
    return {
        "cpus": os.cpu_count(),
        "cpu": model.group(1) if model else "",
        "memory_gib": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "postgresql": postgres.strip(),
        "python": sys.version.split()[0],
    }


# ------------------------------------------------------------------ the dataset


def ensure_dataset(args) -> dict:
    """Fill the benchmark database once (or again with --reload); return the load's figures."""
    name = urlsplit(args.database).path.lstrip("/")
    exists = _psql(args.database, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    if exists and not args.reload:
        tasks = subprocess.run(
            ["psql", args.database, "-Atqc", "SELECT count(*) FROM tasks"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if tasks == str(args.tasks):
            say(f"Dùng lại bộ dữ liệu {name} ({tasks} nhiệm vụ).")
            _tracker(args.database, "db", "upgrade")
            saved = BENCH / "results" / f"load-{name}.json"
            return json.loads(saved.read_text()) if saved.exists() else {"reused": True}
    say(f"Nạp bộ dữ liệu {args.tasks:,} nhiệm vụ vào {name}…")
    _psql(args.database, f'DROP DATABASE IF EXISTS "{name}"')
    _psql(args.database, f'CREATE DATABASE "{name}"')
    _tracker(args.database, "db", "upgrade")
    started = time.perf_counter()
    done = _tracker(
        args.database,
        "bench-data",
        "--tasks",
        str(args.tasks),
        "--today",
        args.today,
        "--seed",
        str(args.seed),
    )
    load = {"seconds": round(time.perf_counter() - started, 1), "output": done.stdout[-3000:]}
    rows = re.search(r"([\d,]+) dòng", done.stdout)
    load["rows"] = int(rows.group(1).replace(",", "")) if rows else None
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / f"load-{name}.json").write_text(json.dumps(load, indent=2))
    say(f"Đã nạp trong {load['seconds']} giây.")
    return load


def working_copy(args) -> str:
    """Copy the dataset so that the run's writes (sweep, progress reports) start afresh."""
    name = urlsplit(args.database).path.lstrip("/")
    copy = f"{name}_run"
    _psql(args.database, f'DROP DATABASE IF EXISTS "{copy}"')
    say(f"Sao chép {name} → {copy}…")
    _psql(args.database, f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    url = _database(args.database, copy)
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"], check=True)
    return url


# ------------------------------------------------------------------ the sweep


def sweep(database: str, moment: str) -> dict:
    """Sweep as of the reference morning twice: cold (today's notices), then nothing new."""
    figures = {}
    for run in ("cold", "again"):
        done = subprocess.run(
            [str(VENV / "python"), str(BENCH / "sweep.py"), moment],
            env=_env(database),
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        figures[run] = json.loads(done.stdout.strip().splitlines()[-1])
        say(f"Quét ({run}): {figures[run]}")
    return figures


# ------------------------------------------------------------------ servers and load


class Server:
    """A gunicorn serving one WSGI application on a free loopback port."""

    def __init__(self, app: str, env: dict, workers: int, log: Path) -> None:
        self.port = _free_port()
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                str(VENV / "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--no-control-socket",
                app,
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + path, timeout=5).status_code < 500:
                    return
            except requests.ConnectionError:
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer on {self.url}")

    def worker_peaks_mb(self) -> list[float]:
        """Return each worker's peak resident memory (VmHWM)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        peaks = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            peak = re.search(r"VmHWM:\s*(\d+) kB", status)
            if peak:
                peaks.append(round(int(peak.group(1)) / 1024, 1))
        return peaks

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def load(wrk: str, url: str, args, *, method="GET", body=None, cookie=None, bearer=None,
         status=200, paths=None) -> dict:  # fmt: skip
    """Load one address with wrk, after a warm-up of a third of the time (the database's
    cache, the workers' first requests); return the measured run's JSON figures."""
    env = dict(os.environ, BENCH_METHOD=method, BENCH_STATUS=str(status))
    extra = {"BENCH_BODY": body, "BENCH_COOKIE": cookie, "BENCH_BEARER": bearer}
    extra["BENCH_PATHS"] = ",".join(paths) if paths else None
    env.update({key: value for key, value in extra.items() if value})

    def run(seconds: int) -> dict:
        command = [
            wrk,
            f"-t{args.connections}",
            f"-c{args.connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(BENCH / "report.lua"),
            url,
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
        return json.loads(line.removeprefix("WRKJSON "))

    run(max(2, args.duration // 3))
    # wrk stops without waiting for its last answers: let the server finish them, or the
    # measured run's first report on a task races the warm-up's last one (a 409, rightly).
    time.sleep(1)
    return run(args.duration)


def figures(name: str, path: str, raw: dict) -> Figures:
    seconds = raw["duration_us"] / 1e6
    return Figures(
        name=name,
        path=path,
        requests=raw["requests"],
        rps=round(raw["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=round(raw["p50_us"] / 1000, 1),
        p95_ms=round(raw["p95_us"] / 1000, 1),
        p99_ms=round(raw["p99_us"] / 1000, 1),
        unexpected=raw["unexpected_status"],
        socket_errors=raw["socket_errors"],
        target_p95_ms=TARGETS_P95_MS.get(name),
    )


def sign_in(base: str, username: str) -> requests.Session:
    """Sign in through the sign-in page, as a person would."""
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    answer = session.post(
        f"{base}/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": token.group(1) if token else "",
        },
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {username} failed: {answer.status_code}")
    return session


def _cookie(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


# ------------------------------------------------------------------ the scenarios


def subjects(database: str) -> dict:
    """Pick the unit, tasks and words the scenarios use, from the data itself."""

    def one(sql: str) -> str:
        return subprocess.run(
            ["psql", database, "-Atqc", sql], check=True, capture_output=True, text=True
        ).stdout.strip()

    unit = one("SELECT id FROM units WHERE code = 'STP'")
    head = "head.stp"
    head_id = one(f"SELECT id FROM users WHERE username = '{head}'")
    own_tasks = one(
        f"SELECT id FROM tasks WHERE lead_unit_id = {unit} AND state = 'in_progress'"
        f" AND accountable_user_id = {head_id} ORDER BY id DESC LIMIT 8"
    ).split()
    year = one("SELECT max(extract(year FROM issued_on))::int FROM tasks")
    return {
        "unit": unit,
        "head": head,
        "inspector": "bench.thanhtra1",
        "own_task": own_tasks[0],
        "own_tasks": own_tasks,
        "search": f"ra soat vi tri viec lam {year}",
    }


def scenarios(s: dict, reference: date) -> list[tuple[str, str, str]]:
    """(name, who, address) of every page the issue names."""
    past = (reference - timedelta(days=77)).strftime("%d/%m/%Y")
    words = s["search"].replace(" ", "+")
    return [
        ("my_work", s["head"], "/"),
        ("list_unit_overdue", s["inspector"], f"/tasks?unit_id={s['unit']}&category=overdue"),
        ("list_free_text", s["inspector"], f"/tasks?q={words}"),
        ("task_detail", s["head"], f"/tasks/{s['own_task']}"),
        ("dashboard_today", s["inspector"], "/oversight"),
        ("dashboard_past", s["inspector"], f"/oversight?as_of={past}"),
        ("unit_scorecard", s["inspector"], f"/oversight/units/{s['unit']}"),
        ("weekly_briefing", s["inspector"], "/oversight/briefing"),
        (
            "excel_export",
            s["inspector"],
            f"/oversight/tasks.xlsx?unit_id={s['unit']}&category=overdue",
        ),
    ]


def wanted(args, name: str) -> bool:
    return not args.only or name in args.only


def run_pages(wrk: str, base: str, args, s: dict, reference: date) -> list[Figures]:
    results, sessions = [], {}
    for name, who, path in scenarios(s, reference):
        if not wanted(args, name):
            continue
        # A fresh sign-in for each page: the idle timeout never ends a session mid-run.
        sessions[who] = sign_in(base, who)
        raw = load(wrk, base + path, args, cookie=_cookie(sessions[who]))
        results.append(figures(name, path, raw))
        say(_row(results[-1]))
    for name, measure in (("progress_update_post", _progress_post), ("api_task_list", _api_list)):
        if wanted(args, name):
            results.append(measure(wrk, base, args, s))
            say(_row(results[-1]))
    return results


def _progress_post(wrk: str, base: str, args, s: dict) -> Figures:
    """The unit head reports progress on own tasks, again and again (each a new report)."""
    session = sign_in(base, s["head"])
    page = session.get(f"{base}/tasks/{s['own_task']}", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    body = (
        f"csrf_token={token.group(1) if token else ''}&percent=60"
        "&narrative=%C4%90%C3%A3+r%C3%A0+so%C3%A1t+xong+c%C3%A1c+%C4%91%C6%A1n+v%E1%BB%8B"
    )
    # One task per connection: two reports on one task at the same instant are a conflict
    # (409, the version counter), which is right but is not what this figure measures.
    paths = [f"/tasks/{task}/progress" for task in s["own_tasks"][: args.connections]]
    raw = load(
        wrk,
        base + paths[0],
        args,
        method="POST",
        body=body,
        cookie=_cookie(session),
        status=302,
        paths=paths,
    )
    return figures("progress_update_post", "/tasks/<id>/progress", raw)


def _api_list(wrk: str, base: str, args, s: dict) -> Figures:
    answer = requests.post(
        f"{base}/api/v1/tokens",
        json={"username": s["inspector"], "password": PASSWORD},
        timeout=30,
    )
    answer.raise_for_status()
    path = f"/api/v1/tasks?category=overdue&lead_unit_id={s['unit']}"
    raw = load(wrk, base + path, args, bearer=answer.json()["token"])
    return figures("api_task_list", path, raw)


def run_floors(wrk: str, database: str, args, task_id: str) -> list[Figures]:
    results = []
    for name, app in (
        ("floor_raw_wsgi", "bench.floors:raw"),
        ("floor_flask_pk", "bench.floors:flask_floor()"),
    ):
        env = _env(database, FLOOR_TASK_ID=task_id, PYTHONPATH=str(ROOT))
        server = Server(app, env, args.workers, BENCH / "results" / f"{name}.log")
        try:
            server.wait()
            results.append(figures(name, "/", load(wrk, server.url + "/", args)))
            say(_row(results[-1]))
        finally:
            server.stop()
    return results


# ------------------------------------------------------------------ the report


def _row(f: Figures) -> str:
    target = f"≤ {f.target_p95_ms:g}" if f.target_p95_ms else ""
    ratios = ""
    if f.ratio_to_floor is not None:
        ratios = f" {f.ratio_to_floor:>9.4f} {f.p50_to_floor:>9.1f} {f.p95_to_floor:>9.1f}"
    flag = "" if not (f.unexpected or f.socket_errors) else f"  ({f.unexpected} sai trạng thái)"
    return f"{f.name:<22} {f.rps:>9.1f} {f.p50_ms:>9.1f} {f.p95_ms:>9.1f} {target:>8}{ratios}{flag}"


def report(run: Run) -> None:
    floor = next((f for f in run.floors if f.name == "floor_flask_pk"), None)
    for f in run.pages + run.floors:
        if floor and floor.rps and floor.p50_ms and floor.p95_ms:
            f.ratio_to_floor = round(f.rps / floor.rps, 4)
            f.p50_to_floor = round(f.p50_ms / floor.p50_ms, 1)
            f.p95_to_floor = round(f.p95_ms / floor.p95_ms, 1)
    say("")
    say(
        f"{'trang (page)':<22} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'target':>8}"
        f" {'rps÷floor':>9} {'p50×floor':>9} {'p95×floor':>9}"
    )
    for f in run.pages + run.floors:
        say(_row(f))
    cold, again = run.sweep.get("cold", {}), run.sweep.get("again", {})
    say("")
    say(
        f"sweep cold {cold.get('seconds')} s (target ≤ 3), again {again.get('seconds')} s"
        f" (target ≤ 0.3); peak {cold.get('peak_rss_mb')} MB, app alone"
        f" {cold.get('rss_before_mb')} MB"
    )
    say(f"worker peak memory (MB, target ≤ 200): {run.worker_peak_rss_mb}")
    if run.load:
        say(f"dataset load: {run.load.get('seconds')} s (target ≤ 600)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench"),
    )
    parser.add_argument("--today", default="2026-12-01", help="the dataset's reference day")
    parser.add_argument("--seed", type=int, default=171)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reload", action="store_true", help="load the dataset again")
    parser.add_argument("--keep", action="store_true", help="keep the working copy")
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        help="measure only these, e.g. my_work,dashboard_today,sweep,floors (a partial run)",
    )
    args = parser.parse_args()

    wrk = _ensure_wrk()
    reference = date.fromisoformat(args.today)
    run = Run(tasks=args.tasks, database=args.database, reference_day=args.today)
    run.machine = machine()
    run.settings = {
        "workers": args.workers,
        "wrk_connections": args.connections,
        "duration_s": args.duration,
    }
    (BENCH / "results").mkdir(exist_ok=True)
    run.load = ensure_dataset(args)
    copy = working_copy(args)
    try:
        if wanted(args, "sweep"):
            run.sweep = sweep(copy, f"{args.today}T08:05")
        s = subjects(copy)
        env = _env(copy, PROMETHEUS_MULTIPROC_DIR=str(BENCH / "results" / "prometheus"))
        server = Server("wsgi:app", env, args.workers, BENCH / "results" / "tracker.log")
        try:
            server.wait("/healthz")
            run.pages = run_pages(wrk, server.url, args, s, reference)
            run.worker_peak_rss_mb = server.worker_peaks_mb()
        finally:
            server.stop()
        if wanted(args, "floors"):
            run.floors = run_floors(wrk, copy, args, s["own_task"])
    finally:
        if not args.keep:
            _psql(args.database, f'DROP DATABASE IF EXISTS "{urlsplit(copy).path.lstrip("/")}"')
    report(run)
    partial = "-partial" if args.only else ""
    out = BENCH / "results" / f"{args.today}-{args.tasks}{partial}.json"
    run.pages = [asdict(f) for f in run.pages]
    run.floors = [asdict(f) for f in run.floors]
    out.write_text(json.dumps(asdict(run), indent=2, ensure_ascii=False))
    say(f"\nKết quả (JSON): {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""The scheduler process (APScheduler 3, blocking): never started inside a web worker."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker.clock import local_zone
from tracker.jobs import work
from tracker.jobs.runner import run_job
from tracker.jobs.work import VERIFY_JOB


def _in_app(app: Flask, name: str, job) -> callable:
    def run() -> None:
        with app.app_context():
            try:
                run_job(name, job)
            except Exception:  # noqa: BLE001 - logged in run_job; the next run tries again
                return

    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Return a scheduler with the sweep, recurring tasks, the digest, the outbox and the
    nightly check of the audit chain."""
    with app.app_context():
        zone = local_zone()
    # run_job writes one line per run; APScheduler's "Running job"/"executed" would add two.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    config = app.config
    hour, minute = (int(part) for part in config["DIGEST_TIME"].split(":"))
    scheduler = BlockingScheduler(
        timezone=zone,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": 3600,
        },
    )
    sweep = _in_app(app, "sweep", work.sweep_work)
    scheduler.add_job(
        sweep,
        CronTrigger(hour=config["SWEEP_HOURS"], minute=5, timezone=zone),
        id="sweep",
        name="Quét nhắc hạn, cảnh báo",
    )
    scheduler.add_job(
        _in_app(app, "digest", work.digest_job),
        CronTrigger(hour=hour, minute=minute, timezone=zone),
        id="digest",
        name="Thư tổng hợp buổi sáng",
    )
    scheduler.add_job(
        _in_app(app, "deliver", work.deliver_job),
        IntervalTrigger(seconds=config["DELIVERY_INTERVAL_SECONDS"]),
        id="deliver",
        name="Gửi thư và webhook trong hàng đợi",
    )
    # The audit trail's whole hash chain, checked each night while nobody works; the audit
    # page and the system page show the result.
    scheduler.add_job(
        _in_app(app, VERIFY_JOB, work.verify_job),
        CronTrigger(hour=2, minute=30, timezone=zone),
        id=VERIFY_JOB,
        name="Kiểm tra chuỗi nhật ký kiểm toán",
    )
    series = _in_app(app, "series", work.series_job)
    scheduler.add_job(
        series,
        CronTrigger(hour=6, minute=30, timezone=zone),
        id="series",
        name="Tạo nhiệm vụ định kỳ",
    )
    # Catch up at start: a scheduler that was down does what is due straight away.
    scheduler.add_job(series, id="series-at-start", name="Nhiệm vụ định kỳ khi khởi động")
    scheduler.add_job(sweep, id="sweep-at-start", name="Quét khi khởi động")
    return scheduler

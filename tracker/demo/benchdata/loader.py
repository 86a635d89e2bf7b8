"""``load_scale``: the load from start to end, its safety checks and its report."""

from __future__ import annotations

import logging
import random
import time as stopwatch
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.audit.models import AuditChainHead, AuditEvent
from tracker.audit.services import GENESIS_HASH
from tracker.calendar.services import ensure_work_days
from tracker.clock import local_midnight
from tracker.demo.benchdata.audit_chain import AuditChain
from tracker.demo.benchdata.generator import Generator
from tracker.demo.benchdata.notices import RuleView
from tracker.demo.benchdata.organisation import Organisation, OrgBuilder
from tracker.demo.benchdata.parameters import Scale
from tracker.demo.benchdata.state import LoadState
from tracker.demo.benchdata.tables import BULK_TABLES
from tracker.demo.bulk import BulkWriter
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.reminders.models import EscalationSettings, ReminderRule
from tracker.reminders.sweep import ensure_default_rules
from tracker.tasks import closures
from tracker.tasks.models import Task

logger = logging.getLogger(__name__)


@dataclass
class LoadReport:
    """What the load wrote (rows per table), how long it took and whom to sign in as."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    logins: list[tuple[str, str]] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)


def load_scale(scale: Scale, progress: Callable[[str], None] = logger.info) -> LoadReport:
    """Fill an empty database with a city-sized dataset; return what was written."""
    scale.check()
    _refuse_in_production()
    _refuse_unless_empty()
    started = stopwatch.perf_counter()
    ensure_default_rules()
    ensure_work_days(scale.today)
    org = _build_organisation(scale)
    db.session.commit()
    progress(
        f"Đã tạo {len(org.units)} đơn vị, {len(org.names)} người dùng ({_seconds(started)} giây)."
    )
    rules, escalate_after, modes = _active_rules(), _escalation_threshold(), _email_modes(org)
    writer = BulkWriter(db.engine)
    state = LoadState.start(scale, org, writer, *_chain_start())
    generator = Generator(state, rules, escalate_after, modes)
    seeds = generator.plan()  # reads the calendar: before the load takes the database
    db.session.remove()
    try:
        writer.begin(BULK_TABLES)
        generator.run(seeds)
        progress(f"Đã ghi các dòng ({_seconds(started)} giây); dựng lại chỉ mục…")
        _update_chain_head(writer, state.chain)
        writer.finish(BULK_TABLES)
        progress(
            f"Đã dựng chỉ mục ({_seconds(started)} giây);"
            " cập nhật thống kê cho bộ lập kế hoạch truy vấn…"
        )
        writer.analyze()
    finally:
        writer.close()
    closed = closures.rebuild()
    db.session.commit()
    progress(f"Đã đếm {closed:,} nhiệm vụ đã kết thúc theo tháng ({_seconds(started)} giây).")
    report = LoadReport(
        counts=dict(writer.rows_written), seconds=stopwatch.perf_counter() - started
    )
    report.logins = _logins(org)
    return report


# ---------------------------------------------------------------- refusals


def _refuse_in_production() -> None:
    # Every account of the dataset shares one published password.
    if current_app.config.get("TRACKER_ENV") == "production":
        raise ValidationError(
            "Không nạp bộ dữ liệu đo hiệu năng khi TRACKER_ENV=production: mọi tài khoản"
            " của nó dùng chung một mật khẩu công khai.",
            fields={"TRACKER_ENV": "production"},
        )


def _refuse_unless_empty() -> None:
    # The bulk load numbers its rows from 1 and drops indexes: it needs the tables to itself.
    if db.session.scalar(sa.select(sa.func.count(Task.id))) or db.session.scalar(
        sa.select(sa.func.count(User.id))
    ):
        raise ValidationError(
            "Cơ sở dữ liệu đã có dữ liệu; bộ dữ liệu đo hiệu năng chỉ nạp vào một cơ sở dữ liệu"
            " trống (tạo mới rồi chạy tracker db upgrade).",
            fields={"database": "không trống"},
        )


# ---------------------------------------------------------------- before the bulk load


def _build_organisation(scale: Scale) -> Organisation:
    """Create the organisation through the services, a month before the first task."""
    rng = random.Random(scale.seed)
    org_day = scale.first_day - timedelta(days=30)
    org_now = local_midnight(org_day) + timedelta(hours=9)
    org_log = logging.getLogger("tracker.org.services")
    level, org_log.level = org_log.level, logging.WARNING  # one line per user is noise here
    try:
        return OrgBuilder(scale, rng, org_now).build()
    finally:
        org_log.setLevel(level)


def _active_rules() -> list[RuleView]:
    """The active reminder rules (the defaults, on an empty database), in id order."""
    return [
        RuleView(r.id, r.kind, r.offset_days, r.repeat_every, r.for_milestones, r.recipient_list)
        for r in db.session.scalars(
            sa.select(ReminderRule).where(ReminderRule.active).order_by(ReminderRule.id)
        )
    ]


def _escalation_threshold() -> int:
    """Working days overdue after which a task is escalated to Sở Nội vụ."""
    return db.session.get(EscalationSettings, 1).overdue_working_days


def _email_modes(org: Organisation) -> dict[int, str]:
    """Each unit head's and staff member's email choice (others get emails at once)."""
    return {m.id: m.email_mode for u in org.units.values() for m in [u.head, *u.staff] if m}


def _chain_start() -> tuple[tuple[int, str], int]:
    """The audit chain's head (the organisation's events are already in it) and the next
    event id."""
    head = db.session.get(AuditChainHead, 1)
    chain_head = (head.seq, head.last_hash) if head else (0, GENESIS_HASH)
    first_event_id = (db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0) + 1
    return chain_head, first_event_id


# ---------------------------------------------------------------- after it


def _seconds(started: float) -> str:
    return f"{stopwatch.perf_counter() - started:.0f}"


def _update_chain_head(writer: BulkWriter, chain: AuditChain) -> None:
    writer.execute(
        "UPDATE audit_chain_head SET seq = %s, last_hash = %s WHERE id = 1",
        (chain.seq, chain.last_hash),
    )


def _logins(org: Organisation) -> list[tuple[str, str]]:
    department, district = org.departments[1], org.districts[0]
    return [
        (org.assigners[0].username, "Văn phòng UBND thành phố (giao việc)"),
        (org.leaders[0].username, "Chủ tịch UBND thành phố (lãnh đạo)"),
        (org.inspectors[0].username, "Sở Nội vụ (thanh tra)"),
        (department.head.username, f"Thủ trưởng {department.name}"),
        (district.head.username, f"Thủ trưởng {district.name}"),
        ("bench.quantri", "Quản trị hệ thống"),
    ]

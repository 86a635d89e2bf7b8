"""Quản trị → Tình trạng hệ thống: the outbox backlog, the sweep, the scheduler's jobs."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _
from flask_login import login_required

from tracker.audit.checks import chain_state
from tracker.clock import utcnow
from tracker.observability.status import system_status
from tracker.org.permissions import admin_required
from tracker.text import N_

bp = Blueprint("system", __name__, url_prefix="/admin/system")

QUEUE_LABELS = {
    "email": N_("Thư điện tử gửi ngay"),
    "digest": N_("Thư tổng hợp buổi sáng"),
    "webhook": N_("Gửi sang hệ thống khác (webhook)"),
}
JOB_LABELS = {
    "sweep": N_("Quét nhắc hạn, cảnh báo, đôn đốc"),
    "deliver": N_("Gửi thư và webhook trong hàng đợi"),
    "digest": N_("Thư tổng hợp buổi sáng"),
    "series": N_("Tạo nhiệm vụ định kỳ"),
    "audit_verify": N_("Kiểm tra chuỗi nhật ký kiểm toán"),
}
SWEEP_LABELS = {
    "reminder": N_("Nhắc hạn"),
    "warning": N_("Cảnh báo quá hạn"),
    "urging": N_("Đôn đốc"),
    "escalation": N_("Hồ sơ chuyển Sở Nội vụ"),
    "late": N_("Trong đó gửi muộn"),
}


def format_age(age: timedelta | None) -> str:
    """Say how long ago, in days, hours and minutes (the largest two that apply)."""
    if age is None:
        return ""
    minutes = max(int(age.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s ngày %(hours)s giờ", days=days, hours=hours)
    if hours:
        return _("%(hours)s giờ %(minutes)s phút", hours=hours, minutes=minutes)
    if minutes:
        return _("%(minutes)s phút", minutes=minutes)
    return _("dưới 1 phút")


def format_duration(milliseconds: int | None) -> str:
    """Say how long a run took: milliseconds below a second, else seconds."""
    if milliseconds is None:
        return ""
    if milliseconds < 1000:
        return _("%(ms)s ms", ms=milliseconds)
    return _("%(seconds)s giây", seconds=f"{milliseconds / 1000:.1f}")


@bp.route("")
@login_required
@admin_required
def index():
    """Show the outbox backlog and its latest errors, the last sweep and each job's last run."""
    now = utcnow()
    status = system_status(now, current_app.config["DELIVERY_INTERVAL_SECONDS"], with_errors=True)
    return render_template(
        "system/index.html",
        status=status,
        sweep=status.job("sweep"),
        now=now,
        chain=chain_state(),
        queue_labels=QUEUE_LABELS,
        job_labels=JOB_LABELS,
        sweep_labels=SWEEP_LABELS,
        age=format_age,
        duration=format_duration,
    )

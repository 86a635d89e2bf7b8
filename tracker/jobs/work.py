"""The jobs the scheduler runs, each in its own transaction and safe to run again: the
sweep, recurring tasks, delivery of the outbox, the morning digest, the audit chain's check.
"""

from __future__ import annotations

from datetime import datetime

from tracker.audit.checks import verify_and_record
from tracker.audit.services import SYSTEM_ACTOR
from tracker.extensions import db
from tracker.faults import pause_point
from tracker.jobs.outbox import deliver_digests, deliver_pending, deliver_webhooks
from tracker.jobs.runner import JobResult
from tracker.notify.email import SmtpSender
from tracker.reminders.sweep import SweepResult, run_sweep
from tracker.tasks.series.services import create_occurrences

# The job that checks the audit trail's hash chain each night.
VERIFY_JOB = "audit_verify"


def sweep_job(now: datetime) -> SweepResult:
    """Run the sweep in one transaction."""
    try:
        result = run_sweep(now)
        pause_point("sweep.before_commit")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


SWEEP_KINDS = {
    "reminder": "nhắc hạn",
    "warning": "cảnh báo quá hạn",
    "urging": "đôn đốc",
    "escalation": "hồ sơ chuyển Sở Nội vụ",
    "late": "trong đó gửi muộn",
}


def describe(result: SweepResult) -> JobResult:
    """Return what a sweep created, by kind, as a sentence and as figures."""
    counts = {kind: result.created.get(kind, 0) for kind in SWEEP_KINDS}
    return JobResult(
        ", ".join(f"{label}: {counts[kind]}" for kind, label in SWEEP_KINDS.items()), counts
    )


def sweep_work(now: datetime) -> JobResult:
    """Run the sweep and describe what it created (the scheduler's and the command's job)."""
    return describe(sweep_job(now))


def series_job(now: datetime) -> JobResult:
    """Create the occurrences of recurring tasks whose day has come, in one transaction."""
    try:
        result = create_occurrences(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return JobResult(
        f"nhiệm vụ định kỳ: tạo {result.created}, lỗi {result.failed}, "
        f"bỏ qua vì đã quá hạn {result.skipped_past_due}",
        {
            "created": result.created,
            "failed": result.failed,
            "skipped_past_due": result.skipped_past_due,
        },
    )


NO_SMTP = "SMTP_HOST chưa cấu hình; thư chờ trong hàng đợi."


def deliver_job(now: datetime) -> JobResult:
    """Send what waits in the outbox: deliveries to other systems, then emails."""
    hooks_sent, hooks_failed = deliver_webhooks(now)
    parts = [f"webhook: đã gửi {hooks_sent}, lỗi {hooks_failed}"]
    counts = {"webhooks_delivered": hooks_sent, "webhooks_failed": hooks_failed}
    sender = SmtpSender.from_app()
    if sender.configured:
        sent, failed = deliver_pending(now, sender)
        parts.append(f"thư: đã gửi {sent}, lỗi {failed}")
        counts |= {"emails_delivered": sent, "emails_failed": failed}
        # A morning digest the mail server refused goes as soon as it can, not tomorrow.
        sent, failed = deliver_digests(now, sender, retries_only=True)
        if sent or failed:
            parts.append(f"thư tổng hợp gửi lại: đã gửi {sent}, lỗi {failed}")
        counts |= {"digests_retried": sent, "digests_failed": failed}
    else:
        parts.append(NO_SMTP)
    return JobResult("; ".join(parts), counts)


def digest_job(now: datetime) -> JobResult:
    """Send the morning digest to those who chose it."""
    sender = SmtpSender.from_app()
    if not sender.configured:
        return JobResult(NO_SMTP)
    sent, failed = deliver_digests(now, sender)
    return JobResult(
        f"đã gửi {sent} thư tổng hợp, lỗi {failed}", {"delivered": sent, "failed": failed}
    )


def verify_job(now: datetime) -> JobResult:
    """Check the audit trail's whole hash chain and keep the result (the nightly job)."""
    try:
        check = verify_and_record(by=SYSTEM_ACTOR, now=now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if check.ok:
        summary = f"chuỗi nhật ký nguyên vẹn: {check.checked} sự kiện"
    else:
        summary = f"CHUỖI NHẬT KÝ BỊ PHÁ VỠ tại sự kiện số {check.broken_seq}: {check.reason}"
    return JobResult(summary, {"checked": check.checked, "broken": 0 if check.ok else 1})

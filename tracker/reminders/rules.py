"""The admin's settings of the ladder: the reminder rules and the escalation thresholds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.audit.services import changed_values, record
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.reminders.models import EscalationSettings, NoticeKind, Recipient, ReminderRule
from tracker.reminders.sweep import ensure_default_rules
from tracker.text import N_

RECIPIENT_LABELS = {
    Recipient.ACCOUNTABLE: N_("Người chịu trách nhiệm chính"),
    Recipient.ASSIGNEE: N_("Người trực tiếp thực hiện"),
    Recipient.UNIT_HEAD: N_("Thủ trưởng đơn vị chủ trì"),
    Recipient.ASSIGNER: N_("Văn phòng (người giao việc)"),
    Recipient.SUPERVISOR: N_("Lãnh đạo phụ trách"),
    Recipient.INSPECTORS: N_("Sở Nội vụ (thanh tra)"),
}
KIND_LABELS = {
    NoticeKind.REMINDER: N_("Nhắc hạn"),
    NoticeKind.WARNING: N_("Cảnh báo quá hạn"),
    NoticeKind.URGING: N_("Đôn đốc"),
}


def list_rules() -> tuple[list[ReminderRule], EscalationSettings]:
    """Return the rules (the defaults are created on first use) and the thresholds."""
    ensure_default_rules()
    rules = db.session.scalars(
        sa.select(ReminderRule).order_by(ReminderRule.offset_days, ReminderRule.id)
    ).all()
    return list(rules), db.session.get(EscalationSettings, 1)


def _rule_values(rule: ReminderRule) -> dict:
    return {
        "kind": rule.kind,
        "offset_days": rule.offset_days,
        "repeat_every": rule.repeat_every,
        "recipients": rule.recipients,
        "for_milestones": rule.for_milestones,
        "active": rule.active,
    }


def _check(kind: NoticeKind, offset: int, repeat: int | None, recipients: list[str]) -> None:
    if kind == NoticeKind.REMINDER and offset > 0:
        raise ValidationError(
            _("Nhắc hạn phải trước hoặc đúng ngày đến hạn (số ngày ≤ 0)."),
            fields={"offset_days": _("phải ≤ 0")},
        )
    if kind != NoticeKind.REMINDER and offset < 1:
        raise ValidationError(
            _("Cảnh báo và đôn đốc tính từ sau ngày đến hạn (số ngày ≥ 1)."),
            fields={"offset_days": _("phải ≥ 1")},
        )
    if not -60 <= offset <= 250:
        raise ValidationError(
            _("Số ngày làm việc phải trong khoảng -60 đến 250."),
            fields={"offset_days": _("ngoài khoảng")},
        )
    if repeat is not None and not 1 <= repeat <= 60:
        raise ValidationError(
            _("Chu kỳ lặp lại phải từ 1 đến 60 ngày làm việc."),
            fields={"repeat_every": _("ngoài khoảng")},
        )
    if not recipients:
        raise ValidationError(
            _("Hãy chọn ít nhất một người nhận."), fields={"recipients": _("bắt buộc")}
        )


def save_rule(
    rule: ReminderRule | None,
    *,
    kind: str,
    offset_days: int,
    repeat_every: int | None,
    recipients: list[str],
    for_milestones: bool,
    active: bool,
    actor: User,
    now: datetime,
) -> ReminderRule:
    """Create or change a rule of the ladder."""
    kind = NoticeKind(kind)
    recipients = [Recipient(r).value for r in recipients]
    _check(kind, offset_days, repeat_every, recipients)
    clash = db.session.scalar(
        sa.select(ReminderRule.id).where(
            ReminderRule.kind == kind,
            ReminderRule.offset_days == offset_days,
            ReminderRule.id != (rule.id if rule else -1),
        )
    )
    if clash:
        raise ValidationError(
            _("Đã có quy tắc cùng loại với cùng số ngày."), fields={"offset_days": _("trùng")}
        )
    before = _rule_values(rule) if rule else {}
    if rule is None:
        rule = ReminderRule()
        db.session.add(rule)
    rule.kind, rule.offset_days, rule.repeat_every = kind, offset_days, repeat_every
    rule.recipients, rule.for_milestones, rule.active = (
        ",".join(recipients),
        for_milestones,
        active,
    )
    db.session.flush()
    old, new = changed_values(before, _rule_values(rule))
    record("reminder_rule.saved", rule, actor=actor, now=now, before=old or None, after=new)
    return rule


def save_escalation_settings(
    *, overdue_working_days: int, unanswered_notices: int, actor: User, now: datetime
) -> EscalationSettings:
    """Change when an overdue task becomes a record for Sở Nội vụ."""
    if not 1 <= overdue_working_days <= 250 or not 1 <= unanswered_notices <= 50:
        raise ValidationError(
            _("Ngưỡng chuyển hồ sơ không hợp lệ."),
            fields={"overdue_working_days": "1–250", "unanswered_notices": "1–50"},
        )
    ensure_default_rules()
    settings = db.session.get(EscalationSettings, 1)
    before = {
        "overdue_working_days": settings.overdue_working_days,
        "unanswered_notices": settings.unanswered_notices,
    }
    settings.overdue_working_days = overdue_working_days
    settings.unanswered_notices = unanswered_notices
    db.session.flush()
    old, new = changed_values(
        before,
        {"overdue_working_days": overdue_working_days, "unanswered_notices": unanswered_notices},
    )
    record("escalation_settings.saved", settings, actor=actor, now=now, before=old, after=new)
    return settings

"""How an audit event reads on the audit pages: a Vietnamese label for every field an event
records, and its value in words — a person's or a unit's name for an id, dd/mm/yyyy for a
date, a label for a state, a kind, a role or a reason.

The names of every id a page of events mentions (the actors, the objects and the ids in
their values) are found in one statement, whatever the page shows (:func:`find_names`).
The stored record itself is never changed here; the pages keep it one click away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.auth.models import TokenKind
from tracker.calendar.forms import DAY_KIND_LABELS
from tracker.extensions import db
from tracker.inspections.models import KIND_LABELS as INSPECTION_KIND_LABELS
from tracker.inspections.models import SEVERITY_LABELS
from tracker.notify.routes import EMAIL_MODE_LABELS
from tracker.org.forms import ROLE_LABELS, UNIT_KIND_LABELS
from tracker.org.models import Field, Unit, User
from tracker.reminders.models import EscalationReason
from tracker.reminders.rules import KIND_LABELS as NOTICE_KIND_LABELS
from tracker.reminders.rules import RECIPIENT_LABELS
from tracker.reminders.services import DECISION_LABELS, DISCIPLINE_FORM_LABELS, OUTCOME_LABELS
from tracker.reminders.services import SEVERITY_LABELS as VIOLATION_SEVERITY_LABELS
from tracker.tasks.forms import PRIORITY_LABELS
from tracker.tasks.models import (
    DueRule,
    ProcessTemplate,
    SourceDocument,
    Task,
    TaskGroup,
    TaskSeries,
    TaskState,
)
from tracker.tasks.process_templates.services import RESPONSIBLE_LABELS
from tracker.tasks.series.services import FREQUENCY_LABELS
from tracker.web.templating import format_day, format_moment
from tracker.webhooks.models import EVENT_LABELS, Webhook

STATE_LABELS = {
    TaskState.DRAFT: _l("Dự thảo"),
    TaskState.ISSUED: _l("Đã giao"),
    TaskState.ACCEPTED: _l("Đã tiếp nhận"),
    TaskState.IN_PROGRESS: _l("Đang thực hiện"),
    TaskState.SUBMITTED: _l("Đã báo cáo kết quả"),
    TaskState.COMPLETED: _l("Hoàn thành"),
    TaskState.WITHDRAWN: _l("Đã thu hồi"),
}
ESCALATION_REASON_LABELS = {
    EscalationReason.OVERDUE_DAYS: _l("quá số ngày làm việc quá hạn"),
    EscalationReason.UNANSWERED: _l("nhiều lần cảnh báo, đôn đốc chưa có chuyển biến"),
}
TOKEN_KIND_LABELS = {
    TokenKind.SIGN_IN: _l("Mã đăng nhập qua API"),
    TokenKind.PERSONAL: _l("Mã truy cập cá nhân"),
    TokenKind.CALENDAR: _l("Địa chỉ lịch (iCalendar)"),
}
DUE_RULE_LABELS = {
    DueRule.CALENDAR_DAY: _l("Ngày thứ N của tháng"),
    DueRule.WORKING_DAY: _l("Ngày làm việc thứ N của tháng"),
}

# ---------------------------------------------------------------- names of ids

# Each kind of object whose id a page may name: its model, its name, and a second column
# (a username, a unit's code, a document's number) for the objects' own column.
_NAMED = {
    "User": (User, User.full_name, User.username),
    "Unit": (Unit, Unit.name, Unit.code),
    "Task": (Task, Task.title, None),
    "Field": (Field, Field.name, Field.code),
    "SourceDocument": (SourceDocument, SourceDocument.kind, SourceDocument.number),
    "TaskSeries": (TaskSeries, TaskSeries.title, None),
    "TaskGroup": (TaskGroup, TaskGroup.title, None),
    "ProcessTemplate": (ProcessTemplate, ProcessTemplate.name, None),
    "Webhook": (Webhook, Webhook.name, None),
}


class Names:
    """The names of the objects a page of events mentions, by (kind, id)."""

    def __init__(self, found: Mapping[tuple[str, int], tuple[str, str | None]]):
        self._found = found

    def name(self, kind: str, ident: Any, default: str | None = None) -> str:
        """Return what an id names: a person's or a unit's name, a task's title… (an id
        that names nothing known reads as the default, or as itself)."""
        found = self._found.get((kind, ident))
        if found is None:
            return default if default is not None else f"#{ident}"
        name, extra = found
        if kind == "Task":
            return f"#{ident} {name}"
        if kind == "SourceDocument":
            return f"{name} {extra}"
        return name

    def title(self, kind: str, ident: int) -> str:
        """Return how an event's object is named in its own column ("" when unknown)."""
        found = self._found.get((kind, ident))
        if found is None:
            return ""
        name, extra = found
        if kind in ("User", "Unit", "Field"):
            return f"{name} ({extra})"
        if kind == "SourceDocument":
            return f"{name} {extra}"
        return name


def find_names(wanted: Mapping[str, set[int]]) -> Names:
    """Return the names of the ids wanted, by kind, in one statement (none if none)."""
    parts = []
    for kind, ids in sorted(wanted.items()):
        if kind not in _NAMED or not ids:
            continue
        model, name, extra = _NAMED[kind]
        parts.append(
            sa.select(
                sa.literal_column(f"'{kind}'", sa.String).label("kind"),
                model.id.label("id"),
                sa.type_coerce(name, sa.String).label("name"),
                (
                    sa.type_coerce(extra, sa.String)
                    if extra is not None
                    else sa.cast(sa.null(), sa.String)
                ).label("extra"),
            ).where(model.id.in_(sorted(ids)))
        )
    if not parts:
        return Names({})
    statement = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    found = {
        (kind, ident): (name, extra) for kind, ident, name, extra in db.session.execute(statement)
    }
    return Names(found)


def _ids(value: Any) -> Iterator[int]:
    """The ids in a value: one id or a list of them (anything else names nothing)."""
    values = value if isinstance(value, list) else [value]
    for item in values:
        if isinstance(item, int) and not isinstance(item, bool):
            yield item


# ---------------------------------------------------------------- how values read


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def plain(value: Any) -> str:
    """Return any stored value as words: lists joined, yes or no for a flag."""
    if _empty(value):
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, list):
        return "; ".join(plain(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {plain(item)}" for key, item in value.items())
    return str(value)


@dataclass(frozen=True)
class Shown:
    """A field of an event: its label, how its value reads, and the kind of object its
    ids name (if they name one)."""

    label: Any  # a lazy string
    show: Callable[[Any, Names], str] = lambda value, names: plain(value)
    refers: str | None = None

    def ids(self, value: Any) -> Iterator[tuple[str, int]]:
        if self.refers:
            for ident in _ids(value):
                yield self.refers, ident


def _day(value: Any, names: Names) -> str:
    try:
        return format_day(date.fromisoformat(value))
    except (TypeError, ValueError):
        return plain(value)


def _moment(value: Any, names: Names) -> str:
    try:
        return format_moment(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return plain(value)


def _number(value: Any, names: Names) -> str:
    return f"#{value}" if isinstance(value, int) and not isinstance(value, bool) else plain(value)


def _percent(value: Any, names: Names) -> str:
    return f"{value}%" if isinstance(value, int | float) else plain(value)


def _approval(value: Any, names: Names) -> str:
    return _("Đồng ý") if value else _("Không đồng ý")


def _ref(kind: str) -> Callable[[Any, Names], str]:
    def show(value: Any, names: Names) -> str:
        if _empty(value):
            return "—"
        values = value if isinstance(value, list) else [value]
        return ", ".join(names.name(kind, item) for item in values)

    return show


def _choice(labels: Mapping, *, split: bool = False) -> Callable[[Any, Names], str]:
    """Show an enum's value (a list of them, or a comma-separated string) by its label."""

    def show(value: Any, names: Names) -> str:
        if _empty(value):
            return "—"
        if split and isinstance(value, str):
            value = [item for item in value.split(",") if item]
        values = value if isinstance(value, list) else [value]
        shown = []
        for item in values:
            label = labels.get(item) if isinstance(item, str) else None
            shown.append(_(str(label)) if label is not None else plain(item))
        return ", ".join(shown)

    return show


def _coordinating_pairs(value: Any) -> Iterator[tuple[Any, Any]]:
    """A task's coordinating units as (unit id, what it owes): stored as pairs on a task,
    as objects in a recurring task's content."""
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            yield item.get("unit_id"), item.get("responsibility")
        elif isinstance(item, list) and len(item) == 2:
            yield item[0], item[1]


def _coordinating(value: Any, names: Names) -> str:
    pairs = list(_coordinating_pairs(value))
    if not pairs:
        return plain(value)
    return "; ".join(
        f"{names.name('Unit', unit)} ({duty})" if duty else names.name("Unit", unit)
        for unit, duty in pairs
    )


def _milestones(value: Any, names: Names) -> str:
    if _empty(value) or not isinstance(value, list):
        return plain(value)
    shown = []
    for item in value:
        if isinstance(item, list) and len(item) == 2:
            shown.append(f"{item[0]} ({_day(item[1], names)})")
        else:
            shown.append(plain(item))
    return "; ".join(shown)


def _steps(value: Any, names: Names) -> str:
    """A process template's steps: what, who, how many working days, and whether the
    step ends with a milestone."""
    if _empty(value) or not isinstance(value, list):
        return plain(value)
    shown = []
    for item in value:
        if isinstance(item, list) and len(item) == 4:
            what, days, who, milestone = item
            label = RESPONSIBLE_LABELS.get(who) if isinstance(who, str) else None
            text = _(
                "%(step)s (%(who)s, %(days)s ngày làm việc)",
                step=what,
                who=_(label) if label else plain(who),
                days=days,
            )
            shown.append(f"{text}, {_('mốc')}" if milestone else text)
        else:
            shown.append(plain(item))
    return "; ".join(shown)


def _content(value: Any, names: Names) -> str:
    """A recurring task's content: its fields, each as a task's field reads."""
    if not isinstance(value, dict):
        return plain(value)
    return "; ".join(
        f"{detail.label}: {detail.after}" for detail in details("", "Task", {}, value, names)
    )


def _content_ids(value: Any) -> Iterator[tuple[str, int]]:
    if isinstance(value, dict):
        yield from wanted_in("", "Task", {}, value)


class _Content(Shown):
    def ids(self, value: Any) -> Iterator[tuple[str, int]]:
        yield from _content_ids(value)


class _Coordinating(Shown):
    def ids(self, value: Any) -> Iterator[tuple[str, int]]:
        for unit, _duty in _coordinating_pairs(value):
            yield from (("Unit", ident) for ident in _ids(unit))


def _user(label) -> Shown:
    return Shown(label, _ref("User"), "User")


def _unit(label) -> Shown:
    return Shown(label, _ref("Unit"), "Unit")


def _task(label) -> Shown:
    return Shown(label, _ref("Task"), "Task")


def _text(label) -> Shown:
    return Shown(label)


def _date(label) -> Shown:
    return Shown(label, _day)


def _flag(label) -> Shown:
    return Shown(label)


def _no(label) -> Shown:
    return Shown(label, _number)


# Every field an event records, in the order the page shows them. The same name may mean
# another thing on another kind of object, or for one action: see the two tables below.
FIELDS: dict[str, Shown] = {
    # A task's content (task.created, task.updated; a recurring task's content).
    "title": _text(_l("Tên nhiệm vụ")),
    "state": Shown(_l("Trạng thái"), _choice(STATE_LABELS)),
    "description": _text(_l("Mô tả")),
    "document_id": Shown(_l("Văn bản chỉ đạo"), _ref("SourceDocument"), "SourceDocument"),
    "field_id": Shown(_l("Lĩnh vực"), _ref("Field"), "Field"),
    "lead_unit_id": _unit(_l("Đơn vị chủ trì")),
    "accountable_user_id": _user(_l("Cá nhân chịu trách nhiệm chính")),
    "assignee_user_id": _user(_l("Người thực hiện")),
    "supervisor_id": _user(_l("Lãnh đạo phụ trách")),
    "start_date": _date(_l("Ngày bắt đầu")),
    "due_date": _date(_l("Hạn hoàn thành")),
    "due_in_working_days": _text(_l("Thời hạn (ngày làm việc)")),
    "expected_outcome": _text(_l("Sản phẩm đầu ra")),
    "target": _text(_l("Chỉ tiêu, tiêu chí nghiệm thu")),
    "priority": Shown(_l("Mức độ ưu tiên"), _choice(PRIORITY_LABELS)),
    "coordinating": _Coordinating(_l("Đơn vị phối hợp"), _coordinating),
    "milestones": Shown(_l("Mốc tiến độ"), _milestones),
    "process_steps": _text(_l("Các bước thực hiện")),
    "parent_id": _task(_l("Nhiệm vụ cha")),
    "weight": _text(_l("Tỷ trọng")),
    "subtask_id": _task(_l("Nhiệm vụ con")),
    # The task's life.
    "percent": Shown(_l("Tỷ lệ hoàn thành"), _percent),
    "progress_update_id": _no(_l("Báo cáo tiến độ số")),
    "evidence": _text(_l("Minh chứng")),
    "answers_notices": _flag(_l("Trả lời các cảnh báo, đôn đốc trước đó")),
    "files": _text(_l("Tệp đính kèm")),
    "comment_id": _no(_l("Ý kiến số")),
    "body": _text(_l("Nội dung ý kiến")),
    "milestone": _text(_l("Mốc")),
    "completed_on": _date(_l("Ngày hoàn thành")),
    "extension_request_id": _no(_l("Đề nghị gia hạn số")),
    "current_due_date": _date(_l("Hạn hiện tại")),
    "new_due_date": _date(_l("Hạn đề nghị")),
    "approved": Shown(_l("Quyết định"), _approval),
    "result": _text(_l("Kết quả")),
    "submitted_on": _date(_l("Ngày báo cáo kết quả")),
    "note": _text(_l("Ý kiến")),
    "reason": _text(_l("Lý do")),
    # What the sweep sent, and the records of Sở Nội vụ.
    "reminder_id": _no(_l("Thông báo số")),
    "deadline": _date(_l("Về hạn")),
    "occurrence": _text(_l("Lần thứ")),
    "overdue_days": _text(_l("Số ngày làm việc quá hạn")),
    "late": _flag(_l("Gửi muộn do hệ thống tạm ngừng")),
    "recipients": _user(_l("Người nhận")),
    "escalation_id": _no(_l("Hồ sơ xem xét số")),
    "notices_before": _text(_l("Số lần cảnh báo, đôn đốc trước đó")),
    "conclusion_id": _no(_l("Kết luận số")),
    "outcome": Shown(_l("Kết luận"), _choice(OUTCOME_LABELS)),
    "discipline_form": Shown(_l("Hình thức kỷ luật đề nghị"), _choice(DISCIPLINE_FORM_LABELS)),
    "competent_authority": _text(_l("Cấp có thẩm quyền xử lý kỷ luật")),
    "corrects_id": _no(_l("Đính chính kết luận số")),
    "unit_ids": _unit(_l("Các đơn vị được giao")),
    # Units, people, fields, the calendar.
    "code": _text(_l("Mã")),
    "name": _text(_l("Tên")),
    "kind": _text(_l("Loại")),
    "head_id": _user(_l("Thủ trưởng")),
    "active": _flag(_l("Đang hoạt động")),
    "username": _text(_l("Tên đăng nhập")),
    "full_name": _text(_l("Họ và tên")),
    "unit_id": _unit(_l("Đơn vị")),
    "position": _text(_l("Chức vụ")),
    "email": _text(_l("Thư điện tử")),
    "roles": Shown(_l("Vai trò"), _choice(ROLE_LABELS)),
    "sessions": _text(_l("Số phiên đã kết thúc")),
    "email_mode": Shown(_l("Nhận thông báo qua thư điện tử"), _choice(EMAIL_MODE_LABELS)),
    "token_id": _no(_l("Mã truy cập số")),
    "expires_at": Shown(_l("Hết hạn"), _moment),
    "leader_id": _user(_l("Lãnh đạo phụ trách")),
    "day": _date(_l("Ngày")),
    # The ladder's rules and thresholds.
    "offset_days": _text(_l("Ngày so với hạn")),
    "repeat_every": _text(_l("Lặp lại")),
    "for_milestones": _flag(_l("Áp dụng cho mốc tiến độ")),
    "overdue_working_days": _text(_l("Số ngày làm việc quá hạn thì chuyển hồ sơ")),
    "unanswered_notices": _text(
        _l("Số lần cảnh báo, đôn đốc chưa có chuyển biến thì chuyển hồ sơ")
    ),
    # Directive documents, inspections and their findings.
    "number": _text(_l("Số văn bản")),
    "issuer": _text(_l("Cơ quan ban hành")),
    "issued_on": _date(_l("Ngày ban hành")),
    "inspected_on": _date(_l("Ngày kiểm tra")),
    "team": _text(_l("Đoàn kiểm tra")),
    "summary": _text(_l("Nội dung")),
    "inspection_id": _no(_l("Đợt kiểm tra số")),
    "text": _text(_l("Nội dung kết luận")),
    "recommendation": _text(_l("Kiến nghị")),
    "severity": Shown(_l("Mức độ"), _choice(SEVERITY_LABELS)),
    "task_id": _task(_l("Nhiệm vụ")),
    # Recurring tasks and process templates.
    "content": _Content(_l("Nội dung nhiệm vụ"), _content),
    "frequency": Shown(_l("Tần suất"), _choice(FREQUENCY_LABELS)),
    "every_working_days": _text(_l("Số ngày làm việc mỗi kỳ")),
    "due_rule": Shown(_l("Cách tính hạn"), _choice(DUE_RULE_LABELS)),
    "due_day": _text(_l("Ngày đến hạn trong tháng")),
    "due_next_month": _flag(_l("Hạn rơi vào tháng sau")),
    "create_days_ahead": _text(_l("Tạo trước (ngày)")),
    "starts_on": _date(_l("Ngày bắt đầu")),
    "ends_on": _date(_l("Ngày kết thúc")),
    "paused": _flag(_l("Tạm dừng")),
    "previous_id": _no(_l("Thay cho nhiệm vụ định kỳ số")),
    "period_start": _date(_l("Kỳ bắt đầu ngày")),
    "steps": Shown(_l("Các bước"), _steps),
    # Other systems told of task events.
    "url": _text(_l("Địa chỉ nhận")),
    "events": Shown(_l("Sự kiện"), _choice(EVENT_LABELS, split=True)),
    "delivery_id": _no(_l("Lượt gửi số")),
    "event": Shown(_l("Sự kiện"), _choice(EVENT_LABELS)),
}

# What a name means on one kind of object, where it differs from the table above.
OBJECT_FIELDS: dict[str, dict[str, Shown]] = {
    "Unit": {
        "code": _text(_l("Mã đơn vị")),
        "name": _text(_l("Tên đơn vị")),
        "kind": Shown(_l("Loại đơn vị"), _choice(UNIT_KIND_LABELS)),
        "parent_id": _unit(_l("Đơn vị cấp trên")),
    },
    # A person's tokens are recorded on the person (token.created, token.revoked).
    "User": {
        "kind": Shown(_l("Loại mã truy cập"), _choice(TOKEN_KIND_LABELS)),
        "name": _text(_l("Tên mã truy cập")),
    },
    "Field": {"code": _text(_l("Mã lĩnh vực")), "name": _text(_l("Tên lĩnh vực"))},
    "CalendarOverride": {
        "kind": Shown(_l("Loại ngày"), _choice(DAY_KIND_LABELS)),
        "note": _text(_l("Ghi chú")),
    },
    "ReminderRule": {
        "kind": Shown(_l("Loại thông báo"), _choice(NOTICE_KIND_LABELS)),
        "recipients": Shown(_l("Gửi tới"), _choice(RECIPIENT_LABELS, split=True)),
        "active": _flag(_l("Áp dụng")),
    },
    "SourceDocument": {"kind": _text(_l("Loại văn bản"))},
    "Inspection": {
        "kind": Shown(_l("Hình thức kiểm tra"), _choice(INSPECTION_KIND_LABELS)),
        "unit_id": _unit(_l("Đơn vị được kiểm tra")),
    },
    "Finding": {"task_id": _task(_l("Nhiệm vụ khắc phục"))},
    "TaskSeries": {"task_id": _task(_l("Nhiệm vụ đã tạo"))},
    "ProcessTemplate": {"name": _text(_l("Tên quy trình")), "active": _flag(_l("Đang dùng"))},
    "Webhook": {"name": _text(_l("Tên hệ thống nhận")), "active": _flag(_l("Đang nhận"))},
}

# What a name means for one action, where it differs from both tables above.
ACTION_FIELDS: dict[str, dict[str, Shown]] = {
    "task.escalated": {
        "reason": Shown(_l("Lý do chuyển hồ sơ"), _choice(ESCALATION_REASON_LABELS)),
    },
    # A conclusion's severity is the violation's (NĐ 172/2025), not an inspection finding's.
    "task.escalation_concluded": {
        "severity": Shown(_l("Mức độ vi phạm"), _choice(VIOLATION_SEVERITY_LABELS)),
    },
    "task.escalation_decided": {
        "number": _text(_l("Số quyết định")),
        "signed_on": _date(_l("Ngày ký")),
        "form": Shown(_l("Hình thức xử lý"), _choice(DECISION_LABELS)),
    },
}

_ORDER = {name: index for index, name in enumerate(FIELDS)}


def field(action: str, object_type: str, name: str) -> Shown | None:
    """Return how a field of an event reads, or None for a field no table knows."""
    return (
        ACTION_FIELDS.get(action, {}).get(name)
        or OBJECT_FIELDS.get(object_type, {}).get(name)
        or FIELDS.get(name)
    )


def _shown(action: str, object_type: str, name: str) -> Shown:
    return field(action, object_type, name) or Shown(name)


def _keys(before: dict, after: dict) -> list[str]:
    """The fields of an event in the order of the table, unknown ones last."""
    names = dict.fromkeys([*after, *before])
    return sorted(names, key=lambda name: (_ORDER.get(name, len(_ORDER)), name))


def wanted_in(action: str, object_type: str, before: dict, after: dict):
    """Yield (kind, id) for every id an event's values name."""
    for name in _keys(before, after):
        shown = _shown(action, object_type, name)
        for values in (before, after):
            if name in values:
                yield from shown.ids(values[name])


@dataclass(frozen=True)
class Detail:
    """One field of an event: its label, and its value before (when the event recorded
    one) and after the change, in words."""

    label: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before is not None


def details(action: str, object_type: str, before: dict, after: dict, names: Names) -> list[Detail]:
    """Return the fields of an event as words: those the event changed (before → after),
    and the facts it recorded (empty facts left out)."""
    shown = []
    for name in _keys(before, after):
        how = _shown(action, object_type, name)
        if name in before:
            old = how.show(before[name], names)
            new = how.show(after[name], names) if name in after else "—"
            shown.append(Detail(str(how.label), old, new))
        elif not _empty(after[name]):
            shown.append(Detail(str(how.label), None, how.show(after[name], names)))
    return shown

"""Importing tasks from a workbook: every row through the same services as the task form,
so each meets the same 5 rõ gate; all or nothing, unless the person keeps the valid rows
as drafts. And the blank workbook to fill in.

Each row runs in a SAVEPOINT so that one refused row leaves the session usable for the
next. Rows are kept only from a run in which no row failed: when the person keeps the
valid rows as drafts, they are created again, as drafts, after the run that found the
errors was rolled back."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tracker.errors import IncompleteTaskError, TrackerError
from tracker.extensions import db
from tracker.imports.workbook import (
    GUIDE_SHEET,
    MAX_ROWS,
    ImportResult,
    Row,
    RowError,
    RowReader,
    WorkbookError,
    cell_date,
    cell_lines,
    code_key,
    date_error,
    find_sheet,
    finish_template,
    guide_rows,
    is_blank,
    open_workbook,
    read_table,
    sorted_errors,
)
from tracker.org.models import Field, Role, Unit, User, UserRole
from tracker.tasks.clarity import LONG_TASK_DAYS, MIN_PROCESS_STEPS
from tracker.tasks.models import Priority, SourceDocument
from tracker.tasks.permissions import require_can_create
from tracker.tasks.services import (
    CoordinationInput,
    MilestoneInput,
    TaskInput,
    create_draft,
    issue_task,
)
from tracker.text import fold
from tracker.web.xlsx import Sheet, workbook

logger = logging.getLogger(__name__)

TASK_SHEET = "Nhiệm vụ"


TITLE = "Tên nhiệm vụ"


DESCRIPTION = "Nội dung"


DOCUMENT = "Số văn bản chỉ đạo"


FIELD = "Mã lĩnh vực"


LEAD_UNIT = "Mã đơn vị chủ trì"


ACCOUNTABLE = "Người chịu trách nhiệm"


ASSIGNEE = "Người thực hiện"


SUPERVISOR = "Lãnh đạo phụ trách"


START = "Ngày bắt đầu"


DUE = "Hạn hoàn thành"


WORKING_DAYS = "Số ngày làm việc"


STEPS = "Các bước thực hiện"


OUTCOME = "Sản phẩm đầu ra"


TARGET = "Chỉ tiêu / tiêu chí nghiệm thu"


COORDINATING = "Đơn vị phối hợp"


PRIORITY = "Mức độ ưu tiên"


MILESTONES = "Mốc tiến độ"


TASK_COLUMNS = {
    TITLE: "Bắt buộc. Tên ngắn gọn, cụ thể của nhiệm vụ (tối đa 500 ký tự).",
    DESCRIPTION: "Nội dung cụ thể của nhiệm vụ (rõ việc).",
    DOCUMENT: "Số, ký hiệu văn bản chỉ đạo làm căn cứ, đúng như đã đăng ký "
    "(xem mục “Văn bản chỉ đạo” bên dưới).",
    FIELD: "Mã lĩnh vực (xem mục “Lĩnh vực” bên dưới).",
    LEAD_UNIT: "Mã của một đơn vị chủ trì duy nhất (xem mục “Đơn vị” bên dưới).",
    ACCOUNTABLE: "Tên đăng nhập của cá nhân chịu trách nhiệm chính; phải thuộc đơn vị chủ trì.",
    ASSIGNEE: "Không bắt buộc. Tên đăng nhập của người trực tiếp thực hiện, thuộc đơn vị chủ trì.",
    SUPERVISOR: "Tên đăng nhập của lãnh đạo phụ trách (xem mục “Lãnh đạo” bên dưới).",
    START: "Ngày dạng dd/mm/yyyy, hoặc ô kiểu ngày của Excel.",
    DUE: "Ngày dạng dd/mm/yyyy, hoặc ô kiểu ngày. Hạn rơi vào ngày nghỉ được chuyển sang "
    "ngày làm việc kế tiếp.",
    WORKING_DAYS: "Không bắt buộc. Số ngày làm việc kể từ ngày bắt đầu, thay cho hạn hoàn thành.",
    STEPS: f"Mỗi bước một dòng trong ô (Alt+Enter để xuống dòng), theo thứ tự; "
    f"cần ít nhất {MIN_PROCESS_STEPS} bước.",
    OUTCOME: "Sản phẩm đầu ra của nhiệm vụ.",
    TARGET: "Chỉ tiêu đo được hoặc tiêu chí nghiệm thu.",
    COORDINATING: "Không bắt buộc. Mỗi đơn vị một dòng: “MÃ: trách nhiệm của đơn vị”.",
    PRIORITY: "Thấp, Bình thường, Cao hoặc Khẩn; để trống là Bình thường.",
    MILESTONES: f"Mỗi mốc một dòng: “dd/mm/yyyy: tên mốc”. Bắt buộc với nhiệm vụ dài hơn "
    f"{LONG_TASK_DAYS} ngày.",
}


DATE_COLUMNS = (START, DUE)


# The service's field names, and where each one sits in the workbook.
TASK_FIELD_COLUMNS = {
    "title": TITLE,
    "description": DESCRIPTION,
    "document_id": DOCUMENT,
    "field_id": FIELD,
    "lead_unit_id": LEAD_UNIT,
    "accountable_user_id": ACCOUNTABLE,
    "assignee_user_id": ASSIGNEE,
    "supervisor_id": SUPERVISOR,
    "start_date": START,
    "due_date": DUE,
    "due_in_working_days": WORKING_DAYS,
    "process_steps": STEPS,
    "expected_outcome": OUTCOME,
    "target": TARGET,
    "coordinating": COORDINATING,
    "priority": PRIORITY,
    "milestones": MILESTONES,
}


PRIORITY_NAMES = {
    "thap": Priority.LOW,
    "binh thuong": Priority.NORMAL,
    "cao": Priority.HIGH,
    "khan": Priority.URGENT,
    **{priority.value: priority for priority in Priority},
}


PRIORITY_CHOICES = "Thấp,Bình thường,Cao,Khẩn"


_MILESTONE = re.compile(r"^(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*[:–-]?\s*(.*)$")


@dataclass
class _Person:
    id: int
    unit_id: int
    active: bool
    leader: bool


@dataclass
class _TaskLookups:
    """The codes and usernames a row may name, read once with one query each."""

    units: dict[str, tuple[int, bool]]
    people: dict[str, _Person]
    documents: dict[str, list[int]]
    fields: dict[str, int]
    by_id: dict[int, _Person] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {person.id: person for person in self.people.values()}

    @classmethod
    def load(cls) -> _TaskLookups:
        leaders = set(
            db.session.scalars(sa.select(UserRole.user_id).where(UserRole.role == Role.LEADER))
        )
        documents: dict[str, list[int]] = {}
        for number, document_id in db.session.execute(
            sa.select(SourceDocument.number, SourceDocument.id)
        ):
            documents.setdefault(code_key(number), []).append(document_id)
        return cls(
            units={
                code_key(code): (unit_id, active)
                for unit_id, code, active in db.session.execute(
                    sa.select(Unit.id, Unit.code, Unit.active)
                )
            },
            people={
                code_key(username): _Person(user_id, unit_id, active, user_id in leaders)
                for user_id, username, unit_id, active in db.session.execute(
                    sa.select(User.id, User.username, User.unit_id, User.active)
                )
            },
            documents=documents,
            fields={
                code_key(code): field_id
                for field_id, code in db.session.execute(sa.select(Field.id, Field.code))
            },
        )

    def person(self, user_id: int | None) -> _Person | None:
        return self.by_id.get(user_id) if user_id is not None else None


@dataclass
class _TaskRow:
    number: int
    data: TaskInput
    errors: list[RowError]


def _unit_id(reader: RowReader, lookups: _TaskLookups, column: str, code: str) -> int | None:
    found = lookups.units.get(code_key(code))
    if found is None:
        reader.fail(column, f"Không có đơn vị mã “{code}”. Xem danh sách mã ở trang Hướng dẫn.")
        return None
    unit_id, active = found
    if not active:
        reader.fail(column, f"Đơn vị “{code}” đã ngừng hoạt động.")
        return None
    return unit_id


def _user_id(reader: RowReader, lookups: _TaskLookups, column: str) -> int | None:
    username = reader.text(column)
    if not username:
        return None
    person = lookups.people.get(code_key(username))
    if person is None:
        reader.fail(column, f"Không có người dùng có tên đăng nhập “{username}”.")
        return None
    if not person.active:
        reader.fail(column, f"Tài khoản “{username}” đã bị khoá.")
        return None
    if column == SUPERVISOR and not person.leader:
        reader.fail(column, f"“{username}” không có vai trò lãnh đạo, không thể phụ trách.")
        return None
    return person.id


def _optional_date(reader: RowReader, column: str) -> date | None:
    value = reader.raw(column)
    if is_blank(value):
        return None
    try:
        return cell_date(value)
    except ValueError:
        reader.fail(column, date_error(value))
        return None


def _parse_task(row: Row, lookups: _TaskLookups) -> _TaskRow:
    reader = RowReader(TASK_SHEET, row)
    data = TaskInput(title=reader.text(TITLE), description=reader.text(DESCRIPTION))
    if not data.title:
        reader.fail(TITLE, "Cần có tên nhiệm vụ.")
    if number := reader.text(DOCUMENT):
        found = lookups.documents.get(code_key(number), [])
        if len(found) == 1:
            data.document_id = found[0]
        elif found:
            reader.fail(
                DOCUMENT, f"Có {len(found)} văn bản cùng số “{number}”; hãy nhập qua biểu mẫu."
            )
        else:
            reader.fail(DOCUMENT, f"Chưa có văn bản số “{number}”. Hãy đăng ký văn bản trước.")
    if code := reader.text(FIELD):
        data.field_id = lookups.fields.get(code_key(code))
        if data.field_id is None:
            reader.fail(FIELD, f"Không có lĩnh vực mã “{code}”.")
    if code := reader.text(LEAD_UNIT):
        data.lead_unit_id = _unit_id(reader, lookups, LEAD_UNIT, code)
    data.accountable_user_id = _user_id(reader, lookups, ACCOUNTABLE)
    data.assignee_user_id = _user_id(reader, lookups, ASSIGNEE)
    data.supervisor_id = _user_id(reader, lookups, SUPERVISOR)
    data.start_date = _optional_date(reader, START)
    data.due_date = _optional_date(reader, DUE)
    days = reader.text(WORKING_DAYS)
    if days:
        if days.isdigit() and 1 <= int(days) <= 3650:
            data.due_in_working_days = int(days)
        else:
            reader.fail(WORKING_DAYS, f"“{days}” không phải số ngày làm việc (1–3650).")
    data.process_steps = cell_lines(reader.raw(STEPS))
    data.expected_outcome = reader.text(OUTCOME)
    data.target = reader.text(TARGET)
    data.coordinating = _coordinations(reader, lookups)
    priority = reader.text(PRIORITY)
    if priority:
        data.priority = PRIORITY_NAMES.get(fold(priority))
        if data.priority is None:
            reader.fail(PRIORITY, f"“{priority}” không phải mức ưu tiên; chọn {PRIORITY_CHOICES}.")
            data.priority = Priority.NORMAL
    data.milestones = _milestones(reader)
    return _TaskRow(row.number, data, reader.errors)


def _coordinations(reader: RowReader, lookups: _TaskLookups) -> list[CoordinationInput]:
    items: list[CoordinationInput] = []
    for line in cell_lines(reader.raw(COORDINATING)):
        code, _, responsibility = line.partition(":")
        unit_id = _unit_id(reader, lookups, COORDINATING, code.strip())
        if unit_id is not None:
            items.append(CoordinationInput(unit_id, responsibility.strip()))
    return items


def _milestones(reader: RowReader) -> list[MilestoneInput]:
    items: list[MilestoneInput] = []
    for line in cell_lines(reader.raw(MILESTONES)):
        match = _MILESTONE.match(line)
        try:
            day = cell_date(match.group(1)) if match else None
        except ValueError:
            day = None
        if day is None or not match.group(2).strip():
            reader.fail(
                MILESTONES, f"Mốc “{line}” cần ghi theo dạng “dd/mm/yyyy: tên mốc” với ngày hợp lệ."
            )
            continue
        items.append(MilestoneInput(match.group(2).strip(), day))
    return items


def _timeline_columns(data: TaskInput) -> list[tuple[str, bool]]:
    no_start = data.start_date is None
    no_due = data.due_date is None and data.due_in_working_days is None
    if no_start or no_due:
        return [(START, no_start), (DUE, no_due)]
    long = data.due_date is not None and (data.due_date - data.start_date).days > LONG_TASK_DAYS
    # Dates are there, so it is the due date (passed, before the start) or the roadmap.
    return [(DUE, True), (MILESTONES, bool(data.milestones) or long)]


def _clarity_columns(key: str, data: TaskInput, lookups: _TaskLookups) -> list[str]:
    """Return the columns to fill for a missing "rõ", judged from what the row holds."""
    accountable = lookups.person(data.accountable_user_id)
    assignee = lookups.person(data.assignee_user_id)
    lead = data.lead_unit_id
    candidates = {
        "task": [
            (TITLE, not data.title),
            (DESCRIPTION, not data.description),
            (DOCUMENT, data.document_id is None),
        ],
        "person": [
            (LEAD_UNIT, lead is None),
            (ACCOUNTABLE, accountable is None or accountable.unit_id != lead),
            (ASSIGNEE, assignee is not None and assignee.unit_id != lead),
        ],
        "timeline": _timeline_columns(data),
        "process": [(STEPS, True)],
        "outcome": [(OUTCOME, not data.expected_outcome), (TARGET, not data.target)],
        "responsibility": [
            (SUPERVISOR, data.supervisor_id is None),
            (
                COORDINATING,
                any(not c.responsibility or c.unit_id == lead for c in data.coordinating),
            ),
        ],
    }
    defaults = {"task": TITLE, "person": ACCOUNTABLE, "timeline": DUE, "outcome": OUTCOME}
    found = [column for column, applies in candidates.get(key, []) if applies]
    return found or [defaults.get(key, SUPERVISOR)]


def _task_errors(row: _TaskRow, error: TrackerError, lookups: _TaskLookups) -> list[RowError]:
    if isinstance(error, IncompleteTaskError):
        return [
            RowError(
                TASK_SHEET,
                row.number,
                ", ".join(_clarity_columns(key, row.data, lookups)),
                error.fields[key],
            )
            for key in error.missing
        ]
    columns = [TASK_FIELD_COLUMNS.get(name, "") for name in error.fields] or [""]
    return [RowError(TASK_SHEET, row.number, column, error.message) for column in columns]


def _create_tasks(
    rows: list[_TaskRow], *, actor: User, now: datetime, issue: bool, lookups: _TaskLookups
) -> tuple[list[_TaskRow], list[RowError]]:
    """Create (and issue) each row in its own savepoint; return the rows that passed."""
    passed, errors = [], []
    for row in rows:
        try:
            with db.session.begin_nested():
                task = create_draft(row.data, actor=actor, now=now)
                if issue:
                    issue_task(task, actor=actor, now=now)
        except TrackerError as error:
            errors += _task_errors(row, error, lookups)
        else:
            passed.append(row)
    return passed, errors


def import_tasks(
    data: bytes, *, actor: User, now: datetime, issue: bool, valid_only: bool = False
) -> ImportResult:
    """Create a task from each row of the workbook, issuing it when asked, all or nothing.

    Every row is checked; if any fails, nothing is kept and the result lists every error,
    unless ``valid_only``: then the valid rows are kept as drafts and the rest listed.
    """
    require_can_create(actor)
    book = open_workbook(data)
    try:
        sheet = find_sheet(book, TASK_SHEET) or next(
            (s for s in book.worksheets if fold(s.title) != fold(GUIDE_SHEET)), None
        )
        if sheet is None:
            raise WorkbookError(
                _("Tệp không có trang “%(sheet)s”.", sheet=TASK_SHEET),
                fields={"file": _("thiếu trang")},
            )
        table = read_table(sheet, TASK_SHEET, TASK_COLUMNS)
    finally:
        book.close()
    if not table:
        raise WorkbookError(
            _("Trang “%(sheet)s” chưa có dòng nhiệm vụ nào.", sheet=TASK_SHEET),
            fields={"file": _("không có dòng")},
        )
    lookups = _TaskLookups.load()
    rows = [_parse_task(row, lookups) for row in table]
    errors = [error for row in rows for error in row.errors]
    # Every row is tried in a savepoint of its own, inside one for the whole run: the run's
    # is kept only when every row passed, and undone otherwise.
    with db.session.begin_nested() as run:
        passed, refused = _create_tasks(
            [row for row in rows if not row.errors],
            actor=actor,
            now=now,
            issue=issue,
            lookups=lookups,
        )
        errors = sorted_errors(errors + refused, [TASK_SHEET], list(TASK_COLUMNS))
        keep = not errors and not (valid_only and issue)
        if not keep:
            run.rollback()
    result = ImportResult(errors=errors, rows=len(rows))
    if keep:
        result.tasks, result.issued = len(passed), issue
    elif valid_only and passed:
        # The savepoints rolled back above took the audit events with them: start again.
        for row in passed:
            create_draft(row.data, actor=actor, now=now)
        result.tasks = len(passed)
    logger.info(
        "Task import by %s: %s rows, %s kept, %s errors",
        actor.username,
        len(rows),
        result.tasks,
        len(errors),
    )
    return result


def task_template() -> Workbook:
    """Build the task workbook to fill in, with a guide listing the valid codes."""
    guide = guide_rows(TASK_COLUMNS)
    guide.append(
        (
            "Lưu ý",
            "",
            "Mỗi dòng một nhiệm vụ, tối đa 2.000 dòng. Khi chọn giao ngay, mỗi dòng phải đủ "
            "“5 rõ”. Nếu có dòng lỗi thì không dòng nào được nhập, trừ khi chọn chỉ nhập các "
            "dòng hợp lệ dưới dạng dự thảo.",
        )
    )
    units = db.session.execute(
        sa.select(Unit.code, Unit.name).where(Unit.active).order_by(Unit.code)
    )
    guide += [("Đơn vị", code, name) for code, name in units]
    leaders = db.session.execute(
        sa.select(User.username, User.full_name, User.position)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.LEADER, User.active)
        .order_by(User.username)
    )
    guide += [
        ("Lãnh đạo", username, ", ".join(p for p in (name, position) if p))
        for username, name, position in leaders
    ]
    documents = db.session.execute(
        sa.select(SourceDocument.number, SourceDocument.kind, SourceDocument.issuer).order_by(
            SourceDocument.issued_on.desc()
        )
    )
    guide += [
        ("Văn bản chỉ đạo", number, f"{kind} của {issuer}") for number, kind, issuer in documents
    ]
    fields = db.session.execute(sa.select(Field.code, Field.name).order_by(Field.code))
    guide += [("Lĩnh vực", code, name) for code, name in fields]
    guide += [("Mức độ ưu tiên", name, "") for name in PRIORITY_CHOICES.split(",")]
    book = workbook(
        [
            Sheet(TASK_SHEET, list(TASK_COLUMNS), []),
            Sheet(GUIDE_SHEET, ["Mục", "Giá trị", "Giải thích"], guide),
        ]
    )
    sheet = book[TASK_SHEET]
    headers = list(TASK_COLUMNS)
    for column in DATE_COLUMNS:
        # Text, so that 01/12 typed on an English Excel stays 1 December, not 12 January.
        letter = get_column_letter(headers.index(column) + 1)
        sheet.column_dimensions[letter].number_format = "@"
    letter = get_column_letter(headers.index(PRIORITY) + 1)
    choices = DataValidation(type="list", formula1=f'"{PRIORITY_CHOICES}"', allow_blank=True)
    choices.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(choices)
    return finish_template(book)

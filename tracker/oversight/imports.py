"""Import tasks, units and users from Excel workbooks: every row checked, all or nothing.

A workbook is read into rows, every row goes through the same services as the forms
(so tasks meet the same 5 rõ gate), and each refusal comes back with the row number as
Excel shows it, the column header and the reason. Nothing is kept while any row fails,
unless the person asks to keep the valid task rows as drafts.

Each row runs in a SAVEPOINT so that one refused row leaves the session usable for the
next. Rows are kept only from a run in which no row failed: when the person keeps the
valid rows as drafts, they are created again, as drafts, after the run that found the
errors was rolled back.
"""

from __future__ import annotations

import logging
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tracker.errors import IncompleteTaskError, TrackerError, ValidationError
from tracker.extensions import db
from tracker.org.forms import ROLE_LABELS, UNIT_KIND_LABELS
from tracker.org.models import Field, Role, Unit, UnitKind, User, UserRole
from tracker.org.passwords import MIN_PASSWORD_LENGTH, check_password, hash_method, hash_password
from tracker.org.permissions import require_admin
from tracker.org.services import create_unit, create_user, parse_roles, set_unit_head
from tracker.oversight.xlsx import Sheet, workbook
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
from tracker.text import fold, nfc

logger = logging.getLogger(__name__)

MAX_ROWS = 2000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
# A title or a note above the header row is common in office spreadsheets.
HEADER_SCAN_ROWS = 10
# scrypt takes ~0.1 s and 32 MB per password; a few threads, since hashlib releases the GIL.
HASH_THREADS = 4

TASK_SHEET = "Nhiệm vụ"
GUIDE_SHEET = "Hướng dẫn"
UNIT_SHEET = "Đơn vị"
USER_SHEET = "Người dùng"

# ---------------------------------------------------------------- columns of the task sheet

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

# ---------------------------------------------------------------- columns of the org sheets

UNIT_CODE = "Mã"
UNIT_NAME = "Tên"
UNIT_KIND = "Loại"
UNIT_PARENT = "Mã đơn vị cấp trên"

UNIT_COLUMNS = {
    UNIT_CODE: "Bắt buộc. Mã duy nhất của đơn vị (tối đa 40 ký tự), ví dụ STTTT, Q-HK, P-HANGBAC.",
    UNIT_NAME: "Bắt buộc. Tên đầy đủ của đơn vị.",
    UNIT_KIND: "Bắt buộc. Tên loại hoặc mã loại (xem mục “Loại đơn vị” bên dưới).",
    UNIT_PARENT: "Mã của đơn vị cấp trên: một đơn vị đã có, hoặc một dòng khác của trang này "
    "(ở trên hay ở dưới đều được). Để trống với đơn vị cấp cao nhất.",
}

USERNAME = "Tên đăng nhập"
FULL_NAME = "Họ và tên"
USER_UNIT = "Mã đơn vị"
POSITION = "Chức vụ"
EMAIL = "Thư điện tử"
ROLES = "Vai trò"
PASSWORD = "Mật khẩu ban đầu"
HEAD = "Thủ trưởng đơn vị"

USER_COLUMNS = {
    USERNAME: "Bắt buộc. Chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.",
    FULL_NAME: "Bắt buộc.",
    USER_UNIT: "Bắt buộc. Mã đơn vị: một đơn vị đã có, hoặc một dòng của trang “Đơn vị”.",
    POSITION: "Không bắt buộc. Ví dụ: Giám đốc Sở, Chuyên viên.",
    EMAIL: "Không bắt buộc. Địa chỉ nhận thông báo.",
    ROLES: "Bắt buộc. Một hay nhiều vai trò, cách nhau bằng dấu phẩy: mã hoặc tên "
    "(xem mục “Vai trò” bên dưới).",
    PASSWORD: f"Bắt buộc. Ít nhất {MIN_PASSWORD_LENGTH} ký tự, không phải mật khẩu phổ biến, "
    "không chứa tên đăng nhập; người dùng phải tự đổi ở lần đăng nhập đầu tiên.",
    HEAD: "Ghi x nếu người này là thủ trưởng của đơn vị mình (mỗi đơn vị một người).",
}

USER_FIELD_COLUMNS = {
    "username": USERNAME,
    "full_name": FULL_NAME,
    "unit": USER_UNIT,
    "role": ROLES,
    "password": PASSWORD,
    "email": EMAIL,
    "head": HEAD,
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_YES = {"x", "co", "yes", "1", "true", "v"}
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_MILESTONE = re.compile(r"^(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*[:–-]?\s*(.*)$")


# ---------------------------------------------------------------- results


class WorkbookError(ValidationError):
    """The file itself cannot be imported: not a workbook, wrong headers, too many rows."""

    code = "bad_workbook"


@dataclass(frozen=True)
class RowError:
    """One refusal: the sheet, the row as Excel numbers it, the column header, the reason."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What an import did: the errors by row, and what it kept."""

    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    tasks: int = 0
    issued: bool = False
    units: int = 0
    users: int = 0

    @property
    def failed_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})

    @property
    def imported(self) -> int:
        return self.tasks + self.units + self.users


def _sorted(errors: Iterable[RowError], sheets: list[str], columns: list[str]) -> list[RowError]:
    unique = list(dict.fromkeys(errors))

    def key(error: RowError) -> tuple:
        first = error.column.split(", ")[0]
        position = columns.index(first) if first in columns else -1
        return (sheets.index(error.sheet), error.row, position)

    return sorted(unique, key=key)


# ---------------------------------------------------------------- reading a workbook


@dataclass
class _Row:
    number: int
    cells: dict[str, object]


def open_workbook(data: bytes):
    """Open an .xlsx file read-only, or raise WorkbookError saying what is wrong with it."""
    if not data:
        raise WorkbookError("Tệp tải lên rỗng.", fields={"file": "rỗng"})
    if not zipfile.is_zipfile(BytesIO(data)):
        raise WorkbookError(
            "Tệp không phải bảng tính Excel .xlsx. Nếu là tệp .xls cũ, hãy mở bằng Excel và "
            "lưu lại dưới dạng .xlsx; tốt nhất là dùng tệp mẫu.",
            fields={"file": "không phải .xlsx"},
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unzipped = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise WorkbookError(
            "Không đọc được tệp Excel: tệp bị hỏng.", fields={"file": "hỏng"}
        ) from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        # A few thousand rows unzip to a few MB; far more is a mistake or a zip bomb.
        raise WorkbookError(
            "Tệp Excel quá lớn để nhập; hãy chia thành nhiều tệp.", fields={"file": "quá lớn"}
        )
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a damaged or foreign zip
        raise WorkbookError(
            "Không đọc được tệp Excel: tệp bị hỏng hoặc không phải bảng tính .xlsx.",
            fields={"file": "hỏng"},
        ) from exc


def _find_sheet(book, title: str):
    wanted = fold(title)
    for sheet in book.worksheets:
        if fold(sheet.title) == wanted:
            return sheet
    return None


def _header_key(value: object) -> str:
    # "Hạn hoàn thành (dd/mm/yyyy)" and "Hạn hoàn thành *" both name "Hạn hoàn thành".
    text = fold(str(value)) if value is not None else ""
    return re.sub(r"\s*\(.*\)\s*$", "", text).rstrip(" *")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows(sheet) -> Iterator[tuple[int, tuple]]:
    # Some programs write wrong dimensions; read every row that is there.
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    yield from enumerate(sheet.iter_rows(values_only=True), start=1)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def read_table(sheet, title: str, columns: Iterable[str]) -> list[_Row]:
    """Return the sheet's data rows keyed by column header, after checking the headers."""
    columns = list(columns)
    keys = {_header_key(c): c for c in columns}
    rows: list[_Row] = []
    index: dict[str, int] | None = None
    try:
        for number, values in _rows(sheet):
            if index is None:
                found: dict[str, int] = {}
                for position, value in enumerate(values):
                    if _header_key(value) in keys:
                        found.setdefault(keys[_header_key(value)], position)
                if len(found) * 2 >= len(columns):
                    index = found
                    missing = [c for c in columns if c not in index]
                    if missing:
                        raise WorkbookError(
                            f"Trang “{title}” thiếu cột: {', '.join(missing)}. "
                            "Hãy dùng tệp mẫu và giữ nguyên dòng tiêu đề.",
                            fields={"file": "thiếu cột"},
                        )
                elif number >= HEADER_SCAN_ROWS:
                    break
                continue
            cells = {c: values[i] if i < len(values) else None for c, i in index.items()}
            if all(_blank(v) for v in cells.values()):
                continue
            if len(rows) == MAX_ROWS:
                raise WorkbookError(
                    f"Trang “{title}” có hơn {_thousands(MAX_ROWS)} dòng dữ liệu; hãy chia "
                    "thành nhiều tệp.",
                    fields={"file": "quá nhiều dòng"},
                )
            rows.append(_Row(number, cells))
    except WorkbookError:
        raise
    except Exception as exc:  # a damaged sheet is only noticed while its rows are read
        raise WorkbookError(
            f"Không đọc được trang “{title}”: tệp bị hỏng.", fields={"file": "hỏng"}
        ) from exc
    if index is None:
        raise WorkbookError(
            f"Trang “{title}” không có dòng tiêu đề với tên các cột như tệp mẫu "
            f"({', '.join(columns[:3])}, …).",
            fields={"file": "không có dòng tiêu đề"},
        )
    return rows


# ---------------------------------------------------------------- reading cells


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.strftime("%d/%m/%Y")
    return nfc(str(value)).strip()


def _date(value: object) -> date:
    """Read a date cell or dd/mm/yyyy text; raise ValueError otherwise."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        for pattern in _DATE_FORMATS:
            try:
                day = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    else:
        raise ValueError(value)
    if not 2000 <= day.year <= 2100:
        raise ValueError(value)
    return day


def _date_error(value: object) -> str:
    return f"“{_text(value)}” không phải là ngày hợp lệ; hãy ghi theo dạng dd/mm/yyyy."


def _lines(value: object) -> list[str]:
    return [line.strip() for line in _text(value).splitlines() if line.strip()]


def _key(code: str) -> str:
    return nfc(code).strip().casefold()


# ---------------------------------------------------------------- tasks


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
            documents.setdefault(_key(number), []).append(document_id)
        return cls(
            units={
                _key(code): (unit_id, active)
                for unit_id, code, active in db.session.execute(
                    sa.select(Unit.id, Unit.code, Unit.active)
                )
            },
            people={
                _key(username): _Person(user_id, unit_id, active, user_id in leaders)
                for user_id, username, unit_id, active in db.session.execute(
                    sa.select(User.id, User.username, User.unit_id, User.active)
                )
            },
            documents=documents,
            fields={
                _key(code): field_id
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


class _RowReader:
    """Read one row's cells, noting each cell that cannot be read."""

    def __init__(self, sheet: str, row: _Row):
        self.sheet, self.row, self.errors = sheet, row, []

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.sheet, self.row.number, column, message))

    def text(self, column: str) -> str:
        return _text(self.row.cells.get(column))

    def raw(self, column: str) -> object:
        return self.row.cells.get(column)


def _unit_id(reader: _RowReader, lookups: _TaskLookups, column: str, code: str) -> int | None:
    found = lookups.units.get(_key(code))
    if found is None:
        reader.fail(column, f"Không có đơn vị mã “{code}”. Xem danh sách mã ở trang Hướng dẫn.")
        return None
    unit_id, active = found
    if not active:
        reader.fail(column, f"Đơn vị “{code}” đã ngừng hoạt động.")
        return None
    return unit_id


def _user_id(reader: _RowReader, lookups: _TaskLookups, column: str) -> int | None:
    username = reader.text(column)
    if not username:
        return None
    person = lookups.people.get(_key(username))
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


def _optional_date(reader: _RowReader, column: str) -> date | None:
    value = reader.raw(column)
    if _blank(value):
        return None
    try:
        return _date(value)
    except ValueError:
        reader.fail(column, _date_error(value))
        return None


def _parse_task(row: _Row, lookups: _TaskLookups) -> _TaskRow:
    reader = _RowReader(TASK_SHEET, row)
    data = TaskInput(title=reader.text(TITLE), description=reader.text(DESCRIPTION))
    if not data.title:
        reader.fail(TITLE, "Cần có tên nhiệm vụ.")
    if number := reader.text(DOCUMENT):
        found = lookups.documents.get(_key(number), [])
        if len(found) == 1:
            data.document_id = found[0]
        elif found:
            reader.fail(
                DOCUMENT, f"Có {len(found)} văn bản cùng số “{number}”; hãy nhập qua biểu mẫu."
            )
        else:
            reader.fail(DOCUMENT, f"Chưa có văn bản số “{number}”. Hãy đăng ký văn bản trước.")
    if code := reader.text(FIELD):
        data.field_id = lookups.fields.get(_key(code))
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
    data.process_steps = _lines(reader.raw(STEPS))
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


def _coordinations(reader: _RowReader, lookups: _TaskLookups) -> list[CoordinationInput]:
    items: list[CoordinationInput] = []
    for line in _lines(reader.raw(COORDINATING)):
        code, _, responsibility = line.partition(":")
        unit_id = _unit_id(reader, lookups, COORDINATING, code.strip())
        if unit_id is not None:
            items.append(CoordinationInput(unit_id, responsibility.strip()))
    return items


def _milestones(reader: _RowReader) -> list[MilestoneInput]:
    items: list[MilestoneInput] = []
    for line in _lines(reader.raw(MILESTONES)):
        match = _MILESTONE.match(line)
        try:
            day = _date(match.group(1)) if match else None
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
        sheet = _find_sheet(book, TASK_SHEET) or next(
            (s for s in book.worksheets if fold(s.title) != fold(GUIDE_SHEET)), None
        )
        if sheet is None:
            raise WorkbookError(
                f"Tệp không có trang “{TASK_SHEET}”.", fields={"file": "thiếu trang"}
            )
        table = read_table(sheet, TASK_SHEET, TASK_COLUMNS)
    finally:
        book.close()
    if not table:
        raise WorkbookError(
            f"Trang “{TASK_SHEET}” chưa có dòng nhiệm vụ nào.", fields={"file": "không có dòng"}
        )
    lookups = _TaskLookups.load()
    rows = [_parse_task(row, lookups) for row in table]
    errors = [error for row in rows for error in row.errors]
    batch = db.session.begin_nested()
    passed, refused = _create_tasks(
        [row for row in rows if not row.errors], actor=actor, now=now, issue=issue, lookups=lookups
    )
    errors = _sorted(errors + refused, [TASK_SHEET], list(TASK_COLUMNS))
    result = ImportResult(errors=errors, rows=len(rows))
    if not errors and not (valid_only and issue):
        batch.commit()
        result.tasks, result.issued = len(passed), issue
    elif valid_only and passed:
        # The savepoints rolled back above took the audit events with them: start again.
        batch.rollback()
        for row in passed:
            create_draft(row.data, actor=actor, now=now)
        result.tasks = len(passed)
    else:
        batch.rollback()
    logger.info(
        "Task import by %s: %s rows, %s kept, %s errors",
        actor.username,
        len(rows),
        result.tasks,
        len(errors),
    )
    return result


# ---------------------------------------------------------------- organisation


def _labels(labels: dict) -> dict[str, str]:
    """Return every way of naming a choice: its code, its Vietnamese and English labels."""
    names: dict[str, str] = {}
    for value, label in labels.items():
        names[fold(value.value)] = value.value
        for locale in ("en", "vi"):
            with force_locale(locale):
                text = str(label)
            names[fold(text)] = value.value
            for part in text.split("/"):
                names.setdefault(fold(part), value.value)
    return names


@dataclass
class _UnitRow:
    number: int
    code: str
    name: str
    kind: UnitKind | None
    parent: str
    ok: bool


@dataclass
class _UserRow:
    number: int
    username: str
    full_name: str
    unit: str
    position: str
    email: str
    roles: list[Role]
    password: str
    head: bool
    ok: bool


@dataclass
class _OrgPlan:
    units: list[_UnitRow]
    order: list[_UnitRow]
    users: list[_UserRow]
    sheet_units: dict[str, _UnitRow]
    existing_units: dict[str, tuple[int, bool, int | None]]
    errors: list[RowError]


def _parse_units(table: list[_Row], existing: dict[str, tuple[int, bool, int | None]]):
    kinds = _labels(UNIT_KIND_LABELS)
    rows: list[_UnitRow] = []
    seen: dict[str, int] = {}
    errors: list[RowError] = []
    for row in table:
        reader = _RowReader(UNIT_SHEET, row)
        code, name = reader.text(UNIT_CODE), reader.text(UNIT_NAME)
        kind_text, parent = reader.text(UNIT_KIND), reader.text(UNIT_PARENT)
        if not code:
            reader.fail(UNIT_CODE, "Cần có mã đơn vị.")
        elif len(code) > 40:
            reader.fail(UNIT_CODE, "Mã đơn vị tối đa 40 ký tự.")
        elif _key(code) in seen:
            reader.fail(UNIT_CODE, f"Mã “{code}” trùng với dòng {seen[_key(code)]}.")
        elif _key(code) in existing:
            reader.fail(UNIT_CODE, f"Mã đơn vị “{code}” đã tồn tại.")
        if code and _key(code) not in seen:
            seen[_key(code)] = row.number
        if not name:
            reader.fail(UNIT_NAME, "Cần có tên đơn vị.")
        elif len(name) > 255:
            reader.fail(UNIT_NAME, "Tên đơn vị tối đa 255 ký tự.")
        kind = None
        if not kind_text:
            reader.fail(UNIT_KIND, "Cần có loại đơn vị.")
        elif fold(kind_text) not in kinds:
            reader.fail(UNIT_KIND, f"“{kind_text}” không phải loại đơn vị; xem trang Hướng dẫn.")
        else:
            kind = UnitKind(kinds[fold(kind_text)])
        rows.append(_UnitRow(row.number, code, name, kind, parent, not reader.errors))
        errors += reader.errors
    # A parent is a unit already in the database or a row of this sheet, above or below.
    for unit in rows:
        if not unit.parent or _key(unit.parent) in seen:
            continue
        found = existing.get(_key(unit.parent))
        problem = None
        if found is None:
            problem = f"Không có đơn vị mã “{unit.parent}”, cả trong hệ thống lẫn trong trang này."
        elif not found[1]:
            problem = f"Đơn vị cấp trên “{unit.parent}” đã ngừng hoạt động."
        if problem:
            errors.append(RowError(UNIT_SHEET, unit.number, UNIT_PARENT, problem))
            unit.ok = False
    return rows, errors


def _order_units(rows: list[_UnitRow]) -> tuple[list[_UnitRow], list[RowError]]:
    """Order the rows so each parent comes before its children; name the rows in a cycle."""
    first = {}
    for unit in rows:
        first.setdefault(_key(unit.code), unit)
    children: dict[str, list[_UnitRow]] = {}
    order: list[_UnitRow] = []
    for unit in rows:
        parent = _key(unit.parent) if unit.parent else None
        if parent in first and first[parent] is not unit:
            children.setdefault(parent, []).append(unit)
        elif parent is None or parent not in first:
            order.append(unit)
    index = 0
    while index < len(order):
        unit = order[index]
        if first.get(_key(unit.code)) is unit:
            order += children.get(_key(unit.code), [])
        index += 1
    placed = {id(u) for u in order}
    errors: list[RowError] = []
    in_cycle: set[int] = set()
    for unit in rows:
        if id(unit) in placed or id(unit) in in_cycle:
            continue
        path, current = [], unit
        while current is not None and id(current) not in placed and current not in path:
            path.append(current)
            current = first.get(_key(current.parent)) if current.parent else None
        if current is not None and current in path:
            cycle = path[path.index(current) :]
            if not in_cycle & {id(u) for u in cycle}:
                names = " → ".join([u.code for u in cycle] + [cycle[0].code])
                for member in cycle:
                    errors.append(
                        RowError(
                            UNIT_SHEET,
                            member.number,
                            UNIT_PARENT,
                            f"Đơn vị cấp trên tạo thành vòng lặp: {names}.",
                        )
                    )
                    in_cycle.add(id(member))
    for unit in rows:
        if id(unit) in placed:
            continue
        if id(unit) not in in_cycle and unit.ok:
            line = first[_key(unit.parent)].number
            errors.append(
                RowError(
                    UNIT_SHEET,
                    unit.number,
                    UNIT_PARENT,
                    f"Đơn vị cấp trên “{unit.parent}” (dòng {line}) nằm trong một vòng lặp.",
                )
            )
        unit.ok = False
    return order, errors


def _parse_users(
    table: list[_Row],
    existing_units: dict[str, tuple[int, bool, int | None]],
    sheet_units: dict[str, _UnitRow],
    existing_users: set[str],
):
    roles_by_name = _labels(ROLE_LABELS)
    rows: list[_UserRow] = []
    seen: dict[str, int] = {}
    heads: dict[str, int] = {}
    errors: list[RowError] = []
    for row in table:
        reader = _RowReader(USER_SHEET, row)
        username = reader.text(USERNAME).lower()
        full_name, unit = reader.text(FULL_NAME), reader.text(USER_UNIT)
        position, email = reader.text(POSITION), reader.text(EMAIL)
        password = _text(reader.raw(PASSWORD))
        head_text = reader.text(HEAD)
        if not username:
            reader.fail(USERNAME, "Cần có tên đăng nhập.")
        elif username in seen:
            reader.fail(USERNAME, f"Tên đăng nhập “{username}” trùng với dòng {seen[username]}.")
        elif username in existing_users:
            reader.fail(USERNAME, f"Tên đăng nhập “{username}” đã tồn tại.")
        if username:
            seen.setdefault(username, row.number)
        if not full_name:
            reader.fail(FULL_NAME, "Cần có họ và tên.")
        elif len(full_name) > 255:
            reader.fail(FULL_NAME, "Họ và tên tối đa 255 ký tự.")
        if not unit:
            reader.fail(USER_UNIT, "Cần có mã đơn vị.")
        elif _key(unit) not in sheet_units:
            found = existing_units.get(_key(unit))
            if found is None:
                reader.fail(USER_UNIT, f"Không có đơn vị mã “{unit}”.")
            elif not found[1]:
                reader.fail(USER_UNIT, f"Đơn vị “{unit}” đã ngừng hoạt động.")
        if len(position) > 120:
            reader.fail(POSITION, "Chức vụ tối đa 120 ký tự.")
        if email and (len(email) > 255 or not _EMAIL.match(email)):
            reader.fail(EMAIL, f"“{email}” không phải địa chỉ thư điện tử hợp lệ.")
        roles: list[Role] = []
        names = [n.strip() for n in re.split(r"[,;\n]", reader.text(ROLES)) if n.strip()]
        try:
            roles = parse_roles([roles_by_name.get(fold(n), n) for n in names])
        except ValidationError as error:
            reader.fail(ROLES, error.message)
        # The policy's own check, to answer in the dry run; hash_password remains the judge.
        if not password:
            reader.fail(PASSWORD, "Cần có mật khẩu ban đầu.")
        else:
            try:
                check_password(password, username=username)
            except ValidationError as error:
                reader.fail(PASSWORD, error.message)
        head = fold(head_text) in _YES
        if head_text and not head:
            reader.fail(
                HEAD, f"Ghi “x” nếu là thủ trưởng, để trống nếu không (không phải “{head_text}”)."
            )
        if head and unit:
            if _key(unit) in heads:
                reader.fail(HEAD, f"Đơn vị “{unit}” đã có thủ trưởng ở dòng {heads[_key(unit)]}.")
            elif (found := existing_units.get(_key(unit))) and found[2] is not None:
                reader.fail(HEAD, f"Đơn vị “{unit}” đã có thủ trưởng trong hệ thống.")
            heads.setdefault(_key(unit), row.number)
        rows.append(
            _UserRow(
                row.number,
                username,
                full_name,
                unit,
                position,
                email,
                roles,
                password,
                head,
                not reader.errors,
            )
        )
        errors += reader.errors
    return rows, errors


def _hash_passwords(users: list[_UserRow]) -> tuple[dict[int, str], list[RowError]]:
    """Hash every initial password through the policy, a few at a time."""
    hashes, errors = {}, []
    workers = max(1, min(HASH_THREADS, os.cpu_count() or 1))
    method = hash_method()  # read here: the threads have no application context
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            user.number: pool.submit(
                hash_password, user.password, username=user.username, method=method
            )
            for user in users
        }
    for number, future in futures.items():
        try:
            hashes[number] = future.result()
        except ValidationError as error:
            errors.append(RowError(USER_SHEET, number, PASSWORD, error.message))
    return hashes, errors


def _field_errors(sheet: str, number: int, error: TrackerError, columns: dict) -> list[RowError]:
    names = [columns.get(name, "") for name in error.fields] or [""]
    return [RowError(sheet, number, column, error.message) for column in names]


def _apply_org(
    plan: _OrgPlan, hashes: dict[int, str], *, actor: User, now: datetime
) -> tuple[int, int, list[RowError]]:
    """Create the units in order, then the users, then name the heads, row by row."""
    errors: list[RowError] = []
    created: dict[str, Unit] = {}
    for row in plan.order:
        if not row.ok:
            continue
        parent = None
        if row.parent:
            parent_key = _key(row.parent)
            if parent_key in plan.sheet_units:
                parent = created.get(parent_key)
                if parent is None:
                    line = plan.sheet_units[parent_key].number
                    errors.append(
                        RowError(
                            UNIT_SHEET,
                            row.number,
                            UNIT_PARENT,
                            f"Đơn vị cấp trên “{row.parent}” (dòng {line}) chưa tạo được vì "
                            "dòng đó có lỗi.",
                        )
                    )
                    continue
            else:
                parent = db.session.get(Unit, plan.existing_units[parent_key][0])
        try:
            with db.session.begin_nested():
                unit = create_unit(
                    code=row.code, name=row.name, kind=row.kind, parent=parent, actor=actor, now=now
                )
        except TrackerError as error:
            errors += _field_errors(
                UNIT_SHEET, row.number, error, {"code": UNIT_CODE, "name": UNIT_NAME}
            )
        else:
            created[_key(row.code)] = unit
    users = 0
    for row in plan.users:
        if not row.ok:
            continue
        unit = created.get(_key(row.unit))
        if unit is None and _key(row.unit) in plan.sheet_units:
            line = plan.sheet_units[_key(row.unit)].number
            errors.append(
                RowError(
                    USER_SHEET,
                    row.number,
                    USER_UNIT,
                    f"Đơn vị “{row.unit}” (trang {UNIT_SHEET}, dòng {line}) chưa tạo được vì "
                    "dòng đó có lỗi.",
                )
            )
            continue
        if unit is None:
            unit = db.session.get(Unit, plan.existing_units[_key(row.unit)][0])
        try:
            with db.session.begin_nested():
                user = create_user(
                    username=row.username,
                    full_name=row.full_name,
                    unit=unit,
                    roles=row.roles,
                    position=row.position,
                    email=row.email or None,
                    password_hash=hashes.get(row.number),
                    actor=actor,
                    now=now,
                    change_required=True,  # whoever filled in the workbook knows it
                )
                if row.head:
                    set_unit_head(unit, user, actor=actor, now=now)
        except TrackerError as error:
            errors += _field_errors(USER_SHEET, row.number, error, USER_FIELD_COLUMNS)
        else:
            users += 1
    return len(created), users, errors


def import_organisation(data: bytes, *, actor: User, now: datetime) -> ImportResult:
    """Create the units and users of the workbook, with their heads, all or nothing."""
    require_admin(actor)
    book = open_workbook(data)
    try:
        unit_sheet, user_sheet = _find_sheet(book, UNIT_SHEET), _find_sheet(book, USER_SHEET)
        if unit_sheet is None and user_sheet is None:
            raise WorkbookError(
                f"Tệp không có trang “{UNIT_SHEET}” hay “{USER_SHEET}”; hãy dùng tệp mẫu.",
                fields={"file": "thiếu trang"},
            )
        unit_table = read_table(unit_sheet, UNIT_SHEET, UNIT_COLUMNS) if unit_sheet else []
        user_table = read_table(user_sheet, USER_SHEET, USER_COLUMNS) if user_sheet else []
    finally:
        book.close()
    if not unit_table and not user_table:
        raise WorkbookError("Tệp chưa có dòng dữ liệu nào.", fields={"file": "không có dòng"})
    existing_units = {
        _key(code): (unit_id, active, head_id)
        for unit_id, code, active, head_id in db.session.execute(
            sa.select(Unit.id, Unit.code, Unit.active, Unit.head_id)
        )
    }
    existing_users = set(db.session.scalars(sa.select(User.username)))
    units, errors = _parse_units(unit_table, existing_units)
    order, cycle_errors = _order_units(units)
    sheet_units = {}
    for unit in units:
        if unit.code:
            sheet_units.setdefault(_key(unit.code), unit)
    users, user_errors = _parse_users(user_table, existing_units, sheet_units, existing_users)
    plan = _OrgPlan(
        units, order, users, sheet_units, existing_units, errors + cycle_errors + user_errors
    )
    # A dry run first, without passwords: scrypt is paid only for a workbook that passes.
    batch = db.session.begin_nested()
    _, _, refused = _apply_org(plan, {}, actor=actor, now=now)
    batch.rollback()
    errors = plan.errors + refused
    hashes: dict[int, str] = {}
    if not errors:
        hashes, errors = _hash_passwords(users)
    result = ImportResult(rows=len(unit_table) + len(user_table))
    if not errors:
        batch = db.session.begin_nested()
        result.units, result.users, errors = _apply_org(plan, hashes, actor=actor, now=now)
        if errors:
            batch.rollback()
            result.units = result.users = 0
        else:
            batch.commit()
    columns = list(UNIT_COLUMNS) + list(USER_COLUMNS)
    result.errors = _sorted(errors, [UNIT_SHEET, USER_SHEET], columns)
    logger.info(
        "Organisation import by %s: %s units, %s users, %s errors",
        actor.username,
        result.units,
        result.users,
        len(result.errors),
    )
    return result


# ---------------------------------------------------------------- templates


def _guide_rows(columns: dict[str, str]) -> list[tuple[str, str, str]]:
    return [("Cột", header, explanation) for header, explanation in columns.items()]


def _finish(book: Workbook) -> Workbook:
    # Room to type in the data sheets; the guide keeps its long explanations readable.
    for sheet in book.worksheets:
        if sheet.title == GUIDE_SHEET:
            sheet.column_dimensions["C"].width = 90
            for cell in sheet["C"]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            for index in range(1, sheet.max_column + 1):
                letter = get_column_letter(index)
                sheet.column_dimensions[letter].width = max(
                    sheet.column_dimensions[letter].width or 0, 18
                )
    return book


def task_template() -> Workbook:
    """Build the task workbook to fill in, with a guide listing the valid codes."""
    guide = _guide_rows(TASK_COLUMNS)
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
    return _finish(book)


def organisation_template() -> Workbook:
    """Build the units-and-users workbook to fill in, with a guide to kinds and roles."""
    guide = [("Cột trang Đơn vị", h, e) for h, e in UNIT_COLUMNS.items()]
    guide += [("Cột trang Người dùng", h, e) for h, e in USER_COLUMNS.items()]
    guide.append(
        (
            "Lưu ý",
            "",
            "Tối đa 2.000 dòng mỗi trang. Mã đơn vị và tên đăng nhập đã có là lỗi, không "
            "phải cập nhật. Nếu có dòng lỗi thì không dòng nào được nhập.",
        )
    )
    with force_locale("vi"):
        guide += [("Loại đơn vị", k.value, str(label)) for k, label in UNIT_KIND_LABELS.items()]
        guide += [("Vai trò", r.value, str(label)) for r, label in ROLE_LABELS.items()]
    units = db.session.execute(
        sa.select(Unit.code, Unit.name).where(Unit.active).order_by(Unit.code)
    )
    guide += [("Đơn vị hiện có", code, name) for code, name in units]
    return _finish(
        workbook(
            [
                Sheet(UNIT_SHEET, list(UNIT_COLUMNS), []),
                Sheet(USER_SHEET, list(USER_COLUMNS), []),
                Sheet(GUIDE_SHEET, ["Mục", "Giá trị", "Giải thích"], guide),
            ]
        )
    )

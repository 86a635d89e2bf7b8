"""Reading workbooks for an import: limits, sheets, header rows, cells, and the errors
each row can have, named by its sheet, its row number as Excel shows it and its column."""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from tracker.errors import TrackerError, ValidationError
from tracker.text import fold, nfc

logger = logging.getLogger(__name__)


MAX_ROWS = 2000


MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


# A title or a note above the header row is common in office spreadsheets.
HEADER_SCAN_ROWS = 10


GUIDE_SHEET = "Hướng dẫn"


YES = {"x", "co", "yes", "1", "true", "v"}


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


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


def sorted_errors(
    errors: Iterable[RowError], sheets: list[str], columns: list[str]
) -> list[RowError]:
    unique = list(dict.fromkeys(errors))

    def key(error: RowError) -> tuple:
        first = error.column.split(", ")[0]
        position = columns.index(first) if first in columns else -1
        return (sheets.index(error.sheet), error.row, position)

    return sorted(unique, key=key)


@dataclass
class Row:
    number: int
    cells: dict[str, object]


def open_workbook(data: bytes):
    """Open an .xlsx file read-only, or raise WorkbookError saying what is wrong with it."""
    if not data:
        raise WorkbookError(_("Tệp tải lên rỗng."), fields={"file": _("rỗng")})
    if not zipfile.is_zipfile(BytesIO(data)):
        raise WorkbookError(
            _(
                "Tệp không phải bảng tính Excel .xlsx. Nếu là tệp .xls cũ, hãy mở bằng Excel và "
                "lưu lại dưới dạng .xlsx; tốt nhất là dùng tệp mẫu."
            ),
            fields={"file": _("không phải .xlsx")},
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            unzipped = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise WorkbookError(
            _("Không đọc được tệp Excel: tệp bị hỏng."), fields={"file": _("hỏng")}
        ) from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        # A few thousand rows unzip to a few MB; far more is a mistake or a zip bomb.
        raise WorkbookError(
            _("Tệp Excel quá lớn để nhập; hãy chia thành nhiều tệp."),
            fields={"file": _("quá lớn")},
        )
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a damaged or foreign zip
        raise WorkbookError(
            _("Không đọc được tệp Excel: tệp bị hỏng hoặc không phải bảng tính .xlsx."),
            fields={"file": _("hỏng")},
        ) from exc


def find_sheet(book, title: str):
    wanted = fold(title)
    for sheet in book.worksheets:
        if fold(sheet.title) == wanted:
            return sheet
    return None


def header_key(value: object) -> str:
    # "Hạn hoàn thành (dd/mm/yyyy)" and "Hạn hoàn thành *" both name "Hạn hoàn thành".
    text = fold(str(value)) if value is not None else ""
    return re.sub(r"\s*\(.*\)\s*$", "", text).rstrip(" *")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def data_rows(sheet) -> Iterator[tuple[int, tuple]]:
    # Some programs write wrong dimensions; read every row that is there.
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    yield from enumerate(sheet.iter_rows(values_only=True), start=1)


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def read_table(sheet, title: str, columns: Iterable[str]) -> list[Row]:
    """Return the sheet's data rows keyed by column header, after checking the headers."""
    columns = list(columns)
    keys = {header_key(c): c for c in columns}
    rows: list[Row] = []
    index: dict[str, int] | None = None
    try:
        for number, values in data_rows(sheet):
            if index is None:
                found: dict[str, int] = {}
                for position, value in enumerate(values):
                    if header_key(value) in keys:
                        found.setdefault(keys[header_key(value)], position)
                if len(found) * 2 >= len(columns):
                    index = found
                    missing = [c for c in columns if c not in index]
                    if missing:
                        raise WorkbookError(
                            _(
                                "Trang “%(sheet)s” thiếu cột: %(columns)s. "
                                "Hãy dùng tệp mẫu và giữ nguyên dòng tiêu đề.",
                                sheet=title,
                                columns=", ".join(missing),
                            ),
                            fields={"file": _("thiếu cột")},
                        )
                elif number >= HEADER_SCAN_ROWS:
                    break
                continue
            cells = {c: values[i] if i < len(values) else None for c, i in index.items()}
            if all(is_blank(v) for v in cells.values()):
                continue
            if len(rows) == MAX_ROWS:
                raise WorkbookError(
                    _(
                        "Trang “%(sheet)s” có hơn %(n)s dòng dữ liệu; hãy chia thành nhiều tệp.",
                        sheet=title,
                        n=thousands(MAX_ROWS),
                    ),
                    fields={"file": _("quá nhiều dòng")},
                )
            rows.append(Row(number, cells))
    except WorkbookError:
        raise
    except Exception as exc:  # a damaged sheet is only noticed while its rows are read
        raise WorkbookError(
            _("Không đọc được trang “%(sheet)s”: tệp bị hỏng.", sheet=title),
            fields={"file": _("hỏng")},
        ) from exc
    if index is None:
        raise WorkbookError(
            _(
                "Trang “%(sheet)s” không có dòng tiêu đề với tên các cột như tệp mẫu "
                "(%(columns)s, …).",
                sheet=title,
                columns=", ".join(columns[:3]),
            ),
            fields={"file": _("không có dòng tiêu đề")},
        )
    return rows


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.strftime("%d/%m/%Y")
    return nfc(str(value)).strip()


def cell_date(value: object) -> date:
    """Read a date cell or dd/mm/yyyy text; raise ValueError otherwise."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        for pattern in DATE_FORMATS:
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


def date_error(value: object) -> str:
    return f"“{cell_text(value)}” không phải là ngày hợp lệ; hãy ghi theo dạng dd/mm/yyyy."


def cell_lines(value: object) -> list[str]:
    return [line.strip() for line in cell_text(value).splitlines() if line.strip()]


def code_key(code: str) -> str:
    return nfc(code).strip().casefold()


def field_errors(sheet: str, number: int, error: TrackerError, columns: dict) -> list[RowError]:
    names = [columns.get(name, "") for name in error.fields] or [""]
    return [RowError(sheet, number, column, error.message) for column in names]


def guide_rows(columns: dict[str, str]) -> list[tuple[str, str, str]]:
    return [("Cột", header, explanation) for header, explanation in columns.items()]


def finish_template(book: Workbook) -> Workbook:
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


class RowReader:
    """Read one row's cells, noting each cell that cannot be read."""

    def __init__(self, sheet: str, row: Row):
        self.sheet, self.row, self.errors = sheet, row, []

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.sheet, self.row.number, column, message))

    def text(self, column: str) -> str:
        return cell_text(self.row.cells.get(column))

    def raw(self, column: str) -> object:
        return self.row.cells.get(column)

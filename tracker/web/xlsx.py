"""Excel workbooks the way offices expect them: Vietnamese headers, real dates, filters,
the organisation's name in the file's properties and on every printed page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from flask import current_app, has_app_context, send_file
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tracker.clock import local_zone

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# A cell starting with one of these is a formula to Excel: text from people must not be.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
# Excel's limit for the text of a page header.
MAX_HEADER = 200


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]


def safe_cell(value):
    """Return a value for a cell: dates as dates, local times, text never read as a formula."""
    if isinstance(value, datetime):
        return value.astimezone(local_zone()).replace(tzinfo=None)
    if isinstance(value, str):
        # Text stored before input was cleaned may hold characters no sheet can take.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def _organisation() -> str:
    return current_app.config.get("ORG_NAME", "") if has_app_context() else ""


def _print_header(sheet, organisation: str) -> None:
    """Name the organisation at the top of each printed page, number the pages below.
    Not in a row: the first row is the headers, which the importer reads back."""
    if organisation:
        # "&" starts a code in a page header (&P: the page number); "&&" is an ampersand.
        sheet.oddHeader.left.text = organisation[:MAX_HEADER].replace("&", "&&")
        sheet.oddHeader.right.text = sheet.title.replace("&", "&&")
    sheet.oddFooter.right.text = "&P/&N"


def _write(sheet, spec: Sheet) -> None:
    sheet.title = spec.title[:31]
    sheet.append(list(spec.headers))
    widths = [len(str(h)) for h in spec.headers]
    for row in spec.rows:
        cells = [safe_cell(v) for v in row]
        sheet.append(cells)
        for index, value in enumerate(cells):
            shown = value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value or "")
            widths[index] = max(widths[index], min(len(shown), MAX_WIDTH))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 3
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def workbook(sheets: Sequence[Sheet], *, organisation: str | None = None) -> Workbook:
    """Build a workbook with one sheet per section; ``organisation`` (ORG_NAME by default)
    is its author and heads each printed page."""
    organisation = _organisation() if organisation is None else organisation
    book = Workbook()
    if organisation:
        book.properties.creator = organisation
        book.properties.lastModifiedBy = organisation
    for index, spec in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        _write(sheet, spec)
        _print_header(sheet, organisation)
    return book


def download(sheets: Sequence[Sheet], filename: str):
    """Send the sheets as an .xlsx download."""
    buffer = BytesIO()
    workbook(sheets).save(buffer)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=filename,
    )

"""Importing the organisation from a workbook: units in any order (parents first), then
users with their roles, first passwords and heads of units; all or nothing. And the blank
workbook to fill in."""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook

from tracker.errors import TrackerError, ValidationError
from tracker.extensions import db
from tracker.imports.workbook import (
    GUIDE_SHEET,
    YES,
    ImportResult,
    Row,
    RowError,
    RowReader,
    WorkbookError,
    cell_text,
    code_key,
    field_errors,
    find_sheet,
    finish_template,
    open_workbook,
    read_table,
    sorted_errors,
)
from tracker.org.forms import ROLE_LABELS, UNIT_KIND_LABELS
from tracker.org.models import Role, Unit, UnitKind, User
from tracker.org.passwords import MIN_PASSWORD_LENGTH, check_password, hash_method, hash_password
from tracker.org.permissions import require_admin
from tracker.org.services import create_unit, create_user, parse_roles, set_unit_head
from tracker.text import fold
from tracker.web.xlsx import Sheet, workbook

logger = logging.getLogger(__name__)


# scrypt takes ~0.1 s and 32 MB per password; a few threads, since hashlib releases the GIL.
HASH_THREADS = 4


UNIT_SHEET = "Đơn vị"


USER_SHEET = "Người dùng"


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


def _parse_units(table: list[Row], existing: dict[str, tuple[int, bool, int | None]]):
    kinds = _labels(UNIT_KIND_LABELS)
    rows: list[_UnitRow] = []
    seen: dict[str, int] = {}
    errors: list[RowError] = []
    for row in table:
        reader = RowReader(UNIT_SHEET, row)
        code, name = reader.text(UNIT_CODE), reader.text(UNIT_NAME)
        kind_text, parent = reader.text(UNIT_KIND), reader.text(UNIT_PARENT)
        if not code:
            reader.fail(UNIT_CODE, "Cần có mã đơn vị.")
        elif len(code) > 40:
            reader.fail(UNIT_CODE, "Mã đơn vị tối đa 40 ký tự.")
        elif code_key(code) in seen:
            reader.fail(UNIT_CODE, f"Mã “{code}” trùng với dòng {seen[code_key(code)]}.")
        elif code_key(code) in existing:
            reader.fail(UNIT_CODE, f"Mã đơn vị “{code}” đã tồn tại.")
        if code and code_key(code) not in seen:
            seen[code_key(code)] = row.number
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
        if not unit.parent or code_key(unit.parent) in seen:
            continue
        found = existing.get(code_key(unit.parent))
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
        first.setdefault(code_key(unit.code), unit)
    children: dict[str, list[_UnitRow]] = {}
    order: list[_UnitRow] = []
    for unit in rows:
        parent = code_key(unit.parent) if unit.parent else None
        if parent in first and first[parent] is not unit:
            children.setdefault(parent, []).append(unit)
        elif parent is None or parent not in first:
            order.append(unit)
    index = 0
    while index < len(order):
        unit = order[index]
        if first.get(code_key(unit.code)) is unit:
            order += children.get(code_key(unit.code), [])
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
            current = first.get(code_key(current.parent)) if current.parent else None
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
            line = first[code_key(unit.parent)].number
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
    table: list[Row],
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
        reader = RowReader(USER_SHEET, row)
        username = reader.text(USERNAME).lower()
        full_name, unit = reader.text(FULL_NAME), reader.text(USER_UNIT)
        position, email = reader.text(POSITION), reader.text(EMAIL)
        password = cell_text(reader.raw(PASSWORD))
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
        elif code_key(unit) not in sheet_units:
            found = existing_units.get(code_key(unit))
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
        head = fold(head_text) in YES
        if head_text and not head:
            reader.fail(
                HEAD, f"Ghi “x” nếu là thủ trưởng, để trống nếu không (không phải “{head_text}”)."
            )
        if head and unit:
            if code_key(unit) in heads:
                reader.fail(
                    HEAD, f"Đơn vị “{unit}” đã có thủ trưởng ở dòng {heads[code_key(unit)]}."
                )
            elif (found := existing_units.get(code_key(unit))) and found[2] is not None:
                reader.fail(HEAD, f"Đơn vị “{unit}” đã có thủ trưởng trong hệ thống.")
            heads.setdefault(code_key(unit), row.number)
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
            parent_key = code_key(row.parent)
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
            errors += field_errors(
                UNIT_SHEET, row.number, error, {"code": UNIT_CODE, "name": UNIT_NAME}
            )
        else:
            created[code_key(row.code)] = unit
    users = 0
    for row in plan.users:
        if not row.ok:
            continue
        unit = created.get(code_key(row.unit))
        if unit is None and code_key(row.unit) in plan.sheet_units:
            line = plan.sheet_units[code_key(row.unit)].number
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
            unit = db.session.get(Unit, plan.existing_units[code_key(row.unit)][0])
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
            errors += field_errors(USER_SHEET, row.number, error, USER_FIELD_COLUMNS)
        else:
            users += 1
    return len(created), users, errors


def import_organisation(data: bytes, *, actor: User, now: datetime) -> ImportResult:
    """Create the units and users of the workbook, with their heads, all or nothing."""
    require_admin(actor)
    book = open_workbook(data)
    try:
        unit_sheet, user_sheet = find_sheet(book, UNIT_SHEET), find_sheet(book, USER_SHEET)
        if unit_sheet is None and user_sheet is None:
            raise WorkbookError(
                _(
                    "Tệp không có trang “%(units)s” hay “%(users)s”; hãy dùng tệp mẫu.",
                    units=UNIT_SHEET,
                    users=USER_SHEET,
                ),
                fields={"file": _("thiếu trang")},
            )
        unit_table = read_table(unit_sheet, UNIT_SHEET, UNIT_COLUMNS) if unit_sheet else []
        user_table = read_table(user_sheet, USER_SHEET, USER_COLUMNS) if user_sheet else []
    finally:
        book.close()
    if not unit_table and not user_table:
        raise WorkbookError(_("Tệp chưa có dòng dữ liệu nào."), fields={"file": _("không có dòng")})
    existing_units = {
        code_key(code): (unit_id, active, head_id)
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
            sheet_units.setdefault(code_key(unit.code), unit)
    users, user_errors = _parse_users(user_table, existing_units, sheet_units, existing_users)
    plan = _OrgPlan(
        units, order, users, sheet_units, existing_units, errors + cycle_errors + user_errors
    )
    # A dry run first, without passwords: scrypt is paid only for a workbook that passes.
    # A dry run first, undone: every refusal is found before any password is hashed.
    with db.session.begin_nested() as dry_run:
        _units, _users, refused = _apply_org(plan, {}, actor=actor, now=now)
        dry_run.rollback()
    errors = plan.errors + refused
    hashes: dict[int, str] = {}
    if not errors:
        hashes, errors = _hash_passwords(users)
    result = ImportResult(rows=len(unit_table) + len(user_table))
    if not errors:
        with db.session.begin_nested() as run:
            result.units, result.users, errors = _apply_org(plan, hashes, actor=actor, now=now)
            if errors:
                run.rollback()
                result.units = result.users = 0
    columns = list(UNIT_COLUMNS) + list(USER_COLUMNS)
    result.errors = sorted_errors(errors, [UNIT_SHEET, USER_SHEET], columns)
    logger.info(
        "Organisation import by %s: %s units, %s users, %s errors",
        actor.username,
        result.units,
        result.users,
        len(result.errors),
    )
    return result


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
    return finish_template(
        workbook(
            [
                Sheet(UNIT_SHEET, list(UNIT_COLUMNS), []),
                Sheet(USER_SHEET, list(USER_COLUMNS), []),
                Sheet(GUIDE_SHEET, ["Mục", "Giá trị", "Giải thích"], guide),
            ]
        )
    )

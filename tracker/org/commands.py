"""Commands for units and users: ``tracker units …``, ``tracker users …``."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from tracker.clock import utcnow
from tracker.commands import command_transaction
from tracker.errors import ValidationError
from tracker.org import services
from tracker.text import nfc

units_cli = AppGroup("units", help="Đơn vị (units).")
users_cli = AppGroup("users", help="Người dùng (users).")


def _print_table(rows: list[dict], columns: list[str]) -> None:
    widths = {c: max([len(c), *(len(str(r[c])) for r in rows)]) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(str(row[c]).ljust(widths[c]) for c in columns))


@units_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="In ra dạng JSON.")
def list_units(as_json: bool) -> None:
    """List every unit: code, name, kind, parent, active."""
    codes = {unit.id: unit.code for unit in services.list_units()}
    rows = [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind.value,
            "parent": codes.get(u.parent_id) or "",
            "active": u.active,
        }
        for u in services.list_units()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _print_table(rows, ["code", "name", "kind", "parent", "active"])


@users_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="In ra dạng JSON.")
def list_users(as_json: bool) -> None:
    """List every user: username, name, unit code, roles, active."""
    rows = [
        {
            "username": u.username,
            "name": u.full_name,
            "unit": u.unit.code,
            "roles": sorted(r.value for r in u.roles),
            "active": u.active,
        }
        for u in services.list_users()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        row["roles"] = ",".join(row["roles"])
    _print_table(rows, ["username", "name", "unit", "roles", "active"])


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")


@users_cli.command("create")
@click.option("--username", required=True, help="Tên đăng nhập.")
@click.option("--name", "full_name", required=True, help="Họ và tên.")
@click.option("--unit", "unit_code", required=True, help="Mã đơn vị.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="Vai trò: admin, assigner, leader, unit_head, staff, inspector (lặp lại được).",
)
@click.option("--email", default=None, help="Thư điện tử.")
@click.option("--position", default="", help="Chức vụ.")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ đầu vào chuẩn.")
def create_user(username, full_name, unit_code, roles, email, position, password_stdin) -> None:
    """Create a user; the password is asked for, never given on the command line."""
    # A terminal on a Mac may pass decomposed text (NFD); it enters in NFC like a form.
    username, full_name, unit_code, position = (
        nfc(v) for v in (username, full_name, unit_code, position)
    )
    with command_transaction():
        unit = services.unit_by_code(unit_code)
        if unit is None:
            raise ValidationError(f"Không có đơn vị mã {unit_code}.", fields={"unit": "không có"})
        role_list = services.parse_roles(roles)
        password = _read_password(password_stdin)
        user = services.create_user(
            username=username,
            full_name=full_name,
            unit=unit,
            roles=role_list,
            position=position,
            email=email,
            password=password,
            actor=None,
            now=utcnow(),
        )
    click.echo(f"Đã tạo người dùng {user.username} ({user.full_name}) tại {unit.code}.")

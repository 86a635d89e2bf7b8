"""The ``tracker`` commands an administrator runs."""

from __future__ import annotations

import json

import pytest
from werkzeug.security import check_password_hash

from tracker.config import ConfigurationError, load_settings
from tracker.org.services import user_by_username


def test_users_create_reads_the_password_from_stdin(app, org):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "cv.stp2",
            "--name",
            "Ngô Thị Mới",
            "--unit",
            "STP",
            "--role",
            "staff",
            "--role",
            "unit_head",
            "--email",
            "moi@hanoi.gov.vn",
            "--password-stdin",
        ],
        input="mot-mat-khau-dai\n",
    )
    assert result.exit_code == 0, result.output
    assert "Đã tạo người dùng cv.stp2" in result.output
    user = user_by_username("cv.stp2")
    assert user.unit.code == "STP" and {r.value for r in user.roles} == {"staff", "unit_head"}
    assert check_password_hash(user.password_hash, "mot-mat-khau-dai")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "KHONGCO", "--role", "staff"], "Không có đơn vị mã KHONGCO"),
        (["--unit", "STP", "--role", "boss"], "Vai trò không hợp lệ: boss"),
    ],
)
def test_users_create_refuses_bad_input_clearly(app, org, args, message):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--username", "moi", "--name", "Mới", *args, "--password-stdin"],
        input="mot-mat-khau-dai\n",
    )
    assert result.exit_code != 0
    assert message in result.output
    assert user_by_username("moi") is None


def test_users_create_refuses_a_short_password(app, org):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--username",
            "moi",
            "--name",
            "Mới",
            "--unit",
            "STP",
            "--role",
            "staff",
            "--password-stdin",
        ],
        input="ngan\n",
    )
    assert result.exit_code != 0 and "ít nhất 12 ký tự" in result.output
    assert user_by_username("moi") is None


def test_users_and_units_list_as_json(app, org):
    runner = app.test_cli_runner()
    users = json.loads(runner.invoke(args=["users", "list", "--json"]).output)
    head = next(u for u in users if u["username"] == "gd.tttt")
    assert head == {
        "username": "gd.tttt",
        "name": "Trần Văn Trưởng",
        "unit": "STTTT",
        "roles": ["unit_head"],
        "active": True,
    }
    units = json.loads(runner.invoke(args=["units", "list", "--json"]).output)
    assert {
        "code": "STP",
        "name": "Sở Tư pháp",
        "kind": "department",
        "parent": "UBND-HN",
        "active": True,
    } in units


def test_users_list_as_a_table(app, org):
    output = app.test_cli_runner().invoke(args=["users", "list"]).output
    assert "gd.tttt" in output and "Trần Văn Trưởng" in output and "STTTT" in output


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32
    assert load_settings(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("TRACKER_ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_settings(tmp_path)


def test_database_url_defaults_to_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    assert settings["TRACKER_TIMEZONE"] == "Asia/Ho_Chi_Minh"


def test_postgresql_urls_use_psycopg_3(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tracker")
    uri = load_settings(tmp_path)["SQLALCHEMY_DATABASE_URI"]
    assert uri == "postgresql+psycopg://postgres@127.0.0.1:5432/tracker"

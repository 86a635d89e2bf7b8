"""The password policy (ASVS V2.1) in every place a password is set, and its storage (V2.4)."""

from __future__ import annotations

import unicodedata

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from tests.factories import PASSWORD
from tracker.config import load_settings
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.org.models import User
from tracker.org.passwords import (
    DEFAULT_HASH_METHOD,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_password,
    hash_password,
    is_common,
)
from tracker.org.services import user_by_username

GOOD = "cay bang truoc ngo nha toi"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("ngan-11-ktu", "password_too_short"),  # 11 characters
        ("x" * (MAX_PASSWORD_LENGTH + 1), "password_too_long"),
        ("password1234", "password_too_common"),  # in the breached list as it is
        ("qwertyuiop[]", "password_too_common"),
        ("Sunshine@2026", "password_too_common"),  # a listed word with digits and signs
        ("!!Iloveyou12345", "password_too_common"),
        ("matkhau123456", "password_too_common"),  # "mật khẩu", from the local list
        ("Mật Khẩu 2026!!", "password_too_common"),  # the same with diacritics
        ("UBNDHaNoi2026", "password_too_common"),  # a listed word with digits after
        ("nhiemvu5ro2026", "password_too_common"),  # the service's own name
        ("gd.tttt-2026-mk", "password_contains_username"),
        ("MKmoi-GD.TTTT-1", "password_contains_username"),  # whatever the case
    ],
)
def test_the_policy_refuses_short_long_common_and_username_passwords(password, code):
    with pytest.raises(ValidationError) as refused:
        check_password(password, username="gd.tttt")
    assert refused.value.code == code


@pytest.mark.parametrize(
    "password",
    [
        "k7#pLq9!vR2m",  # 12 characters, no rule about kinds of characters
        "mot cau dai de nho",  # lower case letters and spaces only: no composition rule
        "cây bàng trước ngõ nhà tôi",  # Vietnamese, any Unicode
        "đêm qua mưa to, sáng nay đường Láng ngập sâu. " * 3,  # a long passphrase
        "x7" * 100,  # 200 characters: well over the 64 ASVS asks to allow
        "abc-2026-xyz-q",  # a short word inside is not a listed password
    ],
)
def test_the_policy_accepts_long_passwords_of_any_kind(password):
    check_password(password, username="gd.tttt")


def test_the_limits_are_those_asvs_asks_for():
    assert MIN_PASSWORD_LENGTH >= 12 and MAX_PASSWORD_LENGTH >= 64


def test_the_breached_list_is_large_and_shipped_with_the_app():
    # A few of the list's ~20,000 entries, and no short word that would refuse good ones.
    assert all(is_common(p) for p in ("123456789123", "1q2w3e4r5t6y", "trustno1", "dragon"))
    assert not is_common(GOOD)


def test_scrypt_with_the_production_parameters_is_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    assert load_settings(tmp_path)["PASSWORD_HASH_METHOD"] == DEFAULT_HASH_METHOD
    first = hash_password(GOOD, method=DEFAULT_HASH_METHOD)
    second = hash_password(GOOD, method=DEFAULT_HASH_METHOD)
    assert first.startswith("scrypt:32768:8:3$")
    assert first != second  # a salt of its own for each hash
    assert check_password_hash(first, GOOD) and not check_password_hash(first, GOOD + "!")


def test_an_older_hash_is_made_again_at_sign_in(app, auth, org):
    org.staff_a.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()
    assert auth.login("cv.tttt").status_code == 302
    db.session.expire_all()
    assert org.staff_a.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    auth.logout()
    assert auth.login("cv.tttt").status_code == 302


def test_a_password_typed_in_another_unicode_form_still_signs_in(client, auth, org):
    composed = "mật khẩu của tôi là câu này"
    org.staff_a.password_hash = hash_password(composed, username="cv.tttt")
    db.session.commit()
    decomposed = unicodedata.normalize("NFD", composed)  # as a Mac keyboard may send it
    assert decomposed != composed
    assert auth.login("cv.tttt", decomposed).status_code == 302


def test_a_password_that_no_longer_meets_the_policy_must_be_changed(client, auth, org):
    org.staff_a.password_hash = generate_password_hash("ngan-10-kt")  # set under the old rule
    db.session.commit()
    response = auth.login("cv.tttt", "ngan-10-kt")
    assert response.headers["Location"] == "/password"
    page = client.get("/tasks", follow_redirects=True).get_data(as_text=True)
    assert "Hãy đặt mật khẩu của riêng bạn" in page
    token = client.post("/api/v1/tokens", json={"username": "cv.tttt", "password": "ngan-10-kt"})
    assert token.status_code == 403 and token.json["error"] == "password_change_required"
    client.post(
        "/password",
        data={"current_password": "ngan-10-kt", "new_password": GOOD, "confirm": GOOD},
    )
    assert client.get("/tasks").status_code == 200


# ------------------------------------------------------------ every place a password is set


def _unchanged(user: User, password: str = PASSWORD) -> bool:
    db.session.expire_all()
    return check_password_hash(user.password_hash, password)


def test_the_password_change_applies_the_policy(client, auth, org):
    auth.login("cv.tttt")
    for new, message in (
        ("Password@2026", "quá phổ biến"),
        ("cv.tttt-mat-khau", "không được chứa tên đăng nhập"),
        ("mat-khau-11", "ít nhất 12 ký tự"),
    ):
        response = client.post(
            "/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert _unchanged(org.staff_a)


def test_the_admin_reset_and_new_user_forms_apply_the_policy(client, auth, org):
    auth.login("quantri")
    response = client.post(
        f"/admin/users/{org.staff_a.id}/password",
        data={"password": "Iloveyou2026!", "confirm": "Iloveyou2026!"},
    )
    assert response.status_code == 422 and "quá phổ biến" in response.get_data(as_text=True)
    assert _unchanged(org.staff_a)
    response = client.post(
        "/admin/users/new",
        data={
            "username": "cv9.tttt",
            "full_name": "Người Mới",
            "unit": str(org.dept_a.id),
            "roles": ["staff"],
            "password": "cv9.tttt-2026",
            "confirm": "cv9.tttt-2026",
        },
    )
    assert response.status_code == 422
    assert "không được chứa tên đăng nhập" in response.get_data(as_text=True)
    assert user_by_username("cv9.tttt") is None


def test_the_users_create_command_applies_the_policy(app, org):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--username", "moi", "--name", "Mới", "--unit", "STP"]
        + ["--role", "staff", "--password-stdin"],
        input="matkhau@2026\n",
    )
    assert result.exit_code != 0 and "quá phổ biến" in result.output
    assert user_by_username("moi") is None


def test_the_import_of_users_applies_the_policy(client, auth, org):
    from tests.test_imports import _org_book, _post_org, _user_row
    from tracker.imports import organisation as org_im

    row = _user_row("cv.moi", "STP", "staff", **{org_im.PASSWORD: "Password1234!"})
    data = _org_book([], [row])
    auth.login("quantri")
    response = _post_org(client, data)
    assert response.status_code == 422 and "quá phổ biến" in response.get_data(as_text=True)
    assert user_by_username("cv.moi") is None

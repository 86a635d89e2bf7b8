"""Sessions (ASVS V3): a new one at each sign-in, ended by sign-out, a password change, an
admin's reset or a deactivation, an absolute lifetime and an idle timeout, safe cookies."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import AuthActions, _app_for, forget_between_requests
from tests.factories import PASSWORD
from tracker.auth.models import UserSession
from tracker.auth.routes import LAST_SEEN, SESSION_SECRET
from tracker.clock import utcnow
from tracker.config import load_settings
from tracker.extensions import db

NEW = "mot cau dai de nho cua toi"
ENDED = "Phiên làm việc đã kết thúc hoặc hết hạn"


def _signed_in(client) -> bool:
    return client.get("/tasks").status_code == 200


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _second_browser(app, username: str):
    """Another browser of the same person (another test client), signed in."""
    other = app.test_client()
    assert AuthActions(other).login(username).status_code == 302
    return other


def _password_form(current: str, new: str = NEW) -> dict:
    return {"current_password": current, "new_password": new, "confirm": new}


def test_sign_in_starts_a_new_session_whatever_the_browser_had(client, auth, org):
    with client.session_transaction() as before:
        before[SESSION_SECRET] = "chosen-by-an-attacker"
        before["_user_id"] = str(org.staff_a.id)
    assert not _signed_in(client)  # a forged secret opens nothing
    auth.login("cv.tttt")
    with client.session_transaction() as after:
        first = after[SESSION_SECRET]
    assert first != "chosen-by-an-attacker"
    auth.logout()
    auth.login("cv.tttt")
    with client.session_transaction() as again:
        assert again[SESSION_SECRET] != first


def test_sign_out_ends_the_session_and_every_copy_of_its_cookie(app, client, auth, org):
    auth.login("cv.tttt")
    stolen = _cookie(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert _signed_in(thief)
    auth.logout()
    assert not _signed_in(client)
    assert not _signed_in(thief)
    [row] = db.session.scalars(sa.select(UserSession)).all()
    assert row.end_reason == "signed_out"


def test_a_session_ends_after_session_hours_however_active(client, auth, org):
    auth.login("cv.tttt")
    row = db.session.scalars(sa.select(UserSession)).one()
    assert row.expires_at - row.created_at == timedelta(hours=8)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/tasks", follow_redirects=True)
    assert ENDED in response.get_data(as_text=True)
    assert not _signed_in(client)


@pytest.mark.parametrize(("idle_minutes", "signed_in"), [(29, True), (31, False)])
def test_a_session_unused_for_session_idle_minutes_ends(client, auth, org, idle_minutes, signed_in):
    auth.login("cv.tttt")
    with client.session_transaction() as cookie:
        cookie[LAST_SEEN] = int((utcnow() - timedelta(minutes=idle_minutes)).timestamp())
    assert _signed_in(client) is signed_in


def test_each_request_keeps_an_active_session_alive(client, auth, org):
    auth.login("cv.tttt")
    with client.session_transaction() as cookie:
        cookie[LAST_SEEN] = int((utcnow() - timedelta(minutes=20)).timestamp())
    assert _signed_in(client)
    with client.session_transaction() as cookie:
        assert utcnow().timestamp() - cookie[LAST_SEEN] < 60


def test_a_password_change_ends_the_other_sessions_and_sign_in_tokens(
    app, client, auth, org, clock
):
    auth.login("cv.tttt")
    old_cookie = _cookie(client)
    phone = _second_browser(app, "cv.tttt")
    token = client.post("/api/v1/tokens", json={"username": "cv.tttt", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.json['token']}"}
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
    clock.advance(timedelta(minutes=5))  # the password is changed later that morning

    response = client.post("/password", data=_password_form(PASSWORD))
    assert response.status_code == 302
    assert _signed_in(client)  # the browser that changed it goes on, in a new session
    assert not _signed_in(phone)
    copy = app.test_client()
    copy.set_cookie("session", old_cookie)
    assert not _signed_in(copy)  # nor does the cookie the change replaced
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 401


def test_an_admin_reset_ends_the_users_sessions_and_asks_for_a_new_password(app, client, org):
    person = _second_browser(app, "cv.tttt")
    admin = _second_browser(app, "quantri")
    response = admin.post(
        f"/admin/users/{org.staff_a.id}/password",
        data={"password": "mat khau tam thoi 2026", "confirm": "mat khau tam thoi 2026"},
    )
    assert response.status_code == 302
    assert not _signed_in(person)
    assert _signed_in(admin)
    response = AuthActions(client).login("cv.tttt", "mat khau tam thoi 2026")
    assert response.headers["Location"] == "/password"
    assert client.get("/tasks").headers["Location"] == "/password"
    client.post("/password", data=_password_form("mat khau tam thoi 2026"))
    assert _signed_in(client)


def test_a_deactivated_user_loses_their_sessions_even_once_reactivated(app, client, org):
    person = _second_browser(app, "cv.tttt")
    admin = _second_browser(app, "quantri")
    admin.post(f"/admin/users/{org.staff_a.id}/deactivate")
    assert not _signed_in(person)
    admin.post(f"/admin/users/{org.staff_a.id}/reactivate")
    assert not _signed_in(person)
    assert AuthActions(person).login("cv.tttt").status_code == 302


def test_a_person_sees_their_sessions_and_signs_out_everywhere_else(app, client, auth, org):
    auth.login("cv.tttt")
    phone = _second_browser(app, "cv.tttt")
    page = client.get("/profile/sessions").get_data(as_text=True)
    assert page.count("<tr>") == 3 and "Phiên này" in page  # a header and two sessions
    wrong = client.post("/profile/sessions", data={"password": "khong-phai-mat-khau"})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.get_data(
        as_text=True
    )
    assert _signed_in(phone)
    client.post("/profile/sessions", data={"password": PASSWORD})
    assert not _signed_in(phone)
    assert _signed_in(client)


def test_the_remember_box_keeps_the_cookie_across_a_browser_restart_only(client, org):
    form = {"username": "cv.tttt", "password": PASSWORD}
    response = client.post("/login", data=form)
    assert "Expires=" not in response.headers["Set-Cookie"]  # gone when the browser closes
    client.post("/logout")
    response = client.post("/login", data={**form, "remember": "y"})
    assert "Expires=" in response.headers["Set-Cookie"]
    assert "remember_token" not in str(response.headers)  # no year-long cookie


def test_production_cookies_are_secure_host_only_httponly_and_samesite(
    migrated_database, tmp_path, monkeypatch, app, org
):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    settings = load_settings(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] and settings["SESSION_COOKIE_HTTPONLY"]
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session"
    production = _app_for(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    forget_between_requests(production)
    browser = production.test_client()
    response = browser.post(
        "/login", data={"username": "cv.tttt", "password": PASSWORD}, base_url="https://localhost"
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie
    assert browser.get("/tasks", base_url="https://localhost").status_code == 200

"""Sign-in, sessions, CSRF, throttling, headers and error pages."""

from __future__ import annotations

import io

from tests.factories import PASSWORD, build_org, in_progress_task
from tracker.extensions import db


def test_pages_need_a_signed_in_user(client, org):
    response = client.get("/tasks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_in_and_out(client, auth, org):
    response = auth.login("gd.tttt")
    assert response.status_code == 302
    assert "Trần Văn Trưởng" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, auth, org):
    response = auth.login("gd.tttt", "sai-mat-khau-roi")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)


def test_an_inactive_user_cannot_sign_in_and_is_signed_out(client, auth, org):
    auth.login("gd.tttt")
    org.head_a.active = False
    db.session.commit()
    assert client.get("/").status_code == 302  # the running session no longer counts
    refused = auth.login("gd.tttt")
    assert refused.status_code == 200  # the sign-in page again, with the reason
    assert "hoặc tài khoản đã bị khoá" in refused.get_data(as_text=True)
    assert client.get("/").headers["Location"].startswith("/login")


def test_no_open_redirect_after_sign_in(client, org):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", data={"username": "gd.tttt", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/"
        client.post("/logout")
    response = client.post("/login?next=/tasks", data={"username": "gd.tttt", "password": PASSWORD})
    assert response.headers["Location"] == "/tasks"


def test_change_password(client, auth, org):
    auth.login("cv.tttt")
    wrong = client.post(
        "/password",
        data={
            "current_password": "khong-dung-dau",
            "new_password": "mat-khau-moi-2026",
            "confirm": "mat-khau-moi-2026",
        },
    )
    assert "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    client.post(
        "/password",
        data={
            "current_password": PASSWORD,
            "new_password": "mat-khau-moi-2026",
            "confirm": "mat-khau-moi-2026",
        },
    )
    auth.logout()
    assert auth.login("cv.tttt", "mat-khau-moi-2026").status_code == 302


def test_security_headers_and_cookie_flags(client, auth, org):
    response = auth.login("gd.tttt")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in page.get_data(as_text=True)  # no inline scripts


def test_bootstrap_is_served_by_the_app_itself(client, auth, org):
    auth.login("gd.tttt")
    page = client.get("/").get_data(as_text=True)
    assert "cdn" not in page.lower()
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200


def test_unknown_pages_get_the_vietnamese_404(client, auth, org):
    auth.login("gd.tttt")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True)


def test_too_large_an_upload_gets_the_413_page(client, auth, org, now):
    task = in_progress_task(org, now)
    auth.login("cv.tttt")
    big = io.BytesIO(b"%PDF-" + b"0" * (4 * 1024 * 1024))
    response = client.post(
        f"/tasks/{task.id}/progress",
        data={"percent": "5", "narrative": "x", "evidence": [(big, "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Tệp gửi lên vượt quá" in response.get_data(as_text=True)


def _csrf_token(page: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_post_without_a_csrf_token_is_refused(strict_app, now):
    org = build_org(now)
    db.session.commit()
    task = in_progress_task(org, now)
    client = strict_app.test_client()
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "vanphong", "password": PASSWORD, "csrf_token": token})
    response = client.post(f"/tasks/{task.id}/withdraw", data={"reason": "Không có token"})
    assert response.status_code == 400
    assert "biểu mẫu không hợp lệ" in response.get_data(as_text=True)
    db.session.expire_all()
    assert task.state == "in_progress"


def test_repeated_failed_sign_ins_are_slowed_down(strict_app, now):
    build_org(now)
    db.session.commit()
    client = strict_app.test_client()
    for _ in range(3):
        token = _csrf_token(client.get("/login").get_data(as_text=True))
        client.post(
            "/login", data={"username": "gd.tttt", "password": "sai-mat-khau", "csrf_token": token}
        )
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "gd.tttt", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in response.get_data(as_text=True)

"""The security review's checks (docs/SECURITY.md): CSRF on every form, headers, open
redirects, throttling per address and per username, secrets and production settings."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import (
    POSTGRES_URL,
    _app_for,
    _empty_postgres_tables,
    database_for,
    forget_between_requests,
)
from tests.factories import PASSWORD, build_org
from tracker import ROOT, create_app
from tracker.audit.models import AuditEvent
from tracker.auth.models import AccessToken
from tracker.config import ConfigurationError, load_settings
from tracker.extensions import db, limiter
from tracker.webhooks.models import Webhook

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _csrf_token(page: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


@pytest.fixture
def make_app(migrated_database, tmp_path):
    """Build apps as in production (CSRF and throttling on), with settings of the test's."""
    made = []

    url = database_for(migrated_database, tmp_path, "strict.sqlite3")

    def build(**overrides):
        instance = tmp_path / f"strict{len(made)}"
        instance.mkdir()
        settings = {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True} | overrides
        application = _app_for(url, instance, **settings)
        forget_between_requests(application)
        made.append(application)
        return application

    yield build
    if made:
        with made[0].app_context():
            db.session.remove()
            if POSTGRES_URL:
                _empty_postgres_tables()
            db.engine.dispose()


@pytest.fixture
def strict(make_app, now):
    """A production-like app with the small organisation, in its own app context."""
    application = make_app(LOGIN_RATE_LIMIT="3 per minute")
    with application.app_context():
        limiter.reset()
        build_org(now)
        db.session.commit()
        yield application


def _sign_in(client, username: str, password: str = PASSWORD, **kwargs):
    token = _csrf_token(client.get("/login", **kwargs).get_data(as_text=True))
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data, **kwargs)


# ------------------------------------------------------------------ CSRF (V4.2.2, V13.2.3)


def _example_url(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        values[name] = 1 if "Id" in converter or "Integer" in converter else "2026-11-07"
    return rule.build(values, append_unknown=False)[1]


def test_every_form_of_the_site_refuses_a_post_without_its_csrf_token(strict):
    client = strict.test_client()
    assert _sign_in(client, "quantri").status_code == 302
    before = _events()
    checked = []
    for rule in strict.url_map.iter_rules():
        methods = rule.methods & STATE_CHANGING
        if not methods or rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        for method in methods:
            url = _example_url(rule)
            response = client.open(url, method=method, data={"reason": "x", "name": "x"})
            assert response.status_code == 400, f"{method} {rule.rule}: {response.status_code}"
            assert "biểu mẫu không hợp lệ" in response.get_data(as_text=True)
            checked.append(rule.rule)
    assert len(checked) >= 50  # every form: tasks, admin, profile, sign-in and sign-out…
    assert "/login" in checked and "/logout" in checked and "/admin/users/new" in checked
    assert _events() == before  # nothing was done


def test_the_api_needs_its_token_so_a_signed_in_browser_cannot_be_made_to_call_it(strict):
    client = strict.test_client()
    _sign_in(client, "vanphong")
    response = client.post("/api/v1/documents", json={"number": "1/KH"})
    assert response.status_code == 401 and response.json["error"] == "unauthorized"


# ------------------------------------------------------------------ headers (V14.4)


def test_pages_and_api_answers_carry_the_security_headers(client, auth, org):
    auth.login("gd.tttt")
    page = client.get("/tasks")
    api = client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": PASSWORD})
    missing = client.get("/khong-co")
    for response in (page, api, missing):
        csp = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp and "base-uri 'self'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in response.headers  # development: no HTTPS
    assert api.mimetype == "application/json"  # never rendered as a page (with nosniff)
    assert page.mimetype == "text/html" and page.mimetype_params["charset"] == "utf-8"
    assert "no-store" not in client.get("/static/tracker.css").headers.get("Cache-Control", "")


def test_production_answers_ask_for_https_from_now_on(app, org, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    production = _app_for(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    response = production.test_client().get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_template_has_inline_script_style_or_event_handlers():
    # The CSP refuses them; one would be a page that silently does not work.
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"""[\s"']style\s*=\s*["']""", text) or "<style" in text:
            offenders.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.name}: event handler attribute")
    assert offenders == []


# ------------------------------------------------------------------ open redirects (V5.1.5)

HOSTILE_TARGETS = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/",
    "///evil.example/",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "evil.example",
]
# As they arrive in the address, percent-encoded (Werkzeug decodes them once).
ENCODED_TARGETS = [
    "%2F%2Fevil.example",
    "%2F%5Cevil.example",
    "/%5Cevil.example",
    "%2F%09%2Fevil.example",
    "https%3A%2F%2Fevil.example",
    "%252F%252Fevil.example",
]


def test_sign_in_never_sends_a_person_to_another_site(client, org):
    form = {"username": "gd.tttt", "password": PASSWORD}
    followed = []
    for target in HOSTILE_TARGETS:
        response = client.post("/login", query_string={"next": target}, data=form)
        followed += [target] if response.headers["Location"] != "/" else []
        client.post("/logout")
    for raw in ENCODED_TARGETS:
        response = client.post(f"/login?next={raw}", data=form)
        followed += [raw] if response.headers["Location"] != "/" else []
        client.post("/logout")
    assert followed == []


def test_the_language_switch_and_the_inbox_never_send_a_person_away(client, auth, org):
    auth.login("gd.tttt")
    followed = []
    for target in [*HOSTILE_TARGETS, "%2F%2Fevil.example"]:
        response = client.post("/lang/en", data={"next": target})
        followed += [("lang", target)] if response.headers["Location"] != "/" else []
        response = client.post("/notifications/read", data={"id": "1", "next": target})
        expected = "/notifications"
        followed += [("inbox", target)] if response.headers["Location"] != expected else []
    assert followed == []


def test_a_path_on_this_site_is_followed(client, auth, org):
    form = {"username": "gd.tttt", "password": PASSWORD}
    target = "/tasks?category=overdue&q=s%E1%BB%91+ho%C3%A1"
    response = client.post("/login", query_string={"next": target}, data=form)
    assert response.headers["Location"] == target
    assert client.post("/lang/en", data={"next": "/tasks"}).headers["Location"] == "/tasks"


# ------------------------------------------------------------------ throttling (V2.2.1)


def test_failed_sign_ins_are_counted_per_username_whatever_the_address(make_app, now):
    application = make_app(LOGIN_RATE_LIMIT="100 per minute", LOGIN_USER_RATE_LIMIT="3/minute")
    with application.app_context():
        limiter.reset()
        build_org(now)
        db.session.commit()
        client = application.test_client()
        for n in range(3):  # three machines, one account
            address = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
            assert _sign_in(client, "gd.tttt", "sai", environ_base=address).status_code == 200
        refused = _sign_in(client, "GD.TTTT ", environ_base={"REMOTE_ADDR": "192.0.2.9"})
        assert refused.status_code == 429  # the right password, a fourth address: still no
        assert "Bạn đã thử quá nhiều lần" in refused.get_data(as_text=True)
        api = client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": PASSWORD})
        assert api.status_code == 429 and api.json["error"] == "throttled"
        assert _sign_in(client, "cv.tttt").status_code == 302  # another account is not held


def test_the_sign_in_page_and_the_api_share_one_count(strict):
    client = strict.test_client()
    for _ in range(2):
        _sign_in(client, "gd.tttt", "sai-mat-khau")
    wrong = client.post("/api/v1/tokens", json={"username": "cv.tttt", "password": "sai"})
    assert wrong.status_code == 401
    right = client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": PASSWORD})
    assert right.status_code == 429
    assert _sign_in(client, "gd.tttt").status_code == 429


def test_forged_forwarded_addresses_do_not_reset_the_count(strict):
    client = strict.test_client()
    for n in range(3):
        headers = {"X-Forwarded-For": f"198.51.100.{n}"}
        _sign_in(client, f"khong-co-{n}", "sai", headers=headers)
    headers = {"X-Forwarded-For": "198.51.100.77"}
    assert _sign_in(client, "gd.tttt", headers=headers).status_code == 429


def test_behind_a_trusted_proxy_each_person_has_their_own_count(make_app, now):
    application = make_app(LOGIN_RATE_LIMIT="2 per minute", TRUSTED_PROXIES=1)
    with application.app_context():
        limiter.reset()
        build_org(now)
        db.session.commit()
        client = application.test_client()
        behind = {"headers": {"X-Forwarded-For": "203.0.113.5"}}
        for _ in range(2):
            _sign_in(client, "khong-co", "sai", **behind)
        assert _sign_in(client, "gd.tttt", **behind).status_code == 429
        other = {"headers": {"X-Forwarded-For": "203.0.113.6"}}
        assert _sign_in(client, "gd.tttt", **other).status_code == 302


def test_sign_in_goes_on_and_stays_throttled_when_redis_is_down(make_app, now, caplog):
    # Port 9 (discard) has no Redis: the limiter counts in memory meanwhile, and says so.
    application = make_app(
        LOGIN_RATE_LIMIT="2 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0"
    )
    try:
        with application.app_context():
            build_org(now)
            db.session.commit()
            client = application.test_client()
            with caplog.at_level(logging.WARNING):
                for _ in range(2):
                    assert _sign_in(client, "gd.tttt", "sai").status_code == 200
                assert _sign_in(client, "gd.tttt").status_code == 429
            assert "falling back to in-memory storage" in caplog.text
    finally:
        limiter._storage_dead = False  # the module's limiter is shared with later tests


# ------------------------------------------------------------------ secrets (V6.4, V14.3)


def test_the_generated_secret_key_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    key = load_settings(tmp_path)["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert len(key) == 64 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_file.chmod(0o644)  # a restored backup, say
    assert load_settings(tmp_path)["SECRET_KEY"] == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY phải được đặt"),
        ({"SECRET_KEY": "ngan-qua"}, "SECRET_KEY cần ít nhất 32 ký tự"),
        ({"SECRET_KEY": "k" * 64, "FLASK_DEBUG": "1"}, "Không chạy chế độ gỡ lỗi"),
        ({"SECRET_KEY": "k" * 64, "TRUSTED_PROXIES": "9"}, "TRUSTED_PROXIES phải từ 0 đến 5"),
    ],
)
def test_production_refuses_to_start_when_misconfigured(tmp_path, monkeypatch, env, message):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("TRACKER_ENV", "production")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_credentials_never_reach_the_log(client, auth, org, caplog):
    with caplog.at_level(logging.DEBUG):
        auth.login("mot-mat-khau-go-nham-o", "x")  # a password typed into the username box
        auth.login("gd.tttt", "sai-mat-khau-gan-dung")
        auth.login("gd.tttt")
        client.post("/api/v1/tokens", json={"username": "gd.tttt", "password": "sai-mat-khau-api"})
    text = caplog.text
    assert "Failed sign-in for gd.tttt" in text and "signed in" in text
    for secret in ("mot-mat-khau-go-nham-o", "sai-mat-khau-gan-dung", PASSWORD, "sai-mat-khau-api"):
        assert secret not in text


def test_secrets_are_never_shown_again_nor_kept_in_the_audit_trail(client, auth, org):
    auth.login("quantri")
    page = client.post(
        "/admin/webhooks",
        data={
            "name": "Hệ thống văn bản",
            "url": "https://vanban.example/hook",
            "events": ["task.issued"],
        },
    ).get_data(as_text=True)
    secret = re.search(r'id="webhook-secret">([^<]+)<', page).group(1)
    hook = db.session.scalars(sa.select(Webhook)).one()
    for later in (client.get("/admin/webhooks"), client.get(f"/admin/webhooks/{hook.id}")):
        assert secret not in later.get_data(as_text=True)
    made = client.post("/profile/access", data={"name": "Báo cáo", "days": "30"})
    token = re.search(r'id="new-token">([^<]+)<', made.get_data(as_text=True)).group(1)
    stored = db.session.scalars(sa.select(AccessToken)).one()
    listing = client.get("/profile/access").get_data(as_text=True)
    assert token not in listing and stored.token_hash not in listing
    trail = " ".join(f"{e.before} {e.after}" for e in db.session.scalars(sa.select(AuditEvent)))
    assert secret not in trail and token not in trail and stored.token_hash not in trail
    assert "password_hash" not in trail


def test_no_page_shows_the_secret_key_or_the_mail_password(app, client, auth, org):
    app.config["SMTP_PASSWORD"] = "mat-khau-thu-dien-tu-bi-mat"
    auth.login("quantri")
    shown = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.rule.startswith("/static"):
            continue
        body = client.get(rule.rule).get_data()  # pages, JSON and Excel files alike
        secrets = (app.config["SECRET_KEY"], "mat-khau-thu-dien-tu")
        shown += [rule.rule for secret in secrets if secret.encode() in body]
    assert shown == []


def test_uploads_are_kept_outside_the_static_files_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("UPLOAD_FOLDER", raising=False)
    uploads = Path(load_settings(tmp_path)["UPLOAD_FOLDER"]).resolve()
    assert uploads.is_relative_to(tmp_path.resolve())  # the instance folder
    assert not uploads.is_relative_to((ROOT / "static").resolve())


def test_uploaded_workbooks_are_parsed_with_defusedxml():
    # Imports open workbooks people upload; openpyxl guards its XML parsing only with it.
    from importlib.metadata import requires

    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML
    assert any(r.startswith("defusedxml") for r in requires("tracker"))

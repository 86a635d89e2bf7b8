"""Sign-in, sign-out, password change and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth.forms import ChangePasswordForm, LoginForm
from tracker.auth.services import authenticate, change_password
from tracker.clock import utcnow
from tracker.errors import ValidationError
from tracker.extensions import db, limiter, login_manager
from tracker.org.models import User
from tracker.pages import LANGUAGES

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the signed-in user, or None if they no longer exist or were deactivated."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only within this site: no open redirect after sign-in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("tasks.my_work")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _fresh_session() -> None:
    """Start a new session, keeping only the language the person chose."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count: a successful sign-in answers with a redirect.
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda resp: resp.status_code != 302)
def login():
    """Sign in with a username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("tasks.my_work"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            _fresh_session()  # no fixation of a session set up before sign-in
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khoá."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out."""
    logout_user()
    _fresh_session()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                now=utcnow(),
            )
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            for name, text in error.fields.items():
                getattr(form, name, form.new_password).errors.append(text)
            flash(error.message, "danger")
        else:
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("tasks.my_work"))
    return render_template("auth/password.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the interface language (Vietnamese or English)."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")))

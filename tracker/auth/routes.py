"""Sign-in, sign-out, password change and the language switch."""

from __future__ import annotations

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

from tracker.auth.forms import ChangePasswordForm, ConfirmForm, LoginForm, PersonalTokenForm
from tracker.auth.models import TokenKind
from tracker.auth.services import authenticate, change_password
from tracker.auth.tokens import calendar_token, personal_token, revoke_token, user_tokens
from tracker.clock import utcnow
from tracker.errors import ValidationError
from tracker.extensions import db, limiter, login_manager
from tracker.org.models import User
from tracker.pages import LANGUAGES, form_status, show_form_errors, within_site
from tracker.tasks.feed import feed_url

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the signed-in user, or None if they no longer exist or were deactivated."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only within this site: no open redirect after sign-in."""
    return target if within_site(target) else url_for("tasks.my_work")


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


def _render_access(form: PersonalTokenForm, new_secret: str | None = None, feed: str | None = None):
    return render_template(
        "auth/access.html",
        form=form,
        confirm=ConfirmForm(),
        tokens=user_tokens(current_user, kinds=(TokenKind.PERSONAL, TokenKind.SIGN_IN)),
        has_feed=bool(user_tokens(current_user, kinds=(TokenKind.CALENDAR,))),
        new_secret=new_secret,
        feed=feed,
    )


@bp.route("/profile/access", methods=["GET", "POST"])
@login_required
def access():
    """The person's API tokens and calendar feed: make, see and revoke them."""
    form = PersonalTokenForm()
    if form.validate_on_submit():
        try:
            secret = personal_token(
                current_user, name=form.name.data, days=form.days.data, now=utcnow()
            )
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            show_form_errors(form, error)
            return _render_access(form), 422
        # Shown on this page only, never stored or sent again: not through a redirect.
        return _render_access(PersonalTokenForm(formdata=None), new_secret=secret)
    return _render_access(form), form_status()


@bp.route("/profile/access/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of the person's tokens: programs using it are refused from now on."""
    if ConfirmForm().validate_on_submit():
        revoke_token(current_user, token_id, now=utcnow())
        db.session.commit()
        flash(_("Đã thu hồi mã truy cập."), "success")
    return redirect(url_for("auth.access"))


@bp.route("/profile/access/calendar", methods=["POST"])
@login_required
def new_calendar_feed():
    """Make a new calendar address for the person; the previous one stops working."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.access"))
    secret = calendar_token(current_user, now=utcnow())
    db.session.commit()
    return _render_access(PersonalTokenForm(formdata=None), feed=feed_url(secret))


@bp.route("/profile/access/calendar/revoke", methods=["POST"])
@login_required
def revoke_calendar_feed():
    """Stop the person's calendar address."""
    if ConfirmForm().validate_on_submit():
        for token in user_tokens(current_user, kinds=(TokenKind.CALENDAR,)):
            revoke_token(current_user, token.id, now=utcnow())
        db.session.commit()
        flash(_("Đã tắt liên kết lịch."), "success")
    return redirect(url_for("auth.access"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the interface language (Vietnamese or English)."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")))

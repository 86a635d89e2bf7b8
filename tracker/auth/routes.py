"""Sign-in, sign-out, password change and the language switch."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    PersonalTokenForm,
    SignOutElsewhereForm,
)
from tracker.auth.limits import login_limits
from tracker.auth.models import TokenKind
from tracker.auth.services import change_password, sign_in, sign_out, sign_out_elsewhere
from tracker.auth.sessions import find_session, idle_limit, open_session, user_sessions
from tracker.auth.tokens import calendar_token, feed_url, personal_token, revoke_token, user_tokens
from tracker.clock import utcnow
from tracker.errors import ValidationError
from tracker.extensions import db, login_manager
from tracker.org.models import User
from tracker.web.branding import is_public_file
from tracker.web.forms import form_status, refusal_shown_on, safe_next
from tracker.web.locale import LANGUAGES
from tracker.web.requests import is_api_request

bp = Blueprint("auth", __name__)

# In the signed session cookie: the secret of the server-side session, and the time (Unix
# seconds) of the last request, for the idle timeout.
SESSION_SECRET = "sid"
LAST_SEEN = "seen"
# The last-request time is rewritten at most this often (each rewrite is a new cookie).
SEEN_PRECISION_SECONDS = 30


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the signed-in user while their session is open and not idle, else None."""
    now = utcnow()
    found = (
        open_session(int(user_id), session.get(SESSION_SECRET), now=now)
        if user_id.isdigit()
        else None
    )
    seen = session.get(LAST_SEEN)
    idle = not isinstance(seen, int) or now.timestamp() - seen > idle_limit().total_seconds()
    if found is None or idle:
        # Sign-out, a password change, a deactivation, the absolute end or the idle timeout.
        g.session_ended = True
        _fresh_session()
        return None
    if now.timestamp() - seen >= SEEN_PRECISION_SECONDS:
        session[LAST_SEEN] = int(now.timestamp())
    return found.user


def _sign_in_message(message: str) -> str:
    """Translate the sign-in prompt; say why when a session has just ended."""
    if g.get("session_ended"):
        return _("Phiên làm việc đã kết thúc hoặc hết hạn. Vui lòng đăng nhập lại.")
    return _(message)


login_manager.localize_callback = _sign_in_message


def _fresh_session() -> None:
    """Start a new session, keeping only the language the person chose."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def _begin(user: User, secret: str, *, remember: bool) -> None:
    """Put a new server-side session in a new cookie (no fixation of an earlier one)."""
    _fresh_session()
    login_user(user, remember=False)  # Flask-Login's year-long cookie would outlive it
    session[SESSION_SECRET] = secret
    session[LAST_SEEN] = int(utcnow().timestamp())
    # "Remember" keeps the cookie across a browser restart, within SESSION_HOURS still.
    session.permanent = remember


# Pages a person whose password was set by someone else may still open.
_OPEN_WHILE_CHANGE_REQUIRED = {"auth.password", "auth.logout", "auth.set_language", "static"}


@bp.before_app_request
def _require_own_password():
    """Send a person whose password an admin set (or that no longer meets the policy) to
    choose their own before anything else (ASVS V2.3.1)."""
    if is_api_request() or is_public_file(request.endpoint):
        return None
    if not current_user.is_authenticated or not current_user.password_change_required:
        return None
    if request.endpoint in _OPEN_WHILE_CHANGE_REQUIRED:
        return None
    flash(_("Hãy đặt mật khẩu của riêng bạn trước khi tiếp tục."), "warning")
    return redirect(url_for("auth.password"))


@bp.route("/login", methods=["GET", "POST"])
# Failed attempts only, counted per address and per username (see limits.py).
@login_limits(success_status=302)
def login():
    """Sign in with a username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    form = LoginForm()
    if form.validate_on_submit():
        signed_in = sign_in(
            form.username.data,
            form.password.data,
            now=utcnow(),
            user_agent=request.user_agent.string,
            remote_addr=request.remote_addr or "",
        )
        if signed_in is not None:
            user, secret = signed_in
            _begin(user, secret, remember=bool(form.remember.data))
            if user.password_change_required:
                return redirect(url_for("auth.password"))
            return redirect(safe_next(request.args.get("next"), url_for("tasks.home")))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị khoá."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: this browser's session ends, and so does any copy of its cookie."""
    user = current_user if current_user.is_authenticated else None
    sign_out(user, session.get(SESSION_SECRET), now=utcnow())
    logout_user()
    _fresh_session()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; the person's other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                secret = change_password(
                    current_user,
                    current=form.current_password.data,
                    new=form.new_password.data,
                    now=utcnow(),
                    session_secret=session.get(SESSION_SECRET),
                    user_agent=request.user_agent.string,
                    remote_addr=request.remote_addr or "",
                )
        except ValidationError as error:
            # Each reason under its field, a new password's shortcomings under it.
            for name, text in error.fields.items():
                getattr(form, name, form.new_password).errors.append(text)
            flash(error.message, "danger")
        else:
            _begin(current_user._get_current_object(), secret, remember=session.permanent)
            flash(
                _("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã được đăng xuất."),
                "success",
            )
            return redirect(url_for("tasks.home"))
    return render_template("auth/password.html", form=form), form_status()


def _render_sessions(form: SignOutElsewhereForm, status: int = 200):
    return render_template(
        "auth/sessions.html",
        form=form,
        open_sessions=user_sessions(current_user, now=utcnow()),
        current=find_session(session.get(SESSION_SECRET)),
    ), status


@bp.route("/profile/sessions", methods=["GET", "POST"])
@login_required
def sessions():
    """The person's open sessions; sign out of every other browser with their password."""
    form = SignOutElsewhereForm()
    if form.validate_on_submit():
        page = partial(_render_sessions, form)
        with refusal_shown_on(form, page, {"current_password": "password"}):
            ended = sign_out_elsewhere(
                current_user,
                password=form.password.data,
                session_secret=session.get(SESSION_SECRET),
                now=utcnow(),
            )
        flash(_("Đã đăng xuất %(n)s phiên ở nơi khác.", n=ended), "success")
        return redirect(url_for("auth.sessions"))
    return _render_sessions(form, form_status())


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
        with refusal_shown_on(form, partial(_render_access, form)):
            secret = personal_token(
                current_user, name=form.name.data, days=form.days.data, now=utcnow()
            )
        # Shown on this page only, never stored or sent again: not through a redirect.
        return _render_access(PersonalTokenForm(formdata=None), new_secret=secret)
    return _render_access(form), form_status()


@bp.route("/profile/access/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of the person's tokens: programs using it are refused from now on."""
    if ConfirmForm().validate_on_submit():
        revoke_token(current_user, token_id, now=utcnow())
        flash(_("Đã thu hồi mã truy cập."), "success")
    return redirect(url_for("auth.access"))


@bp.route("/profile/access/calendar", methods=["POST"])
@login_required
def new_calendar_feed():
    """Make a new calendar address for the person; the previous one stops working."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.access"))
    secret = calendar_token(current_user, now=utcnow())
    return _render_access(PersonalTokenForm(formdata=None), feed=feed_url(secret))


@bp.route("/profile/access/calendar/revoke", methods=["POST"])
@login_required
def revoke_calendar_feed():
    """Stop the person's calendar address."""
    if ConfirmForm().validate_on_submit():
        for token in user_tokens(current_user, kinds=(TokenKind.CALENDAR,)):
            revoke_token(current_user, token.id, now=utcnow())
        flash(_("Đã tắt liên kết lịch."), "success")
    return redirect(url_for("auth.access"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the interface language (Vietnamese or English)."""
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next"), url_for("tasks.home")))

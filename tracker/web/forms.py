"""Forms: the status a form page answers with, a refusal shown next to the fields it
names, the one way a view saves a form, and where to go after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import flash, make_response, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from wtforms import FieldList

from tracker.errors import StorageUnavailable, ValidationError
from tracker.extensions import db


def form_status() -> int:
    """Answer 422 to a form posted with invalid input, 200 to a plain GET."""
    return 422 if request.method == "POST" else 200


def show_form_errors(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a refusal next to the fields it names; flash it when no field can show it.

    ``aliases`` maps a service's field name to the form's where they differ. List fields
    (rows of coordinating units, milestones) cannot hold a message; the flash says it.
    """
    placed = False
    # A full disk is nothing the person can fix in the form: the banner says what happened.
    fixable = not isinstance(error, StorageUnavailable)
    for name, reason in error.fields.items():
        field = form._fields.get((aliases or {}).get(name, name))
        if field is not None and not isinstance(field, FieldList):
            message = error.message if len(error.fields) == 1 and fixable else reason
            field.errors = [*field.errors, message]
            placed = True
    if placed and len(error.fields) == 1 and fixable:
        flash(_("Chưa lưu được. Hãy sửa nội dung được đánh dấu bên dưới."), "danger")
    else:
        flash(error.message, "danger")


class FormRefused(HTTPException):
    """A service refused what a form asked: the form's page again, with the reasons."""

    code = 422

    def __init__(self, page) -> None:
        super().__init__(response=page)


@contextmanager
def refusal_shown_on(
    form,
    page: Callable[[], object],
    aliases: dict[str, str] | None = None,
    *,
    show: Callable[[object, ValidationError], None] | None = None,
) -> Iterator[None]:
    """Run the block that saves a form; if a service refuses it (ValidationError), undo the
    block, show the reasons on the form (or in a banner, for a button: ``form`` None) and
    answer with ``page()`` as a 422.

    The one save-form pattern of every page::

        with refusal_shown_on(form, lambda: render_template("org/unit_form.html", form=form)):
            unit = services.create_unit(...)
        flash(...)
        return redirect(...)

    What the request did before the block stays, to be kept or not by its answer (see
    tracker.web.transactions); the block itself runs in a savepoint. ``show`` places the
    reasons where a form wants them (``show_form_errors`` by default); the refusal is kept
    as ``form.refusal`` for a page that shows more of it (the 5 rõ checklist).
    """
    try:
        with db.session.begin_nested():
            yield
    except ValidationError as error:
        if form is None:  # a button, not a form: the banner says why
            flash(error.message, "danger")
        elif show is not None:
            form.refusal = error
            show(form, error)
        else:
            form.refusal = error
            show_form_errors(form, error, aliases)
        rendered = page()
        body = rendered[0] if isinstance(rendered, tuple) else rendered
        raise FormRefused(make_response(body, 422)) from error


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirect
    after sign-in or a language switch, ASVS V5.1.5).

    Browsers read "//host", "/\\host", "///host" and such with tabs or newlines inside as
    another site, and Werkzeug has already decoded %2F and %5C: so only a path that starts
    with one "/" followed by something else than a slash or a backslash, with no backslash
    or control character anywhere, is followed.
    """
    if not target or not isinstance(target, str) or len(target) > 2000:
        return default
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target

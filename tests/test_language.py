"""Vietnamese first, English on request: the switch, and a catalogue that stays complete.

The msgids are Vietnamese; English is tracker/translations/en/LC_MESSAGES/messages.po.
scripts/setup.sh compiles it; the tests compile it themselves when the .mo is missing or
out of date, so they pass on a fresh clone.
"""

from __future__ import annotations

import importlib
import io
import os
import re
import tempfile
from pathlib import Path

import flask_babel
import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.factories import issued_task
from tracker.extensions import babel

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "tracker" / "translations"
PO_FILE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# The keywords of the extraction command in babel.cfg (Babel's defaults, N_ among them,
# are added to these).
KEYWORDS = ["_l", "lazy_gettext"]

# Plain strings the code translates at run time (``_(labels[key])``), which extraction
# cannot see. Their English lives in the .po by hand until the source marks them N_().
RUNTIME_LABELS = [
    ("tracker.tasks.clarity", "CLARITY_LABELS"),
    ("tracker.tasks.classification", "CATEGORY_LABELS"),
    ("tracker.reminders.services", "OUTCOME_LABELS"),
    ("tracker.reminders.rules", "KIND_LABELS"),
    ("tracker.reminders.rules", "RECIPIENT_LABELS"),
    ("tracker.web.errors", "ERROR_TEXTS"),
]

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _read_catalogue():
    with PO_FILE.open("rb") as fh:
        return read_po(fh, locale="en")


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogue():
    """Compile the English catalogue if setup has not, or if the .po changed since."""
    compiled = io.BytesIO()
    write_mo(compiled, _read_catalogue())
    if not MO_FILE.exists() or MO_FILE.read_bytes() != compiled.getvalue():
        fd, tmp = tempfile.mkstemp(dir=MO_FILE.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(compiled.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, MO_FILE)
        # Flask-Babel keeps the translations it has loaded for the whole process (on a
        # cached property of the shared Babel object, once some request has used it).
        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()
    return MO_FILE


@pytest.fixture
def fresh_locale(app):
    """Choose the language again at each request, as separate requests of a server do.

    The test app context is shared by every request of a test, and Flask-Babel keeps the
    chosen locale on it (``g``); without this the first request's language would stick.
    """
    app.before_request(flask_babel.refresh)


def _page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def _switch(client, code: str, next_path: str = "/"):
    response = client.post(f"/lang/{code}", data={"next": next_path, "csrf_token": "x"})
    assert response.status_code == 302
    return response


# ------------------------------------------------------------------ the switch


def test_the_interface_is_vietnamese_by_default(client, auth, org, fresh_locale):
    auth.login("gd.tttt")
    page = _page(client, "/")
    assert '<html lang="vi">' in page
    assert "Việc của tôi" in page and "Đăng xuất" in page
    assert "My work" not in page
    assert ">English</button>" in page


def test_english_after_the_switch_then_vietnamese_again(client, auth, org, now, fresh_locale):
    task = issued_task(org, now)
    auth.login("gd.tttt")
    assert "Việc của tôi" in _page(client, "/")

    response = _switch(client, "en", f"/tasks/{task.id}")
    assert response.headers["Location"].endswith(f"/tasks/{task.id}")

    home = _page(client, "/")
    assert '<html lang="en">' in home
    # The navbar and the page itself.
    for text in ("My work", "Tasks", "Directive documents", "Sign out", "Change password"):
        assert text in home, text
    assert "Việc của tôi" not in home and "Đăng xuất" not in home
    assert ">Tiếng Việt</button>" in home

    detail = _page(client, f"/tasks/{task.id}")
    assert "The task's “5 rõ”" in detail
    for label in (
        "Clear task",
        "Clear owner",
        "Clear timeline",
        "Clear process",
        "Clear outcome",
        "Clear responsibility",
    ):
        assert label in detail, label
    assert "Rõ việc" not in detail and "Rõ trách nhiệm" not in detail
    assert "Accept task" in detail  # the unit head's action, a form's button

    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert "404 · Not found" in text
    assert "The page or task you are looking for does not exist" in text
    assert "Không tìm thấy" not in text

    _switch(client, "vi")
    home = _page(client, "/")
    assert '<html lang="vi">' in home
    assert "Việc của tôi" in home and "My work" not in home
    assert "404 · Không tìm thấy" in client.get("/no-such-page").get_data(as_text=True)


def test_the_choice_is_kept_for_the_session_and_unknown_codes_are_ignored(
    client, auth, org, fresh_locale
):
    auth.login("gd.tttt")
    _switch(client, "en")
    _switch(client, "xx")
    assert "My work" in _page(client, "/")
    assert "My work" in _page(client, "/tasks")


def test_the_sign_in_page_switches_too(client, fresh_locale):
    assert "Đăng nhập" in _page(client, "/login")
    _switch(client, "en", "/login")
    page = _page(client, "/login")
    assert "Sign in" in page and "Username" in page and "Đăng nhập" not in page


def test_the_language_chosen_before_signing_in_is_kept(client, auth, org, fresh_locale):
    _switch(client, "en", "/login")
    auth.login("gd.tttt")
    assert "My work" in _page(client, "/")
    auth.logout()
    assert "Sign in" in _page(client, "/login")


def test_a_refusal_from_the_services_follows_the_language(client, auth, org, fresh_locale):
    auth.login("vanphong")
    _switch(client, "en", "/tasks/new")
    response = client.post("/tasks/new", data={"title": "X", "issue": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The task cannot be issued yet because it is not clear on all “5 rõ”" in page
    assert "Clear owner: no lead unit" in page
    assert "Clear responsibility: no supervising leader." in page
    assert "Chưa thể giao nhiệm vụ" not in page and "chưa có đơn vị chủ trì" not in page

    _switch(client, "vi", "/tasks/new")
    response = client.post("/tasks/new", data={"title": "X", "issue": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chưa thể giao nhiệm vụ vì chưa đủ “5 rõ”" in page
    assert "Rõ người: chưa có đơn vị chủ trì" in page
    assert "Clear owner" not in page and "no lead unit" not in page


# ------------------------------------------------------------------ the catalogue


def test_every_entry_of_the_english_catalogue_is_translated():
    catalogue = _read_catalogue()
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {PO_FILE.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {PO_FILE.name} (check, then drop the flag): {fuzzy}"
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"
    wrong = {
        m.id: m.string
        for m in catalogue
        if m.id and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    }
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"
    problems = {m.id: errors for m, errors in catalogue.check()}
    assert not problems, problems


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Re-extract as babel.cfg says: a string added without translation fails here.

    Fix: ``pybabel extract`` and ``pybabel update`` as babel.cfg shows, then translate.
    """
    pot = tmp_path / "messages.pot"
    argv = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot)]
    for keyword in KEYWORDS:
        argv += ["-k", keyword]
    cwd = os.getcwd()
    os.chdir(ROOT)  # the mapping's patterns are relative to the input directory
    try:
        CommandLineInterface().run([*argv, "."])
    finally:
        os.chdir(cwd)
    with pot.open("rb") as fh:
        in_code = {m.id for m in read_po(fh) if m.id}
    assert len(in_code) > 300  # the extraction found the templates and the Python code
    translated = {m.id for m in _read_catalogue() if m.id and m.string}
    missing = sorted(in_code - translated)
    assert not missing, f"not translated in {PO_FILE.name}: {missing}"


def _label_texts(value) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _label_texts(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _label_texts(item)]
    return [str(value)]


@pytest.mark.parametrize(("module", "name"), RUNTIME_LABELS)
def test_labels_translated_at_run_time_are_in_the_catalogue(module, name):
    texts = _label_texts(getattr(importlib.import_module(module), name))
    translated = {m.id for m in _read_catalogue() if m.id and m.string}
    missing = [text for text in texts if text not in translated]
    assert not missing, f"{module}.{name}: not translated in {PO_FILE.name}: {missing}"


def test_the_compiled_catalogue_is_the_one_the_app_loads(app, compiled_catalogue):
    assert Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) == TRANSLATIONS
    with compiled_catalogue.open("rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    expected = {m.id: m.string for m in _read_catalogue() if m.id and m.string and not m.fuzzy}
    assert compiled == expected


def test_built_in_form_messages_follow_the_language(client, auth, org, now, fresh_locale):
    from tests.factories import in_progress_task

    _compile_wtforms_catalogue()
    task = in_progress_task(org, now)
    auth.login("cv.tttt")
    page = client.post(f"/tasks/{task.id}/progress", data={"percent": "abc", "narrative": ""})
    assert "Cần nhập" in page.get_data(as_text=True)
    _switch(client, "en", f"/tasks/{task.id}")
    page = client.post(f"/tasks/{task.id}/progress", data={"percent": "abc", "narrative": ""})
    assert "This field is required." in page.get_data(as_text=True)


def _compile_wtforms_catalogue() -> None:
    from babel.messages.mofile import write_mo

    po = PO_FILE.parents[2] / "vi" / "LC_MESSAGES" / "wtforms.po"
    with open(po, "rb") as source, open(po.with_suffix(".mo"), "wb") as target:
        write_mo(target, read_po(source))

"""Every message a person reads goes through Flask-Babel, so the English interface is
English: a refusal raised by a service (its message and its fields' reasons) and a flashed
message must not be a bare string literal with words in it ("1–250" needs no translation).
The console commands and the demo loader speak Vietnamese to the administrator and are not
checked; nor are logs and stored texts, which are not the interface's words."""

from __future__ import annotations

import ast
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"

# The refusals a person can meet (tracker/errors.py and the import's own).
REFUSALS = {
    "TrackerError",
    "ValidationError",
    "PermissionDenied",
    "NotFound",
    "ConflictError",
    "TransitionError",
    "BusyError",
    "IncompleteTaskError",
    "StorageUnavailable",
    "WorkbookError",
}


def _words(text: str) -> bool:
    return any(character.isalpha() for character in text)


def _bare(node: ast.AST) -> bool:
    """A text with words, written as a literal: "…" or f"…" (not _("…"), not a variable)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(part, ast.Constant) and _words(str(part.value)) for part in node.values
        )
    return False


def _interface(path: Path) -> bool:
    """Tell whether a module speaks to people through the interface (not the console)."""
    parts = path.relative_to(TRACKER).parts
    return parts[0] != "demo" and path.name != "commands.py"


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _bare_texts(call: ast.Call) -> list[ast.AST]:
    texts = [arg for arg in call.args[:1] if _bare(arg)]
    for keyword in call.keywords:
        if keyword.arg == "message" and _bare(keyword.value):
            texts.append(keyword.value)
        if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
            texts += [value for value in keyword.value.values if _bare(value)]
    return texts


def _untranslated(path: Path, root: Path = TRACKER.parent) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            call = node.exc
            if _called(call) not in REFUSALS:
                continue
        elif isinstance(node, ast.Call) and _called(node) == "flash":
            call = node
        else:
            continue
        for text in _bare_texts(call):
            found.append(f"{path.relative_to(root)}:{text.lineno}")
    return found


def test_refusals_and_flashed_messages_are_translated():
    modules = [p for p in TRACKER.rglob("*.py") if _interface(p)]
    untranslated = [line for path in sorted(modules) for line in _untranslated(path)]
    assert untranslated == [], "wrap these texts in _() or N_():\n" + "\n".join(untranslated)


def test_the_check_sees_a_bare_refusal(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n"
        "    raise ValidationError('Sai.', fields={'x': _('sai')})\n"
        "def g():\n"
        "    raise NotFound(_('Không thấy.'), fields={'y': f'sai {1}', 'z': '1–250'})\n"
        "def h():\n"
        "    flash('Đã lưu.', 'success')\n"
    )
    assert _untranslated(sample, tmp_path) == ["sample.py:2", "sample.py:4", "sample.py:6"]

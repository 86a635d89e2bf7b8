"""The shape of the code: which package of tracker/ may import which.

Each package has a layer; a package imports only from lower layers, never from its own
layer or above. So no two packages import each other, and an arrow against the layering
fails here with the line that drew it. docs/ARCHITECTURE.md explains the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"

# The one place that says which way imports point: a package may import those below it.
LAYERS: list[tuple[str, ...]] = [
    # Plumbing every feature may use: time, settings, errors, text, logging, storage.
    ("clock", "errors", "text", "extensions", "faults"),
    ("config", "dbtypes", "logs"),
    ("storage", "commands"),
    # What every page shares: error pages, forms, security headers, the language.
    ("web",),
    # Leaves that know nothing of tasks: the audit trail records any object.
    ("audit",),
    ("org",),
    ("calendar", "auth", "notify"),
    # The task and its sub-features.
    ("tasks",),
    ("webhooks",),
    # What follows tasks: reminders and escalation records, inspections, imports.
    ("reminders", "inspections", "imports"),
    # What reads everything (reports) or runs everything (the scheduler's jobs).
    ("oversight", "jobs"),
    ("observability",),
    ("backup",),
    # The faces: the JSON API, the demo data, the console script and the app factory.
    ("api",),
    ("demo",),
    ("cli",),
    ("__init__",),
]
LAYER = {package: index for index, names in enumerate(LAYERS) for package in names}


def _package(path: Path) -> str:
    first = path.relative_to(TRACKER).parts[0]
    return first.removesuffix(".py")


def _imported_packages(path: Path) -> set[tuple[str, int]]:
    """The packages of tracker/ a module imports (at any depth of its code), with lines."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "tracker":  # from tracker import x
                names = [f"tracker.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "tracker" and len(parts) > 1:
                found.add((parts[1], node.lineno))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in TRACKER.rglob("*.py") if "translations" not in p.parts)


def test_every_package_has_a_layer():
    packages = {_package(path) for path in _modules()}
    assert packages - set(LAYER) == set(), "give the new package a layer in LAYERS"
    assert set(LAYER) - packages == set(), "LAYERS names a package that no longer exists"


def test_imports_point_down_the_layers_only():
    wrong = []
    for path in _modules():
        source = _package(path)
        for target, line in sorted(_imported_packages(path)):
            if target == source or target not in LAYER:
                continue
            if LAYER[target] >= LAYER[source]:
                wrong.append(f"{path.relative_to(TRACKER.parent)}:{line}: {source} → {target}")
    assert wrong == [], "imports against the layering:\n" + "\n".join(wrong)


def test_no_two_packages_import_each_other():
    arrows = {
        (_package(path), target)
        for path in _modules()
        for target, _line in _imported_packages(path)
        if target != _package(path)
    }
    both_ways = sorted({tuple(sorted(a)) for a in arrows if (a[1], a[0]) in arrows})
    assert both_ways == []

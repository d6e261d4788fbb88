"""The layering rules of the house, checked on the source: models never import services or views; views and
API routes never commit (the request's unit of work does)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "duijie"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_models_import_no_services_views_or_api() -> None:
    offenders = []
    for path in PACKAGE.glob("*/models.py"):
        for name in _imports(path):
            if name.startswith("duijie.") and name.rsplit(".", 1)[-1] in {
                "service",
                "queries",
                "views",
                "api",
                "jobs",
                "cli",
            }:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_views_and_api_routes_never_commit() -> None:
    offenders = []
    for path in list(PACKAGE.glob("*/views.py")) + list(PACKAGE.glob("*/api.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "commit":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_pure_algorithm_files_do_not_touch_the_database() -> None:
    pure = [
        "solver.py",
        "greedy.py",
        "assignment.py",
        "scoring.py",
        "rules.py",
        "evaluator.py",
        "affinity.py",
        "normalize.py",
    ]
    offenders = []
    for name in pure:
        for path in PACKAGE.glob(f"*/{name}"):
            for imported in _imports(path):
                if imported.startswith("sqlalchemy") or imported.endswith(".models"):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {imported}")
    assert offenders == []


# --- The package order (duijie/modules.py) -------------------------------------------------------------------

ROOT_FILES = {"app", "cli", "config", "modules"}


def _package_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _all_imports(path: Path) -> list[tuple[str, int]]:
    """Every `duijie.*` import of a file with its line, at the top and inside functions alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "duijie":
                found += [(f"duijie.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.startswith("duijie.")]


def _upward_imports() -> list[str]:
    from duijie.modules import floor_of

    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        source = _package_of(path)
        for name, line in _all_imports(path):
            target = name.split(".")[1]
            if target == source:
                continue
            if floor_of(target) >= floor_of(source):
                offenders.append(f"{path.relative_to(PACKAGE)}:{line} {source} -> {target}")
    return offenders


def test_every_package_and_top_level_file_is_declared_in_modules() -> None:
    from duijie.modules import floor_of

    names = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    names |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    missing = []
    for name in sorted(names - {"migrations"}):
        try:
            floor_of(name)
        except KeyError:
            missing.append(name)
    assert missing == []


def test_packages_import_only_downward() -> None:
    """No package imports one on its own floor or above it, not even inside a function."""
    assert _upward_imports() == []


def test_a_planted_upward_import_is_caught(tmp_path: Path) -> None:
    """The checker itself works: an import of `portal` from `events` is reported with its line."""
    from duijie.modules import floor_of

    assert floor_of("portal") > floor_of("events")
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from duijie.portal import views\n", encoding="utf-8")
    assert _all_imports(source) == [("duijie.portal", 2)]

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

"""Imports run one way: framework -> accounts -> reflections -> supervision -> workshops.

A lower app never imports a higher one, not even inside a function or through importlib: the
higher app reaches down (it calls the lower app's functions) or adds its part to a lower app's
page as a panel that htmx loads. The project package (appear_site) and the demo, which tie the
apps together, may import any of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["framework", "accounts", "reflections", "supervision", "workshops", "datarights"]


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module a file imports, with its line: statements anywhere, and importlib calls."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def upward_imports(app: str) -> list[str]:
    """`file:line imports module` for each import from `app` into a later app."""
    rank = ORDER.index(app)
    later = set(ORDER[rank + 1 :])
    problems = []
    for path in sorted((ROOT / app).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in _imported(tree):
            if module.split(".")[0] in later:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return problems


@pytest.mark.parametrize("app", [app for app in ORDER if (ROOT / app).is_dir()])
def test_no_app_imports_a_later_app(app: str) -> None:
    assert upward_imports(app) == []


def test_the_check_sees_imports_inside_functions_and_through_importlib(tmp_path: Path) -> None:
    source = (
        "import importlib\n"
        "def late():\n"
        "    from supervision.sharing.access import live_shares\n"
        "    return importlib.import_module('workshops.demo')\n"
    )
    modules = [module for _line, module in _imported(ast.parse(source))]
    assert modules == ["importlib", "supervision.sharing.access", "workshops.demo"]

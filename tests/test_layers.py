"""Dependencies point one way — dashboard → checks → accounts: checks never imports dashboard, nor reaches
its tables through the app registry (it offers a hook instead, such as checks.retention.register).
(accounts' onboarding views use dashboard's permissions and htmx helpers, as views of a room above would.)"""

import ast

import pytest

from tests.project import PROJECT_ROOT

HIGHER = {"checks": ("dashboard", "api")}


def modules(room):
    for path in sorted((PROJECT_ROOT / room).rglob("*.py")):
        if "tests" not in path.relative_to(PROJECT_ROOT).parts:
            yield path, ast.parse(path.read_text())


def imported(tree):
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def models_looked_up(tree):
    """The app labels of apps.get_model("label", ...) calls."""
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_model"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


@pytest.mark.parametrize("room", sorted(HIGHER))
def test_a_lower_room_never_reaches_up(room):
    reaching_up = []
    for path, tree in modules(room):
        names = imported(tree) | models_looked_up(tree)
        reaching_up += [(path.name, name) for name in names if name.split(".")[0] in HIGHER[room]]
    assert reaching_up == []

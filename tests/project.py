"""Facts about the project tree that several tests read."""

import ast
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def settings_variables():
    """Every environment variable posture/settings.py reads through its env_* helpers, and those of sign-in."""
    from dashboard.sso_settings import VARIABLES as SIGN_IN_VARIABLES

    tree = ast.parse((PROJECT_ROOT / "posture" / "settings.py").read_text())
    return set(SIGN_IN_VARIABLES) | {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }

"""`apps.core` is the lowest layer (shared/DESIGN.md): it imports no other portal app, so every
app may use it and it can never be part of an import cycle between apps."""

import ast
from pathlib import Path

import apps.core

CORE = Path(apps.core.__file__).parent


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def test_core_imports_no_other_portal_app():
    offending = []
    for path in sorted(CORE.rglob("*.py")):
        depth = len(path.relative_to(CORE).parts) - 1  # how many packages below apps.core
        for module, level in _imports(path):
            outside_relative = level > depth + 1  # `from ..x` reaching above apps.core
            other_app = level == 0 and module.startswith("apps.") and not module.startswith("apps.core")
            if module == "apps" or other_app or outside_relative:
                offending.append(f"{path.relative_to(CORE)}: {'.' * level}{module}")
    assert offending == []

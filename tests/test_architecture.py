"""The layering of shared/DESIGN.md and the absence of import cycles, checked by import-linter."""

from pathlib import Path

from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parent.parent


def test_modules_respect_the_layers_and_import_no_cycles(monkeypatch):
    monkeypatch.chdir(ROOT)
    configure()
    kept = lint_imports(config_filename=str(ROOT / ".importlinter"), cache_dir=None, no_logo=True)
    assert kept, "import-linter found a broken contract (run `.venv/bin/lint-imports` for the report)"

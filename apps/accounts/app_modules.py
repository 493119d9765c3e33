"""The portal's per-app conventions (`apps/<app>/nav.py`, `apps/<app>/demo.py`) found in one place."""

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def portal_app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """Each portal app's `<app>.<name>` module, in INSTALLED_APPS order; apps without one are skipped.

    An import error inside an existing module is raised, not mistaken for its absence.
    """
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            module = import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
            continue
        yield config, module

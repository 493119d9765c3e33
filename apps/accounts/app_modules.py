"""The portal's per-app conventions (`apps/<app>/nav.py`, `apps/<app>/demo.py`) found in one place."""

from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


@cache
def portal_app_modules(name: str) -> tuple[tuple[AppConfig, ModuleType], ...]:
    """Each portal app's `<app>.<name>` module, in INSTALLED_APPS order; apps without one are skipped.

    An import error inside an existing module is raised, not mistaken for its absence. Found once
    per process: pages ask on every request, and looking for a module that is absent searches the
    file system each time.
    """
    return tuple(_find(name))


def _find(name: str):
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

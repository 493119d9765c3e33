"""The registry of figure groups a publication may name (issue 12 item 1).

A publication freezes, for its year and regions, the items of each group it names; the public
pages, downloads and API show only what was frozen. A later app (the accountability ledger's
notices marked for disclosure, the oversight summaries' public parts) adds one entry with
`register_group(Group(...))` in its `AppConfig.ready()`; it then appears in the publish form,
the API's `groups` choices and the public pages, and the disclosure app needs no change.

An entry says:
- `key`, `name_zh`, `name_en` (and an optional `description_zh` / `description_en`);
- `freeze(scope) -> data`: what to copy for a `FreezeScope` (year, root region, the regions of
  the subtree, the acting user): plain JSON data, never changed afterwards;
- `rows(data) -> [(region_path, year, metric, value)]`: the machine-readable rows of the frozen
  data (exchange.md "Assessments" columns; value as text), for the CSV, xlsx and public API —
  a group without figures returns none;
- `render(data, region_path, year) -> str`: optional HTML (escaped!) of the group's items for one
  region's public page, for groups whose items are not figures the charts draw;
- `order`: where it appears among the groups.

The figure groups of this app (`targets`, `warnings`, `energy_total`, `nonfossil`, `peak`) share
one freezer over the stored `Assessment` rows (`assessment_group`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

Row = tuple[str, int, str, str]  # region path, year, metric, value (exchange.md text)


@dataclass(frozen=True)
class FreezeScope:
    """What a publication covers: its year, the root region and every region of its subtree."""

    year: int
    root: Any  # Region
    regions: Sequence[Any]  # Region rows of the subtree, root first (path order)
    user: Any
    first_year: int  # the first year of the trends shown with the year (the plan period's base year)


@dataclass(frozen=True)
class Group:
    key: str
    name_zh: str
    name_en: str
    freeze: Callable[[FreezeScope], Any]
    rows: Callable[[Any], Iterable[Row]] = lambda data: ()
    render: Callable[[Any, str, int], str] | None = None
    description_zh: str = ""
    description_en: str = ""
    order: int = 100
    metrics: tuple[str, ...] = field(default=())  # figure groups: the metrics they freeze

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def description(self) -> str:
        return self.description_zh if (get_language() or "").startswith("zh") else self.description_en


_REGISTRY: dict[str, Group] = {}


def register_group(group: Group) -> Group:
    """Add (or replace, same key) a group; returns it so it can be used as a module constant."""
    if not group.key or not group.key.replace("_", "").isalnum():
        raise ValueError(f"a group key is a short code of letters, digits and _: {group.key!r}")
    _REGISTRY[group.key] = group
    return group


def unregister_group(key: str) -> None:
    """For tests: remove a group registered for the test."""
    _REGISTRY.pop(key, None)


def all_groups() -> list[Group]:
    return sorted(_REGISTRY.values(), key=lambda g: (g.order, g.key))


def keys() -> list[str]:
    return [g.key for g in all_groups()]


def get(key: str) -> Group | None:
    return _REGISTRY.get(key)


def choices() -> list[tuple[str, str]]:
    return [(g.key, g.name) for g in all_groups()]


def discover() -> None:
    """Import every portal app's `apps/<app>/disclosure.py`, whose module-level
    `register_group(...)` calls add that app's groups (the layers contract lets such a module
    import this one, like `nav.py`)."""
    from apps.accounts.app_modules import portal_app_modules

    for _config, _module in portal_app_modules("disclosure"):
        pass

"""The ledger's group in the disclosure app's publications registry (issue 13 item 4): issued
通报 marked for public disclosure become public when a publication names the 'notices' group.

What is frozen is the issued edition (`apps/core/editions.py`), never the live notice row: its
title and text as issued, when, and its SHA-256, so anyone holding the notice can check it.
Discovered by `apps.disclosure.groups.discover` (the layers contract lets `apps.*.disclosure`
import the registry, as `nav.py` imports the navigation).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from apps.disclosure.groups import FreezeScope, Group, register_group

from .selectors import notices_for_disclosure


def freeze_notices(scope: FreezeScope) -> list[dict]:
    """The issued notices of the publication's subtree and year that are marked for disclosure."""
    frozen = []
    for notice in notices_for_disclosure(scope.root, scope.year):
        edition = notice.edition
        figures = edition.figures
        frozen.append(
            {
                "region_path": notice.decision.region.path,
                "region_name": notice.decision.region.name,
                "title": figures.get("title", edition.title),
                "body": figures.get("body", ""),
                "issued_at": timezone.localtime(edition.issued_at).strftime("%Y-%m-%d"),
                "edition": edition.number,
                "sha256": edition.figures_sha256,
            }
        )
    return frozen


def render_notices(data: list[dict], region_path: str, year: int) -> str:
    """The notices of one region (not of its sub-regions) on its public page, escaped."""
    own = [item for item in data or () if item["region_path"] == region_path]
    if not own:
        return ""
    items = format_html_join(
        "",
        '<article class="notice-text"><h4>{}</h4>'
        '<p class="muted">{} {} · SHA-256 <span class="hash">{}</span></p>{}</article>',
        (
            (
                item["title"],
                _("Issued"),
                item["issued_at"],
                item["sha256"],
                mark_safe(linebreaks(item["body"], autoescape=True)),  # escaped: autoescape=True
            )
            for item in own
        ),
    )
    return format_html("<section><h3>{}</h3>{}</section>", _("Notices of criticism (通报)"), items)


NOTICES = register_group(
    Group(
        key="notices",
        name_zh="通报",
        name_en="Notices of criticism (通报)",
        description_zh="已印发并标记为公开的通报（原文、印发日期与校验值）。",
        description_en="Notices issued and marked for public disclosure (text, date of issue and checksum).",
        freeze=freeze_notices,
        render=render_notices,
        order=60,
    )
)

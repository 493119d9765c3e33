"""Rendering a summary's figures (`summaries.gather()`, or an edition's frozen figures) as the
documents people read: an HTML page body, the PDF (WeasyPrint, A4 with GB/T 9704 margins, "— N —"
page numbers, Noto CJK embedded) and an editable DOCX (python-docx, the same headings as Word
styles). Charts are the region dashboard's Plotly figures, rebuilt from the frozen series by the
same builders and drawn as SVG on the server (`svg.py`).

Issued files are rendered in Chinese (the document the standing committee files); the page
renders the same figures in the reader's language. Rendering reads no database.

Cost (bench/summary.py; issue 14: a city summary in under 3 s): the three files are rendered from
one `document_context`; WeasyPrint's layout and PDF writing are nearly all of it, so the printed
HTML spares it what it does slowly: tables in the fixed layout with column widths computed from
their strings (`context.column_widths`) instead of measuring every cell of Chinese text, and the
charts as SVG images (XML-parsed, outside the HTML cascade) instead of inline SVG.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.core.editions import RenderedFile

from .context import document_context

# WeasyPrint logs every layout step at INFO: not news in the portal's logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

DOCUMENT_LANGUAGE = "zh-hans"
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML_TYPE = "text/html; charset=utf-8"
FORMATS = {"pdf": PDF_TYPE, "docx": DOCX_TYPE, "html": HTML_TYPE}


def file_stem(figures: dict, number: int | None = None) -> str:
    stem = f"oversight-summary-{figures['region']['code']}-{figures['year']}"
    return f"{stem}-edition-{number}" if number else f"{stem}-draft"


def render_body(figures: dict, *, number: int | None = None, issued_at: datetime | None = None) -> str:
    """The document's body for a portal page (in the active language)."""
    context = document_context(figures, number=number, issued_at=issued_at)
    return render_to_string("oversight/summaries/_document_body.html", context)


def html_document(context: dict) -> str:
    """The standalone HTML of a `document_context` (tables with the print column widths)."""
    return render_to_string(
        "oversight/summaries/document.html", {**context, "standalone": True, "printed": True}
    )


def pdf_document(context: dict) -> bytes:
    """The PDF of a `document_context`: the standalone HTML laid out by WeasyPrint, the charts as
    SVG images. Only `data:` URLs are fetched (the document refers to nothing else)."""
    from weasyprint import HTML  # heavy import (Pango): only where a PDF is made
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "oversight/summaries/document.html",
        {**context, "standalone": True, "printed": True, "chart_images": True},
    )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def docx_document(context: dict) -> bytes:
    from .word import build_docx

    out = io.BytesIO()
    build_docx(context).save(out)
    return out.getvalue()


#: Each format's renderer from one `document_context`.
RENDERERS = {
    "pdf": pdf_document,
    "docx": docx_document,
    "html": lambda context: html_document(context).encode(),
}


def render(figures: dict, fmt: str, *, number: int | None = None, issued_at: datetime | None = None) -> bytes:
    """One format of the document, in the document language."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}")
    with translation.override(DOCUMENT_LANGUAGE):
        return RENDERERS[fmt](document_context(figures, number=number, issued_at=issued_at))


def render_all(
    figures: dict, *, issued: bool = True, number: int | None = None, issued_at: datetime | None = None
) -> list[RenderedFile]:
    """The PDF, DOCX and HTML of an edition (or a draft: `issued=False`), from one context."""
    issued_at = issued_at or timezone.now()
    stem = file_stem(figures, number if issued else None)
    with translation.override(DOCUMENT_LANGUAGE):
        context = document_context(figures, number=number, issued_at=issued_at)
        return [
            RenderedFile(f"{stem}.{fmt}", RENDERERS[fmt](context), content_type)
            for fmt, content_type in FORMATS.items()
        ]

"""Rendering a summary's figures (`summaries.gather()`, or an edition's frozen figures) as the
documents people read: an HTML page body, the PDF (WeasyPrint, A4 with GB/T 9704 margins, "— N —"
page numbers, Noto CJK embedded) and an editable DOCX (python-docx, the same headings as Word
styles). Charts are the region dashboard's Plotly figures, rebuilt from the frozen series by the
same builders and drawn as SVG on the server (`svg.py`).

Issued files are rendered in Chinese (the document the standing committee files); the page
renders the same figures in the reader's language. Rendering reads no database.
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


def render_html(figures: dict, *, number: int | None = None, issued_at: datetime | None = None) -> str:
    """The standalone HTML document (its own styles, no scripts, charts inline as SVG)."""
    context = document_context(figures, number=number, issued_at=issued_at)
    return render_to_string("oversight/summaries/document.html", {**context, "standalone": True})


def render_body(figures: dict, *, number: int | None = None, issued_at: datetime | None = None) -> str:
    """The document's body for a portal page (in the active language)."""
    context = document_context(figures, number=number, issued_at=issued_at)
    return render_to_string("oversight/summaries/_document_body.html", context)


def render_pdf(figures: dict, *, number: int | None = None, issued_at: datetime | None = None) -> bytes:
    from weasyprint import HTML  # heavy import (Pango): only where a PDF is made

    html = render_html(figures, number=number, issued_at=issued_at)
    return HTML(string=html).write_pdf()


def render_docx(figures: dict, *, number: int | None = None, issued_at: datetime | None = None) -> bytes:
    from .word import build_docx

    context = document_context(figures, number=number, issued_at=issued_at)
    out = io.BytesIO()
    build_docx(context).save(out)
    return out.getvalue()


def render(figures: dict, fmt: str, *, number: int | None = None, issued_at: datetime | None = None) -> bytes:
    """One format of the document, in the document language."""
    with translation.override(DOCUMENT_LANGUAGE):
        if fmt == "pdf":
            return render_pdf(figures, number=number, issued_at=issued_at)
        if fmt == "docx":
            return render_docx(figures, number=number, issued_at=issued_at)
        if fmt == "html":
            return render_html(figures, number=number, issued_at=issued_at).encode()
    raise ValueError(f"unknown format {fmt!r}")


def render_all(
    figures: dict, *, issued: bool = True, number: int | None = None, issued_at: datetime | None = None
) -> list[RenderedFile]:
    """The PDF, DOCX and HTML of an edition (or a draft: `issued=False`)."""
    issued_at = issued_at or timezone.now()
    stem = file_stem(figures, number if issued else None)
    return [
        RenderedFile(f"{stem}.{fmt}", render(figures, fmt, number=number, issued_at=issued_at), content_type)
        for fmt, content_type in FORMATS.items()
    ]

"""The editable DOCX of a summary (python-docx): the same headings as Word styles (Title,
Heading 1–2), the same tables, A4 with the GB/T 9704 margins and "— N —" page numbers in the
footer, so the drafting staff can edit a copy in Word or WPS. Charts are left to the PDF (the
annex table carries their figures)."""

from __future__ import annotations

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Noto Sans CJK SC"


def _east_asian(style, name: str = FONT) -> None:
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" —")


def _table(document, table) -> None:
    if table.caption:
        document.add_paragraph(table.caption, style="Caption")
    if not table.rows:
        document.add_paragraph(table.empty)
        return
    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.headers, strict=True):
        cell.text = text
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def build_docx(context: dict):
    """The Word document of a summary's `document_context`."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption"):
        _east_asian(document.styles[name])
    document.styles["Normal"].font.size = Pt(11)
    _page_number_footer(section)
    section.header.paragraphs[0].text = f"{context['title']} · {context['data_version']}"
    title = document.add_heading(context["title"], level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    issuer = document.add_paragraph(
        " · ".join(x for x in (context["issuing_body"], context["issued_on"]) if x)
    )
    issuer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    version = document.add_paragraph(context["data_version"])
    version.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part_title, blocks in context["parts"]:
        document.add_heading(part_title, level=1)
        for block in blocks:
            document.add_heading(block.heading, level=2)
            for text in block.paragraphs:
                document.add_paragraph(text)
            for table in block.tables:
                _table(document, table)
    document.add_heading(context["annex_title"], level=1)
    _table(document, context["annex_table"])
    return document

"""The one table reader and the one writer of apps.core (shared/spec/exchange.md "Files")."""

import io

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from apps.core.exports import (
    csv_cell,
    escape_text,
    people_preamble,
    people_xlsx,
    table_csv,
    table_xlsx,
    unescape_text,
    xlsx_cell,
)
from apps.core.tables import Columns, ImportRejected, Limits, RowError, read_table

ATTACK = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


COLUMNS = Columns(required=("code", "value"), optional=("note",), ignored=("unit",))


def read(data: bytes | str, filename="t.csv", **kwargs):
    data = data.encode("utf-8") if isinstance(data, str) else data
    return read_table(io.BytesIO(data), filename, columns=COLUMNS, **kwargs)


def errors_of(data, filename="t.csv", **kwargs) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as exc:
        read(data, filename, **kwargs)
    return [(e.row, e.field) for e in exc.value.row_errors]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_is_escaped_and_unescaped(start):
    text = f"{start}SUM(A1:A9)"
    assert escape_text(text) == "'" + text
    assert unescape_text(escape_text(text)) == text


@pytest.mark.parametrize("text", ["-6", "+1.5", "-0.25e3", "plain", "'quoted", "", "New steel plant"])
def test_numbers_and_ordinary_text_are_left_alone(text):
    assert escape_text(text) == text
    assert unescape_text(text) == text


def test_only_one_quote_is_removed_and_only_before_a_formula_start():
    assert unescape_text("''=x") == "''=x"
    assert unescape_text("'abc") == "'abc"
    assert unescape_text("'=x") == "=x"


def test_cells_keep_numbers_as_numbers():
    from decimal import Decimal

    assert csv_cell(Decimal("5.000")) == "5" and csv_cell(None) == "" and csv_cell(3) == 3
    assert xlsx_cell(Decimal("1.5")) == Decimal("1.5") and xlsx_cell(ATTACK) == "'" + ATTACK


def test_a_formula_note_is_escaped_in_csv():
    text = table_csv(["code", "note"], [["a", ATTACK], ["b", -6]])
    lines = text.lstrip("\ufeff").splitlines()
    assert lines == ["code,note", f"a,'{ATTACK}", "b,-6"]


def test_a_formula_note_is_a_text_cell_in_xlsx():
    data = table_xlsx("t", ["code", "note"], [["a", ATTACK], ["b", "=1+1"]])
    sheet = load_workbook(io.BytesIO(data)).active
    for cell in (sheet["B2"], sheet["B3"]):
        assert cell.data_type == "s"  # text, never a formula
        assert cell.value.startswith("'=")
    plain = table_xlsx("t", ["code", "note"], [["a", ATTACK]], styled=False)
    assert load_workbook(io.BytesIO(plain)).active["B2"].data_type == "s"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reads_back_unchanged(fmt):
    rows = [["a", "1.5", ATTACK], ["b", "-6", "@mention"]]
    if fmt == "csv":
        data, name = table_csv(["code", "value", "note"], rows).encode("utf-8"), "t.csv"
    else:
        data, name = table_xlsx("t", ["code", "value", "note"], rows), "t.xlsx"
    table = read(data, name)
    assert [(r.row, r.text("code"), r.text("value"), r.text("note")) for r in table.rows] == [
        (2, "a", "1.5", ATTACK),
        (3, "b", "-6", "@mention"),
    ]


def test_nul_bytes_are_a_row_error_naming_the_column_and_the_other_rows_are_read():
    table = read("code,value\na,1\nb\x00,2\nc,3\n")
    assert [r.text("code") for r in table.rows] == ["a", "c"]
    assert [(e.row, e.field) for e in table.errors] == [(3, "code")]
    assert table.errors[0].message.startswith("code: ") and "U+0000 (NUL)" in table.errors[0].message


def test_every_control_character_cell_is_an_error_but_tab_and_newlines_are_text():
    table = read('code,value,note\na,1,"two\r\nlines\tand a tab"\nb\x01,2\x7f,x\nc,3,\x1b[31m\n')
    assert [r.text("code") for r in table.rows] == ["a"]
    assert table.rows[0]["note"] == "two\r\nlines\tand a tab"
    assert [(e.row, e.field) for e in table.errors] == [(3, "code"), (3, "value"), (4, "note")]
    assert "U+007F (DEL)" in table.errors[1].message and "U+001B (ESC)" in table.errors[2].message


def test_a_header_with_nul_bytes_is_binary_data():
    assert errors_of("c\x00o\x00d\x00e\x00,value\n") == [(0, "file")]


def test_every_header_problem_at_once():
    assert errors_of("code,code,extra\n1,2,3\n") == [(1, "header")] * 3


def test_ignored_columns_are_accepted_and_dropped():
    table = read("code,value,unit\na,1,t\n")
    assert table.rows[0].cells == {"code": "a", "value": "1"}


def test_limits_and_unreadable_files_are_file_errors():
    assert errors_of("code,value\n" + "a,1\n" * 10, limits=Limits(max_rows=3)) == [(0, "file")]
    assert errors_of("code,value\n" + "a,1\n" * 100, limits=Limits(max_bytes=100)) == [(0, "file")]
    assert errors_of(b"\xff\xfe garbage") == [(0, "file")]
    assert errors_of(b"x" * 10, "t.xls") == [(0, "file")]
    assert errors_of(b"PK\x03\x04junk", "t.csv") == [(0, "file")]
    assert errors_of("") == [(0, "file")]
    assert errors_of("code,value\n\n,\n") == [(0, "file")]


def test_a_zip_bomb_is_refused_before_unpacking():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"\0" * (2 * 1024 * 1024))
    with pytest.raises(ImportRejected) as exc:
        read(buffer.getvalue(), "t.xlsx", limits=Limits(max_unpacked_bytes=1024 * 1024))
    assert "too large when unpacked" in exc.value.row_errors[0].message


def test_xlsx_cells_keep_their_types_and_blank_rows_are_skipped():
    workbook = Workbook()
    workbook.active.append(["code", "value"])
    workbook.active.append([360102, 2.5])
    workbook.active.append([None, None])
    workbook.active.append(["b", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read(buffer.getvalue(), "t.xlsx")
    assert [(r.row, r["code"], r["value"]) for r in table.rows] == [(2, 360102, 2.5), (4, "b", None)]


def test_row_errors_print_like_a_spreadsheet_and_are_capped():
    assert str(RowError(7, "value", "Bad.")) == "Row 7: Bad."
    assert str(RowError(0, "file", "The file is empty.")) == "The file is empty."
    rejected = ImportRejected.capped([RowError(n, "x", "bad") for n in range(10, 2, -1)], 3)
    assert [e.row for e in rejected.row_errors] == [3, 4, 5, 0]
    assert rejected.row_errors[-1].message.startswith("…")


# --- files for people: title lines above a translated header (issue 15) -----------------------------

LABELLED = Columns(
    required=("code", "value"),
    optional=("note",),
    ignored=("name",),
    aliases=(
        (gettext_lazy("Code"), "code"),
        (gettext_lazy("Value"), "value"),
        (gettext_lazy("Name"), "name"),
    ),
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_xlsx_for_people_reads_back_below_its_title_lines_with_its_translated_header(language):
    with translation.override(language):
        content = people_xlsx(
            "Title",
            [str(gettext_lazy(c)) for c in ("Name", "Code", "Value")],
            [["Coal", "a", 1.5]],
            version="#1",
        )
    table = read_table(io.BytesIO(content), "t.xlsx", columns=LABELLED)
    header_row = 6  # title, filters, data version, generation time, blank line, then the header
    assert [(r.row, r.cells) for r in table.rows] == [(header_row + 1, {"code": "a", "value": 1.5})]


def test_the_machine_header_wins_over_labels_and_a_missing_header_is_reported_at_row_1():
    table = read_table(io.BytesIO(b"name,code,value\nx,a,1\n"), "t.csv", columns=LABELLED)
    assert [r.cells for r in table.rows] == [{"code": "a", "value": "1"}]
    with pytest.raises(ImportRejected) as exc:
        read_table(io.BytesIO(b"title\nsomething,else\nx,a\n"), "t.csv", columns=LABELLED)
    assert (exc.value.row_errors[0].row, exc.value.row_errors[0].field) == (1, "header")


def test_the_people_preamble_states_filters_data_version_and_beijing_time():
    with translation.override("zh-hans"):
        lines = people_preamble("标题", ["年份：2024"], version="数据版本 #7")
    assert lines[0] == ["标题"]
    assert lines[1] == ["筛选条件", "年份：2024"] and lines[2] == ["数据版本", "数据版本 #7"]
    label, made = lines[3]
    assert label == "生成时间（北京时间）" and made.value.tzinfo is None
    assert abs(made.value - timezone.localtime().replace(tzinfo=None)).total_seconds() < 120

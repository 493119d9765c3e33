"""The summary document's tables do not break short columns one character per line (issue 14,
leftover b): a level, a region's name or a short header stays on one line, numbers are right
aligned, and the printed tables get their column widths."""

from django.template.loader import render_to_string

from apps.oversight.documents.context import Block, Table


def test_short_columns_do_not_wrap_and_long_text_does():
    table = Table(
        ["警告", "层级", "判定规则"],
        [
            ["能耗强度年度预警", "▲ 黄色", "黄色：0 ≤ r_t < 年度目标 a，落后进度超过百分之十的情形"],
            ["能源消费总量预警", "● 红色", "12.5%"],
        ],
    )
    assert [css for _text, css in table.cells()[0]] == ["nowrap", "nowrap", ""]
    assert [css for _h, css in table.header_cells()] == ["nowrap", "nowrap", "nowrap"]
    numbers = Table(["地区", "累计降低（%）"], [["东湖区", "6.96%"], ["西湖区", "—"]])
    assert [css for _text, css in numbers.cells()[0]] == ["nowrap", "num"]


def test_the_document_gives_the_table_its_widths_and_classes():
    table = Table(
        ["警告", "层级", "判定规则"],
        [["能耗强度年度预警", "▲ 黄色", "黄色：一条很长的判定规则说明文字，需要换行显示"]],
    )
    html = render_to_string(
        "oversight/summaries/_document_body.html",
        {
            "parts": [
                (
                    "一、基本情况",
                    [Block("六项预警", [], [table])],
                )
            ],
            "annex_table": Table(["地区"], []),
            "printed": True,
        },
    )
    widths = table.widths()
    assert f'<col style="width: {widths[1]:.2f}%">' in html
    assert widths[2] > widths[1]  # the rule's long text takes the room left
    assert '<td class="nowrap">▲ 黄色</td>' in html
    assert '<th scope="row" class="nowrap">能耗强度年度预警</th>' in html

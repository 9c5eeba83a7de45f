"""Loading .md/.txt/.docx/.pdf into a Report. Every input file is generated in tmp_path by the
test itself (tests/docgen.py); nothing binary is committed."""

import os

import pdfplumber
import pytest

from drafter.analysis.view import Analysis
from drafter.documents.load import load
from drafter.errors import InputError
from drafter.review.engine import review
from tests import docgen
from tests.conftest import SEEDS as SEEDS_BY_KEY

SEED = docgen.seed_text("gl")  # 政务系统管理: 110000 → 调减后 99000, 支出 57790, 结余 41210


# --- text encodings ------------------------------------------------------------------------


@pytest.fixture
def utf8_report(tmp_path):
    path = tmp_path / "utf8.txt"
    path.write_bytes(SEED.encode("utf-8"))
    return load(path)


@pytest.mark.parametrize(
    "encoding, data",
    [
        ("utf-8-bom", b"\xef\xbb\xbf" + SEED.encode("utf-8")),
        ("gb18030", SEED.encode("gb18030")),
        ("gbk", SEED.encode("gbk")),
        ("gb2312", SEED.encode("gb2312")),
        ("utf-16-bom", SEED.encode("utf-16")),
        ("utf-16-le-no-bom", SEED.encode("utf-16-le")),
        ("utf-16-be-no-bom", SEED.encode("utf-16-be")),
        ("crlf-utf-8", SEED.replace("\n", "\r\n").encode("utf-8")),
        ("crlf-gbk", SEED.replace("\n", "\r\n").encode("gbk")),
    ],
)
def test_every_encoding_decodes_to_the_same_text(tmp_path, utf8_report, encoding, data):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(data)
    report = load(path)
    assert report.text == utf8_report.text == SEED
    assert report.meta == utf8_report.meta and report.meta["year"] == 2023
    assert report.body_start == utf8_report.body_start > 0
    assert report.format == "txt"


def test_gbk_markdown_file_is_reviewed_like_the_utf8_one(tmp_path):
    gbk, utf8 = tmp_path / "gbk.md", tmp_path / "utf8.md"
    gbk.write_bytes(SEED.encode("gbk"))
    utf8.write_bytes(SEED.encode("utf-8"))
    a, b = review(gbk), review(utf8)
    assert [f.public() for f in a.findings] == [f.public() for f in b.findings]
    assert any(f.rule == "execution-unexplained" for f in a.findings)


def test_utf8_cut_inside_its_last_character_keeps_the_rest(tmp_path):
    data = SEED.encode("utf-8") + "。".encode("utf-8")[:2]
    path = tmp_path / "cut.md"
    path.write_bytes(data)
    assert load(path).text == SEED


def test_a_stray_invalid_byte_does_not_turn_utf8_into_gbk_mojibake(tmp_path):
    data = SEED.encode("utf-8").replace("结余 41210 元".encode(), "结余 41210 元".encode() + b"\xff", 1)
    path = tmp_path / "stray.md"
    path.write_bytes(data)
    text = load(path).text
    assert "结余 41210 元\ufffd" in text
    assert text.replace("\ufffd", "") == SEED


def test_year_from_metadata_text_or_title(tmp_path):
    path = tmp_path / "y.md"
    path.write_text("---\nyear: '2022'\n---\n正文。\n", encoding="utf-8")
    assert load(path).year == 2022
    path.write_text("财政支出项目绩效自评报告\n（2021年度）\n正文。\n", encoding="utf-8")
    assert load(path).year == 2021


def test_form_feed_page_breaks_become_line_breaks_of_the_same_length(tmp_path):
    # pdftotext and some Word exports put \f between pages
    text = SEED.replace("指标调减后\n\n金额为", "指标调减后\n\f金额为")
    path = tmp_path / "ff.txt"
    path.write_text(text, encoding="utf-8")
    report = load(path)
    assert len(report.text) == len(text) and "\f" not in report.text
    assert "指标调减后金额为 99000 元" in Analysis(report).text


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("x.txt", lambda: os.urandom(3000) + b"\x00" + os.urandom(100), "这是二进制文件，不是文字报告"),
        ("x.md", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nplain enough", "这是 PDF 文件，不是文本：请把扩展名改为 .pdf"),
        ("x.txt", lambda: b"PK\x03\x04" + b"\x14" * 30 + b"word/document.xml",
         "这是 Word（.docx）文件，不是文本：请把扩展名改为 .docx"),
    ],
)
def test_binary_content_in_a_text_file_is_named(tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data())
    with pytest.raises(InputError) as exc:
        load(path)
    assert problem in str(exc.value)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


# --- .docx ---------------------------------------------------------------------------------

DOCX_ITEMS = [
    ("title", "财政支出项目绩效自评报告"),
    ("p", "(2023 年度)"),
    ("h1", "一、基本情况"),
    ("h2", "（一）项目单位基本情况"),
    ("p", "县政务服务数据管理局是县政府工作部门，为正科级。"),
    ("h2", "（二）项目基本情况"),
    ("p", "项目资金按工作实际开展情况安排资金。"),
    ("table", docgen.FUNDS_ROWS),
    ("p", "表后的说明段落。"),
    ("h1", "二、自评情况"),
    ("h2", "（一）自评分数"),
    ("p", "自评 100 分。"),
]


def test_docx_paragraphs_headings_and_table_rows_in_document_order(tmp_path):
    report = load(docgen.write_docx(tmp_path / "r.docx", DOCX_ITEMS))
    assert report.format == "docx"
    assert report.text.split("\n") == [
        "# 财政支出项目绩效自评报告",
        "(2023 年度)",
        "# 一、基本情况",
        "## （一）项目单位基本情况",
        "县政务服务数据管理局是县政府工作部门，为正科级。",
        "## （二）项目基本情况",
        "项目资金按工作实际开展情况安排资金。",
        "| 项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |",
        "| 年度资金总额 | 11 | 9.9 | 5.779 | 10 | 58.37% | 5.84 |",
        "| 其中：当年财政拨款 | 11 | 9.9 | 5.779 | — | 58.37% | — |",
        "| 上年结转资金 | 0 | 0 | 0 | — | — | — |",
        "| 其他资金 | 0 | 0 | 0 | — | — | — |",
        "表后的说明段落。",
        "# 二、自评情况",
        "## （一）自评分数",
        "自评 100 分。",
        "",
    ]
    assert [b.kind for b in report.blocks] == ["paragraph"] * 7 + ["table_row"] * 5 + ["paragraph"] * 4
    for block in report.blocks:  # blocks locate their line exactly
        assert report.text[block.start : block.end] == report.text[block.start :].split("\n", 1)[0]
    assert report.blocks[7].ref == "t0r0" and report.blocks[11].ref == "t0r4"
    assert report.year == 2023


def test_docx_funds_table_gives_the_budget_figures(tmp_path):
    report = load(docgen.write_docx(tmp_path / "r.docx", DOCX_ITEMS))
    analysis = Analysis(report)
    found = analysis.budget.found
    values = {role: found[role][0].value for role in ("initial", "adjusted", "spent", "rate")}
    assert values == pytest.approx({"initial": 110000, "adjusted": 99000, "spent": 57790, "rate": 58.37})
    assert all(found[role][0].source == "table" for role in values)
    # the figure's span points at the cell in the report text
    spent = found["spent"][0]
    start, end = analysis.orig_span(spent.start, spent.end)
    assert report.text[start:end] == "5.779"
    # and the review sees them: 100 points with 58% execution
    rules = {f.rule for f in review(report).findings}
    assert "score-exceeds-execution" in rules


def test_docx_headings_are_sections(tmp_path):
    analysis = Analysis(load(docgen.write_docx(tmp_path / "r.docx", DOCX_ITEMS)))
    assert [s.key for s in analysis.all_sections] == ["一", "一/（一）", "一/（二）", "二", "二/（一）"]


def test_docx_custom_heading_styles_count_by_outline_level(tmp_path):
    items = [("outline1", "一、基本情况"), ("outline2", "（一）项目单位基本情况"), ("p", "正文。"),
             ("outline1", "二、自评情况")]
    report = load(docgen.write_docx(tmp_path / "o.docx", items))
    assert report.text == "# 一、基本情况\n## （一）项目单位基本情况\n正文。\n# 二、自评情况\n"
    assert [s.key for s in Analysis(report).all_sections] == ["一", "一/（一）", "二"]


def test_docx_automatic_numbering_is_written_into_the_text(tmp_path):
    # Word draws "一、" and "（一）" from the numbering definition; they are not in the runs
    report = load(docgen.docx_with_numbered_headings(tmp_path / "n.docx"))
    lines = report.text.split("\n")
    assert lines[:4] == ["# 一、基本情况", "## （一）项目单位基本情况", "县政务服务数据管理局是县政府工作部门。",
                         "## （二）项目基本情况"]
    assert "# 二、自评情况" in lines and "## （二）资金使用绩效" in lines and "1.资金支出情况" in lines
    keys = [s.key for s in Analysis(report).all_sections]
    assert keys == ["一", "一/（一）", "一/（二）", "二", "二/（一）", "二/（二）", "二/（二）/1"]


def test_docx_styles_are_looked_up_once_per_style(tmp_path, monkeypatch):
    # python-docx finds a paragraph's default style by going through every style, on every
    # call (1 ms a paragraph: 25 s for 10 MB of XML); the reader asks once per style id
    from docx.styles.styles import Styles

    items = [("h1", "一、基本情况")] + [("p", f"第 {n} 段正文。") for n in range(500)]
    docgen.write_docx(tmp_path / "many.docx", items)
    calls = []
    default = Styles.default
    monkeypatch.setattr(Styles, "default", lambda self, kind: calls.append(kind) or default(self, kind))
    report = load(tmp_path / "many.docx")
    assert report.text.count("段正文。") == 500 and report.text.startswith("# 一、基本情况\n")
    assert len(calls) == 1


def test_docx_content_controls_tracked_changes_merged_cells(tmp_path):
    report = load(docgen.docx_with_odd_markup(tmp_path / "o.docx"))
    assert report.text.split("\n") == [
        "第一段。",
        "控件里的段落。",  # inside a w:sdt content control
        "支出 57790 元。",  # the tracked insertion, not the deleted 50000
        "二、自评情况",  # a soft line break splits the paragraph into lines
        "（一）自评分数",
        # one cell per grid column: merged text once, equal neighbours (10 | 10) both kept,
        # a "|" inside a cell cannot split it
        "| 指标 |  | 分值 | 得分 |",
        "| 产出指标 | 数量 | 10 | 10 |",
        "|  | 质量｜时效 | 20 | 18 |",
        "最后一段。",
        "",
    ]
    assert [s.key for s in Analysis(report).all_sections] == ["二", "二/（一）"]


BROKEN_1 = "对新设企业推行“马上办、零成本”，最大限度节省企业办事时间与成本，预计全年为 400 多家新设企业提供 4 枚印章"
BROKEN_2 = "免费刻制服务，实现一窗受理、半天出证，全流程网上快审快办目标。"
JOINED = BROKEN_1 + BROKEN_2


def _check_broken_paragraph(report):
    analysis = Analysis(report)
    assert JOINED in analysis.text  # the analysis reads one paragraph
    assert BROKEN_1 + "\n" + BROKEN_2 in report.text  # the report keeps the document's break
    forecast = [f for f in review(report).findings if f.rule == "forecast-as-result"]
    assert len(forecast) == 1
    f = forecast[0]
    # the finding quotes the original text across the break, and its offsets point at it
    assert f.quote == report.text[f.start : f.end]
    assert f.quote.startswith("预计全年为 400 多家") and f.quote.endswith("快审快办目标")
    assert "印章\n免费刻制" in f.quote


def test_docx_paragraph_broken_by_a_page_break_is_joined_for_analysis(tmp_path):
    items = [
        ("h1", "一、基本情况"),
        ("h2", "（二）项目基本情况"),
        ("p_pagebreak", BROKEN_1),
        ("p", BROKEN_2),
    ]
    report = load(docgen.write_docx(tmp_path / "r.docx", items))
    _check_broken_paragraph(report)


# --- .pdf ----------------------------------------------------------------------------------

LONG = (
    "县政务服务数据管理局是县政府工作部门，为正科级。内设办公室、规划建设股、政务数据股、政务管理股等4个股室。"
    "县行政服务中心为县政务服务数据管理局管理的公益一类事业单位。"
)


def test_reportlab_cid_font_text_extracts_as_chinese(tmp_path):
    # the premise of the PDF tests: STSong-Light text comes back from pdfplumber as Chinese
    path = docgen.write_pdf(tmp_path / "r.pdf", [[("line", "一、基本情况"), ("line", "年初预算为 110000 元。")]])
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].extract_text() == "一、基本情况\n年初预算为 110000 元。"


def test_pdf_text_loads_with_wrapped_lines_joined_and_page_numbers_dropped(tmp_path):
    pages = [
        [("line", "一、基本情况"), ("line", "（一）项目单位基本情况"), ("p", LONG),
         ("p", "主要职责：负责全县政务服务。")],
        [("line", "二、自评情况"), ("p", "自评 100 分。")],
    ]
    path = docgen.write_pdf(tmp_path / "r.pdf", pages, page_numbers=True)
    assert len(docgen.wrap(LONG, docgen.PAGE_W - 2 * docgen.MARGIN, 24)) == 3  # really wrapped
    report = load(path)
    assert report.format == "pdf"
    assert report.text.split("\n") == [
        "一、基本情况",
        "（一）项目单位基本情况",
        LONG,  # three printed lines, one paragraph
        "主要职责：负责全县政务服务。",
        "二、自评情况",
        "自评 100 分。",
        "",
    ]
    assert [b.ref for b in report.blocks] == ["page1l0", "page1l1", "page1l2", "page1l5", "page2l0", "page2l1"]
    assert [s.key for s in Analysis(report).all_sections] == ["一", "一/（一）", "二"]


def test_pdf_fake_bold_and_letter_spacing_read_as_plain_text(tmp_path):
    pages = [
        [
            ("bold", "一、基本情况"),
            ("spaced", "县政务服务数据管理局是县政府工作部门。"),
            ("spaced", "2023 年本项目支出 57790 元，结余 41210 元。"),
            ("line", "2023 年，县 A 公司支出 57790 元。"),
        ]
    ]
    report = load(docgen.write_pdf(tmp_path / "b.pdf", pages))
    assert report.text.split("\n") == [
        "一、基本情况",
        "县政务服务数据管理局是县政府工作部门。",
        "2023 年本项目支出 57790 元，结余 41210 元。",
        "2023 年，县 A 公司支出 57790 元。",
        "",
    ]


def test_pdf_table_rows_stay_where_the_table_is(tmp_path):
    pages = [
        [
            ("line", "二、自评情况"),
            ("line", "表前的一行。"),
            ("table", docgen.FUNDS_ROWS),
            ("line", "表后的一行。"),
            ("line", "自评 100 分。"),
        ]
    ]
    report = load(docgen.write_pdf(tmp_path / "t.pdf", pages))
    lines = report.text.split("\n")
    assert lines == [
        "二、自评情况",
        "表前的一行。",
        "| 项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |",
        "| 年度资金总额 | 11 | 9.9 | 5.779 | 10 | 58.37% | 5.84 |",
        "| 其中：当年财政拨款 | 11 | 9.9 | 5.779 | — | 58.37% | — |",
        "| 上年结转资金 | 0 | 0 | 0 | — | — | — |",
        "| 其他资金 | 0 | 0 | 0 | — | — | — |",
        "表后的一行。",
        "自评 100 分。",
        "",
    ]
    assert [b.kind for b in report.blocks].count("table_row") == 5
    found = Analysis(report).budget.found
    assert found["adjusted"][0].value == pytest.approx(99000)
    assert found["spent"][0].value == pytest.approx(57790)
    assert "score-exceeds-execution" in {f.rule for f in review(report).findings}


def test_pdf_paragraph_broken_by_a_page_break_is_joined_for_analysis(tmp_path):
    pages = [
        [("line", "一、基本情况"), ("line", "（二）项目基本情况"), ("line", BROKEN_1)],
        [("line", BROKEN_2)],
    ]
    report = load(docgen.write_pdf(tmp_path / "b.pdf", pages, page_numbers=True))
    _check_broken_paragraph(report)


def test_pdf_password_and_damage_are_named(tmp_path):
    with pytest.raises(InputError, match="PDF 设有密码"):
        load(docgen.write_encrypted_pdf(tmp_path / "locked.pdf"))
    good = docgen.write_pdf(tmp_path / "good.pdf", [[("line", "一、基本情况")]]).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good[: len(good) // 3])
    with pytest.raises(InputError, match="已损坏或不完整"):
        load(cut)
    renamed = tmp_path / "word.pdf"
    renamed.write_bytes(docgen.write_docx(tmp_path / "w.docx", [("p", "正文。")]).read_bytes())
    with pytest.raises(InputError, match="这是 Word（.docx）文件，不是 PDF"):
        load(renamed)


def test_old_doc_and_lock_files_get_their_own_advice(tmp_path):
    ole = tmp_path / "old.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    with pytest.raises(InputError, match=r"旧版 Word（\.doc）文件"):
        load(ole)
    lock = tmp_path / "~$report.docx"
    lock.write_bytes(b"\x06owner " * 20)
    with pytest.raises(InputError, match="锁文件"):
        load(lock)
    doc = tmp_path / "report.doc"
    doc.write_bytes(b"x")
    with pytest.raises(InputError, match=r"不支持的文件类型 \.doc：.*另存为 \.docx"):
        load(doc)


# --- the corpus as .docx and .pdf ----------------------------------------------------------


@pytest.mark.parametrize("seed", ["gl", "jstg", "ww"])
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_corpus_as_docx_and_pdf_gets_the_markdown_findings(tmp_path, seed, fmt):
    """The same report typed in Word, or printed to PDF (wrapped lines, numbers cut by the
    wrap, page numbers, the corpus's own page-break splits) is reviewed the same."""
    path = tmp_path / f"{seed}.{fmt}"
    if fmt == "docx":
        docgen.write_docx(path, docgen.seed_items(seed))
    else:
        docgen.write_pdf(path, docgen.seed_pdf_pages(seed), page_numbers=True)
    expected = [(f.rule, f.level, f.quote) for f in review(SEEDS_BY_KEY[seed]).findings]
    got = review(path)
    assert [(f.rule, f.level, f.quote) for f in got.findings] == expected
    report = load(path)
    for f in got.findings:
        assert report.text[f.start : f.end] == f.quote
    sections = [s.key for s in Analysis(report).all_sections]
    assert sections == [s.key for s in Analysis(load(SEEDS_BY_KEY[seed])).all_sections]

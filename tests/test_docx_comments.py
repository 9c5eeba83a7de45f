"""Reviewed Word files: every finding a comment by "drafter" on exactly its quoted text, the
original never modified, unplaceable findings on the nearest paragraph (never dropped), and
the CLI's `review --format docx -o OUT.docx` with its errors."""

import hashlib
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

import drafter
from drafter.documents.docx_comments import AUTHOR, commented_document, write_commented_docx
from drafter.documents.load import load
from drafter.errors import DrafterError
from drafter.findings import Finding
from tests import docgen
from tests.conftest import SEEDS
from tests.test_cli_input import DRAFTER


def ranges(document) -> dict[int, str]:
    """The text between each comment's range start and end, by comment id: an independent
    walk over the document body in order (deleted text skipped), paragraphs joined by "\\n"."""
    open_: dict[int, list[str]] = {}
    done: dict[int, str] = {}
    skip = {qn("w:del"), qn("w:moveFrom")}

    def walk(el):
        for child in el:
            if child.tag in skip:
                continue
            if child.tag == qn("w:commentRangeStart"):
                open_[int(child.get(qn("w:id")))] = []
            elif child.tag == qn("w:commentRangeEnd"):
                done[int(child.get(qn("w:id")))] = "".join(open_.pop(int(child.get(qn("w:id"))))).strip("\n")
            elif child.tag == qn("w:t"):
                for parts in open_.values():
                    parts.append(child.text or "")
            else:
                walk(child)
                if child.tag == qn("w:p"):
                    for parts in open_.values():
                        parts.append("\n")

    walk(document.element.body)
    assert not open_, "a comment range was never closed"
    return done


def comments_by_id(document) -> dict[int, object]:
    return {c.comment_id: c for c in document.comments}


def check_all_on_their_quotes(out: Path, findings: list[Finding]) -> None:
    document = docx.Document(str(out))
    comments = list(document.comments)
    assert len(comments) == len(findings)
    anchored = ranges(document)
    # comments are added in finding order: the n-th comment is the n-th finding
    for c, f in zip(sorted(comments, key=lambda c: c.comment_id), findings):
        assert c.author == AUTHOR
        assert c.text.startswith("【")
        assert f.rule in c.text and f.message in c.text
        if f.evidence:
            assert f"计算：{f.evidence}" in c.text
        if f.suggestion:
            assert f"建议：{f.suggestion}" in c.text
        assert anchored[c.comment_id] == f.quote


@pytest.mark.parametrize("seed", ["gl", "jstg", "ww"])
def test_markdown_seed_becomes_docx_with_every_finding_on_its_quote(tmp_path, seed):
    report = load(SEEDS[seed])
    result = drafter.review(report)
    assert result.findings
    out = tmp_path / "out.docx"
    placements = write_commented_docx(report, result, out)
    assert all(p.exact for p in placements)
    check_all_on_their_quotes(out, result.findings)
    document = docx.Document(str(out))
    # Markdown headings became heading styles, without their "#"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert "一、基本情况" in headings and not any(h.startswith("#") for h in headings)


def test_docx_copy_keeps_the_original_and_its_text(tmp_path):
    src = docgen.write_docx(tmp_path / "seed.docx", docgen.seed_items("gl"))
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    report = load(src)
    result = drafter.review(report)
    out = tmp_path / "reviewed.docx"
    write_commented_docx(report, result, out)
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert not list(docx.Document(str(src)).comments)
    check_all_on_their_quotes(out, result.findings)
    # splitting runs changed no text
    assert [p.text for p in docx.Document(str(out)).paragraphs] == [p.text for p in docx.Document(str(src)).paragraphs]


def test_span_across_runs_is_split_exactly_and_keeps_formatting(tmp_path):
    document = docx.Document()
    document.add_paragraph("一、自评情况", style="Heading 1")
    p = document.add_paragraph()
    p.add_run("本项目自")
    p.add_run("评 100").bold = True
    p.add_run(" 分，请审核。")
    document.add_paragraph("2023 年本项目支出 57790 元。")
    src = tmp_path / "runs.docx"
    document.save(str(src))
    report = load(src)
    start = report.text.index("自评 100 分")
    f = Finding(rule="score-test", category="score", level="error", message="测试", quote="自评 100 分",
                start=start, end=start + len("自评 100 分"), line=2, col=1)
    out = tmp_path / "out.docx"
    placements = write_commented_docx(report, [f], out)
    assert placements[0].exact and placements[0].anchored == "自评 100 分"
    reopened = docx.Document(str(out))
    assert ranges(reopened) == {0: "自评 100 分"}
    para = reopened.paragraphs[1]
    assert para.text == "本项目自评 100 分，请审核。"
    # the range markers sit exactly at the span's edges, and the bold part is still bold
    kids = [el for el in para._p if el.tag in (qn("w:r"), qn("w:commentRangeStart"), qn("w:commentRangeEnd"))]
    texts = []
    for el in kids:
        if el.tag == qn("w:r"):
            texts.append("".join(t.text for t in el.iter(qn("w:t"))) or "[ref]")
        else:
            texts.append("[" if el.tag == qn("w:commentRangeStart") else "]")
    assert texts == ["本项目", "[", "自", "评 100", " 分", "]", "[ref]", "，请审核。"]
    bold = {r.text: r.bold for r in para.runs if r.text}
    assert bold == {"本项目": None, "自": None, "评 100": True, " 分": None, "，请审核。": None}


def test_every_mapped_character_of_odd_markup_lands_on_itself(tmp_path):
    """Content controls, tracked changes, soft breaks, merged cells, a "|" in a cell, Word's
    numbering: each character of the report's text that exists in the document is anchored on
    that very character; a one-character comment on every one of them proves it."""
    for make in (docgen.docx_with_odd_markup, docgen.docx_with_numbered_headings):
        src = make(tmp_path / f"{make.__name__}.docx")
        report = load(src)
        positions = [i for i, ch in enumerate(report.text) if not ch.isspace() and ch not in "|#"]
        findings = [Finding(rule=f"r{i}", category="figures", level="info", message="m", quote=report.text[i],
                            start=i, end=i + 1, line=1, col=1) for i in positions]
        document, placements = commented_document(report, findings, src.read_bytes())
        exact = [p for p in placements if p.exact]
        for p in exact:
            assert p.anchored == p.finding.quote.replace("｜", "|"), (p.finding.start, p.anchored)
        missing = "".join(report.text[p.finding.start] for p in placements if not p.exact)
        if make is docgen.docx_with_numbered_headings:
            # the labels Word draws (一、 （一） 1.) are not in the document's text
            assert set(missing) <= set("一二（）1.、")
        else:
            assert missing == ""


def test_table_cell_finding_is_anchored_inside_its_cell(tmp_path):
    rows = [list(r) for r in docgen.FUNDS_ROWS]
    rows[1][5] = "68.37%"  # 5.779 / 9.9 is 58.37%
    src = docgen.write_docx(tmp_path / "t.docx", [("h1", "二、自评情况"), ("table", rows), ("p", "自评 100 分。")])
    report = load(src)
    result = drafter.review(report)
    in_table = [f for f in result.findings if "68.37%" in f.quote]
    assert in_table, [f.rule for f in result.findings]
    out = tmp_path / "out.docx"
    write_commented_docx(report, result, out)
    check_all_on_their_quotes(out, result.findings)
    reopened = docx.Document(str(out))
    cell = reopened.tables[0].cell(1, 5)
    assert cell.text == "68.37%"
    assert cell._tc.find(".//" + qn("w:commentRangeStart")) is not None


def test_unplaceable_findings_go_on_the_nearest_paragraph(tmp_path):
    text = "---\nunit: 县局\n---\n# 报告\n\n## 一、基本情况\n\n县局负责网站运行。\n"
    report = drafter.from_text(text)
    heading = text.index("## 一")
    findings = [
        # in the metadata header, which the document does not show
        Finding(rule="meta-rule", category="structure", level="warning", message="元数据", quote="unit", start=4,
                end=8, line=2, col=1),
        # only the heading's "## " marker
        Finding(rule="marker-rule", category="structure", level="info", message="标记", quote="## ", start=heading,
                end=heading + 3, line=6, col=1),
        # no text at all, at the very end
        Finding(rule="empty-rule", category="structure", level="warning", message="缺少章节", quote="",
                start=len(text), end=len(text), line=9, col=1),
    ]
    out = tmp_path / "out.docx"
    placements = write_commented_docx(report, findings, out)
    assert [p.exact for p in placements] == [False, False, False]
    assert [p.anchored for p in placements] == ["报告", "一、基本情况", "县局负责网站运行。"]
    reopened = docx.Document(str(out))
    comments = sorted(reopened.comments, key=lambda c: c.comment_id)
    assert [c.author for c in comments] == [AUTHOR] * 3
    assert all("批注放在最近的段落" in c.text for c in comments)
    assert [r for r in ("meta-rule", "marker-rule", "empty-rule") if any(r in c.text for c in comments)] == [
        "meta-rule", "marker-rule", "empty-rule"]
    assert ranges(reopened) == {p.comment_id: p.anchored for p in placements}


def test_numbering_label_only_finding_goes_on_its_heading(tmp_path):
    src = docgen.docx_with_numbered_headings(tmp_path / "n.docx")
    report = load(src)
    start = report.text.index("一、")
    f = Finding(rule="label", category="structure", level="info", message="m", quote="一、", start=start,
                end=start + 2, line=1, col=1)
    document, placements = commented_document(report, [f])
    assert not placements[0].exact and placements[0].anchored == "基本情况"


def test_pdf_and_txt_reports_become_docx_with_comments(tmp_path):
    pdf = docgen.write_pdf(tmp_path / "r.pdf", docgen.seed_pdf_pages("gl"))
    txt = tmp_path / "r.txt"
    txt.write_text(docgen.seed_text("jstg"), encoding="utf-8")
    for src in (pdf, txt):
        report = load(src)
        result = drafter.review(report)
        out = tmp_path / f"{src.stem}-{src.suffix[1:]}.docx"
        write_commented_docx(report, result, out)
        check_all_on_their_quotes(out, result.findings)


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    report = load(SEEDS["gl"])
    result = drafter.review(report)
    out = tmp_path / "out.docx"
    out.write_bytes(b"old")

    def boom(self, path):
        Path(path).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", boom)
    with pytest.raises(DrafterError, match="No space left"):
        write_commented_docx(report, result, out)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.docx"]


# --- the command line ------------------------------------------------------------------------


def run(args, cwd):
    return subprocess.run(DRAFTER + args, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_review_format_docx(tmp_path):
    src = docgen.write_docx(tmp_path / "报告.docx", docgen.seed_items("gl"))
    before = src.read_bytes()
    proc = run(["review", "报告.docx", "--format", "docx", "-o", "审核.docx"], tmp_path)
    findings = drafter.review(load(src)).findings
    assert proc.returncode == 1, proc.stderr  # error-level findings, as with the other formats
    assert proc.stderr == ""
    assert f"写入 审核.docx：{len(findings)} 条批注" in proc.stdout
    assert src.read_bytes() == before
    check_all_on_their_quotes(tmp_path / "审核.docx", findings)
    md = run(["review", str(SEEDS["ww"]), "--format", "docx", "-o", "ww.docx"], tmp_path)
    assert md.returncode == 1 and (tmp_path / "ww.docx").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["review", "a.md", "--format", "docx"], "drafter: --format docx 输出 Word 文件：请用 -o OUT.docx 指定文件"),
        (["review", "a.md", "--format", "docx", "-o", "out.md"],
         "drafter: out.md: --format docx 的输出文件名须以 .docx 结尾"),
        (["review", "a.md", "b.md", "--format", "docx", "-o", "out.docx"],
         "drafter: --format docx 一次只为一份报告输出批注副本（收到 2 个文件）"),
        (["review", "a.md", "-o", "out.docx"],
         "drafter: -o/--output 只用于 --format docx（其他格式输出到标准输出）"),
        (["review", "broken.docx", "--format", "docx", "-o", "out.docx"],
         "drafter: broken.docx: 不是有效的 Word（.docx）文件（包里没有 Word 文档）"),
        (["review", "a.md", "--format", "docx", "-o", "no-such-dir/out.docx"],
         "drafter: no-such-dir/out.docx: 无法写入这个文件（No such file or directory）"),
    ],
)
def test_cli_format_docx_errors(tmp_path, args, message):
    (tmp_path / "a.md").write_text(docgen.seed_text("gl"), encoding="utf-8")
    (tmp_path / "b.md").write_text(docgen.seed_text("ww"), encoding="utf-8")
    docgen.write_corrupt_docx(tmp_path / "broken.docx")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run(args, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == message
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, not even a .part


def test_cli_refuses_to_overwrite_the_report_itself(tmp_path):
    src = docgen.write_docx(tmp_path / "r.docx", docgen.seed_items("gl"))
    before = src.read_bytes()
    proc = run(["review", "r.docx", "--format", "docx", "-o", "r.docx"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "drafter: r.docx: 这就是报告本身；原文件不会被改动，请另选输出文件"
    )
    assert src.read_bytes() == before

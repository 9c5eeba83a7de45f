"""End to end in a real headless Chromium (Debian's ``chromium``, driven by Playwright; no
browser is downloaded): upload a seed report, see its findings highlighted, click one, download
the commented .docx; the filters; escaping of a hostile report; an oversized upload refused;
the draft page; a review over the time limit; DNS rebinding and a cross-site form refused.
Screenshots go to tests/artifacts/.

Without /usr/bin/chromium these tests skip, saying why; with CI=true they fail instead."""

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import docx
import pytest

import drafter
from tests import docgen
from tests.conftest import ROOT, SEEDS
from tests.test_docx_comments import ranges

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
FACTS = ROOT / "examples" / "facts-zwxt.yaml"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
        # a name of another site that resolves to this machine, as after a DNS rebinding
        "--host-resolver-rules=MAP rebind.test 127.0.0.1"]


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = (f"{CHROMIUM} not found: install Debian's chromium and fonts-wqy-microhei (.ci/run does) "
              "to run the browser tests")
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def _serve(app):
    """Serve ``app`` under uvicorn on a free port, in a thread of this process: yields its URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app under uvicorn on a free port, in a thread of this process."""
    _need_chromium()
    from drafter.web import WebSettings, create_app

    uploads = tmp_path_factory.mktemp("uploads")
    for url in _serve(create_app(WebSettings(no_index=True, tmp_root=str(uploads)))):
        yield url, uploads


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory):
    """The app with tests/web_hooks.py's backend (a report with 【慢】 never ends) and a time
    limit of 3 s."""
    _need_chromium()
    from drafter.web import WebSettings, create_app
    from tests.web_hooks import MisbehavingBackend

    uploads = tmp_path_factory.mktemp("uploads-limited")
    app = create_app(WebSettings(no_index=True, tmp_root=str(uploads), time_limit=3),
                     backend_class=MisbehavingBackend)
    yield from _serve(app)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="drafter-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, accept_downloads=True,
            viewport={"width": 1400, "height": 900}, locale="zh-CN")
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, server):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    yield page
    page.close()
    assert errors == [], errors  # no script error, no alert() ever ran
    assert list(server[1].iterdir()) == []  # upload folders are removed


def review_file(page, base: str, path: Path):
    page.goto(base + "/")
    page.set_input_files("#file", str(path))
    with page.expect_navigation():
        page.click("#review-submit")


def upload_refused(page, base: str, path: Path) -> int:
    """Upload a file the server refuses: the response's status, once the error page shows."""
    page.goto(base + "/")
    page.set_input_files("#file", str(path))
    with page.expect_response(lambda r: r.url.endswith("/review")) as response:
        page.click("#review-submit")
    page.wait_for_selector("#error-message")
    return response.value.status


def highlighted(page) -> tuple[set[str], set[int]]:
    data = page.eval_on_selector_all("#report-text mark.hl", "ms => ms.map(m => [m.dataset.rules, m.dataset.f])")
    rules = {r for rs, _ in data for r in rs.split()}
    ids = {int(i) for _, f in data for i in f.split()}
    return rules, ids


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """el => { const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }""")


def test_review_a_seed_report_click_a_finding_and_download_the_docx(page, server, tmp_path):
    base, _ = server
    findings = drafter.review(SEEDS["gl"]).findings
    review_file(page, base, SEEDS["gl"])
    assert page.inner_text("#report-name") == "gd-2023-zwxt-gl.md"
    rules, ids = highlighted(page)
    assert rules == {f.rule for f in findings}
    assert ids == set(range(len(findings)))
    assert page.locator("li.finding").count() == len(findings)
    # shown as a document (tests/test_web_document.py): every highlight on its finding's own characters
    for i, f in enumerate(findings):
        if f.end > f.start:
            assert page.inner_text(f"#q{i} + mark.hl").strip() in f.quote
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-gd-2023-zwxt-gl.png"), full_page=True)

    # click the score finding: its text scrolls into view and is marked current
    n = next(i for i, f in enumerate(findings) if f.rule == "score-exceeds-execution")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    mark = f"#q{n} + mark.hl"
    assert page.inner_text(mark) == findings[n].quote
    page.click(f"#f{n} a.jump")
    page.wait_for_function(f"""() => {{ const r = document.querySelector("{mark}").getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }}""", timeout=5000)
    assert "current" in page.get_attribute(mark, "class")
    assert "active" in page.get_attribute(f"#f{n}", "class")
    assert in_viewport(page, mark)
    page.screenshot(path=str(ARTIFACTS / "review-clicked-finding.png"))
    # and the other way: clicking a highlight selects its finding in the list
    k = next(i for i, f in enumerate(findings) if f.rule == "adjustment-unexplained")
    page.click(f"#q{k} + mark.hl")
    assert "active" in page.get_attribute(f"#f{k}", "class")
    assert "active" not in page.get_attribute(f"#f{n}", "class")

    # the commented Word file
    with page.expect_download() as info:
        page.click("#download-docx")
    out = tmp_path / "reviewed.docx"
    info.value.save_as(out)
    assert info.value.suggested_filename == "gd-2023-zwxt-gl-审核.docx"
    document = docx.Document(str(out))
    comments = sorted(document.comments, key=lambda c: c.comment_id)
    assert [c.author for c in comments] == ["drafter"] * len(findings)
    assert [next(f.rule for f in findings if f"{f.rule}：" in c.text) for c in comments] == [f.rule for f in findings]
    anchored = ranges(document)
    assert [anchored[c.comment_id] for c in comments] == [f.quote for f in findings]

    with page.expect_download() as info:
        page.click("#download-json")
    assert info.value.suggested_filename == "gd-2023-zwxt-gl-findings.json"


def test_filters_hide_findings_and_their_highlights(page, server):
    base, _ = server
    findings = drafter.review(SEEDS["gl"]).findings
    review_file(page, base, SEEDS["gl"])
    page.uncheck("#filters input[name=level][value=warning]")
    shown = page.eval_on_selector_all("li.finding:not([hidden])", "els => els.map(e => e.dataset.level)")
    assert sorted(shown) == sorted(f.level.value for f in findings if f.level.value != "warning")
    errors = {i for i, f in enumerate(findings) if f.level.value == "error"}
    for m in page.query_selector_all("#report-text mark.hl"):
        ids = {int(i) for i in m.get_attribute("data-f").split()}
        assert ("off" in m.get_attribute("class")) == (not ids & errors)
    assert page.inner_text("#shown") == f"显示 {len(shown)} / {len(findings)} 条"
    page.uncheck("#filters input[name=category][value=score]")
    left = page.eval_on_selector_all("li.finding:not([hidden])", "els => els.map(e => e.dataset.rule)")
    assert sorted(left) == sorted(f.rule for f in findings if f.level.value == "error" and f.category != "score")
    assert page.locator("section.group[data-category=score]").is_hidden()
    page.check("#filters input[name=level][value=warning]")
    page.check("#filters input[name=category][value=score]")
    assert page.locator("li.finding:not([hidden])").count() == len(findings)
    assert page.locator("#report-text mark.hl.off").count() == 0


def test_a_hostile_report_renders_as_text(page, server, tmp_path):
    base, _ = server
    evil = ("# 报告<script>window.__pwned = 1</script>\n\n"
            "<img src=x onerror=\"window.__pwned = 2\"> 项目本着厉行节约，注重效果的精神，专款专用，"
            "将拨款全部用于系统建设。"
            "2023 年本项目支出 57790 元，结余 41210 元。</article><script>alert('x')</script>\n")
    page.goto(base + "/")
    page.fill("#text", evil)
    with page.expect_navigation():
        page.click("#review-submit")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#report-text script, #report-text img, #report-text article").count() == 0
    text = page.inner_text("#report-text")
    assert "<script>window.__pwned = 1</script>" in text and "<img src=x onerror=\"window.__pwned = 2\">" in text
    assert "</article><script>alert('x')</script>" in text
    assert page.locator("#report-text mark.hl").count() > 0  # still reviewed
    # a hostile file name is shown as text too
    name = tmp_path / "<img src=x onerror=alert(1)>.md"
    name.write_text(evil, encoding="utf-8")
    review_file(page, base, name)
    assert page.inner_text("#report-name") == "<img src=x onerror=alert(1)>.md"
    assert page.evaluate("window.__pwned") is None


def test_an_oversized_upload_is_refused(page, server, tmp_path):
    base, _ = server
    big = tmp_path / "big.md"
    big.write_bytes(("自评 100 分。\n" * 10).encode() * 150_000)  # 21 MB
    assert big.stat().st_size > 20 * 1024 * 1024
    assert upload_refused(page, base, big) == 413
    assert page.inner_text("h1").startswith("文件太大")
    assert page.inner_text("#error-message") == f"上传的内容太大（{big.stat().st_size / 1048576:.1f} MB），上限为 20 MB"


def test_a_damaged_docx_gets_an_error_page(page, server, tmp_path):
    base, _ = server
    bad = docgen.write_corrupt_docx(tmp_path / "损坏.docx")
    assert upload_refused(page, base, bad) == 400
    assert page.inner_text("#error-message") == "损坏.docx: 不是有效的 Word（.docx）文件（包里没有 Word 文档）"
    assert "Traceback" not in page.content()


def test_draft_page_shows_the_draft_with_its_review(page, server, tmp_path):
    base, _ = server
    page.goto(base + "/draft")
    page.set_input_files("#facts-file", str(FACTS))
    with page.expect_navigation():
        page.click("#draft-file-submit")
    assert page.inner_text("#report-name") == "政务系统管理-2023"
    text = page.inner_text("#report-text")
    assert "项目名称：政务系统管理" in text and "41210" in text
    with page.expect_download() as info:
        page.click("#download-md")
    md = tmp_path / "draft.md"
    info.value.save_as(md)
    for line in md.read_text(encoding="utf-8").splitlines():  # the draft shown as a document
        shown = line.lstrip("#").strip()
        if shown and not line.startswith(("|", "---")) and ":" not in line:
            assert shown in text
    review = drafter.review(md.read_text(encoding="utf-8"))
    assert highlighted(page)[0] == {f.rule for f in review.findings}
    with page.expect_download() as info:
        page.click("#download-docx")
    out = tmp_path / "draft.docx"
    info.value.save_as(out)
    assert "财政支出项目绩效自评报告" in [p.text for p in docx.Document(str(out)).paragraphs]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "draft-facts-zwxt.png"))


def test_missing_chromium_skips_locally_and_fails_on_ci(monkeypatch):
    monkeypatch.setitem(_need_chromium.__globals__, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"^CI=true and /nonexistent/chromium not found"):
        _need_chromium()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match=r"^/nonexistent/chromium not found: install Debian's chromium"):
        _need_chromium()


def test_a_review_over_the_time_limit_gets_a_page_saying_so(page, limited_server):
    page.goto(limited_server + "/")
    page.fill("#text", "# 报告\n\n【慢】本项目自评 100 分。\n")
    with page.expect_response(lambda r: r.url.endswith("/review")) as response:
        page.click("#review-submit")
    assert response.value.status == 422
    page.wait_for_selector("#error-message")
    assert page.inner_text("h1") == "超出处理上限 HTTP 422"
    assert page.inner_text("#error-message") == (
        "审核超过了每个请求的时间上限（3 秒），已停止；服务器上的其他请求不受影响。"
        "请拆分报告或删去异常长的段落、表格后再试。")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "error-time-limit.png"))
    # the server goes on: the same page reviews the next report
    review_file(page, limited_server, SEEDS["gl"])
    assert page.inner_text("#report-name") == "gd-2023-zwxt-gl.md"


def test_a_rebound_host_name_gets_421(page, server):
    """A page of rebind.test whose name now resolves to 127.0.0.1 (as after DNS rebinding)
    cannot read this server: it is refused by name."""
    base, _ = server
    port = base.rsplit(":", 1)[1]
    response = page.goto(f"http://rebind.test:{port}/")
    assert response.status == 421
    assert page.inner_text("h1") == "主机名不被接受 HTTP 421"
    assert page.inner_text("#error-message") == (
        f"主机名“rebind.test:{port}”不被接受：这个服务器只在本机地址上监听，只接受 localhost、127.0.0.1 或 [::1] "
        f"作为主机名（以防 DNS 重绑定攻击）。请用 http://127.0.0.1:{port}/ 打开。")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "error-host-name.png"))
    assert page.goto(f"http://localhost:{port}/").status == 200


def test_a_form_posted_from_another_site_is_refused(page, server):
    """A page of attacker.test submits a form to this server: the browser sends its Origin,
    and the server refuses the POST without reading it."""
    base, _ = server
    attack = (f'<form method="post" action="{base}/review" enctype="multipart/form-data" id="f">'
              '<textarea name="text">自评 100 分。</textarea></form>'
              '<script>document.getElementById("f").submit()</script>')
    page.route("http://attacker.test/**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                      body=attack))
    with page.expect_response(lambda r: r.url == base + "/review") as response:
        page.goto("http://attacker.test/")
    assert response.value.status == 403
    assert response.value.request.headers["origin"] == "http://attacker.test"
    page.wait_for_selector("#error-message")
    assert page.inner_text("h1") == "拒绝跨站请求 HTTP 403"
    assert page.inner_text("#error-message") == (
        "拒绝跨站请求：这个提交来自另一个网站（http://attacker.test），不是本服务器自己的页面，没有处理。"
        "请在本服务器的页面上提交。")

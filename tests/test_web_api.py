"""The web app through FastAPI's test client: every page and API endpoint with good and bad
input, the upload limit and type checks, escaping of untrusted text, the token, and no key,
token or traceback in any page, response or log line."""

import io
import json
import logging
import re
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

import drafter
from drafter.documents.load import load
from drafter.draft.pipeline import draft
from drafter.facts.model import load_facts
from drafter.review.registry import load_rules
from drafter.web import WebSettings, create_app
from drafter.web.service import Backend
from tests import docgen
from tests.conftest import ROOT, SEEDS
from tests.test_docx_comments import ranges
from tests.test_facts_io import make_table

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FACTS = ROOT / "examples" / "facts-zwxt.yaml"


def make_client(tmp_path, raise_server_exceptions=True, backend_class=Backend, **settings) -> TestClient:
    uploads = tmp_path / "uploads"
    uploads.mkdir(exist_ok=True)
    settings.setdefault("no_index", True)
    app = create_app(WebSettings(tmp_root=str(uploads), **settings), backend_class=backend_class)
    # the server is bound to 127.0.0.1 (the default): requests are addressed to it
    return TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=raise_server_exceptions)


@pytest.fixture
def client(tmp_path):
    with make_client(tmp_path) as c:
        yield c
    # every upload folder was removed, whatever happened to the request
    assert list((tmp_path / "uploads").iterdir()) == []


def upload(path: Path, name: str | None = None, data: bytes | None = None):
    return {"file": (name or path.name, data if data is not None else path.read_bytes(), "application/octet-stream")}


def public(path) -> dict:
    result = drafter.review(load(path)).public()
    result["file"] = Path(path).name
    return result


# --- API: review ---------------------------------------------------------------------------


def test_info_names_the_backend_and_no_secret(client):
    r = client.get("/api/info")
    assert r.status_code == 200
    info = r.json()
    assert info["draft"]["backend"] == "offline" and info["index"]["kind"] == "none"
    assert info["rules"] == len(load_rules()) and info["max_mb"] == 20


def test_openapi_schema_lists_the_api(client):
    schema = client.get("/api/openapi.json").json()
    assert set(schema["paths"]) == {"/api/info", "/api/review", "/api/review/docx", "/api/draft", "/api/draft/docx"}
    body = schema["paths"]["/api/review"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(body["properties"]) == {"file", "text", "llm"} and body["properties"]["file"]["format"] == "binary"
    review_out = schema["paths"]["/api/review"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert review_out == {"$ref": "#/components/schemas/ReviewOut"}
    assert {"400", "413", "415"} <= set(schema["paths"]["/api/review"]["post"]["responses"])
    assert client.get("/docs").status_code == 404  # no page that would load scripts from a CDN


@pytest.mark.parametrize("seed", ["gl", "jstg", "ww"])
def test_api_review_of_a_markdown_file_equals_the_library(client, seed):
    r = client.post("/api/review", files=upload(SEEDS[seed]))
    assert r.status_code == 200
    assert r.json() == public(SEEDS[seed])


def test_api_review_of_pasted_text(client):
    text = SEEDS["gl"].read_text(encoding="utf-8")
    r = client.post("/api/review", data={"text": text})
    assert r.status_code == 200
    expected = drafter.review(text).public()
    assert r.json()["findings"] == expected["findings"] and r.json()["file"] == "粘贴的文本"


def test_api_review_of_docx_pdf_and_txt(client, tmp_path):
    files = [
        docgen.write_docx(tmp_path / "r.docx", docgen.seed_items("gl")),
        docgen.write_pdf(tmp_path / "r.pdf", docgen.seed_pdf_pages("jstg")),
    ]
    txt = tmp_path / "r.txt"
    txt.write_bytes(docgen.seed_text("ww").encode("gb18030"))
    files.append(txt)
    for f in files:
        r = client.post("/api/review", files=upload(f))
        assert r.status_code == 200, r.text
        assert r.json() == public(f)
        assert r.json()["findings"]


def test_api_review_docx_returns_the_commented_document(client, tmp_path):
    src = docgen.write_docx(tmp_path / "报告.docx", docgen.seed_items("gl"))
    r = client.post("/api/review/docx", files=upload(src))
    assert r.status_code == 200 and r.headers["content-type"] == DOCX
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"-.docx\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A-%E5%AE%A1%E6%A0%B8.docx"
    )
    document = docx.Document(io.BytesIO(r.content))
    findings = drafter.review(load(src)).findings
    comments = sorted(document.comments, key=lambda c: c.comment_id)
    assert [c.author for c in comments] == ["drafter"] * len(findings)
    assert [next(f.rule for f in findings if f.rule in c.text) for c in comments] == [f.rule for f in findings]
    assert [ranges(document)[c.comment_id] for c in comments] == [f.quote for f in findings]
    md = client.post("/api/review/docx", files=upload(SEEDS["ww"]))
    assert md.status_code == 200 and (len(docx.Document(io.BytesIO(md.content)).comments)
                                      == len(public(SEEDS["ww"])["findings"]))


def bad_inputs(tmp_path) -> list[tuple]:
    """(files or data, status, message) for input the reviewer must refuse clearly."""
    corrupt = docgen.write_corrupt_docx(tmp_path / "坏的.docx")
    blank = docgen.write_blank_pdf(tmp_path / "scan.pdf")
    return [
        ({}, 400, "请选择报告文件（.docx、.pdf、.md 或 .txt），或粘贴报告文字"),
        ({"data": {"text": "   \n  "}}, 400, "请选择报告文件（.docx、.pdf、.md 或 .txt），或粘贴报告文字"),
        ({"files": upload(corrupt)}, 400,
         "坏的.docx: 不是有效的 Word（.docx）文件（包里没有 Word 文档）"),
        ({"files": upload(corrupt, "x.docx", b"PK\x03\x04 not really a zip")}, 400,
         "x.docx: Word 文件已损坏，无法打开（不是可读的 zip 包）"),
        ({"files": upload(blank)}, 400, "scan.pdf: 这个 PDF 没有文字层（可能是扫描件）：请先做文字识别（OCR）"),
        ({"files": upload(blank, "empty.md", b"")}, 400, "empty.md: 文件是空的"),
        ({"files": upload(blank, "old.doc", b"\xd0\xcf\x11\xe0")}, 415,
         "old.doc: 不支持的文件类型 .doc：报告支持 .docx、.pdf、.md、.txt"
         "（这是旧版 Word 文件：请用 Word 或 WPS 另存为 .docx）"),
        ({"files": upload(blank, "run.exe", b"MZ")}, 415,
         "run.exe: 不支持的文件类型 .exe：报告支持 .docx、.pdf、.md、.txt"),
        ({"files": upload(blank, "noext", b"text")}, 415,
         "noext: 文件没有扩展名：报告支持 .docx、.pdf、.md、.txt"),
        ({"files": upload(blank, "pic.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)}, 400,
         "pic.md: 这是一张图片，不是文字报告：请先做文字识别（OCR）"),
    ]


def test_api_review_bad_input(client, tmp_path):
    for kwargs, status, message in bad_inputs(tmp_path):
        for path in ("/api/review", "/api/review/docx"):
            r = client.post(path, **kwargs)
            assert (r.status_code, r.json()) == (status, {"error": message}), (path, kwargs.keys())


def test_api_wants_a_form(client):
    r = client.post("/api/review", json={"text": "自评 100 分。"})
    assert r.status_code == 415
    assert r.json() == {"error": "请以 multipart/form-data 提交表单（file 字段，或文字字段）"}


def test_upload_limit(tmp_path):
    with make_client(tmp_path, max_bytes=4000) as c:
        # a body over the limit is refused before it is parsed
        big = c.post("/api/review", files=upload(SEEDS["gl"], "big.md", b"a" * (4000 + 2 * 1024 * 1024)))
        assert big.status_code == 413
        assert big.json() == {"error": f"上传的内容太大（2.0 MB），上限为 {4000 / 1048576:g} MB"}
        # a file just over the limit, in a body under the form's allowance
        over = c.post("/api/review", files=upload(SEEDS["gl"], "over.md", "自".encode() * 1400))
        assert over.status_code == 413
        assert over.json()["error"].startswith("over.md: 文件太大（0.0 MB），上限为")
        page = c.post("/review", files=upload(SEEDS["gl"], "over.md", "自".encode() * 1400))
        assert page.status_code == 413 and "over.md: 文件太大（0.0 MB），上限为" in page.text  # the page in Chinese
        pasted = c.post("/api/review", data={"text": "自" * 1400})
        assert pasted.status_code == 413 and pasted.json()["error"].startswith("粘贴的文字太多")

        # a body sent without a length (chunked) is counted as it arrives
        def chunked():
            yield b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.md"\r\n\r\n'
            for _ in range(40):
                yield b"a" * 65536
            yield b"\r\n--XyZ--\r\n"

        streamed = c.post("/api/review", content=chunked(),
                          headers={"content-type": "multipart/form-data; boundary=XyZ"})
        assert streamed.request.headers.get("transfer-encoding") == "chunked"
        assert (streamed.status_code, streamed.json()) == (
            413, {"error": f"上传的内容太大，上限为 {4000 / 1048576:g} MB"})
    assert list((tmp_path / "uploads").iterdir()) == []


def test_client_file_names_never_reach_the_disk(client, tmp_path):
    data = SEEDS["gl"].read_bytes()
    for name in ("../../escape.md", "/etc/passwd.md", "..\\..\\win.md", "a/b/../../c.md"):
        r = client.post("/api/review", files=upload(SEEDS["gl"], name, data))
        assert r.status_code == 200
        assert r.json()["file"] == re.split(r"[\\/]", name)[-1]
    assert not (tmp_path / "escape.md").exists() and not (tmp_path.parent / "escape.md").exists()


# --- API: draft ----------------------------------------------------------------------------


def test_api_draft_from_a_facts_file_equals_the_library(client, tmp_path):
    r = client.post("/api/draft", files=upload(FACTS))
    assert r.status_code == 200, r.text
    got = r.json()
    expected = draft(load_facts(FACTS), runs_dir=tmp_path / "runs")
    assert got["markdown"] == expected.markdown
    assert got["review"]["findings"] == expected.review.public()["findings"]
    assert (got["template"], got["backend"], got["note"], got["review"]["file"]) == (
        "gd-annex5", "offline", None, "draft.md")
    as_json = tmp_path / "facts.json"
    as_json.write_text(load_facts(FACTS).model_dump_json(), encoding="utf-8")
    assert client.post("/api/draft", files=upload(as_json)).json()["markdown"] == expected.markdown


def test_api_draft_from_a_table_and_from_the_form(client, tmp_path):
    xlsx = make_table(tmp_path / "自评表.xlsx")
    r = client.post("/api/draft", files=upload(xlsx))
    assert r.status_code == 200, r.text
    assert r.json()["template"] == "gd-annex5"
    assert r.json()["note"] == "事实文件的模板 national-table 是表格形式，报告按 gd-annex5 起草"
    assert "政务系统管理" in r.json()["markdown"]
    form = {"template": "gd-annex5", "year": "2023", "unit": "新丰县政务服务数据管理局", "project": "网站运维",
            "budget_unit": "元", "initial": "50000", "adjusted": "", "spent": "48,000", "self_score": "96",
            "achievements": "网站全年运行 365 天。\n发布信息 1200 条。", "problems": "", "improvements": ""}
    r = client.post("/api/draft", data=form)
    assert r.status_code == 200, r.text
    md = r.json()["markdown"]
    assert "项目名称：网站运维" in md and "48000" in md and "发布信息 1200 条" in md
    docx_r = client.post("/api/draft/docx", data=form)
    assert docx_r.status_code == 200 and docx_r.headers["content-type"] == DOCX
    paragraphs = [p.text for p in docx.Document(io.BytesIO(docx_r.content)).paragraphs]
    assert "财政支出项目绩效自评报告" in paragraphs and "项目名称：网站运维" in paragraphs


def test_api_draft_bad_input(client, tmp_path):
    bad_yaml = tmp_path / "f.yaml"
    bad_yaml.write_text(FACTS.read_text(encoding="utf-8").replace("spent: 57790", "spent: 五万"), encoding="utf-8")
    line = FACTS.read_text(encoding="utf-8").splitlines().index(
        next(x for x in FACTS.read_text(encoding="utf-8").splitlines() if x.startswith("  spent:"))) + 1
    form = {"template": "gd-annex5", "year": "2023", "unit": "县局", "project": "网站", "budget_unit": "元",
            "initial": "五万", "spent": "1"}
    cases = [
        ({}, 400, "请上传事实文件（.yaml、.json 或自评表 .xlsx），或填写表单"),
        ({"files": upload(bad_yaml)}, 400, f'f.yaml: budget.spent（第 {line} 行）：须为数字，收到 "五万"'),
        ({"files": upload(bad_yaml, "facts.txt")}, 415,
         "facts.txt: 不支持的文件类型 .txt：事实文件支持 .yaml、.json、.xlsx"),
        ({"files": upload(bad_yaml, "t.xlsx", b"not a workbook")}, 400,
         "t.xlsx: 无法作为 .xlsx 工作簿读取（BadZipFile）：请把表格另存为 .xlsx"),
        ({"files": upload(FACTS), "data": {"template": "national-table"}}, 400,
         "未知的起草模板 national-table（可用：gd-annex5、hb-yn-selfeval）"),
        ({"data": form}, 400, "表单：年初预算（initial）应为数字，收到“五万”"),
        ({"data": {**form, "initial": "100", "spent": "200"}}, 400,
         "表单：budget.spent：200 超过了预算数 100：请更正，或在 budget.spent_over_reason 中说明原因"),
        ({"data": {**form, "year": "", "initial": "1"}}, 400, "表单：年度（year）未填写"),
    ]
    for kwargs, status, message in cases:
        for path in ("/api/draft", "/api/draft/docx"):
            r = client.post(path, **kwargs)
            assert (r.status_code, r.json()) == (status, {"error": message}), (path, kwargs)


# --- pages -----------------------------------------------------------------------------------


def marked_rules(html: str) -> set[str]:
    return {rule for attr in re.findall(r'<mark class="hl[^"]*" data-f="[^"]*" data-rules="([^"]*)"', html)
            for rule in attr.split()}


def test_review_page_highlights_every_finding_and_offers_downloads(client):
    assert "开始审核" in client.get("/").text
    r = client.post("/review", files=upload(SEEDS["gl"]))
    assert r.status_code == 200
    findings = drafter.review(SEEDS["gl"]).findings
    assert marked_rules(r.text) == {f.rule for f in findings}
    covered = {int(i) for ids in re.findall(r'data-f="([\d ]+)" data-rules', r.text) for i in ids.split()}
    assert covered == set(range(len(findings)))
    assert len(re.findall(r'<li class="finding', r.text)) == len(findings)
    for f in findings:
        assert f'id="q{findings.index(f)}"' in r.text and str(escape(f.evidence)) in r.text
    # the text between the tags is the report's text without its markup (# ** and the header)
    article = re.search(r'<article class="report-text[^"]*"[^>]*>(.*?)</article>', r.text, re.S).group(1)
    article = article.split("</p>", 1)[1]  # after the metadata line
    import html as html_lib

    report = load(SEEDS["gl"])
    body = re.sub(r"(?m)^#+ |\*\*|\s", "", report.text[report.body_start:])
    assert re.sub(r"\s", "", html_lib.unescape(re.sub(r"<[^>]+>", "", article))) == body
    rid = re.search(r'href="/review/([\w-]+)/report.docx"', r.text).group(1)
    d = client.get(f"/review/{rid}/report.docx")
    assert d.status_code == 200 and d.headers["content-type"] == DOCX
    assert len(docx.Document(io.BytesIO(d.content)).comments) == len(findings)
    j = client.get(f"/review/{rid}/findings.json")
    assert j.status_code == 200 and json.loads(j.content) == public(SEEDS["gl"])
    assert client.get("/review/nope/report.docx").status_code == 404
    assert client.get("/draft/" + rid + "/draft.md").status_code == 404  # a review id is not a draft id


def test_review_page_errors_are_pages(client, tmp_path):
    for kwargs, status, message in bad_inputs(tmp_path):
        r = client.post("/review", **kwargs)
        assert r.status_code == status
        assert r.headers["content-type"].startswith("text/html")
        assert f'<p class="message" id="error-message">{escape(message)}</p>' in r.text
        assert "Traceback" not in r.text
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/review").status_code == 405


def test_untrusted_text_is_escaped(client):
    evil = ("# 报告<script>alert('x')</script>\n\n<img src=x onerror=alert(1)> 自评 100 分，"
            "执行率 50%。</article><script>document.title='pwned'</script>\n")
    r = client.post("/review", data={"text": evil})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text and "</article><script>" not in r.text
    assert ("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in r.text
            and "&lt;img src=x onerror=alert(1)&gt;" in r.text)
    assert r.text.count("<script") == 1  # the page's own /static/app.js
    named = client.post("/review", files=upload(SEEDS["gl"], "<img src=x onerror=alert(1)>.md"))
    assert named.status_code == 200
    assert "<img src=x" not in named.text
    assert '<h1 id="report-name">&lt;img src=x onerror=alert(1)&gt;.md</h1>' in named.text
    assert ("script-src" not in r.headers["content-security-policy"]
            and "default-src 'self'" in r.headers["content-security-policy"])


def test_draft_page_and_downloads(client, tmp_path):
    assert "起草" in client.get("/draft").text
    r = client.post("/draft", files=upload(FACTS))
    assert r.status_code == 200
    assert "政务系统管理-2023" in r.text and "<mark class=\"hl" in r.text
    rid = re.search(r'href="/draft/([\w-]+)/draft.md"', r.text).group(1)
    md = client.get(f"/draft/{rid}/draft.md")
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.text == draft(load_facts(FACTS), runs_dir=tmp_path / "runs", review_draft=False).markdown
    dx = client.get(f"/draft/{rid}/draft.docx")
    assert dx.status_code == 200 and (
        "财政支出项目绩效自评报告" in [p.text for p in docx.Document(io.BytesIO(dx.content)).paragraphs])
    bad = client.post("/draft", files=upload(FACTS, "facts.exe"))
    assert bad.status_code == 415 and "facts.exe: 不支持的文件类型 .exe：事实文件支持" in bad.text
    for path in ("/draft/nope/draft.md", "/draft/nope/draft.docx", f"/review/{rid}/report.docx",
                 f"/review/{rid}/findings.json"):
        gone = client.get(path)
        assert gone.status_code == 404 and "这份结果已不再保存" in gone.text


# --- token, secrets, logs ----------------------------------------------------------------------


TOKEN = "tok-Very-Secret-123"


def test_token_is_needed_everywhere(tmp_path):
    with make_client(tmp_path, token=TOKEN) as c:
        for path in ("/", "/draft", "/static/style.css", "/api/info", "/api/openapi.json"):
            r = c.get(path)
            assert r.status_code == 401, path
        assert c.post("/api/review", data={"text": "自评 100 分。\n"}).json() == {
            "error": "this drafter server needs its token: open the page as /?token=… "
                     "or send 'Authorization: Bearer …'"}
        assert c.get("/api/info", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/info", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert c.get("/api/info", headers={"X-Drafter-Token": TOKEN}).status_code == 200
        assert c.get("/?token=wrong").status_code == 401
        r = c.get(f"/?token={TOKEN}&x=1", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/?x=1"
        assert TOKEN not in r.headers["set-cookie"]
        assert c.get("/").status_code == 200  # the cookie now
        assert c.post("/api/review", files=upload(SEEDS["gl"])).status_code == 200
        page = c.post("/review", files=upload(SEEDS["gl"]))
        rid = re.search(r'href="/review/([\w-]+)/report.docx"', page.text).group(1)
        assert c.get(f"/review/{rid}/report.docx").status_code == 200
        for r in (page, c.get("/"), c.get("/api/info"), c.get("/api/openapi.json")):
            assert TOKEN not in r.text and TOKEN not in str(r.headers)


def test_no_secret_in_pages_responses_or_logs(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-SECRET-1")
    monkeypatch.setenv("DRAFTER_API_KEY_ENV", "MY_MODEL_KEY")
    monkeypatch.setenv("MY_MODEL_KEY", "sk-mine-SECRET-2")
    secrets = ["sk-openai-SECRET-1", "sk-mine-SECRET-2", TOKEN, "user:pw"]
    caplog.set_level(logging.DEBUG)
    with make_client(tmp_path, raise_server_exceptions=False, token=TOKEN, backend="openai", model="qwen-plus",
                     base_url="http://user:pw@127.0.0.1:9/v1") as c:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        info = c.get("/api/info", headers=auth).json()
        assert info["draft"] == {"backend": "openai", "model": "qwen-plus", "host": "127.0.0.1:9",
                                 "label": "模型 qwen-plus @ 127.0.0.1:9"}
        responses = [c.get("/", headers=auth), c.get("/draft", headers=auth),
                     c.get(f"/?token={TOKEN}", follow_redirects=False),
                     c.post("/api/review", files=upload(SEEDS["gl"]), headers=auth),
                     c.post("/review", files=upload(SEEDS["gl"], "x.docx", b"junk"), headers=auth),
                     # the model server is not there: a clear error, not a traceback
                     c.post("/api/draft", files=upload(FACTS), headers=auth)]
        assert "模型 qwen-plus @ 127.0.0.1:9" in responses[0].text
        assert responses[-1].status_code == 400 and responses[-1].json()["error"].startswith("模型调用失败")
        for r in responses:
            for s in secrets:
                assert s not in r.text and s not in str(r.headers)
            assert "Traceback" not in r.text
    # the server's log lines (not the test client's own "HTTP Request: GET http://testserver/?token=…")
    logged = "\n".join(rec.getMessage() for rec in caplog.records if rec.name.split(".")[0] not in ("httpx", "httpx2"))
    assert "GET / 200" in logged and "POST /api/review 200" in logged
    for s in secrets:
        assert s not in logged


def test_internal_errors_are_a_plain_page(tmp_path, caplog):
    from tests.web_hooks import MisbehavingBackend

    caplog.set_level(logging.INFO, logger="drafter")
    with make_client(tmp_path, raise_server_exceptions=False, backend_class=MisbehavingBackend) as c:
        for path in ("/review", "/api/review"):
            r = c.post(path, data={"text": "【坏】自评 100 分。\n"})  # the review raises, in its worker
            assert r.status_code == 500
            assert "服务器内部出错，详情见服务器日志" in r.text
            assert "secret detail" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
        assert c.post("/api/review", files=upload(SEEDS["gl"])).status_code == 200  # the worker goes on
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "drafter.web"]
    assert "internal error on POST /api/review: RuntimeError (in a worker process)" in logged
    assert not any("secret detail" in line for line in logged)


def test_the_index_in_use_is_the_clis(tmp_path, monkeypatch):
    from drafter.config import load_config
    from drafter.corpus.index import CorpusIndex

    monkeypatch.chdir(tmp_path)
    index = CorpusIndex(load_config(index=str(tmp_path / "idx")))
    index.add_many([SEEDS["gl"], SEEDS["jstg"]])
    (tmp_path / "drafter.yml").write_text(f"index: {tmp_path / 'idx'}\n", encoding="utf-8")
    monkeypatch.setenv("DRAFTER_CONFIG", str(tmp_path / "drafter.yml"))
    with make_client(tmp_path, no_index=False) as c:
        info = c.get("/api/info").json()
        assert info["index"] == {"kind": "local", "where": str(tmp_path / "idx"),
                                 "label": f"本地索引 {tmp_path / 'idx'}"}
        got = c.post("/api/review", files=upload(SEEDS["ww"])).json()
    expected = drafter.review(load(SEEDS["ww"]), index=CorpusIndex(load_config(index=str(tmp_path / "idx"))))
    assert got["findings"] == expected.public()["findings"]
    assert any(f["rule"].startswith(("copied", "shared")) for f in got["findings"])


# --- drafter serve -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, token, warned",
    [("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False), ("127.0.0.2", None, False),
     ("0.0.0.0", None, True), ("192.168.1.5", None, True), ("example.org", None, True), ("0.0.0.0", TOKEN, False)],
)
def test_serve_warns_on_a_public_address_without_a_token(host, token, warned):
    from drafter.cli.serve import _bind_warning

    warning = _bind_warning(host, token)
    assert (warning is not None) == warned
    if warned:
        assert warning == (f"warning: {host} is reachable from other machines and there is no --token: anyone who can "
                           "reach it can upload reports; add --token (or bind 127.0.0.1)")


def test_drafter_serve_runs_the_app_with_its_token(tmp_path):
    import socket
    import subprocess
    import time
    import urllib.error
    import urllib.request

    from tests.test_cli_input import DRAFTER

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(DRAFTER + ["serve", "--port", str(port), "--token", TOKEN, "--no-index"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/api/info"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
            except urllib.error.HTTPError as exc:
                assert exc.code == 401
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "drafter serve did not start"
                time.sleep(0.2)
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert json.loads(urllib.request.urlopen(request, timeout=5).read())["draft"]["backend"] == "offline"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert (f"drafter serve: http://127.0.0.1:{port}/?token=…  "
            "(起草 离线（程序生成，不调用模型）；语料 未使用语料索引（只用规则）)" in err)
    assert "GET /api/info 401" in err and "GET /api/info 200" in err
    assert TOKEN not in err and "Traceback" not in err


def test_drafter_serve_bad_configuration_is_one_line(tmp_path):
    import subprocess

    from tests.test_cli_input import DRAFTER

    proc = subprocess.run(DRAFTER + ["serve", "--index", "missing-index"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "drafter: missing-index: 这里没有索引（请先建立：drafter index PATH --index missing-index）"
    )


# --- the page's pieces -------------------------------------------------------------------------


def test_segments_nest_overlapping_findings_and_pin_empty_ones():
    from drafter.findings import Finding
    from drafter.web.service import segments

    def f(rule, level, start, end):
        return Finding(rule=rule, category="score", level=level, message="m", quote="x" * (end - start), start=start,
                       end=end, line=1, col=1)

    text = "0123456789"
    findings = [f("wide", "warning", 1, 8), f("inner", "error", 3, 5), f("pin", "info", 9, 9)]
    got = [(s.text, s.ids, s.starts, s.pin) for s in segments(text, findings)]
    assert got == [("0", [], [], False), ("12", [0], [0], False), ("34", [1, 0], [1], False), ("567", [0], [], False),
                   ("8", [], [], False), ("", [2], [2], True), ("9", [], [], False)]
    assert "".join(s.text for s in segments(text, findings)) == text


def test_only_recent_results_are_kept(tmp_path):
    with make_client(tmp_path, keep_results=2) as c:
        ids = []
        for _ in range(3):
            page = c.post("/review", data={"text": "# 报告\n\n自评 100 分。\n"})
            ids.append(re.search(r'href="/review/([\w-]+)/report.docx"', page.text).group(1))
        assert [c.get(f"/review/{rid}/findings.json").status_code for rid in ids] == [404, 200, 200]


# --- the model's claim check from the page and the API ---------------------------------------
def test_the_claim_check_is_offered_only_with_a_model(client):
    assert client.get("/api/info").json()["llm_check"] is False
    assert 'name="llm"' not in client.get("/").text
    r = client.post("/api/review", files=upload(SEEDS["gl"]), data={"llm": "1"})
    assert r.status_code == 400 and r.json()["error"].startswith("这个服务没有配置用于核对表述的模型")
    bad = client.post("/api/review", files=upload(SEEDS["gl"]), data={"llm": "yes please"})
    assert bad.status_code == 400 and bad.json()["error"] == "llm 须为 1（请模型核对）或 0"


def test_the_claim_check_through_the_wire_from_the_api_and_the_page(tmp_path):
    from tests.fake_openai import FakeOpenAI
    from tests.test_claims import verdicts

    server = FakeOpenAI()
    server.default = lambda body: verdicts([{"id": 1, "is_claim": True, "supported": False, "reason": "没有数据"}]
                                           + [{"id": n, "is_claim": False, "supported": True} for n in range(2, 31)])
    try:
        with make_client(tmp_path, backend="openai", model="scripted", base_url=server.url,
                         cache_dir=str(tmp_path / "cache")) as c:
            assert c.get("/api/info").json()["llm_check"] is True
            assert 'name="llm"' in c.get("/").text
            plain = c.post("/api/review", files=upload(SEEDS["gl"])).json()
            assert server.requests == [] and plain == public(SEEDS["gl"])  # no model unless asked
            asked = c.post("/api/review", files=upload(SEEDS["gl"]), data={"llm": "1"}).json()
            llm = [f for f in asked["findings"] if f["rule"] == "llm-unsupported-claim"]
            assert len(llm) == 1 and llm[0]["evidence"] == "模型判断（scripted）：没有数据"
            assert len(server.requests) == 1 and server.requests[0]["body"]["model"] == "scripted"
            assert [f for f in asked["findings"] if f["rule"] != "llm-unsupported-claim"] == plain["findings"]
            page = c.post("/review", files=upload(SEEDS["gl"]), data={"llm": "1"})
            assert page.status_code == 200 and "llm-unsupported-claim" in page.text
            assert len(server.requests) == 1  # the same statements again: answered from the cache
    finally:
        server.close()

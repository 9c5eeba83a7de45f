"""The web page and JSON API of ``drafter serve``: a FastAPI app made by ``create_app``.

Pages: ``/`` (review: paste or upload a report, see the findings highlighted), ``/draft``
(facts file, 自评表 or a short form → a draft and its review). API under ``/api/`` with its
OpenAPI schema at ``/api/openapi.json``. Report text is untrusted: templates escape
everything (Jinja2 autoescape), the client's file name is only displayed, uploads go to a
temporary folder removed after each request, and no key, token or traceback is ever sent.
Reading, reviewing and drafting run in worker processes with a time and a memory limit per
request (``drafter.web.workers``); a server bound to loopback answers loopback host names only,
and a POST sent by another site's page is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from drafter import __version__
from drafter.errors import DrafterError
from drafter.web import render
from drafter.web.service import (
    FACTS_SUFFIXES,
    FORM_FIELDS,
    REPORT_SUFFIXES,
    Backend,
    ResultStore,
    Stored,
    Upload,
    WebError,
    WebSettings,
    check_suffix,
    draft_templates,
    is_loopback,
    safe_name,
    view,
)
from drafter.web.workers import WorkerError, WorkerPool

HERE = Path(__file__).resolve().parent
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COOKIE = "drafter_session"
log = logging.getLogger("drafter.web")


# --- the API's shapes (for the OpenAPI schema) ---------------------------------------------


class FindingOut(BaseModel):
    rule: str
    category: str
    level: Literal["error", "warning", "info"]
    message: str
    quote: str
    start: int
    end: int
    line: int
    col: int
    evidence: str
    suggestion: str


class ReviewOut(BaseModel):
    file: str
    # whether the copy check ran: {"used": false} or {"used": true, "reports": 15, "index": "…"}
    corpus: dict[str, bool | int | str]
    findings: list[FindingOut]


class DraftOut(BaseModel):
    template: str
    backend: str
    note: str | None = None
    markdown: str
    review: ReviewOut


class InfoOut(BaseModel):
    version: str
    draft: dict
    index: dict
    rules: int
    max_mb: float
    llm_check: bool  # whether a review may ask for the model's claim check (llm=1)
    workers: int  # worker processes: requests reviewed or drafted at once
    time_limit: float  # seconds a request may take
    memory_limit_mb: int  # memory a request may take in its worker


class ErrorOut(BaseModel):
    error: str


def _multipart(properties: dict, required: list[str] | None = None) -> dict:
    schema: dict = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


_REVIEW_BODY = _multipart({
    "file": {"type": "string", "format": "binary", "description": "The report: .docx, .pdf, .md or .txt"},
    "text": {"type": "string", "description": "Or the report's text (Markdown or plain), when no file is sent"},
    "llm": {"type": "string", "enum": ["0", "1"],
            "description": "1: a model also judges each outcome claim "
                           "(when the server has a model: see /api/info llm_check)"},
})
_DRAFT_BODY = _multipart({
    "file": {"type": "string", "format": "binary", "description": "Facts: .yaml/.yml/.json, or a 自评表 .xlsx"},
    "template": {"type": "string", "description": "Template to draft in (default: the facts' own)"},
    **{key: {"type": "string", "description": f"{label} (the short form, when no file is sent)"}
       for key, label, _ in FORM_FIELDS if key != "template"},
})
_ERRORS = {code: {"model": ErrorOut, "description": text} for code, text in
           ((400, "Bad input (a damaged file, a PDF without text, a wrong field)"), (401, "Token missing or wrong"),
            (403, "Sent by a page of another site"), (413, "Upload too large"), (415, "Unsupported file type"),
            (421, "A host name other than localhost for a server bound to loopback"),
            (422, "Over the time or memory limit of a request"), (503, "Every worker busy, or the server stopping"))}


# --- middleware ------------------------------------------------------------------------------


class _AccessLog:
    """One line per request: method, path (never the query string, which may hold a token),
    status and time."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        status = {"code": 0}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            log.info("%s %s %s %.0f ms", scope["method"], scope["path"], status["code"] or "-",
                     (time.perf_counter() - t0) * 1000)


def _wants_json(scope) -> bool:
    return scope["path"].startswith("/api/")


async def _send_error(scope, send, status: int, message: str, render) -> None:
    if _wants_json(scope):
        body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
        ctype = "application/json"
    else:
        body = render(status, message).encode("utf-8")
        ctype = "text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class _TokenGate:
    """With a token, every request must carry it: ``Authorization: Bearer TOKEN``, an
    ``X-Drafter-Token`` header, or the session cookie set when a browser opens ``/?token=TOKEN``
    (answered with a redirect to the same page without the token). The cookie holds a hash of
    the token, never the token."""

    def __init__(self, app, token: str | None, render) -> None:
        self.app = app
        self.token = token
        self.session = hmac.new(token.encode(), b"drafter-session", hashlib.sha256).hexdigest() if token else ""
        self.render = render

    def _ok(self, value: str | None, expected: str) -> bool:
        return bool(value) and hmac.compare_digest(value.encode(), expected.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.token:
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        cookies = dict(part.strip().split("=", 1) for part in headers.get("cookie", "").split(";") if "=" in part)
        if (self._ok(bearer, self.token) or self._ok(headers.get("x-drafter-token"), self.token)
                or self._ok(cookies.get(COOKIE), self.session)):
            return await self.app(scope, receive, send)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [v for k, v in query if k == "token"]
        if given and self._ok(given[-1], self.token) and scope["method"] in ("GET", "HEAD"):
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope["path"] + ("?" + rest if rest else "")
            await send({"type": "http.response.start", "status": 303, "headers": [
                (b"location", location.encode("latin-1", "replace")),
                (b"set-cookie", f"{COOKIE}={self.session}; HttpOnly; SameSite=Strict; Path=/".encode()),
                (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await _send_error(scope, send, 401, "this drafter server needs its token: open the page as /?token=… "
                          "or send 'Authorization: Bearer …'", self.render)


_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^\[\]:/@\s]+)(?::(\d{1,5}))?")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _host_port(netloc: str, scheme: str) -> tuple[str, int | None] | None:
    """(name, port) of a Host header or a URL's host[:port], the scheme's default port as None;
    None when it is not one."""
    m = _HOST.fullmatch(netloc.strip().lower())
    if not m:
        return None
    port = int(m.group(2)) if m.group(2) else None
    return m.group(1), None if port == _DEFAULT_PORTS.get(scheme) else port


def _origin_of(url: str) -> tuple[str, int | None] | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc or "@" in parts.netloc:
        return None
    return _host_port(parts.netloc, parts.scheme)


def _shown(value: str, limit: int = 100) -> str:
    value = re.sub(r"[\x00-\x1f\x7f]", "", value)
    return value if len(value) <= limit else value[:limit] + "…"


class _SiteGate:
    """DNS rebinding and cross-site forms. Bound to a loopback address, the server answers only
    requests addressed to a loopback name (``localhost``, ``127.0.0.1``, ``[::1]``, any port):
    a page of another site whose name was made to resolve to 127.0.0.1 gets 421. A POST (any
    method but GET, HEAD, OPTIONS) whose ``Origin``, or lacking it ``Referer``, is not this
    server's own (the Host it was sent to) gets 403 before its body is read; a request with
    neither (curl, scripts) is not a browser's and goes on."""

    def __init__(self, app, bound: str, render) -> None:
        self.app = app
        self.loopback = is_loopback(bound)
        self.bound = f"[{bound.strip('[]')}]" if ":" in bound else bound
        self.render = render

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        host = headers.get("host")
        own = _host_port(host, scope.get("scheme", "http")) if host is not None else None
        if self.loopback and host is not None and (own is None or not is_loopback(own[0])):
            server = scope.get("server")
            url = f"http://{self.bound}{f':{server[1]}' if server and server[1] else ''}/"
            return await _send_error(scope, send, 421, (
                f"主机名“{_shown(host)}”不被接受：这个服务器只在本机地址上监听，只接受 localhost、127.0.0.1 或 [::1] "
                f"作为主机名（以防 DNS 重绑定攻击）。请用 {url} 打开。"), self.render)
        if scope["method"] not in _SAFE_METHODS:
            source = headers.get("origin") or headers.get("referer")
            if source and (own is None or _origin_of(source) != own):
                return await _send_error(scope, send, 403, (
                    f"拒绝跨站请求：这个提交来自另一个网站（{_shown(source)}），不是本服务器自己的页面，没有处理。"
                    "请在本服务器的页面上提交。"), self.render)
        await self.app(scope, receive, send)


class _BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413 before they are parsed. A browser
    upload announces its length: the body is read and thrown away (up to a cap) so that the
    browser sees the answer instead of a reset connection."""

    def __init__(self, app, limit: int, max_bytes: int, render) -> None:
        self.app = app
        self.limit = limit
        self.max_bytes = max_bytes
        self.render = render

    def _message(self, size: int | None) -> str:
        got = f"（{size / 1048576:.1f} MB）" if size else ""
        return f"上传的内容太大{got}，上限为 {self.max_bytes / 1048576:g} MB"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        size = int(length) if length and length.isdigit() else None
        if size is not None and size > self.limit:
            if size <= 10 * self.limit:
                more = True
                while more:
                    message = await receive()
                    more = message.get("more_body", False) and message["type"] == "http.request"
            return await _send_error(scope, send, 413, self._message(size), self.render)
        seen = {"n": 0}

        async def counted():
            message = await receive()
            if message["type"] == "http.request":
                seen["n"] += len(message.get("body", b""))
                if seen["n"] > self.limit:
                    raise WebError(413, self._message(None))
            return message

        await self.app(scope, counted, send)


# --- the app -------------------------------------------------------------------------------


def create_app(settings: WebSettings | None = None, backend_class: type[Backend] = Backend) -> FastAPI:
    """The app. ``settings`` default to the CLI's configuration (drafter.yml, DRAFTER_*).
    ``backend_class(settings)`` is built here (a configuration error stops here) and in each
    worker process, where it does the work (a class importable by name: it is sent to them)."""
    settings = settings or WebSettings()
    backend = backend_class(settings)
    pool = WorkerPool(settings, backend_class)
    store = ResultStore(settings.keep_results)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    info = backend.describe()
    env.globals.update(version=__version__, backend=info, max_mb=f"{settings.max_bytes / 1048576:g}")
    env.globals.update(render_document=render.document, placeholders=render.placeholders)

    def page(_name: str, _code: int = 200, /, **context) -> HTMLResponse:
        return HTMLResponse(env.get_template(_name).render(**context), status_code=_code,
                            headers={"Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; "
                                                                 "object-src 'none'; base-uri 'none'; "
                                                                 "frame-ancestors 'none'"),
                                     # the page's own forms send their origin (no-referrer would send
                                     # "Origin: null", which the cross-site check refuses)
                                     "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"})

    titles = {400: "无法处理这个文件或表单", 401: "需要令牌", 403: "拒绝跨站请求", 404: "找不到", 405: "不支持的请求",
              413: "文件太大", 415: "不支持的文件类型", 421: "主机名不被接受", 422: "超出处理上限", 500: "内部错误",
              503: "服务器暂时无法处理"}

    def render_error(status: int, message: str) -> str:
        return env.get_template("error.html").render(status=status, title=titles.get(status, "出错了"), message=message)

    def error_response(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status, headers=headers)
        response = page("error.html", status, status=status, title=titles.get(status, "出错了"), message=message)
        response.headers.update(headers or {})
        return response

    @asynccontextmanager
    async def lifespan(_app):
        pool.start()
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(title="drafter", version=__version__, docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  description="Review and draft 财政支出项目绩效自评报告. Offline by default.", lifespan=lifespan)
    app.state.settings, app.state.backend, app.state.store, app.state.pool = settings, backend, store, pool
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # added inside out: the access log sees everything, the token gate runs before any body is read
    app.add_middleware(_BodyLimit, limit=settings.max_bytes + 1024 * 1024, max_bytes=settings.max_bytes,
                       render=render_error)
    app.add_middleware(_TokenGate, token=settings.token, render=render_error)
    app.add_middleware(_SiteGate, bound=settings.host, render=render_error)
    app.add_middleware(_AccessLog)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError):
        return error_response(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(WorkerError)
    async def _worker_error(request: Request, exc: WorkerError):
        log.error("internal error on %s %s: %s (in a worker process)", request.method, request.url.path, exc.kind)
        return error_response(request, 500, "服务器内部出错，详情见服务器日志")

    @app.exception_handler(DrafterError)
    async def _drafter_error(request: Request, exc: DrafterError):
        return error_response(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        message = {404: "找不到这个页面", 405: "这个地址不支持这种请求方式"}.get(
            exc.status_code, str(exc.detail))
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        err = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "请求无效"}
        return error_response(request, 400, f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.error("internal error on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
        message = "服务器内部出错，详情见服务器日志"
        try:
            return error_response(request, 500, message)
        except Exception:
            return Response(message, status_code=500, media_type="text/plain; charset=utf-8")

    # --- reading the request ---------------------------------------------------------------

    async def read_form(request: Request):
        ctype = request.headers.get("content-type", "")
        if not ctype and not await request.body():
            return FormData()  # nothing sent: "choose a file or paste the text"
        if not ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            raise WebError(415, "请以 multipart/form-data 提交表单（file 字段，或文字字段）")
        try:
            # a text field may be URL-encoded (up to 3 bytes a byte); the body limit still holds
            return await request.form(max_files=2, max_fields=60, max_part_size=3 * settings.max_bytes + 1024)
        except StarletteHTTPException as exc:
            if "maximum size" in str(exc.detail):
                raise WebError(413,
                               f"表单字段太大：上限为 {settings.max_bytes / 1048576:g} MB") from None
            raise WebError(400, f"表单无法读取（{exc.detail}）") from None

    def chosen_file(form) -> UploadFile | None:
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            return upload
        return None

    async def review_input(form) -> tuple:
        """(what to review: an Upload or the pasted text, the original .docx bytes or None)."""
        upload = chosen_file(form)
        if upload is not None:
            name = safe_name(upload.filename)
            suffix = check_suffix(name, REPORT_SUFFIXES, "report")
            data = await upload.read()
            return Upload(name, data), (data if suffix == ".docx" else None)
        text = form.get("text")
        if isinstance(text, str) and text.strip():
            return text, None
        raise WebError(400, "请选择报告文件（.docx、.pdf、.md 或 .txt），或粘贴报告文字")

    async def reviewed(request: Request):
        """(report, the original .docx bytes or None, the review) of a review form."""
        form = await read_form(request)
        given, source = await review_input(form)
        llm = form.get("llm")
        if llm not in (None, "", "0", "1", "on", "true", "false"):
            raise WebError(400, "llm 须为 1（请模型核对）或 0")
        report, result = await pool.run("review_source", given, llm in ("1", "on", "true"))
        return report, source, result

    async def draft_input(request: Request):
        form = await read_form(request)
        upload = chosen_file(form)
        requested = form.get("template") if isinstance(form.get("template"), str) else None
        if upload is not None:
            name = safe_name(upload.filename)
            check_suffix(name, FACTS_SUFFIXES, "facts file")
            given = Upload(name, await upload.read())
        elif any(isinstance(form.get(k), str) and form.get(k).strip() for k in ("unit", "project", "spent")):
            given = {k: v for k, v in form.items() if isinstance(v, str)}
        else:
            raise WebError(400, "请上传事实文件（.yaml、.json 或自评表 .xlsx），或填写表单")
        drafted, note, name = await pool.run("draft_source", given, requested)
        from drafter.documents.load import from_text

        report = from_text(drafted.markdown, path="draft.md")
        result = drafted.review.model_copy(update={"file": "draft.md"})
        return drafted, report, result, note, name

    def attachment(data: bytes, filename: str, media_type: str) -> Response:
        ascii_name = filename.encode("ascii", "ignore").decode() or "drafter"
        ascii_name = "".join(ch for ch in ascii_name if ch.isalnum() or ch in "._-") or "drafter"
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})

    async def commented(item: Stored) -> bytes:
        return await pool.run("commented_docx", item.report, item.result, item.source)

    async def draft_docx(markdown: str) -> bytes:
        return await pool.run("draft_docx", markdown)

    def stem(name: str) -> str:
        return Path(name).stem or "report"

    # --- pages -----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def review_page():
        return page("index.html", active="review")

    @app.post("/review", response_class=HTMLResponse, include_in_schema=False)
    async def review_submit(request: Request):
        report, source, result = await reviewed(request)
        rid = store.put(Stored(kind="review", name=report.path, report=report, result=result, source=source))
        return page("review.html", active="review", name=report.path, rid=rid, fmt=report.format,
                    warnings=report.warnings, **view(result, report))

    @app.get("/review/{rid}/report.docx", include_in_schema=False)
    async def review_docx(rid: str):
        item = store.get(rid, "review")
        return attachment(await commented(item), f"{stem(item.name)}-审核.docx", DOCX_TYPE)

    @app.get("/review/{rid}/findings.json", include_in_schema=False)
    def review_json(rid: str):
        item = store.get(rid, "review")
        data = json.dumps(item.result.public(), ensure_ascii=False, indent=2).encode("utf-8")
        return attachment(data, f"{stem(item.name)}-findings.json", "application/json")

    @app.get("/draft", response_class=HTMLResponse, include_in_schema=False)
    def draft_page():
        return page("draft.html", active="draft", templates=draft_templates(), fields=FORM_FIELDS)

    @app.post("/draft", response_class=HTMLResponse, include_in_schema=False)
    async def draft_submit(request: Request):
        drafted, report, result, note, name = await draft_input(request)
        rid = store.put(Stored(kind="draft", name=name, report=report, result=result, markdown=drafted.markdown))
        return page("draft_result.html", active="draft", name=name, rid=rid, note=note, template=drafted.template,
                    draft_backend=drafted.backend, sections=drafted.sections, **view(result, report))

    @app.get("/draft/{rid}/draft.md", include_in_schema=False)
    def draft_md(rid: str):
        item = store.get(rid, "draft")
        return attachment(item.markdown.encode("utf-8"), f"{item.name}.md", "text/markdown; charset=utf-8")

    @app.get("/draft/{rid}/draft.docx", include_in_schema=False)
    async def draft_download_docx(rid: str):
        item = store.get(rid, "draft")
        return attachment(await draft_docx(item.markdown), f"{item.name}.docx", DOCX_TYPE)

    # --- API -------------------------------------------------------------------------------

    @app.get("/api/info", response_model=InfoOut, tags=["api"], responses={401: _ERRORS[401]})
    def api_info():
        """What this server uses: the drafting backend, the corpus index, the rules, the upload limit."""
        return {"version": __version__, **info}

    @app.post("/api/review", response_model=ReviewOut, tags=["api"], openapi_extra=_REVIEW_BODY, responses=_ERRORS)
    async def api_review(request: Request):
        """Review a report (a file or its text): the findings, as `drafter review --format json` prints them."""
        _, _, result = await reviewed(request)
        return result.public()

    @app.post("/api/review/docx", tags=["api"], openapi_extra=_REVIEW_BODY, response_class=Response,
              responses={200: {"content": {DOCX_TYPE: {}},
                               "description": "The report with every finding as a Word comment"}, **_ERRORS})
    async def api_review_docx(request: Request):
        """Review a report and return it as .docx with every finding as a Word comment."""
        report, source, result = await reviewed(request)
        item = Stored(kind="review", name=report.path, report=report, result=result, source=source)
        return attachment(await commented(item), f"{stem(report.path)}-审核.docx", DOCX_TYPE)

    @app.post("/api/draft", response_model=DraftOut, tags=["api"], openapi_extra=_DRAFT_BODY, responses=_ERRORS)
    async def api_draft(request: Request):
        """Draft a report from facts (a facts file, a 自评表 .xlsx or the short form's fields), with its review."""
        drafted, _, result, note, _ = await draft_input(request)
        return {"template": drafted.template, "backend": drafted.backend, "note": note, "markdown": drafted.markdown,
                "review": result.public()}

    @app.post("/api/draft/docx", tags=["api"], openapi_extra=_DRAFT_BODY, response_class=Response,
              responses={200: {"content": {DOCX_TYPE: {}}, "description": "The draft as .docx"}, **_ERRORS})
    async def api_draft_docx(request: Request):
        """Draft a report from facts and return it as .docx."""
        drafted, _, _, _, name = await draft_input(request)
        return attachment(await draft_docx(drafted.markdown), f"{name}.docx", DOCX_TYPE)

    from drafter.web import batch  # the batch page (/batch): its routes live in their own module

    batch.install(app, settings=settings, backend=backend, page=page, store=store, attachment=attachment)
    return app


def run_server(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn until SIGINT or SIGTERM. At the signal the workers are stopped
    first: the requests waiting for them are answered (503) at once and the server exits within
    seconds, however slow the work it was doing."""
    import uvicorn

    class Server(uvicorn.Server):
        async def shutdown(self, sockets=None):
            app.state.pool.close()
            await super().shutdown(sockets=sockets)

    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="info", server_header=False,
                            timeout_graceful_shutdown=5)
    Server(config).run()

"""What the web pages and the JSON API do, without HTTP: read an upload safely, review or draft
with the same index, rules and configuration as the command line, keep recent results for
download, and cut a report's text into highlighted segments for the page."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from drafter.documents.load import MAX_BYTES, REPORT_SUFFIXES, Report
from drafter.errors import DrafterError, InputError
from drafter.findings import CATEGORIES, CATEGORY_NAMES, Finding, Level, ReviewResult

FACTS_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
LEVEL_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


class WebError(Exception):
    """A request the page or API refuses: an HTTP status and a message a user can act on."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --- settings and the backend --------------------------------------------------------------


@dataclass
class WebSettings:
    """How ``drafter serve`` runs. The index and model settings are those of the CLI (flags,
    then the DRAFTER_* variables, then drafter.yml)."""

    max_bytes: int = MAX_BYTES
    token: str | None = None
    index_dir: str | None = None
    chroma_url: str | None = None
    no_index: bool = False
    backend: str = "offline"  # offline | openai (drafting)
    model: str | None = None
    base_url: str | None = None
    endpoint: str | None = None
    cache_dir: str = ".drafter/cache"
    runs_dir: str | None = None  # where drafts write their run folders; None: nowhere
    tmp_root: str | None = None  # where upload folders are made (default: the system's)
    keep_results: int = 20  # recent results kept in memory for download
    host: str = "127.0.0.1"  # the address the server is bound to (a loopback one: loopback host names only)
    workers: int = 2  # worker processes for reviews and drafts (a request holds one)
    time_limit: float = 120.0  # seconds a request may take in its worker
    memory_limit_mb: int = 1024  # address space a request may add to its worker
    queue_wait: float | None = None  # seconds a request waits for a free worker (default: time_limit)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is this machine's
    loopback: localhost, 127.0.0.0/8, ::1."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass
class Upload:
    """An uploaded file: the client's file name (for display, see ``safe_name``) and its bytes."""

    name: str
    data: bytes


class Backend:
    """The reviewer and drafter the pages use, built once from the settings (in every worker
    process of the server, and once in the server for ``describe``). The ``*_source`` and
    ``*_docx`` methods are the jobs the pages hand to a worker."""

    def __init__(self, settings: WebSettings) -> None:
        from drafter.config import load_config, open_index
        from drafter.review.engine import default_accept
        from drafter.review.registry import load_rules

        self.settings = settings
        self.config = load_config(index=settings.index_dir, chroma_url=settings.chroma_url)
        self.rules = load_rules()
        self.accept = default_accept()
        self.index = None if settings.no_index else open_index(self.config, settings.index_dir)
        self.endpoint = None
        if settings.backend == "openai":
            from drafter.llm.chat import endpoint_from_env

            self.endpoint = endpoint_from_env(settings.model, settings.base_url, settings.endpoint)
        elif settings.backend != "offline":
            raise DrafterError(f"未知的后端 {settings.backend}（可选 offline 或 openai）")
        self.claims = None  # the model's claim check, offered when a model is configured
        if self.endpoint is not None:
            from drafter.llm.claims import claim_checker

            self.claims = claim_checker(self.endpoint, cache_dir=settings.cache_dir)

    def describe(self) -> dict:
        """What is in use, for the page header and /api/info: never a key, a token or a URL's
        credentials."""
        if self.endpoint is None:
            draft = {"backend": "offline", "label": "离线（程序生成，不调用模型）"}
        else:
            host = _host_of(self.endpoint.base_url) if self.endpoint.base_url else "api.openai.com"
            draft = {"backend": "openai", "model": self.endpoint.model, "host": host,
                     "label": f"模型 {self.endpoint.model} @ {host}"}
        if self.index is None:
            index = {"kind": "none", "label": "未使用语料索引（只用规则）"}
        elif self.config.chroma_url:
            host = _host_of(self.config.chroma_url)
            index = {"kind": "chroma", "where": host, "label": f"Chroma 服务器 {host}"}
        else:
            index = {"kind": "local", "where": str(self.config.index), "label": f"本地索引 {self.config.index}"}
        return {"draft": draft, "index": index, "rules": len(self.rules), "max_mb": self.settings.max_bytes / 1048576,
                "llm_check": self.claims is not None, "workers": self.settings.workers,
                "time_limit": self.settings.time_limit, "memory_limit_mb": self.settings.memory_limit_mb}

    def review(self, report: Report, llm: bool = False) -> ReviewResult:
        """The rules and the index; with ``llm``, the model's claim check too (a 400 when this
        server has no model)."""
        from drafter.review.engine import review

        if llm and self.claims is None:
            raise WebError(400, "这个服务没有配置用于核对表述的模型：请用 "
                                "drafter serve --backend openai --model MODEL 启动")
        return review(report, rules=self.rules, accept=self.accept, index=self.index,
                      claims=self.claims if llm else None)

    def draft(self, facts, template_id: str | None = None):
        from drafter.draft.pipeline import draft

        call = None
        if self.endpoint is not None:
            from drafter.llm import chat

            call = chat.build_chat(self.endpoint, self.settings.cache_dir)
        backend = "openai" if call is not None else "offline"
        return draft(facts, template_id=template_id, model=call, backend=backend, runs_dir=self.settings.runs_dir)

    # --- the jobs of the pages (each runs in a worker process) ---------------------------------

    def review_source(self, source: Upload | str, llm: bool = False) -> tuple[Report, ReviewResult]:
        """An uploaded report or pasted text, read and reviewed."""
        if isinstance(source, Upload):
            report = load_report_upload(source.name, source.data, self.settings)
        else:
            report = report_from_paste(source, self.settings)
        return report, self.review(report, llm)

    def draft_source(self, source: Upload | dict[str, str], requested: str | None = None):
        """(the draft, a note on the template, the draft's name) from an uploaded facts file
        or the short form's fields."""
        if isinstance(source, Upload):
            facts = load_facts_upload(source.name, source.data, self.settings)
            requested = requested if requested and requested != "auto" else None
        else:
            fields = dict(source)
            if not fields.get("template") or fields["template"] == "auto":
                fields["template"] = "gd-annex5"
            facts = facts_from_form(fields)
            requested = None
        template_id, note = draft_template_for(facts, requested)
        return self.draft(facts, template_id), note, f"{facts.project.name}-{facts.year}"

    def commented_docx(self, report: Report, result: ReviewResult, source: bytes | None) -> bytes:
        """The report as .docx with every finding as a Word comment."""
        from drafter.documents.docx_comments import commented_docx_bytes

        return commented_docx_bytes(report, result, source)

    def draft_docx(self, markdown: str) -> bytes:
        """A draft's Markdown as .docx."""
        from drafter.documents.docx_write import markdown_to_docx

        with UploadFolder(self.settings.tmp_root) as d:
            out = d / "draft.docx"
            markdown_to_docx(markdown, out)
            return out.read_bytes()


def _host_of(url: str) -> str:
    """host[:port] of a URL, without user, password, path or query."""
    parts = urlsplit(url if "//" in url else "//" + url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


# --- uploads -------------------------------------------------------------------------------


def safe_name(filename: str | None, fallback: str = "upload") -> str:
    """The client's file name for display only: its last path component, control and
    separator characters removed. It never names a file on disk."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    return name[:120] or fallback


_WHAT = {"report": "报告", "facts file": "事实文件"}


def check_suffix(name: str, allowed: tuple[str, ...], what: str) -> str:
    """The lower-case suffix of ``name`` when it is one of ``allowed``, else a 415."""
    from drafter.documents.load import _TYPE_HINTS

    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        shown = "、".join(s for s in allowed if s not in (".markdown", ".text", ".yml"))
        hint = _TYPE_HINTS.get(suffix) if what == "report" else None
        kind = f"不支持的文件类型 {suffix}" if suffix else "文件没有扩展名"
        raise WebError(415, f"{name}: {kind}：{_WHAT.get(what, what)}支持 {shown}"
                            f"{'（' + hint + '）' if hint else ''}")
    return suffix


def check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise WebError(413, f"{name}: 文件太大（{size / 1048576:.1f} MB），"
                            f"上限为 {max_bytes / 1048576:g} MB")


class UploadFolder:
    """A fresh temporary folder for one request's upload, removed when the request is done.
    The file inside gets a name we choose (``upload`` + the checked suffix). Its name carries
    the process id: the folders of a worker killed at a limit are removed by the server
    (``remove_upload_folders``)."""

    def __init__(self, root: str | None = None) -> None:
        self.root = root

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix=f"drafter-upload-{os.getpid()}-", dir=self.root))
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def remove_upload_folders(root: str | None, pid: int) -> None:
    """Remove the upload folders process ``pid`` left in ``root`` (it was killed in a request)."""
    for folder in Path(root or tempfile.gettempdir()).glob(f"drafter-upload-{pid}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def _renamed(exc: InputError, name: str, tmp: Path) -> WebError:
    """The loader's error, naming the client's file instead of the temporary one."""
    problem = exc.problem.replace(str(tmp), name)
    problem = re.sub(r"，可用 --max-mb 调高", "", problem)
    status = 413 if "文件太大" in problem else 400
    return WebError(status, f"{name}: {problem}")


def load_report_upload(name: str, data: bytes, settings: WebSettings) -> Report:
    """A report from uploaded bytes (type and size already checked), through a temporary
    folder that is removed before this returns."""
    from drafter.documents.load import load

    suffix = check_suffix(name, REPORT_SUFFIXES, "report")
    check_size(name, len(data), settings.max_bytes)
    if not data:
        raise WebError(400, f"{name}: 文件是空的")
    with UploadFolder(settings.tmp_root) as folder:
        tmp = folder / f"upload{suffix}"
        tmp.write_bytes(data)
        try:
            report = load(tmp, max_bytes=settings.max_bytes)
        except InputError as exc:
            raise _renamed(exc, name, tmp) from None
    report.path = name
    return report


def report_from_paste(text: str, settings: WebSettings, name: str = "粘贴的文本") -> Report:
    from drafter.documents.load import from_text

    if len(text.encode("utf-8")) > settings.max_bytes:
        raise WebError(413, f"粘贴的文字太多，上限为 {settings.max_bytes / 1048576:g} MB")
    try:
        report = from_text(text, path=name, fmt="md")
    except InputError as exc:
        raise WebError(400, str(exc)) from None
    if not report.text[report.body_start :].strip():
        raise WebError(400, "粘贴的文字是空的")
    return report


def load_facts_upload(name: str, data: bytes, settings: WebSettings):
    """Facts from an uploaded YAML/JSON file or 自评表 .xlsx."""
    from drafter.facts.model import parse_facts

    suffix = check_suffix(name, FACTS_SUFFIXES, "facts file")
    check_size(name, len(data), settings.max_bytes)
    if not data:
        raise WebError(400, f"{name}: 文件是空的")
    if suffix == ".xlsx":
        from drafter.facts.io import import_table

        with UploadFolder(settings.tmp_root) as folder:
            tmp = folder / "upload.xlsx"
            tmp.write_bytes(data)
            try:
                return import_table(tmp)
            except InputError as exc:
                raise _renamed(exc, name, tmp) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WebError(400, f"{name}: 不是 UTF-8 编码的文本：请另存为 UTF-8") from None
    try:
        return parse_facts(text, name, "json" if suffix == ".json" else "yaml")
    except InputError as exc:
        raise WebError(400, str(exc)) from None


# The short form of the draft page: field name -> (facts path, label, kind)
FORM_FIELDS = [
    ("template", "模板", "template"),
    ("year", "年度", "int"),
    ("unit", "项目单位", "text"),
    ("project", "项目名称", "text"),
    ("budget_unit", "金额单位", "unit"),
    ("initial", "年初预算", "number"),
    ("adjusted", "调整后预算（未调整可空）", "number?"),
    ("spent", "全年支出", "number"),
    ("adjustment_reason", "预算调整原因", "text?"),
    ("underspend_reason", "执行率低于 90% 的原因", "text?"),
    ("self_score", "自评分（可空）", "number?"),
    ("achievements", "主要成效（一行一条）", "lines"),
    ("problems", "存在的问题（一行一条）", "lines"),
    ("improvements", "改进意见（一行一条）", "lines"),
]


def facts_from_form(form: dict[str, str]):
    """Facts from the draft page's short form; a wrong field is a 400 naming it."""
    from pydantic import ValidationError

    from drafter.facts.model import Facts, describe_validation_error

    values: dict = {}
    for key, label, kind in FORM_FIELDS:
        raw = (form.get(key) or "").strip()
        if kind.endswith("?") and not raw:
            continue
        if not raw and kind != "lines":
            raise WebError(400, f"表单：{label}（{key}）未填写")
        if kind == "int":
            if not raw.isdigit():
                raise WebError(400, f"表单：{label}（{key}）应为年份，例如 2023，收到“{raw}”")
            values[key] = int(raw)
        elif kind.startswith("number"):
            try:
                number = Decimal(raw.replace(",", "").replace("，", ""))
            except InvalidOperation:
                raise WebError(400, f"表单：{label}（{key}）应为数字，收到“{raw}”") from None
            if not number.is_finite():
                raise WebError(400, f"表单：{label}（{key}）应为数字，收到“{raw}”")
            values[key] = int(number) if number == number.to_integral_value() else float(number)
        elif kind == "lines":
            values[key] = [line.strip() for line in raw.splitlines() if line.strip()]
        else:
            values[key] = raw
    budget = {"unit": values.pop("budget_unit"), "initial": values.pop("initial"), "spent": values.pop("spent")}
    for key in ("adjusted", "adjustment_reason", "underspend_reason"):
        if key in values:
            budget[key] = values.pop(key)
    data = {
        "template": values.pop("template"),
        "year": values.pop("year"),
        "unit": {"name": values.pop("unit")},
        "project": {"name": values.pop("project")},
        "budget": budget,
        **values,
    }
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        raise WebError(400, "表单：" + describe_validation_error(exc)) from None


def draft_templates() -> list[tuple[str, str]]:
    """(id, name) of the templates a report can be drafted in (section reports)."""
    from drafter.analysis.templates import load_templates

    return [(t.id, getattr(t, "name", "") or t.id) for t in load_templates().values() if t.form == "sections"]


def draft_template_for(facts, requested: str | None) -> tuple[str, str | None]:
    """The template to draft in, and a note when the facts' own one is a table form (a 自评表
    import) and a section template stands in."""
    from drafter.analysis.templates import load_templates

    known = load_templates()
    if requested:
        if requested not in known or known[requested].form != "sections":
            raise WebError(400, f"未知的起草模板 {requested}"
                                f"（可用：{'、'.join(t for t, _ in draft_templates())}）")
        return requested, None
    if known[facts.template].form == "sections":
        return facts.template, None
    fallback = draft_templates()[0][0] if "gd-annex5" not in known else "gd-annex5"
    return fallback, f"事实文件的模板 {facts.template} 是表格形式，报告按 {fallback} 起草"


# --- results kept for download -------------------------------------------------------------


@dataclass
class Stored:
    kind: str  # review | draft
    name: str  # the display name
    report: Report
    result: ReviewResult
    source: bytes | None = None  # the original .docx
    markdown: str = ""  # a draft's Markdown
    extra: dict = field(default_factory=dict)


class ResultStore:
    """The last few results, by an unguessable id, for the page's download links."""

    def __init__(self, keep: int = 20) -> None:
        self.keep = keep
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, item: Stored) -> str:
        rid = secrets.token_urlsafe(12)
        with self._lock:
            self._items[rid] = item
            while len(self._items) > self.keep:
                self._items.popitem(last=False)
        return rid

    def get(self, rid: str, kind: str) -> Stored:
        with self._lock:
            item = self._items.get(rid)
        if item is None or item.kind != kind:
            raise WebError(404, "这份结果已不再保存（只保留最近的结果）："
                                "请重新审核或起草")
        return item


# --- the page's view of a review -----------------------------------------------------------


@dataclass
class Segment:
    text: str
    ids: list[int]  # the findings covering it (indexes into the result's findings)
    starts: list[int]  # findings whose first segment this is
    pin: bool = False  # a finding with no text of its own (zero length)

    @property
    def primary(self) -> int:
        return self.ids[0]


def _severity(f: Finding) -> tuple:
    return (-f.level.rank, f.end - f.start)


def segments(text: str, findings: list[Finding]) -> list[Segment]:
    """``text`` cut at every finding's start and end; each piece lists the findings covering
    it, the most severe (then the narrowest) first. A finding without text gets a pin."""
    n = len(text)
    spans = [(i, max(0, min(f.start, n)), max(0, min(f.end, n))) for i, f in enumerate(findings)]
    cuts = sorted({0, n, *(s for _, s, _ in spans), *(e for _, _, e in spans)})
    pins: dict[int, list[int]] = {}
    for i, s, e in spans:
        if e <= s:
            pins.setdefault(s, []).append(i)
    out: list[Segment] = []
    started: set[int] = set()
    for a, b in zip(cuts, cuts[1:] + [None]):
        if a in pins:
            ids = pins.pop(a)
            out.append(Segment("", ids, ids, pin=True))
        if b is None:
            break
        ids = [i for i, s, e in spans if s <= a and b <= e and s < e]
        ids.sort(key=lambda i: _severity(findings[i]))
        starts = [i for i in ids if i not in started]
        started.update(starts)
        out.append(Segment(text[a:b], ids, starts))
    return out


def view(result: ReviewResult, report: Report) -> dict:
    """What the result template needs: the segments, the findings grouped by category, the
    counts by level."""
    findings = result.findings
    groups = []
    for cat in CATEGORIES:
        items = [(i, f) for i, f in enumerate(findings) if f.category == cat]
        if items:
            groups.append({"category": cat, "name": CATEGORY_NAMES[cat], "entries": items})
    counts = {lv.value: sum(1 for f in findings if f.level is lv) for lv in (Level.error, Level.warning, Level.info)}
    return {
        "segments": segments(report.text, findings),
        "findings": findings,
        "groups": groups,
        "counts": counts,
        "categories": [(c, CATEGORY_NAMES[c], sum(1 for f in findings if f.category == c)) for c in CATEGORIES],
        "levels": [(lv, LEVEL_NAMES[lv], counts[lv]) for lv in ("error", "warning", "info")],
        "level_names": LEVEL_NAMES,
        "category_names": CATEGORY_NAMES,
        "silenced": result.silenced,
    }


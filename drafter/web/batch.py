"""The batch page of ``drafter serve`` (``/batch``): several report files or a .zip of them,
reviewed in worker processes (``drafter.review.batch``) while the page shows the progress,
then the 汇总 table (highest risk first) with a link to each report's review and the workbook
(``drafter.review.workbook``) for download.

Limits: at most ``MAX_FILES`` reports, the upload as a whole within the server's upload limit
(``--max-mb``), a .zip checked before it is unpacked (``drafter.documents.archive``: no path
from the archive is used on disk, members and their total unpacked size limited). Uploads are
written under names of our own into a temporary folder, removed when the batch is done; the
last ``KEEP`` batches are kept in memory for their pages and downloads."""

from __future__ import annotations

import io
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from drafter.documents.archive import MAX_FILES, unpack_reports
from drafter.documents.load import REPORT_SUFFIXES
from drafter.errors import InputError
from drafter.review.batch import BatchItem, BatchSetup, by_risk, default_jobs, review_batch
from drafter.web.service import WebError, safe_name

KEEP = 5  # batches kept for their pages
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_RUN = threading.Lock()  # one batch at a time uses the cores; the next one waits


@dataclass
class BatchJob:
    names: list[str]  # what the user sent, to show (a zip member's path, a file's name)
    total: int
    done: int = 0
    failed: int = 0
    state: str = "waiting"  # waiting | running | done | error
    error: str = ""
    items: list[BatchItem] = field(default_factory=list)  # in upload order, file = the shown name
    sources: dict[int, bytes] = field(default_factory=dict)  # the .docx originals, for the commented copy
    workbook: bytes = b""
    started: float = field(default_factory=time.monotonic)

    def status(self) -> dict:
        return {"state": self.state, "done": self.done, "total": self.total, "failed": self.failed,
                "error": self.error}


class BatchJobs:
    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._jobs: OrderedDict[str, BatchJob] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, job: BatchJob) -> str:
        bid = secrets.token_urlsafe(12)
        with self._lock:
            self._jobs[bid] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        return bid

    def get(self, bid: str) -> BatchJob:
        with self._lock:
            job = self._jobs.get(bid)
        if job is None:
            raise WebError(404, "这批报告的结果已不再保留（只保留最近几批）：请重新上传")
        return job


def _extras(index_dir, chroma_url) -> dict:
    """The server's corpus index, opened in each worker process."""
    from drafter.config import load_config, open_index

    return {"index": open_index(load_config(index=index_dir, chroma_url=chroma_url), index_dir), "claims": None}


def collect(uploads: list[tuple[str, bytes]], folder: Path, *, max_files: int, max_bytes: int) -> tuple[list, list]:
    """The uploaded files (name, bytes) as report files in ``folder`` under names of our own:
    ([(shown name, path)], [(shown name, problem)] for what is not a report). A .zip is
    unpacked (checked first); a refused zip or too many reports is a ``WebError``."""
    reports: list[tuple[str, Path]] = []
    skipped: list[tuple[str, str]] = []
    for k, (name, data) in enumerate(uploads, start=1):
        suffix = Path(name).suffix.lower()
        if suffix == ".zip":
            archive = folder / f"upload-{k:03d}.zip"
            archive.write_bytes(data)
            inside = folder / f"zip-{k:03d}"
            inside.mkdir()
            try:
                members = unpack_reports(archive, inside, shown=name, max_files=max_files, max_member=max_bytes)
            except InputError as exc:
                raise WebError(400, str(exc)) from None
            archive.unlink()
            for m in members:
                shown = f"{name}/{m.name}"
                if m.path is None:
                    skipped.append((shown, m.problem))
                else:
                    reports.append((shown, m.path))
        elif suffix in REPORT_SUFFIXES:
            path = folder / f"{k:04d}{suffix}"
            path.write_bytes(data)
            reports.append((name, path))
        else:
            skipped.append((name, f"不是报告文件（{suffix or '无扩展名'}），未审核："
                                  "请上传 .docx、.pdf、.md、.txt 或 .zip"))
        if len(reports) > max_files:
            raise WebError(400, f"一次最多审核 {max_files} 份报告（收到 {len(reports)} 份以上）：请分批上传")
    if not reports:
        raise WebError(400, "没有可审核的报告：请选择 .docx、.pdf、.md、.txt 文件或它们的 .zip 压缩包")
    return reports, skipped


def run_job(job: BatchJob, reports: list[tuple[str, Path]], skipped: list[tuple[str, str]], folder: Path,
            setup: BatchSetup, jobs: int | None) -> None:
    """Review the batch (in a thread of the server), then write its workbook; the upload folder
    is removed at the end whatever happens."""
    import multiprocessing

    from drafter.review.workbook import build_workbook

    try:
        with _RUN:
            job.state = "running"
            paths = [str(p) for _, p in reports]
            shown = {str(p): n for n, p in reports}

            def done(item: BatchItem) -> None:
                job.done += 1
                job.failed += not item.ok

            # workers start from a fresh interpreter: a server's threads are not to be forked
            items = list(review_batch(paths, setup=setup, jobs=jobs, on_done=done,
                                      mp_context=multiprocessing.get_context("forkserver")))
        out = []
        for item in items:
            name = shown[item.file]
            if item.ok and item.file.endswith(".docx"):
                job.sources[item.index] = Path(item.file).read_bytes()
            update = {"file": name}
            if item.ok:
                update["result"] = item.result.model_copy(update={"file": name})
                update["summary"] = item.summary.model_copy(update={"file": name})
                update["report"] = item.report.model_copy(update={"path": name})
            out.append(item.model_copy(update=update))
        n = len(out)
        out += [BatchItem(index=n + k, file=name, problem=problem) for k, (name, problem) in enumerate(skipped)]
        job.failed += len(skipped)
        book = build_workbook(out)
        buf = io.BytesIO()
        book.save(buf)
        job.items, job.workbook, job.state = out, buf.getvalue(), "done"
    except Exception as exc:  # the page says so; the server goes on
        job.state, job.error = "error", f"审核未能完成（{exc.__class__.__name__}）"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def install(app, *, settings, backend, page, store, attachment) -> None:
    """Add the batch routes to the app (``create_app`` calls this)."""
    from drafter.web.service import Stored, view

    jobs_kept = BatchJobs()
    app.state.batches = jobs_kept
    extras = None
    if backend.index is not None:
        from functools import partial

        extras = partial(_extras, settings.index_dir, settings.chroma_url)
    # each report under the server's per-request limits, in a worker process
    setup = BatchSetup(max_bytes=settings.max_bytes, keep_reports=True, extras=extras,
                       time_limit=settings.time_limit, memory_limit_mb=settings.memory_limit_mb)

    async def read_uploads(request: Request) -> list[tuple[str, bytes]]:
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith("multipart/form-data"):
            raise WebError(400, "请选择要审核的报告文件或 .zip 压缩包")
        try:
            form = await request.form(max_files=MAX_FILES + 1, max_fields=10, max_part_size=settings.max_bytes + 1024)
        except StarletteHTTPException as exc:
            if "many files" in str(exc.detail):
                raise WebError(400, f"一次最多上传 {MAX_FILES} 个文件：请分批上传或打包成 .zip") from None
            raise WebError(400, f"表单无法读取（{exc.detail}）") from None
        uploads = []
        for value in form.getlist("files"):
            if isinstance(value, UploadFile) and value.filename:
                uploads.append((safe_name(value.filename), await value.read()))
        if not uploads:
            raise WebError(400, "请选择要审核的报告文件或 .zip 压缩包")
        return uploads

    @app.get("/batch", response_class=HTMLResponse, include_in_schema=False)
    def batch_page():
        return page("batch.html", active="batch", max_files=MAX_FILES)

    @app.post("/batch", include_in_schema=False)
    async def batch_submit(request: Request):
        uploads = await read_uploads(request)
        folder = Path(tempfile.mkdtemp(prefix="drafter-batch-", dir=settings.tmp_root))
        try:
            reports, skipped = await run_in_threadpool(collect, uploads, folder, max_files=MAX_FILES,
                                                       max_bytes=settings.max_bytes)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job = BatchJob(names=[n for n, _ in reports], total=len(reports))
        bid = jobs_kept.put(job)
        threading.Thread(target=run_job, args=(job, reports, skipped, folder, setup, default_jobs()),
                         daemon=True, name=f"drafter-batch-{bid[:6]}").start()
        return RedirectResponse(f"/batch/{bid}", status_code=303)

    @app.get("/batch/{bid}", response_class=HTMLResponse, include_in_schema=False)
    def batch_result(bid: str):
        job = jobs_kept.get(bid)
        ranked = by_risk(job.items) if job.state == "done" else []
        failed = [i for i in job.items if not i.ok]
        return page("batch_result.html", active="batch", bid=bid, job=job, ranked=ranked, failed=failed)

    @app.get("/batch/{bid}/status.json", include_in_schema=False)
    def batch_status(bid: str):
        return JSONResponse(jobs_kept.get(bid).status())

    @app.get("/batch/{bid}/summary.xlsx", include_in_schema=False)
    def batch_workbook(bid: str):
        job = jobs_kept.get(bid)
        if job.state != "done":
            raise WebError(404, "这批报告还没有审核完")
        return attachment(job.workbook, "批量审核汇总.xlsx", XLSX_TYPE)

    @app.get("/batch/{bid}/{n}", response_class=HTMLResponse, include_in_schema=False)
    def batch_report(bid: str, n: int):
        job = jobs_kept.get(bid)
        if job.state != "done" or not 0 <= n < len(job.items) or not job.items[n].ok:
            raise WebError(404, "没有这份报告的审核结果")
        item = job.items[n]
        rid = store.put(Stored(kind="review", name=item.file, report=item.report, result=item.result,
                               source=job.sources.get(item.index)))
        return page("review.html", active="batch", name=item.file, rid=rid, fmt=item.report.format,
                    **view(item.result, item.report))


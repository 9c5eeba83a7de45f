"""Reviews and drafts of ``drafter serve`` in a small pool of worker processes, each request
with a time and a memory limit.

A request that is slow or greedy (a pathological report, a model that never answers) holds one
worker only: the server's own process keeps answering pages and the other workers keep
working. At the time limit the worker is killed and another started in its place; the memory
limit is an address-space limit (``RLIMIT_AS``) the worker sets on itself before each request
(what it has then, plus the allowance), so an allocation past it fails there with
``MemoryError``, the request gets its message and the worker is replaced. Either way the user
gets a 422 in Chinese naming the limit; a request that finds every worker busy for too long, or
a server that is stopping, gets a 503.

The workers are forked from multiprocessing's fork server (with drafter's modules loaded
once), get the server's environment at the time they start, and build their own ``Backend``
from the server's settings. Only the event loop of the server talks to the pool: ``start``,
``run`` and ``close`` are called from it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from drafter.errors import DrafterError
from drafter.limits import limit_address_space
from drafter.web.service import WebError, remove_upload_folders

log = logging.getLogger("drafter.web")

# a job (a method of the backend) -> what it is called for a user, and what they can do at a limit
JOBS = {
    "review_source": ("审核", "请拆分报告或删去异常长的段落、表格后再试。"),
    "draft_source": ("起草", "请检查事实文件；用模型起草时也请检查模型服务，然后再试。"),
    "commented_docx": ("生成带批注的 Word 文件", "请拆分报告后再试。"),
    "draft_docx": ("生成 Word 文件", "请检查草稿后再试。"),
}
CLOSING = "服务器正在关闭，这个请求没有完成。请稍后再试。"
PRELOAD = ["drafter.web.service", "drafter.review.engine", "drafter.documents.load", "drafter.draft.pipeline",
           "drafter.facts.model"]


class WorkerError(Exception):
    """An unexpected error inside a worker: only its class name leaves the worker (the
    server logs it; the user gets the plain 500 page)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _Gone(Exception):
    """The worker ended (killed, crashed, or the pool is closing) before it answered."""


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)  # effective when the fork server starts (once a process)
        return ctx
    return multiprocessing.get_context("spawn")


# --- the worker's side -----------------------------------------------------------------------


def _answer(backend, job: str, args: tuple) -> tuple:
    try:
        return ("ok", getattr(backend, job)(*args))
    except MemoryError:
        return ("memory",)
    except WebError as exc:
        return ("error", exc.status, exc.message)
    except DrafterError as exc:
        return ("error", 400, str(exc))
    except Exception as exc:
        return ("internal", exc.__class__.__name__)


def _serve(conn, settings, backend_class, environ: dict) -> None:
    """A worker: build the backend, say so, then answer one job at a time until the pipe closes.
    After a ``MemoryError`` it ends, so that a fresh worker takes its place."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the server stops us
    os.environ.clear()
    os.environ.update(environ)
    try:
        backend = backend_class(settings)
    except Exception as exc:  # the server built the same backend before starting us: rare
        conn.send(("failed", f"{exc.__class__.__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    allowance = settings.memory_limit_mb * 1024 * 1024
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError):
            return
        limit_address_space(allowance)
        reply = _answer(backend, job, args)
        try:
            conn.send(reply)
        except MemoryError:  # the answer itself did not fit
            reply = ("memory",)
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an answer that cannot be pickled
            conn.send(("internal", exc.__class__.__name__))
        if reply[0] == "memory":
            return


# --- the server's side -----------------------------------------------------------------------


class _Worker:
    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn
        self.fd = conn.fileno()
        self.ready = False
        self.busy = False
        self.pending: asyncio.Future | None = None  # the answer awaited, while a job runs
        self.io: Future | None = None  # a send or receive running in a thread (the pipe stays open until it ends)
        self.watched = False  # the event loop watches the pipe (its fd number is ours while it is open)


class WorkerPool:
    """``settings.workers`` worker processes running ``backend_class(settings)``."""

    def __init__(self, settings, backend_class) -> None:
        self.settings = settings
        self.backend_class = backend_class
        self.size = settings.workers
        self.time_limit = settings.time_limit
        self.memory_mb = settings.memory_limit_mb
        self.queue_wait = settings.queue_wait if settings.queue_wait is not None else settings.time_limit
        self._workers: list[_Worker] = []
        self._idle: list[_Worker] = []
        self._waiters: deque[asyncio.Future] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing = False
        self._failure: str | None = None
        self._threads: ThreadPoolExecutor | None = None  # pipe transfers and reaping, off the event loop
        self.jobs = 0  # jobs handed to a worker

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers (in the running event loop; they get ready in the background)."""
        self._loop = asyncio.get_running_loop()
        self._closing = False
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=2 * self.size + 2, thread_name_prefix="drafter-pool")
        while len(self._workers) < self.size:
            self._spawn()

    def close(self) -> None:
        """Kill every worker now; requests waiting for one get a 503."""
        self._closing = True
        workers = list(self._workers)
        for worker in workers:
            self._drop(worker, reap=False)
        for worker in workers:
            self._reap(worker.process)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        if self._threads is not None:
            self._threads.shutdown(wait=False)
            self._threads = None

    def stats(self) -> dict:
        return {"pids": [w.process.pid for w in self._workers], "ready": sum(w.ready for w in self._workers),
                "busy": sum(w.busy for w in self._workers), "jobs": self.jobs}

    def _spawn(self) -> None:
        ctx = _context()
        here, there = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(there, self.settings, self.backend_class, dict(os.environ)),
                              name="drafter-worker", daemon=True)
        try:
            process.start()
        except OSError as exc:
            log.error("could not start a worker process: %s", exc)
            self._failure = str(exc)
            here.close()
            return
        finally:
            there.close()
        worker = _Worker(process, here)
        self._workers.append(worker)
        self._watch(worker, self._started, worker)

    def _watch(self, worker: _Worker, callback, *args) -> None:
        self._loop.add_reader(worker.fd, callback, *args)
        worker.watched = True

    def _unwatch(self, worker: _Worker) -> None:
        if worker.watched:
            self._loop.remove_reader(worker.fd)
            worker.watched = False
            # uvloop made it non-blocking to watch it: a long message is sent and read whole
            os.set_blocking(worker.fd, True)

    def _started(self, worker: _Worker) -> None:
        self._unwatch(worker)
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            message = ("failed", f"it ended with exit code {worker.process.exitcode}")
        if message[0] == "ready":
            worker.ready = True
            self._failure = None
            self._release(worker)
            return
        log.error("a worker process could not start: %s", message[1])
        self._failure = message[1]
        self._drop(worker)
        self._wake()

    def _drop(self, worker: _Worker, reap: bool = True) -> None:
        """Kill a worker and forget it; a job it was running ends with ``_Gone``."""
        if worker in self._workers:
            self._workers.remove(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        self._unwatch(worker)
        if worker.pending is not None and not worker.pending.done():
            worker.pending.set_exception(_Gone())
        if worker.process.is_alive():
            worker.process.kill()
        if worker.io is not None and not worker.io.done():  # a thread still uses the pipe: it ends now
            worker.io.add_done_callback(lambda _: worker.conn.close())
        else:
            worker.conn.close()
        if reap and self._threads is not None:  # collect its exit status without holding up the event loop
            self._threads.submit(self._reap, worker.process)

    def _reap(self, process) -> None:
        """Wait for a killed worker to end, then remove the upload folders it could not."""
        process.join(5)
        if process.pid is not None and process.exitcode is not None:
            remove_upload_folders(self.settings.tmp_root, process.pid)

    def _replace(self, worker: _Worker) -> None:
        self._drop(worker)
        if not self._closing:
            self._spawn()

    # -- handing out workers ----------------------------------------------------------------

    def _wake(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _release(self, worker: _Worker) -> None:
        worker.busy = False
        if self._closing:
            self._drop(worker)
            return
        self._idle.append(worker)
        self._wake()

    async def _acquire(self) -> _Worker:
        deadline = self._loop.time() + self.queue_wait
        while True:
            if self._closing:
                raise WebError(503, CLOSING)
            if self._idle:
                worker = self._idle.pop()
                worker.busy = True
                return worker
            if self._failure and not self._workers:
                raise WebError(503, f"工作进程无法启动（{self._failure}），这个请求没有处理。请查看服务器日志。")
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                raise WebError(503, f"服务器正忙：{self.size} 个工作进程都在处理其他请求，等了 {self.queue_wait:g} 秒"
                                    "仍没有空闲。请稍后再试。", headers={"Retry-After": f"{self.queue_wait:.0f}"})
            waiter = self._loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except asyncio.TimeoutError:
                pass
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    # -- running a job ----------------------------------------------------------------------

    async def run(self, job: str, *args):
        """``backend.<job>(*args)`` in a worker: its result, or a WebError (the backend's own,
        or a limit's) or a WorkerError."""
        if self._loop is None:
            self.start()
        worker = await self._acquire()
        self.jobs += 1
        what, hint = JOBS[job]
        try:
            reply = await asyncio.wait_for(self._call(worker, job, args), self.time_limit)
        except asyncio.TimeoutError:
            self._replace(worker)
            raise WebError(422, f"{what}超过了每个请求的时间上限（{self.time_limit:g} 秒），已停止；"
                                f"服务器上的其他请求不受影响。{hint}") from None
        except _Gone:
            if self._closing:
                raise WebError(503, CLOSING) from None
            code = worker.process.exitcode
            self._replace(worker)
            log.error("a worker process ended during a request (exit code %s)", code)
            raise WebError(422, f"{what}时工作进程意外退出（可能超过了每个请求的内存上限 {self.memory_mb} MB），"
                                f"已停止并换了新的工作进程；服务器上的其他请求不受影响。{hint}") from None
        except BaseException:  # cancelled: the worker may still be busy with this job
            self._replace(worker)
            raise
        if reply[0] == "memory":
            self._replace(worker)
            raise WebError(422, f"{what}超过了每个请求的内存上限（{self.memory_mb} MB），已停止；"
                                f"服务器上的其他请求不受影响。{hint}")
        self._release(worker)
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "error":
            raise WebError(reply[1], reply[2])
        raise WorkerError(reply[1])

    async def _in_thread(self, worker: _Worker, fn, *args):
        """``fn(*args)`` on the worker's pipe in a thread (a large upload or answer fills the
        pipe; the other side reads or writes meanwhile)."""
        worker.io = self._threads.submit(fn, *args)
        try:
            return await asyncio.wrap_future(worker.io)
        except (EOFError, OSError, ValueError):
            raise _Gone() from None

    async def _call(self, worker: _Worker, job: str, args: tuple) -> tuple:
        loop = self._loop
        pending = worker.pending = loop.create_future()
        try:
            await self._in_thread(worker, worker.conn.send, (job, args))
            if not pending.done():  # (done: the worker was dropped while the job was sent)
                self._watch(worker, lambda: pending.done() or pending.set_result(None))
            try:
                await pending
            finally:
                self._unwatch(worker)
            return await self._in_thread(worker, worker.conn.recv)
        finally:
            worker.pending = None
            if pending.done() and not pending.cancelled():
                pending.exception()  # retrieved: a worker dropped while its job was being sent

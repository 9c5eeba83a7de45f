"""Reviews and drafts run in a small pool of worker processes, each request with a time and a
memory limit: a slow or greedy request holds one worker only, is stopped at its limit with a
Chinese 422, and its worker is replaced; the server answers everyone else meanwhile, says 503
when every worker stays busy, and stops promptly on SIGTERM with its workers gone.

The misbehaving reviews are tests/web_hooks.py's, run in the workers themselves."""

import io
import os
import re
import signal
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from drafter.web import WebSettings, create_app
from tests.conftest import SEEDS
from tests.test_web_api import public, upload
from tests.web_hooks import MisbehavingBackend

TIME_LIMIT = ("审核超过了每个请求的时间上限（{s} 秒），已停止；服务器上的其他请求不受影响。"
              "请拆分报告或删去异常长的段落、表格后再试。")
MEMORY_LIMIT = ("审核超过了每个请求的内存上限（{mb} MB），已停止；服务器上的其他请求不受影响。"
                "请拆分报告或删去异常长的段落、表格后再试。")
BUSY = "服务器正忙：{n} 个工作进程都在处理其他请求，等了 {s} 秒仍没有空闲。请稍后再试。"
CLOSING = "服务器正在关闭，这个请求没有完成。请稍后再试。"


def limited_client(tmp_path, **settings) -> TestClient:
    uploads = tmp_path / "uploads"
    uploads.mkdir(exist_ok=True)
    app = create_app(WebSettings(tmp_root=str(uploads), no_index=True, **settings), backend_class=MisbehavingBackend)
    return TestClient(app, base_url="http://127.0.0.1:8000")


def wait_until(condition, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def in_background(call):
    """Run ``call`` in a thread; the returned dict gets its result and how long it took."""
    out: dict = {}

    def run():
        t0 = time.monotonic()
        out["response"] = call()
        out["seconds"] = time.monotonic() - t0

    out["thread"] = threading.Thread(target=run, daemon=True)
    out["thread"].start()
    return out


def test_a_slow_review_holds_one_worker_only_and_is_stopped_at_the_time_limit(tmp_path):
    with limited_client(tmp_path, workers=2, time_limit=8) as c:
        pool = c.app.state.pool
        wait_until(lambda: pool.stats()["ready"] == 2, what="two workers")
        before = set(pool.stats()["pids"])
        slow = in_background(lambda: c.post("/api/review", data={"text": "【慢】自评 100 分。\n"}))
        wait_until(lambda: pool.stats()["busy"] == 1, what="the slow review to start")

        # the slow review runs; the server answers others meanwhile
        quick = c.post("/api/review", files=upload(SEEDS["gl"]))
        assert quick.status_code == 200 and quick.json() == public(SEEDS["gl"])
        assert c.get("/").status_code == 200 and c.get("/api/info").status_code == 200
        assert slow["thread"].is_alive(), "the second review waited for the slow one"

        # the slow one is stopped at its limit, with a message a user can act on
        slow["thread"].join(60)
        r = slow["response"]
        assert (r.status_code, r.json()) == (422, {"error": TIME_LIMIT.format(s=8)})
        assert 8 <= slow["seconds"] < 30
        # its worker was killed and another took its place
        wait_until(lambda: pool.stats()["ready"] == 2, what="the replacement worker")
        killed = before - set(pool.stats()["pids"])
        assert len(killed) == 1 and not alive(killed.pop())
        assert c.post("/api/review", files=upload(SEEDS["gl"])).json() == public(SEEDS["gl"])
        # (the page of a request over the time limit: tests/test_web_browser.py)
    assert list((tmp_path / "uploads").iterdir()) == []


def test_the_upload_folder_of_a_request_stopped_at_its_limit_is_removed(tmp_path):
    """A worker killed at the time limit cannot remove its upload folder itself: the server
    does, when the worker has ended."""
    uploads = tmp_path / "uploads"
    with limited_client(tmp_path, workers=1, time_limit=4) as c:
        slow = in_background(lambda: c.post("/api/review", files={"file": ("慢.md", "【慢】自评 100 分。\n".encode())}))
        # the folder appears before the file in it is written: wait for the file's whole text
        wait_until(lambda: [f.read_bytes() for f in uploads.glob("*/upload.md")] == ["【慢】自评 100 分。\n".encode()],
                   what="the uploaded file")
        [folder] = uploads.iterdir()
        slow["thread"].join(60)
        assert (slow["response"].status_code, slow["response"].json()) == (422, {"error": TIME_LIMIT.format(s=4)})
        wait_until(lambda: list(uploads.iterdir()) == [], timeout=20, what="the upload folder to be removed")
        assert c.post("/api/review", files=upload(SEEDS["gl"])).status_code == 200
        assert list(uploads.iterdir()) == []


def test_a_review_over_the_memory_limit_is_stopped_and_its_worker_replaced(tmp_path):
    with limited_client(tmp_path, workers=1, memory_limit_mb=200) as c:
        pool = c.app.state.pool
        assert c.post("/api/review", files=upload(SEEDS["gl"])).status_code == 200
        [pid] = pool.stats()["pids"]
        # the worker's address space is limited to what it had when the request came, plus 200 MB
        soft = re.search(r"Max address space\s+(\d+)", Path(f"/proc/{pid}/limits").read_text())
        size = int(re.search(r"VmSize:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1)) * 1024
        assert soft is not None and size < int(soft.group(1)) <= size + 300 * 1024 * 1024

        r = c.post("/api/review", data={"text": "【大】自评 100 分。\n"})
        assert (r.status_code, r.json()) == (422, {"error": MEMORY_LIMIT.format(mb=200)})
        wait_until(lambda: pool.stats()["ready"] == 1, what="the replacement worker")
        assert pool.stats()["pids"] != [pid]
        wait_until(lambda: not alive(pid), timeout=10, what="the greedy worker to end")
        assert c.post("/api/review", files=upload(SEEDS["gl"])).json() == public(SEEDS["gl"])
        page = c.post("/review", data={"text": "【大】自评 100 分。\n"})
        assert page.status_code == 422 and "超出处理上限" in page.text and MEMORY_LIMIT.format(mb=200) in page.text


def test_when_every_worker_stays_busy_a_request_gets_503(tmp_path):
    with limited_client(tmp_path, workers=1, time_limit=6, queue_wait=1) as c:
        pool = c.app.state.pool
        slow = in_background(lambda: c.post("/api/review", data={"text": "【慢】自评 100 分。\n"}))
        wait_until(lambda: pool.stats()["busy"] == 1, what="the slow review to start")
        r = c.post("/api/review", files=upload(SEEDS["gl"]))
        assert (r.status_code, r.json()) == (503, {"error": BUSY.format(n=1, s=1)})
        assert r.headers["retry-after"] == "1"
        page = c.post("/review", files=upload(SEEDS["gl"]))
        assert page.status_code == 503 and "服务器暂时无法处理" in page.text and BUSY.format(n=1, s=1) in page.text
        assert c.get("/api/info").status_code == 200
        slow["thread"].join(30)
        assert slow["response"].status_code == 422
        # (a request waiting when the server stops gets 503 too: the SIGTERM test below)


def test_large_uploads_and_answers_cross_the_pipe_under_uvicorn(tmp_path):
    """Under uvicorn (with uvloop, which makes a watched pipe non-blocking) a report of a
    megabyte goes to its worker and comes back whole."""
    import socket

    import uvicorn

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    app = create_app(WebSettings(no_index=True, tmp_root=str(uploads)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, what="uvicorn")
        big = ("本项目按计划推进各项工作有序开展" * 60 + "。\n\n") * 400  # 1.2 MB, reviewed in about a second
        for _ in range(2):
            r = httpx.post(f"http://127.0.0.1:{port}/review", data={"text": big}, timeout=100)
            assert r.status_code == 200, r.text[:300]
            assert r.text.count("本项目按计划推进各项工作有序开展") == 400 * 60
            r = httpx.post(f"http://127.0.0.1:{port}/api/review/docx", data={"text": big}, timeout=100)
            assert r.status_code == 200
            with zipfile.ZipFile(io.BytesIO(r.content)) as z:  # compressed: count the text inside
                assert z.read("word/document.xml").decode().count("本项目按计划推进各项工作有序开展") == 400 * 60
    finally:
        server.should_exit = True
        thread.join(20)


def test_drafter_serve_stops_promptly_on_sigterm_with_its_workers_gone(tmp_path):
    """A claim check whose model never answers keeps a worker busy; SIGTERM still stops the
    server within seconds, answers the waiting request, and leaves no worker behind."""
    import socket

    from tests.fake_openai import FakeOpenAI
    from tests.test_cli_input import DRAFTER

    answer = threading.Event()
    server = FakeOpenAI()
    server.default = lambda body: (answer.wait(120), "")[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DRAFTER_TIMEOUT": "120"}
    proc = subprocess.Popen(DRAFTER + ["serve", "--port", str(port), "--no-index", "--backend", "openai",
                                       "--model", "scripted", "--base-url", server.url],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/info", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "drafter serve did not start"
            time.sleep(0.2)
        slow = in_background(lambda: httpx.post(base + "/api/review", files=upload(SEEDS["gl"]),
                                                data={"llm": "1"}, timeout=120))
        wait_until(lambda: len(server.requests) == 1, timeout=60, what="the model call")
        workers = descendants(proc.pid)
        assert len(workers) >= 2, workers

        proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("drafter serve was still running 30 s after SIGTERM") from None
        stopped = time.monotonic() - t0
        assert stopped < 5, f"drafter serve took {stopped:.1f} s to stop after SIGTERM"
        slow["thread"].join(10)
        r = slow["response"]
        assert (r.status_code, r.json()) == (503, {"error": CLOSING})
        wait_until(lambda: not any(alive(pid) for pid in workers), timeout=5, what="the workers to end")
    finally:
        answer.set()
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=20)
        server.close()
    assert "Traceback" not in err, err
    assert "POST /api/review 503" in err


def test_serve_limits_are_options():
    proc = subprocess.run(_drafter() + ["serve", "--help"], capture_output=True, text=True, timeout=60)
    shown = " ".join(proc.stdout.split())
    for option in ("--workers INTEGER RANGE", "--time-limit SECONDS", "--memory-limit MB"):
        assert option in shown, option
    bad = subprocess.run(_drafter() + ["serve", "--workers", "0"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Invalid value for '--workers': 0 is not in the range 1<=x<=16." in bad.stderr


def _drafter() -> list[str]:
    from tests.test_cli_input import DRAFTER

    return DRAFTER


def test_limits_are_in_api_info(tmp_path):
    with limited_client(tmp_path, workers=2, time_limit=30, memory_limit_mb=512) as c:
        info = c.get("/api/info").json()
    assert {k: info[k] for k in ("workers", "time_limit", "memory_limit_mb")} == {
        "workers": 2, "time_limit": 30, "memory_limit_mb": 512}

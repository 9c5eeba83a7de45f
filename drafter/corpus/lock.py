"""One writer at a time per local index folder. Two processes writing one Chroma folder each
keep their own vector graph and save it over the other's: vectors are lost without an error.
A writer holds an exclusive ``flock`` on ``drafter.lock`` in the folder (which names it: pid,
host, since when); a second writer waits for it up to a bound, then stops with a message naming
the first. The lock is re-entrant within a process and released when the process ends, however
it ends. Readers (review, search) take no lock."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from drafter.errors import DrafterError

try:
    import fcntl
except ImportError:  # not on Windows: writers there are not serialised
    fcntl = None

LOCK_FILE = "drafter.lock"
WAIT = 60.0  # seconds a second writer waits by default

_held: dict[str, list] = {}  # folder -> [open file, depth]
_guard = threading.Lock()


class IndexBusy(DrafterError):
    """Another process is writing the index folder."""


def holder(folder: str | Path) -> str:
    """Who holds (or last held) the folder's lock, as its lock file says."""
    try:
        return (Path(folder) / LOCK_FILE).read_text(encoding="utf-8").strip() or "未知进程"
    except OSError:
        return "未知进程"


@contextmanager
def writing(folder: str | Path, wait: float = WAIT, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the folder's writer lock for the block. Waits up to ``wait`` seconds for another
    writer (``on_wait`` is told who, once), then raises ``IndexBusy`` naming it."""
    folder = Path(folder)
    key = str(folder.resolve())
    with _guard:
        if key in _held:
            _held[key][1] += 1
            mine = None
        else:
            mine = _acquire(folder, wait, on_wait)
            _held[key] = [mine, 1]
    try:
        yield
    finally:
        with _guard:
            _held[key][1] -= 1
            if _held[key][1] == 0:
                f = _held.pop(key)[0]
                if f is not None:
                    f.close()  # closing the file releases the lock


def _acquire(folder: Path, wait: float, on_wait):
    if fcntl is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    f = open(folder / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 (held open while writing)
    deadline = time.monotonic() + max(0.0, wait)
    told = False
    while True:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            who = holder(folder)
            if time.monotonic() >= deadline:
                f.close()
                raise IndexBusy(f"{folder}: 另一个 drafter index 正在写入这个索引（{who}），"
                                f"等待 {wait:g} 秒后仍未结束；请等它结束再试，或用 --wait 秒数 等得更久") from None
            if on_wait is not None and not told:
                on_wait(who)
                told = True
            time.sleep(0.1)
        except OSError as exc:
            f.close()
            raise DrafterError(f"{folder}: 无法锁定索引文件夹（{exc.strerror or exc}）") from None
    f.seek(0)
    f.truncate()
    f.write(f"进程 {os.getpid()}，主机 {socket.gethostname()}，{time.strftime('%Y-%m-%d %H:%M:%S')} 起\n")
    f.flush()
    return f

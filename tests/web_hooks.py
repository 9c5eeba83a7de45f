"""A web backend for the limit tests: its review misbehaves on a marker in the report. The app
builds it in each worker process (``create_app(settings, backend_class=MisbehavingBackend)``),
so the misbehaviour happens where a real slow or greedy review would.

- 【慢】 sleeps for ten minutes (a review that never ends; an uploaded one with its upload folder
  on disk, as a parse that never ends);
- 【大】 asks for memory, 32 MB at a time, until it gets none (at most 4 GB of address space,
  never touched: even without a limit it costs the machine no memory);
- 【坏】 raises an internal error whose text must never reach a user.
"""

from __future__ import annotations

import time

from drafter.web.service import Backend, Upload, UploadFolder


def _text(source) -> str:
    return source if isinstance(source, str) else source.data.decode("utf-8", "ignore")


class MisbehavingBackend(Backend):
    def review_source(self, source, llm: bool = False):
        text = _text(source)
        if "【慢】" in text and isinstance(source, Upload):
            with UploadFolder(self.settings.tmp_root) as folder:  # a parse that never ends, its upload on disk
                (folder / "upload.md").write_bytes(source.data)
                time.sleep(600)
        if "【慢】" in text:
            time.sleep(600)
        if "【大】" in text:
            hog = []
            for _ in range(128):
                hog.append(bytearray(32 * 1024 * 1024))
            del hog
        if "【坏】" in text:
            raise RuntimeError("secret detail /srv/private/path")
        return super().review_source(source, llm)

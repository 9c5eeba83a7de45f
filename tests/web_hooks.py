"""A web backend for the limit tests: its review misbehaves on a marker in the report. The app
builds it in each worker process (``create_app(settings, backend_class=MisbehavingBackend)``),
so the misbehaviour happens where a real slow or greedy review would.

- 【慢】 sleeps for ten minutes (a review that never ends; an uploaded one with its upload folder
  on disk, as a parse that never ends);
- 【大】 asks for memory, 32 MB at a time, until it gets none (at most 4 GB of address space,
  never touched: even without a limit it costs the machine no memory);
- 【坏】 raises an internal error whose text must never reach a user.

``RecordingBuilderBackend`` records the chat models its workers build.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

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


class RecordingBuilderBackend(Backend):
    """In a worker process, ``drafter.llm.chat.build_chat`` is tests/test_cli_structure.py's
    stand-in, and each model it builds is written as a JSON line to the file that
    ``DRAFTER_TEST_BUILDS`` names (the test reads what the workers built there). In the
    server's own process the test's stand-in is left as it is."""

    def __init__(self, settings) -> None:
        if multiprocessing.parent_process() is not None:
            from drafter.llm import chat
            from tests.test_cli_structure import Builds

            record = Path(os.environ["DRAFTER_TEST_BUILDS"])
            builds = Builds()

            def build_chat(ep, cache_dir=None, *, purpose=""):
                model = builds(ep, cache_dir, purpose=purpose)
                with record.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(builds.built[-1], ensure_ascii=False) + "\n")
                return model

            chat.build_chat = build_chat
        super().__init__(settings)

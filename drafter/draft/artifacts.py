"""A draft run's artifacts, written only when asked (``runs_dir``): ``runs/<id>/`` with the facts,
every section's prompt, raw outputs and source, the draft and its findings; each file written
whole or not at all."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from drafter.files import write_text_atomic


def new_run_id() -> str:
    """The time to the millisecond and a random suffix: drafts run at once never share a folder."""
    return time.strftime("%Y%m%d-%H%M%S") + f"-{int(time.time() * 1000) % 1000:03d}-{secrets.token_hex(2)}"


def write_run(run: Path, *, facts, sections, markdown: str, result) -> None:
    """The run folder of a finished draft."""
    run.mkdir(parents=True, exist_ok=True)

    def dump(data) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2)

    write_text_atomic(run / "facts.json", dump(facts.model_dump(mode="json")))
    write_text_atomic(run / "draft.md", markdown)
    write_text_atomic(run / "sections.json", dump([s.model_dump(mode="json") for s in sections]))
    if result is not None:
        # the placeholders left for the user are counted beside the findings
        public = {**result.public(), "placeholders": count_placeholders(markdown)}
        write_text_atomic(run / "findings.json", dump(public))


def count_placeholders(markdown: str) -> int:
    """The 【待补充…】 places a draft leaves for the user to fill in."""
    return markdown.count("【待补充")

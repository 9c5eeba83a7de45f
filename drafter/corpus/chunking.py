"""What a report is in the index (unit, project, year, template) and how it is cut into
chunks that follow its sections; the ids that carry the keys searches filter on."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import BaseModel

from drafter.analysis.templates import detect_template, section_kind
from drafter.analysis.view import Analysis, Section
from drafter.documents.load import Report

MAX_CHUNK = 400  # characters; long sections split at sentence ends
MIN_SENTENCE = 12  # normalised characters: shorter sentences are not worth matching
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


class Chunk(BaseModel):
    id: str
    text: str
    metadata: dict


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_key(path: str | Path) -> str:
    return str(Path(path).resolve())


def code(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def chunk_id(meta: dict) -> str:
    """``kind.year.unit.source.n``: a chunk's id carries the keys searches filter on, so a
    search can filter the ids of a plain (fast) vector query instead of asking Chroma to
    filter (slow) or fetching every candidate's metadata (slower)."""
    return f"{meta['section_kind'] or '-'}.{meta['year']}.{code(meta['unit'])}.{code(meta['source'])}.{meta['chunk']}"


def id_keys(cid: str) -> dict:
    kind, year, unit, source, _ = cid.split(".")
    return {"section_kind": "" if kind == "-" else kind, "year": int(year), "unit": unit, "source": source}


def matches(cid: str, wanted: dict, exclude_source: str | None) -> bool:
    keys = id_keys(cid)
    if exclude_source and keys["source"] == code(exclude_source):
        return False
    return all(keys[k] == (code(v) if k == "unit" else v) for k, v in wanted.items())


_FIELD = {
    "project": re.compile(r"项目名称[：:]\s*([^\n|]{2,40})"),
    "unit": re.compile(r"(?:项目单位|实施单位|主管部门|填报单位|预算单位)[：:]\s*([^\n|（(]{2,40})"),
}


def identity(report: Report, analysis: Analysis) -> dict:
    """unit, project, year, template of a report: its metadata header, else its own text."""
    meta = report.meta
    out = {}
    for key in ("unit", "project"):
        value = meta.get(key)
        if not value:
            m = _FIELD[key].search(report.text[:4000])
            value = m.group(1).strip() if m else ""
        out[key] = str(value)
    out["year"] = int(report.year or 0)
    template = detect_template(analysis)
    out["template"] = str(meta.get("template") or (template.id if template else ""))
    return out


_CONTENT = re.compile(r"[^\W_]+")  # letters, digits and CJK
SKETCH_SIZE = 64  # MinHash values of a report's text
SKETCH_BANDS = 16  # bands of SKETCH_SIZE // SKETCH_BANDS values: the index finds near twins by them
SAME_TEXT = 0.9  # estimated Jaccard of 8-grams at or above which two texts are one report's


def body_content(report: Report) -> str:
    """The report's content characters (CJK, letters, digits) after its metadata header: the
    same for a report's .md, its .docx and (but for page furniture) its .pdf."""
    return "".join(_CONTENT.findall(report.text[report.body_start :]))


def text_key(report: Report) -> str:
    """A hash of the report's normalised text (``body_content``)."""
    return code(body_content(report))


def sketch(report: Report) -> bytes:
    """A MinHash sketch of the report's content 8-grams (``SKETCH_SIZE`` 64-bit values):
    the share of equal values estimates the Jaccard similarity of two texts, so a .pdf with
    page numbers still matches its .docx."""
    import numpy as np

    text = body_content(report)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = 8
    if len(codes) < n:
        codes = np.concatenate([codes, np.zeros(n - len(codes), dtype=np.uint64)])
    grams = np.zeros(len(codes) - n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            grams = grams * np.uint64(0x100000001B3) + codes[j : len(codes) - n + 1 + j]
        a, b = _permutations()
        mixed = grams[None, :] * a[:, None] + b[:, None]
        mixed ^= mixed >> np.uint64(29)
        mixed *= np.uint64(0xBF58476D1CE4E5B9)
        mixed ^= mixed >> np.uint64(32)
    return mixed.min(axis=1).astype("<u8").tobytes()


def _permutations():
    import numpy as np

    rng = np.random.default_rng(20231)  # fixed: every machine computes the same sketch
    a = rng.integers(1, 2**63, SKETCH_SIZE, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, SKETCH_SIZE, dtype=np.uint64)
    return a, b


def similarity(a: bytes | None, b: bytes | None) -> float:
    """The estimated Jaccard similarity of two sketches (0 when either is missing)."""
    import numpy as np

    if not a or not b or len(a) != len(b):
        return 0.0
    return float(np.mean(np.frombuffer(a, dtype="<u8") == np.frombuffer(b, dtype="<u8")))


def bands(sk: bytes) -> list[int]:
    """The sketch's band keys (signed 64-bit): two near-identical texts share at least one."""
    step = len(sk) // SKETCH_BANDS
    return [int.from_bytes(hashlib.blake2b(bytes([i]) + sk[i * step : (i + 1) * step], digest_size=8).digest(),
                           "big", signed=True) for i in range(SKETCH_BANDS)]


def _plain(value) -> str:
    return "".join(_CONTENT.findall(str(value or "")))


def same_report(a: dict, b: dict) -> bool:
    """Whether two files are one report, whatever their paths and formats: the same unit,
    project and year; or the same normalised text (``text_hash``); or nearly the same text
    (``sketch``) when their units and years do not say otherwise. A report of another year
    or another unit is another report, however much of it was copied."""
    if a.get("text_hash") and a.get("text_hash") == b.get("text_hash"):
        return True
    unit_a, unit_b = _plain(a.get("unit")), _plain(b.get("unit"))
    year_a, year_b = int(a.get("year") or 0), int(b.get("year") or 0)
    if (unit_a and unit_b and unit_a != unit_b) or (year_a and year_b and year_a != year_b):
        return False
    project_a, project_b = _plain(a.get("project")), _plain(b.get("project"))
    if unit_a and project_a and year_a and (unit_a, project_a, year_a) == (unit_b, project_b, year_b):
        return True
    return similarity(a.get("sketch"), b.get("sketch")) >= SAME_TEXT


def report_group(meta: dict) -> str:
    """A key shared by the files of one report when nothing better is known (a Chroma
    server's chunks): the index's report key, else unit + project + year, else the text's hash."""
    if meta.get("report"):
        return str(meta["report"])
    ident = (_plain(meta.get("unit")), _plain(meta.get("project")), int(meta.get("year") or 0))
    if all(ident):
        return "|".join(map(str, ident))
    return str(meta.get("text_hash") or meta.get("source", ""))


_TITLE = re.compile(r"(?:绩效|自评|评价).{0,20}(?:报告|自评表|评价表)")
_TITLE_LINE = 40  # characters: a title stands on a line of its own
_MONEY_ROLES = ("initial", "adjusted", "spent", "balance")


def not_a_report(report: Report, analysis: Analysis) -> str:
    """Why the file is not a performance report ("" when it is one): it has no report title
    (a line such as 财政支出项目绩效自评报告), no budget figures (年初预算, 支出, 结余 in money)
    and no sections of a known template (a README, notes)."""
    if detect_template(analysis) is not None:
        return ""
    for line in report.text[report.body_start :].splitlines()[:60]:
        line = line.strip().strip("#*").strip()
        if line and len(line) <= _TITLE_LINE and _TITLE.search(line):
            return ""
    if any(analysis.budget.found.get(role) for role in _MONEY_ROLES):
        return ""
    return "不是绩效自评报告（没有报告标题、预算数字或模板的章节），未索引；确是报告请用 --force 指明"


def _section_path(section: Section | None) -> str:
    return section.key if section else ""


def chunk_report(report: Report, analysis: Analysis, source: str, fhash: str) -> list[Chunk]:
    """Chunks that follow the sections: a chunk never spans two sections; a long section is
    split at sentence ends into pieces of at most ``MAX_CHUNK`` characters."""
    ident = identity(report, analysis)
    thash = text_key(report)
    spans: list[tuple[Section | None, int, int]] = []
    sections = analysis.all_sections
    first = sections[0].heading_start if sections else len(analysis.text)
    spans.append((None, 0, first))
    for s in sections:
        end = s.children[0].heading_start if s.children else s.end
        spans.append((s, s.heading_end, end))
    pieces: list[tuple[Section | None, int, int]] = []
    for sec, a, b in spans:
        text = analysis.text[a:b]
        if not text.strip():
            continue
        start = a
        for part in _split(text, MAX_CHUNK):
            pieces.append((sec, start, start + len(part)))
            start += len(part)
    chunks = []
    for i, (sec, a, b) in enumerate(pieces):
        body = analysis.text[a:b].strip()
        if not body:
            continue
        o_start, o_end = analysis.orig_span(*analysis.trim(a, b))
        title = sec.title if sec else ""
        meta = {
            **ident,
            "section": _section_path(sec),
            "section_title": title,
            "section_kind": section_kind(analysis, sec),
            "source": source,
            "file_hash": fhash,
            "text_hash": thash,
            "start": o_start,
            "end": o_end,
            "chunk": len(chunks),
        }
        header = "｜".join(x for x in (ident["project"], title) if x)
        head = header + "\n" if header else ""
        meta["body_offset"] = len(head)  # the body follows a "project｜section" line for retrieval
        chunks.append(Chunk(id=chunk_id(meta), text=head + body, metadata=meta))
    for c in chunks:
        c.metadata["n_chunks"] = len(chunks)
    return chunks


def _split(text: str, limit: int) -> list[str]:
    """Split at sentence ends into pieces of at most ``limit`` characters (a longer sentence
    stays whole)."""
    if len(text) <= limit:
        return [text]
    out, cur = [], ""
    for sent in _SENTENCE_END.split(text):
        if cur and len(cur) + len(sent) > limit:
            out.append(cur)
            cur = ""
        cur += sent
    if cur:
        out.append(cur)
    return out

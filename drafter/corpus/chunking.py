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


def _section_path(section: Section | None) -> str:
    return section.key if section else ""


def chunk_report(report: Report, analysis: Analysis, source: str, fhash: str) -> list[Chunk]:
    """Chunks that follow the sections: a chunk never spans two sections; a long section is
    split at sentence ends into pieces of at most ``MAX_CHUNK`` characters."""
    ident = identity(report, analysis)
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

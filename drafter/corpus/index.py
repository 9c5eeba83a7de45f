"""The corpus index: past reports in a chromadb collection, chunked by section, with an
offline embedding by default, and hybrid (vector + lexical) retrieval. The review's copy check
(``drafter.corpus.copy``) reads the same chunks, so a shared Chroma server serves both.

The collection ``drafter_chunks`` lives in a local folder or on a Chroma server. It records its
embedding's name and dimension; opening it with a different embedding is an error, never
silent garbage. In a local folder Chroma holds the chunks' ids and vectors, and the record
table beside it (``drafter.corpus.passages``) their text and metadata; on a server Chroma holds all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel

from drafter.analysis.view import Analysis, Section
from drafter.config import Config
from drafter.corpus.embed import Embedder, make_embedder, normalise
from drafter.errors import DrafterError, InputError
from drafter.corpus.passages import FILE as PASSAGES
from drafter.corpus.passages import PassageStore
from drafter.documents.load import Report, expand, load
from drafter.analysis.templates import detect_template, section_kind

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
CHUNKS = "drafter_chunks"
SCHEMA = 11  # 4: text as metadata, not a document; 5-8: the sentence table; 9: stored-only keys packed; 10-11: local records beside Chroma, occurrences by file
MAX_CHUNK = 400  # characters; long sections split at sentence ends
MIN_SENTENCE = 12  # normalised characters: shorter sentences are not worth matching
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


class Chunk(BaseModel):
    id: str
    text: str
    metadata: dict


class FileResult(BaseModel):
    path: str
    status: str  # added | replaced | unchanged | skipped | removed
    chunks: int = 0
    reason: str = ""


class Hit(BaseModel):
    id: str
    text: str
    metadata: dict
    score: float
    vector_rank: int | None = None
    lexical_rank: int | None = None


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_key(path: str | Path) -> str:
    return str(Path(path).resolve())


def _code(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def chunk_id(meta: dict) -> str:
    """``kind.year.unit.source.n``: a chunk's id carries the keys searches filter on, so a
    search can filter the ids of a plain (fast) vector query instead of asking Chroma to
    filter (slow) or fetching every candidate's metadata (slower)."""
    return f"{meta['section_kind'] or '-'}.{meta['year']}.{_code(meta['unit'])}.{_code(meta['source'])}.{meta['chunk']}"


def id_keys(cid: str) -> dict:
    kind, year, unit, source, _ = cid.split(".")
    return {"section_kind": "" if kind == "-" else kind, "year": int(year), "unit": unit, "source": source}


def _matches(cid: str, wanted: dict, exclude_source: str | None) -> bool:
    keys = id_keys(cid)
    if exclude_source and keys["source"] == _code(exclude_source):
        return False
    return all(keys[k] == (_code(v) if k == "unit" else v) for k, v in wanted.items())


# --- what a report is -------------------------------------------------------------------------
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


# --- the store --------------------------------------------------------------------------------
# metadata keys the index filters on; the others are stored but not indexed (cheaper writes)
FILTER_KEYS = ("source", "unit", "year", "section_kind")
# In Chroma a chunk's metadata is the keys searches filter on, its text, and one JSON string
# "m" with the rest (each metadata key is a row to write: packing them made writes ~35% faster)
_STORED_ONLY = {"text": "str", "m": "str"}


def pack(meta: dict, text: str) -> dict:
    return {**{k: meta[k] for k in FILTER_KEYS}, "text": text,
            "m": json.dumps({k: v for k, v in meta.items() if k not in FILTER_KEYS}, ensure_ascii=False)}


def unpack(stored: dict) -> dict:
    """A chunk's metadata as ``chunk_report`` made it (plus its "text" when stored)."""
    out = {k: v for k, v in stored.items() if k != "m"}
    out.update(json.loads(stored.get("m") or "{}"))
    return out


def _schema():
    """Cosine HNSW and no inverted index on metadata nobody filters on. A chunk's text is
    metadata, not a Chroma document: a local store indexes every document for full-text
    search whatever the schema says, which halved the indexing speed and doubled the size;
    retrieval's lexical score is BM25 over the vector candidates instead."""
    from chromadb import FtsIndexConfig, IntInvertedIndexConfig, Schema, StringInvertedIndexConfig, VectorIndexConfig

    schema = Schema()
    schema.create_index(VectorIndexConfig(space="cosine", embedding_function=None))
    schema.delete_index(FtsIndexConfig(), key="#document")
    for key, kind in _STORED_ONLY.items():
        schema.delete_index(StringInvertedIndexConfig() if kind == "str" else IntInvertedIndexConfig(), key=key)
    return schema


def _client(config: Config):
    import chromadb
    from chromadb.config import Settings

    logging.getLogger("chromadb").setLevel(logging.ERROR)
    settings = Settings(anonymized_telemetry=False)
    if config.chroma_url:
        u = urlparse(config.chroma_url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise DrafterError(f"chroma_url '{config.chroma_url}' is not an http(s)://HOST:PORT address")
        try:
            return chromadb.HttpClient(host=u.hostname, port=u.port or (443 if u.scheme == "https" else 8000),
                                       ssl=u.scheme == "https", settings=settings)
        except Exception as exc:
            raise DrafterError(f"cannot reach the Chroma server at {config.chroma_url} ({exc.__class__.__name__})") from None
    Path(config.index).mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(config.index), settings=settings)
    except Exception as exc:
        raise DrafterError(f"{config.index}: cannot open the index ({exc.__class__.__name__}: {str(exc)[:120]})") from None


_UUID_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_INDEX_FILES = re.compile(r"^(?:chroma|passages)\.sqlite3(?:-wal|-shm|-journal)?$")


def wipe(config: Config) -> None:
    """Start an index over: the drafter collection on a Chroma server, or a local index
    folder, which must hold nothing but a Chroma store and the sentence table (a folder
    with anything else in it is refused, never deleted)."""
    import shutil

    if config.chroma_url:
        client = _client(config)
        if CHUNKS in {c.name for c in client.list_collections()}:
            client.delete_collection(CHUNKS)
        return
    folder = Path(config.index)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError(str(folder), "not a folder: nothing rebuilt")
    strangers = [p.name for p in folder.iterdir()
                 if not (_INDEX_FILES.match(p.name) if p.is_file() else _UUID_DIR.match(p.name))]
    if strangers or not (folder / "chroma.sqlite3").exists():
        what = f"it also holds {', '.join(sorted(strangers)[:3])}" if strangers else "it has no chroma.sqlite3"
        raise InputError(str(folder), f"does not look like a drafter index ({what}): not deleted; choose another --index")
    shutil.rmtree(folder)


class CorpusIndex:
    """Past reports in Chroma. ``CorpusIndex(config)``; ``add(path)``, ``remove(path)``,
    ``search(query)``, ``stats()``; ``neighbours`` serves the review's copy check."""

    # a filtered search that the nearest neighbours miss ranks up to this many chunks exactly
    # (Chroma returns 500 vectors by id in ~25 ms at 180k chunks, 2,000 in ~100 ms; its 2,560
    # nearest neighbours in ~20 ms)
    exact_max = 500

    def __init__(self, config: Config | None = None, embedder: Embedder | None = None) -> None:
        self.config = config or Config()
        self.where = self.config.chroma_url or str(self.config.index)
        self.client = _client(self.config)
        self.embedder = embedder or make_embedder(self.config.embedding)
        self.chunks, created = self._collection(CHUNKS, self.embedder)
        self._count: int | None = None
        # the records and the copy check's sentence table, beside a local store (a server has none)
        self.passages = None
        if not self.config.chroma_url:
            path = Path(self.config.index) / PASSAGES
            if created:  # records left from a Chroma store that is gone describe vectors that are gone
                for stale in (path, path.with_name(PASSAGES + "-wal"), path.with_name(PASSAGES + "-shm")):
                    stale.unlink(missing_ok=True)
            self.passages = PassageStore(path)

    def _collection(self, name: str, embedder: Embedder):
        """(the collection, whether it was created now)."""
        try:
            existing = {c.name for c in self.client.list_collections()}
        except Exception as exc:
            raise DrafterError(f"cannot read the index at {self.where} ({exc.__class__.__name__}: {str(exc)[:120]})") from None
        want = {"embedding": embedder.name, "dim": int(embedder.dim), "schema": SCHEMA}
        if name in existing:
            coll = self.client.get_collection(name, embedding_function=None)
            have = coll.metadata or {}
            if have.get("schema") != SCHEMA:
                raise DrafterError(
                    f"the index at {self.where} was written by an older drafter (index layout {have.get('schema')}, "
                    f"this one reads {SCHEMA}). Index the reports again: drafter index PATH --rebuild"
                )
            if have.get("embedding") != want["embedding"] or have.get("dim") != want["dim"]:
                raise DrafterError(
                    f"the index at {self.where} was built with embedding {have.get('embedding')} "
                    f"(dimension {have.get('dim')}); this run uses {want['embedding']} (dimension {want['dim']}). "
                    "Use the same embedding, or index into a new folder."
                )
            return coll, False
        return self.client.create_collection(name, embedding_function=None, metadata=want, schema=_schema()), True

    # --- writing ---
    def state(self, source: str) -> tuple[str | None, int, int]:
        """(file_hash, chunks present, chunks expected) of an indexed file."""
        if self.passages is not None:
            return self.passages.state(source)
        got = self.chunks.get(where={"source": source}, include=["metadatas"])
        metas = [unpack(m) for m in got["metadatas"] or []]
        if not metas:
            return None, 0, 0
        hashes = {m.get("file_hash") for m in metas}
        return (hashes.pop() if len(hashes) == 1 else "mixed"), len(metas), int(metas[0].get("n_chunks", -1))

    def add(self, path: str | Path) -> FileResult:
        """Index one file (see ``add_many``)."""
        return self.add_many([path])[0]

    def add_many(self, paths: Iterable[str | Path], progress: Callable[[FileResult], None] | None = None,
                 batch_chunks: int = 2000) -> list[FileResult]:
        """Index files. Unchanged files are skipped; a changed file replaces its chunks. Chunks
        are written in batches of many files (Chroma's cost is mostly per write), by a writer
        thread while the next files are read and chunked. Chunk ids are fixed by file and
        position and every chunk carries its file's chunk count, so a run killed half-way
        leaves files visibly incomplete, and the next run redoes them: no duplicates."""
        from concurrent.futures import ThreadPoolExecutor

        results: list[FileResult] = []
        pending: list[Chunk] = []
        waiting: list[FileResult] = []
        # reading every id once (0.3 s at 36k chunks) beats a query per file (~8 ms) only for
        # many files: one file added to a large index does not read them all
        paths = list(paths)
        present = self._present_sources() if len(paths) >= 100 else None
        writing = None

        def done(fut, finished: list[FileResult]) -> None:
            fut.result()  # a failed write raises here, before its files are reported
            for r in finished:
                if progress:
                    progress(r)

        with ThreadPoolExecutor(max_workers=1) as writer:
            for path in paths:
                result, chunks = self._prepare(Path(path), present)
                results.append(result)
                if chunks:
                    pending.extend(chunks)
                    waiting.append(result)
                    if len(pending) >= batch_chunks:
                        if writing:
                            done(*writing)
                        writing = (writer.submit(self._write, list(pending)), list(waiting))
                        pending.clear()
                        waiting.clear()
                elif progress:
                    progress(result)
            if writing:
                done(*writing)
            if pending:
                done(writer.submit(self._write, pending), waiting)
        return results

    def _present_sources(self) -> set[str]:
        """The codes of the files that have chunks in the index (on a server, from the ids
        alone), so a new file costs no query."""
        if self.passages is not None:
            return {_code(s) for s in self.passages.sources()}
        got = self.chunks.get(include=[])
        return {cid.split(".")[3] for cid in got["ids"]}

    def _prepare(self, p: Path, present: set[str] | None = None) -> tuple[FileResult, list[Chunk]]:
        source = source_key(p)
        try:
            data = p.read_bytes()
        except OSError as exc:
            return FileResult(path=str(p), status="skipped", reason=f"cannot read ({exc.strerror or exc})"), []
        fhash = file_hash(data)
        if present is None or _code(source) in present:
            have_hash, count, expected = self.state(source)
        else:
            have_hash, count, expected = None, 0, 0
        if have_hash == fhash and count == expected and count > 0:
            return FileResult(path=str(p), status="unchanged", chunks=count), []
        try:
            report = load(p)
        except InputError as exc:
            return FileResult(path=str(p), status="skipped", reason=exc.problem), []
        analysis = Analysis(report)
        chunks = chunk_report(report, analysis, source, fhash)
        if have_hash is not None:
            self._delete(source)
        return FileResult(path=str(p), status="replaced" if have_hash else "added", chunks=len(chunks)), chunks

    def _delete(self, source: str) -> None:
        """The record first, then the vectors: a kill in between leaves vectors with no record,
        which searches skip and which the file's next indexing overwrites."""
        self._count = None
        if self.passages is None:
            self.chunks.delete(where={"source": source})
            return
        ids = self.passages.ids(source)
        self.passages.remove(source)
        if ids:
            self.chunks.delete(ids=ids)

    def _write(self, items: list[Chunk]) -> None:
        """Chroma first, then (local store) the record table: a file is in the index once its
        records are written, and by then its vectors are there. Locally Chroma gets ids and
        vectors only (its metadata rows cost half the indexing time); a server gets the
        metadata and text too."""
        self._count = None
        batch = max(1, min(5000, self.client.get_max_batch_size()))
        for i in range(0, len(items), batch):
            part = items[i : i + batch]
            vecs = self.embedder.embed([c.text for c in part])
            if self.passages is None:
                self.chunks.upsert(ids=[c.id for c in part], metadatas=[pack(c.metadata, c.text) for c in part],
                                   embeddings=vecs)
            else:
                self.chunks.upsert(ids=[c.id for c in part], embeddings=vecs)
        if self.passages is not None:
            self.passages.add(items)

    def remove(self, path: str | Path) -> FileResult:
        source = source_key(path)
        have_hash, present, _ = self.state(source)
        self._delete(source)
        if have_hash is None:
            return FileResult(path=str(path), status="skipped", reason="not in the index")
        return FileResult(path=str(path), status="removed", chunks=present)

    # --- reading ---
    def records(self, where: dict | None = None, page: int = 5000) -> list[dict]:
        """Every chunk's metadata (with its "text" and "id"); from a server a page at a time
        (one read of a large index exceeds SQLite's variable limit inside Chroma)."""
        if self.passages is not None:
            return self.passages.records(where)
        out: list[dict] = []
        while True:
            got = self.chunks.get(where=where, include=["metadatas"], limit=page, offset=len(out))
            out.extend({**unpack(m), "id": cid} for cid, m in zip(got["ids"], got["metadatas"] or []))
            if len(got["ids"]) < page:
                return out

    def count(self) -> int:
        """Chunks in the index (Chroma's count costs ~15 ms at 180k chunks: asked once per
        instance and after our own writes; a search never needs it exact)."""
        if self._count is None:
            self._count = self.chunks.count()
        return self._count

    def stats(self) -> dict:
        if self.passages is not None:
            files = self.passages.files()
        else:
            files = {}
            for m in self.records():
                f = files.setdefault(m["source"], {"unit": m.get("unit", ""), "project": m.get("project", ""), "year": m.get("year", 0), "chunks": 0})
                f["chunks"] += 1
        return {
            "where": self.where,
            "embedding": self.embedder.name,
            "files": len(files),
            "chunks": self.passages.count() if self.passages is not None else self.chunks.count(),
            "units": len({f["unit"] for f in files.values() if f["unit"]}),
            "years": sorted({f["year"] for f in files.values() if f["year"]}),
            "by_file": files,
        }

    def search(self, query: str, k: int = 5, *, section_kind: str | None = None, year: int | None = None,
               unit: str | None = None, exclude_source: str | None = None, candidates: int = 40) -> list[Hit]:
        """Hybrid retrieval: vector candidates re-ranked with BM25 over character bigrams,
        fused by reciprocal rank."""
        n = self.count()
        if n == 0:
            return []
        filters = {"section_kind": section_kind, "year": year, "unit": unit}
        wanted = {k: v for k, v in filters.items() if v}
        vec = self.embedder.embed([query])
        # Chroma's filtered search is several times slower than a plain one: ask for more
        # neighbours and filter here, and ask Chroma to filter only when too few are left.
        # A chunk starts with its section's title, so the neighbours of the query vector moved
        # towards the wanted section's titles are mostly of that section, in about the
        # query's order (the titles add about the same to every chunk of that section).
        if not (wanted or exclude_source):
            res = self._nearest(vec, min(candidates, n))
        else:
            near = self._towards_kind(vec, section_kind) if section_kind else vec
            res = self.chunks.query(query_embeddings=near, n_results=min(candidates * 4, n), include=[])
            keep = [cid for cid in res["ids"][0] if _matches(cid, wanted, exclude_source)][:candidates]
            if len(keep) >= min(k, candidates):
                res = self._fetch(keep)
            elif self.passages is not None:
                # a few chunks pass (a unit, a year): ranked exactly; many: more neighbours
                few = self.passages.ids_where(section_kind=section_kind, year=year, unit=unit, exclude_source=exclude_source,
                                              limit=self.exact_max + 1)
                if len(few) <= self.exact_max:
                    res = self._exact(vec, few, candidates)
                else:
                    res = self.chunks.query(query_embeddings=near, n_results=min(candidates * 64, n), include=[])
                    res = self._fetch([cid for cid in res["ids"][0] if _matches(cid, wanted, exclude_source)][:candidates])
            else:
                res = _texts(self.chunks.query(query_embeddings=vec, n_results=min(candidates, n), include=["metadatas"],
                                               where=_where(section_kind=section_kind, year=year, unit=unit, exclude_source=exclude_source)))
        ids, docs, metas = res["ids"][0], res["documents"][0], res["metadatas"][0]
        if not ids:
            return []
        lexical = bm25_scores(query, docs)
        lex_rank = {i: r for r, i in enumerate(sorted(range(len(ids)), key=lambda j: -lexical[j]))}
        fused = []
        for vr, cid in enumerate(ids):
            lr = lex_rank[vr] if lexical[vr] > 0 else None
            score = 1 / (60 + vr) + (1 / (60 + lr) if lr is not None else 0)
            fused.append(Hit(id=cid, text=docs[vr], metadata=metas[vr], score=score, vector_rank=vr, lexical_rank=lr))
        fused.sort(key=lambda h: -h.score)
        return fused[:k]

    def _towards_kind(self, vec, kind: str, weight: float = 2.0):
        import numpy as np

        titles = _kind_titles(kind)
        if not titles:
            return vec
        v = np.asarray(vec[0], dtype=np.float32) + weight * np.asarray(self.embedder.embed([titles])[0], dtype=np.float32)
        norm = float(np.linalg.norm(v))
        return [v / norm] if norm else vec

    def _nearest(self, vec, n: int) -> dict:
        """The ``n`` chunks nearest to ``vec``, shaped like a query result with documents."""
        if self.passages is None:
            return _texts(self.chunks.query(query_embeddings=vec, n_results=n, include=["metadatas"]))
        return self._fetch(self.chunks.query(query_embeddings=vec, n_results=n, include=[])["ids"][0])

    def _exact(self, vec, ids: list[str], n: int) -> dict:
        """The ``n`` of ``ids`` nearest to ``vec``, ranked exactly (filters that the nearest
        neighbours of the whole index rarely pass: a few thousand chunks at most)."""
        import numpy as np

        if not ids:
            return {"ids": [[]], "documents": [[]], "metadatas": [[]]}
        got = self.chunks.get(ids=ids, include=["embeddings"])
        mat = np.asarray(got["embeddings"], dtype=np.float32)
        sims = mat @ np.asarray(vec[0], dtype=np.float32) / np.maximum(np.linalg.norm(mat, axis=1), 1e-12)  # cosine
        return self._fetch([got["ids"][i] for i in np.argsort(-sims, kind="stable")[:n]])

    def _fetch(self, ids: list[str]) -> dict:
        """Documents and metadata of ``ids``, in that order, shaped like a query result (a
        vector with no record, left by a killed run, is skipped)."""
        if self.passages is not None:
            got = self.passages.fetch(ids)
            rows = [(cid, *got[cid]) for cid in ids if cid in got]
        else:
            raw = _texts(self.chunks.get(ids=ids, include=["metadatas"]), nested=False)
            order = {cid: i for i, cid in enumerate(ids)}
            rows = sorted(zip(raw["ids"], raw["documents"], raw["metadatas"]), key=lambda r: order[r[0]])
        return {"ids": [[r[0] for r in rows]], "documents": [[r[1] for r in rows]], "metadatas": [[r[2] for r in rows]]}

    def neighbours(self, texts: list[str], *, exclude_source: str, exclude_hash: str, n: int = 8) -> list[tuple[str, str, dict]]:
        """The chunks of other reports nearest to each text: (id, text, metadata), each once.
        (Filtering in Chroma's query is several times slower than asking for two more
        neighbours and dropping our own report's chunks here.)"""
        count = self.count()
        if not texts or count == 0:
            return []
        res = self.chunks.query(query_embeddings=self.embedder.embed(texts), n_results=min(n + 2, count), include=[])
        mine = _code(exclude_source)
        ids = list(dict.fromkeys(cid for row in res["ids"] for cid in row if id_keys(cid)["source"] != mine))
        got = self._fetch(ids) if ids else {"ids": [[]], "documents": [[]], "metadatas": [[]]}
        out = [(cid, doc, meta) for cid, doc, meta in zip(got["ids"][0], got["documents"][0], got["metadatas"][0])
               if meta.get("file_hash") != exclude_hash]
        return out


@lru_cache(maxsize=64)
def _kind_titles(kind: str) -> str:
    """The titles the templates give a section kind ("spending" -> "资金支出情况 …")."""
    from drafter.analysis.templates import load_templates

    titles = {ts.title for t in load_templates().values() for _, ts in t.walk() if ts.kind == kind}
    return " ".join(sorted(titles))


def _texts(res: dict, nested: bool = True) -> dict:
    """A Chroma result with each chunk's text moved from its metadata to ``documents``."""
    metas = [[unpack(m) for m in row] for row in (res["metadatas"] if nested else [res["metadatas"]])]
    docs = [[m.pop("text", "") for m in row] for row in metas]
    res = {**res, "metadatas": metas if nested else metas[0]}
    return {**res, "documents": docs if nested else docs[0]}


def _where(**filters) -> dict | None:
    clauses = []
    if filters.get("section_kind"):
        clauses.append({"section_kind": filters["section_kind"]})
    if filters.get("year"):
        clauses.append({"year": int(filters["year"])})
    if filters.get("unit"):
        clauses.append({"unit": filters["unit"]})
    if filters.get("exclude_source"):
        clauses.append({"source": {"$ne": filters["exclude_source"]}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def bigrams(text: str) -> list[str]:
    t = normalise(text)
    return [t[i : i + 2] for i in range(len(t) - 1)]


def bm25_scores(query: str, docs: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """BM25 of the query's character bigrams over ``docs`` (the candidates are the corpus)."""
    q = set(bigrams(query))
    tokenised = [Counter(bigrams(d)) for d in docs]
    n = len(docs)
    avg = sum(sum(t.values()) for t in tokenised) / max(1, n)
    df = Counter(g for t in tokenised for g in q if g in t)
    scores = []
    for t in tokenised:
        length = sum(t.values())
        s = 0.0
        for g in q:
            tf = t.get(g, 0)
            if not tf:
                continue
            idf = math.log(1 + (n - df[g] + 0.5) / (df[g] + 0.5))
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / max(avg, 1)))
        scores.append(s)
    return scores


def report_files(paths: Iterable[str]) -> list[Path]:
    """Report files under the given paths (folders recursively; Word lock files skipped)."""
    return expand(paths)[0]

"""The corpus index: past reports in a chromadb collection, chunked by section
(``drafter.corpus.chunking``), with an offline embedding by default, and hybrid retrieval
(vectors, then BM25 over the candidates). The review's copy check (``drafter.corpus.copy``)
reads the same chunks, so a shared Chroma server serves both.

The collection ``drafter_chunks`` lives in a local folder or on a Chroma server. It records its
embedding's name and dimension; opening it with a different embedding is an error, never
silent garbage. Chroma holds the chunks' ids and vectors; their text and metadata are in a
record store: the SQLite file beside a local store (``drafter.corpus.passages``), or Chroma's
own metadata on a server (``drafter.corpus.chroma.ServerRecords``). Both have the same methods.

A local index has one writer at a time (``drafter.corpus.lock``), and every recorded chunk must
have its vector: opening an index whose record store is gone, or whose vectors fail, is an error
that says so, never a silent review without the corpus check or a search with one hit instead of
five. ``missing_vectors`` finds the chunks without a vector (``drafter index --stats``) and
``ensure_vectors`` writes them again (every ``drafter index`` run, when the index changed since
it was last checked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from drafter.analysis.view import Analysis
from drafter.config import Config
from drafter.corpus.bm25 import bm25_scores
from drafter.corpus.chroma import CHUNKS, ServerRecords, _texts, _where, client, schema, wipe  # noqa: F401
from drafter.corpus.chunking import (  # noqa: F401
    MIN_SENTENCE,
    Chunk,
    chunk_report,
    code,
    file_hash,
    id_keys,
    identity,
    matches,
    not_a_report,
    report_group,
    sketch,
    source_key,
)
from drafter.corpus.embed import Embedder, make_embedder
from drafter.corpus.lock import WAIT, writing
from drafter.corpus.passages import FILE as PASSAGES
from drafter.corpus.passages import PassageStore
from drafter.documents.load import load
from drafter.errors import DrafterError, InputError

# 4: text as metadata, not a document; 5-8: the sentence table; 9: stored-only keys packed;
# 10-11: local records beside Chroma, occurrences by file; 12: a file's report (text hash, sketch)
SCHEMA = 12
REPAIRED = "-repaired"  # the collection a repair writes before it takes the collection's place


class FileResult(BaseModel):
    path: str
    status: str  # added | replaced | unchanged | skipped (cannot be used) | ignored (not a report) | removed
    chunks: int = 0
    reason: str = ""


class Hit(BaseModel):
    id: str
    text: str
    metadata: dict
    score: float
    vector_rank: int | None = None
    lexical_rank: int | None = None


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
        self.client = client(self.config)
        self.embedder = embedder or make_embedder(self.config.embedding)
        self.chunks, created = self._collection(CHUNKS, self.embedder)
        self._count: int | None = None
        self._reports: int | None = None
        self._sketches: dict[str, bytes] = {}  # source -> text sketch, of files read and not yet written
        # the records and the copy check's sentence table, beside a local store (a server has none)
        self.passages: PassageStore | None = None
        self._sampled = False  # whether a search has checked a sample of vectors
        self.wait = WAIT  # seconds a writer waits for another writer of the folder
        if not self.config.chroma_url:
            path = Path(self.config.index) / PASSAGES
            if created:  # records left from a Chroma store that is gone describe vectors that are gone
                for stale in (path, path.with_name(PASSAGES + "-wal"), path.with_name(PASSAGES + "-shm")):
                    stale.unlink(missing_ok=True)
            elif not path.exists() and self.count() > 0:
                raise DrafterError(
                    f"{self.where}: 索引缺少 {PASSAGES}（{self.count()} 个片段的文字和元数据都在其中），"
                    "无法与语料比对：请重建索引（drafter index 报告文件夹 --index 此文件夹 --rebuild），"
                    "或审核时加 --no-index")
            self.passages = PassageStore(path)
        self.records_store = self.passages if self.passages is not None else ServerRecords(self.chunks)

    def _collection(self, name: str, embedder: Embedder):
        """(the collection, whether it was created now)."""
        try:
            existing = {c.name for c in self.client.list_collections()}
        except Exception as exc:
            raise DrafterError(
                f"{self.where}: 无法读取索引（{exc.__class__.__name__}: {str(exc)[:120]}）") from None
        want = {"embedding": embedder.name, "dim": int(embedder.dim), "schema": SCHEMA}
        if name not in existing and name + REPAIRED in existing:  # a repair stopped before its last step
            self.client.get_collection(name + REPAIRED, embedding_function=None).modify(name=name)
            existing.add(name)
        if name in existing:
            coll = self.client.get_collection(name, embedding_function=None)
            have = coll.metadata or {}
            if have.get("schema") != SCHEMA:
                raise DrafterError(
                    f"{self.where}: 索引由较早版本的 drafter 写成（索引格式 {have.get('schema')}，"
                    f"本版本读取 {SCHEMA}）。"
                    f"请重建索引：drafter index 报告文件夹 --index {self.where} --rebuild"
                )
            if have.get("embedding") != want["embedding"] or have.get("dim") != want["dim"]:
                raise DrafterError(
                    f"{self.where}: 索引用向量模型 {have.get('embedding')}（维度 {have.get('dim')}）建成，"
                    f"本次运行用的是 {want['embedding']}（维度 {want['dim']}）。请使用同一向量模型，或索引到新文件夹。"
                )
            return coll, False
        return self.client.create_collection(name, embedding_function=None, metadata=want, schema=schema()), True

    # --- writing ---
    def state(self, source: str) -> tuple[str | None, int, int]:
        """(file_hash, chunks present, chunks expected) of an indexed file."""
        return self.records_store.state(source)

    def add(self, path: str | Path) -> FileResult:
        """Index one file (see ``add_many``)."""
        return self.add_many([path])[0]

    def add_many(self, paths: Iterable[str | Path], progress: Callable[[FileResult], None] | None = None,
                 batch_chunks: int = 2000, force: Iterable[str | Path] = ()) -> list[FileResult]:
        """Index files. Unchanged files are skipped; a changed file replaces its chunks. Chunks
        are written in batches of many files (Chroma's cost is mostly per write), by a writer
        thread while the next files are read and chunked. Chunk ids are fixed by file and
        position and every chunk carries its file's chunk count, so a run killed half-way
        leaves files visibly incomplete, and the next run redoes them: no duplicates. A file
        that is not a report (``chunking.not_a_report``: a README) is ignored unless it is
        among ``force``."""
        # a file named twice, or through a link, is indexed once (its chunk ids are its path's)
        unique: dict[str, str | Path] = {}
        for p in paths:
            unique.setdefault(source_key(p), p)
        paths = list(unique.values())
        with self.writing(), self._storage("写入"):
            self.ensure_vectors()  # a writer first makes the index whole
            return self._add_many(paths, progress, batch_chunks, {source_key(p) for p in force})

    def _add_many(self, paths: list, progress, batch_chunks: int, forced: set[str]) -> list[FileResult]:
        from concurrent.futures import ThreadPoolExecutor

        results: list[FileResult] = []
        pending: list[Chunk] = []
        waiting: list[FileResult] = []
        # reading every id once (0.3 s at 36k chunks) beats a query per file (~8 ms) only for
        # many files: one file added to a large index does not read them all
        present = self._present_sources() if len(paths) >= 100 else None
        writing = None

        def done(fut, finished: list[FileResult]) -> None:
            fut.result()  # a failed write raises here, before its files are reported
            for r in finished:
                if progress:
                    progress(r)

        with ThreadPoolExecutor(max_workers=1) as writer:
            for path in paths:
                result, chunks = self._prepare(Path(path), present, source_key(path) in forced)
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
        self._checked()
        return results

    # --- one writer, and every chunk with its vector ---
    def writing(self, on_wait: Callable[[str], None] | None = None):
        """The folder's writer lock (``drafter.corpus.lock``; re-entrant), for a block of writes;
        a Chroma server serialises its writers itself."""
        if self.config.chroma_url:
            return nullcontext()
        return writing(self.config.index, self.wait, on_wait)

    @contextmanager
    def _storage(self, what: str):
        """A full disk or a failing store while writing or reading is one ``DrafterError``
        naming the index, never a traceback (the record store names its own file)."""
        from chromadb.errors import ChromaError

        try:
            yield
        except OSError as exc:
            raise DrafterError(f"{self.where}: {what}索引失败（{exc.strerror or exc}）"
                               + ("：磁盘已满，腾出空间后重新运行 drafter index" if exc.errno == 28 else "")) from None
        except ChromaError as exc:  # a damaged or missing vector store
            raise DrafterError(f"{self.where}: 向量库{what}失败（{exc.__class__.__name__}: {str(exc)[:160]}）："
                               "向量文件可能缺失或损坏，drafter index --stats 可以检查，"
                               "drafter index 报告文件夹 --rebuild 可以重建") from None

    def _state(self) -> str | None:
        """What the index holds, as far as a check of its vectors is concerned (None: Chroma
        cannot read its vector files)."""
        try:
            chroma = self.count()
        except DrafterError:
            return None
        return f"{self.passages.count()}:{self.passages.max_number()}:{chroma}"

    def _checked(self) -> None:
        """Note that every recorded chunk has its vector now (after our own writes, or a check)."""
        if self.passages is not None:
            self._count = None
            self.passages.set_state("vectors", self._state())

    def missing_vectors(self, batch: int = 2000) -> list[str]:
        """The recorded chunks that have no vector (a local index: another process wrote the same
        folder at the same time, or its vector files were damaged). ~55 µs a chunk."""
        if self.passages is None:
            return []
        ids = self.passages.all_ids()
        if self._state() is None:
            return ids  # no vector can be read
        missing: list[str] = []
        with self._storage("读取"):
            for i in range(0, len(ids), batch):
                missing.extend(self._without_vector(ids[i : i + batch]))
        return missing

    def _without_vector(self, ids: list[str]) -> list[str]:
        """Those of ``ids`` that have no vector: halves probed until each is found (Chroma
        answers a batch with one missing vector with an error)."""
        try:
            got = self.chunks.get(ids=ids, include=["embeddings"])
            if len(got["ids"]) == len(ids):
                return []
        except Exception:  # chromadb's InternalError: "Error getting embedding"
            pass
        if len(ids) == 1:
            return ids
        half = len(ids) // 2
        return self._without_vector(ids[:half]) + self._without_vector(ids[half:])

    def ensure_vectors(self, force: bool = False) -> int:
        """Check that every recorded chunk has its vector, and write the missing ones again; the
        number written. The whole check (``missing_vectors``) runs when the index changed since
        it was last checked, when a sample of vectors is missing, or with ``force``."""
        self._count = None
        if self.passages is None:
            return 0
        state = self._state()
        if not force and state is not None and self.passages.get_state("vectors") == state and not self._sample_lost():
            return 0
        with self.writing(), self._storage("修复"):
            missing = self.missing_vectors()
            if missing:
                self._rebuild_vectors(set(missing))
            self._checked()
        return len(missing)

    def _rebuild_vectors(self, missing: set[str], batch: int = 2000) -> None:
        """A new collection with every recorded chunk's vector (copied, or embedded again from
        its text when it was missing) takes the old one's place: writing into a vector graph
        that lost entries can crash Chroma. Stopped half-way, the old collection stays (a
        later repair starts over) or the new one is complete (the next open takes it)."""
        import shutil

        from drafter.corpus.chroma import _UUID_DIR

        folder = Path(self.config.index)
        graphs = [p for p in folder.iterdir() if p.is_dir() and _UUID_DIR.match(p.name)]  # the old ones
        names = {c.name for c in self.client.list_collections()}
        if CHUNKS + REPAIRED in names:
            self.client.delete_collection(CHUNKS + REPAIRED)
        new = self.client.create_collection(CHUNKS + REPAIRED, embedding_function=None,
                                            metadata=self.chunks.metadata, schema=schema())
        ids = self.passages.all_ids()
        for i in range(0, len(ids), batch):
            part = ids[i : i + batch]
            present = [c for c in part if c not in missing]
            if present:
                got = self.chunks.get(ids=present, include=["embeddings"])
                new.add(ids=got["ids"], embeddings=got["embeddings"])
            lost = [c for c in part if c in missing]
            if lost:
                texts = self.passages.fetch(lost)
                new.add(ids=lost, embeddings=self.embedder.embed([texts[c][0] for c in lost]))
        self.client.delete_collection(CHUNKS)
        new.modify(name=CHUNKS)
        self.chunks, self._count = new, None
        for graph in graphs:  # Chroma leaves a deleted collection's vector files behind
            shutil.rmtree(graph, ignore_errors=True)

    def _sample_lost(self, n: int = 64) -> tuple[int, list[str]] | None:
        """(sampled, those without a vector) of ``n`` recorded chunks spread over the index, or
        None when none is missing."""
        ids = self.passages.all_ids() if self.passages is not None else []
        sample = ids[:: max(1, len(ids) // n)][:n]
        lost = self._without_vector(sample) if sample else []
        return (len(sample), lost) if lost else None

    def _sample_vectors(self) -> None:
        """Before the first vector search: a sample of the recorded chunks must have their vectors
        (a vector folder deleted or half-written answers with one hit instead of five)."""
        if self._sampled or self.passages is None:
            return
        self._sampled = True
        with self._storage("读取"):
            found = self._sample_lost()
        if found:
            sampled, lost = found
            raise DrafterError(
                f"{self.where}: 向量库不完整：抽查 {sampled} 个片段，{len(lost)} 个没有向量，"
                "检索结果会残缺。drafter index --stats 可以查看缺多少，"
                "再运行一次 drafter index 报告文件夹 --index 此文件夹 会补写")

    def _present_sources(self) -> set[str]:
        """The codes of the files that have chunks in the index (on a server, from the ids
        alone), so a new file costs no query."""
        return self.records_store.source_codes()

    def _prepare(self, p: Path, present: set[str] | None = None,
                 force: bool = False) -> tuple[FileResult, list[Chunk]]:
        source = source_key(p)
        try:
            data = p.read_bytes()
        except OSError as exc:
            return FileResult(path=str(p), status="skipped", reason=f"cannot read ({exc.strerror or exc})"), []
        fhash = file_hash(data)
        if present is None or code(source) in present:
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
        reason = "" if force else not_a_report(report, analysis)
        if reason:
            if have_hash is not None:  # indexed before by an older drafter, or with --force
                self._delete(source)
            return FileResult(path=str(p), status="ignored", reason=reason), []
        chunks = chunk_report(report, analysis, source, fhash)
        if chunks:
            self._sketches[source] = sketch(report)
        if have_hash is not None:
            self._delete(source)
        return FileResult(path=str(p), status="replaced" if have_hash else "added", chunks=len(chunks)), chunks

    def _delete(self, source: str) -> None:
        """The record first, then the vectors: a kill in between leaves vectors with no record,
        which searches skip and which the file's next indexing overwrites."""
        self._count = self._reports = None
        ids = self.records_store.ids(source)
        self.records_store.remove(source)
        if ids:
            self.chunks.delete(ids=ids)

    def _write(self, items: list[Chunk]) -> None:
        """Chroma first, then (local store) the record table: a file is in the index once its
        records are written, and by then its vectors are there. Locally Chroma gets ids and
        vectors only (its metadata rows cost half the indexing time); a server gets the
        metadata and text too."""
        self._count = self._reports = None
        batch = max(1, min(5000, self.client.get_max_batch_size()))
        for i in range(0, len(items), batch):
            part = items[i : i + batch]
            vecs = self.embedder.embed([c.text for c in part])
            self.chunks.upsert(ids=[c.id for c in part], embeddings=vecs, **self.records_store.vector_extras(part))
        sources = {c.metadata["source"] for c in items}
        self.records_store.add(items, {src: self._sketches.pop(src) for src in sources if src in self._sketches})

    def remove(self, path: str | Path) -> FileResult:
        source = source_key(path)
        with self.writing(), self._storage("写入"):
            self.ensure_vectors()
            have_hash, present, _ = self.state(source)
            self._delete(source)
            self._checked()
        if have_hash is None:
            return FileResult(path=str(path), status="skipped", reason="not in the index")
        return FileResult(path=str(path), status="removed", chunks=present)

    # --- reading ---
    def records(self, where: dict | None = None, page: int = 5000) -> list[dict]:
        """Every chunk's metadata (with its "text" and "id"); from a server ``page`` at a time."""
        return self.records_store.records(where, page)

    def count(self) -> int:
        """Chunks in the index (Chroma's count costs ~15 ms at 180k chunks: asked once per
        instance and after our own writes; a search never needs it exact)."""
        if self._count is None:
            with self._storage("读取"):
                self._count = self.chunks.count()
        return self._count

    def reports(self) -> int:
        """How many reports the index holds: several files of one report (its .md, .docx and
        .pdf; the same unit, project and year) count once. Counted once per instance and
        after our own writes."""
        if self._reports is None:
            if self.passages is not None:
                self._reports = self.passages.reports()
            else:
                self._reports = len({report_group(f) for f in self.records_store.files().values()})
        return self._reports

    def stats(self) -> dict:
        files = self.records_store.files()
        return {
            "where": self.where,
            "embedding": self.embedder.name,
            "files": len(files),
            "reports": self.reports(),
            "chunks": self.records_store.count(),
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
        self._sample_vectors()
        with self._storage("检索"):
            return self._search(query, n, k, section_kind, year, unit, exclude_source, candidates)

    def _search(self, query, n, k, section_kind, year, unit, exclude_source, candidates) -> list[Hit]:
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
            keep = [cid for cid in res["ids"][0] if matches(cid, wanted, exclude_source)][:candidates]
            if len(keep) >= min(k, candidates):
                res = self._fetch(keep)
            elif self.records_store.local:
                # a few chunks pass (a unit, a year): ranked exactly; many: more neighbours
                few = self.records_store.ids_where(section_kind=section_kind, year=year, unit=unit,
                                                   exclude_source=exclude_source, limit=self.exact_max + 1)
                if len(few) <= self.exact_max:
                    res = self._exact(vec, few, candidates)
                else:
                    res = self.chunks.query(query_embeddings=near, n_results=min(candidates * 64, n), include=[])
                    res = self._fetch([cid for cid in res["ids"][0]
                                       if matches(cid, wanted, exclude_source)][:candidates])
            else:
                res = _texts(self.chunks.query(
                    query_embeddings=vec, n_results=min(candidates, n), include=["metadatas"],
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
        v = (np.asarray(vec[0], dtype=np.float32)
             + weight * np.asarray(self.embedder.embed([titles])[0], dtype=np.float32))
        norm = float(np.linalg.norm(v))
        return [v / norm] if norm else vec

    def _nearest(self, vec, n: int) -> dict:
        """The ``n`` chunks nearest to ``vec``, shaped like a query result with documents."""
        if not self.records_store.local:
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
        got = self.records_store.fetch(ids)
        rows = [(cid, *got[cid]) for cid in ids if cid in got]
        return {"ids": [[r[0] for r in rows]], "documents": [[r[1] for r in rows]], "metadatas": [[r[2] for r in rows]]}

    def neighbours(self, texts: list[str], *, exclude_source: str, exclude_hash: str,
                   n: int = 8) -> list[tuple[str, str, dict]]:
        """The chunks of other reports nearest to each text: (id, text, metadata), each once.
        (Filtering in Chroma's query is several times slower than asking for two more
        neighbours and dropping our own report's chunks here.)"""
        count = self.count()
        if not texts or count == 0:
            return []
        self._sample_vectors()
        with self._storage("检索"):
            res = self.chunks.query(query_embeddings=self.embedder.embed(texts), n_results=min(n + 2, count),
                                    include=[])
        mine = code(exclude_source)
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

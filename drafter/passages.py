"""The index's sentence table: every indexed sentence, found by its clauses.

The review's copy check asks "which sentences of other reports share a clause with this
one?". A vector search answers that slowly (a query and a fetch per review, ~20 ms at 10k
reports) and only among near neighbours; this table answers it with one SQLite lookup of
clause hashes. It lives beside a local Chroma store (``passages.sqlite3`` in the index
folder) and is written in the same batches; a shared Chroma server has no such file and the
check falls back to vector neighbours.

Each batch is one transaction that first deletes what the batch's files had, so a run killed
half-way leaves either the old or the new rows of a file, and the re-run replaces them.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from functools import lru_cache

from drafter.embed import normalise

FILE = "passages.sqlite3"
_SENTENCES = re.compile(r"[^。！？；!?;\n]+")
_CLAUSE = re.compile(r"[，,、：:（）()“”\"《》\s]+")
MIN_CLAUSE = 5


@lru_cache(maxsize=50000)
def clauses(text: str) -> frozenset[str]:
    """The sentence's clauses (between commas, colons, brackets and quotes), normalised with
    numbers folded: a copied passage carries at least one of them unchanged."""
    return frozenset(c for c in (normalise(x) for x in _CLAUSE.split(text)) if len(c) >= MIN_CLAUSE)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunk (id TEXT PRIMARY KEY, source TEXT NOT NULL, unit TEXT NOT NULL, project TEXT NOT NULL,
                                  year INTEGER NOT NULL, file_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_source ON chunk (source);
CREATE INDEX IF NOT EXISTS chunk_unit ON chunk (unit, project, year);
CREATE TABLE IF NOT EXISTS sentence (h INTEGER PRIMARY KEY, shape INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sentence_shape ON sentence (shape);
CREATE TABLE IF NOT EXISTS clause (c INTEGER NOT NULL, h INTEGER NOT NULL, PRIMARY KEY (c, h)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS occurrence (h INTEGER NOT NULL, chunk TEXT NOT NULL, PRIMARY KEY (h, chunk)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS occurrence_chunk ON occurrence (chunk);
"""


def key(text: str) -> int:
    """A signed 64-bit hash (SQLite's INTEGER) of a text."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def split_sentences(body: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(body) if s.strip()]


class PassageStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(self, chunks: Iterable) -> None:
        """Store chunks (``id``, ``text``, ``metadata`` with ``body_offset`` and ``source``).
        Replaces what their files had."""
        chunks = list(chunks)
        sentences, clause_rows, occurrences, chunk_rows = {}, set(), set(), []
        for c in chunks:
            meta = {k: v for k, v in c.metadata.items() if k != "text"}
            chunk_rows.append((c.id, meta["source"], str(meta.get("unit", "")), str(meta.get("project", "")),
                               int(meta.get("year") or 0), str(meta.get("file_hash", ""))))
            if meta.get("section_kind") == "front":
                continue  # the cover is not prose
            for sent in split_sentences(c.text[int(meta.get("body_offset", 0)) :]):
                cl = clauses(sent)
                if not cl:
                    continue
                h = key(sent)
                sentences[h] = (shape(sent), sent)
                occurrences.add((h, c.id))
                clause_rows.update((key(x), h) for x in cl)
        sources = sorted({row[1] for row in chunk_rows})
        with self._lock:
            db = self._db
            db.execute("BEGIN")
            try:
                self._delete(sources)
                db.executemany("INSERT OR REPLACE INTO chunk VALUES (?, ?, ?, ?, ?, ?)", chunk_rows)
                db.executemany("INSERT OR IGNORE INTO sentence VALUES (?, ?, ?)", [(h, sh, t) for h, (sh, t) in sentences.items()])
                db.executemany("INSERT OR IGNORE INTO clause VALUES (?, ?)", clause_rows)
                db.executemany("INSERT OR IGNORE INTO occurrence VALUES (?, ?)", occurrences)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def remove(self, source: str) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._delete([source])
            self._db.execute("COMMIT")

    def _delete(self, sources: list[str]) -> None:
        # sentences and clauses stay (shared by other reports; an orphan matches nothing: the
        # lookup joins occurrences)
        for source in sources:
            ids = [r[0] for r in self._db.execute("SELECT id FROM chunk WHERE source = ?", (source,))]
            if not ids:
                continue
            self._db.executemany("DELETE FROM occurrence WHERE chunk = ?", [(i,) for i in ids])
            self._db.execute("DELETE FROM chunk WHERE source = ?", (source,))

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM chunk").fetchone()[0]

    def candidates(self, sentences: list[str], *, exclude_source: str, exclude_hash: str, unit: str = "",
                   project: str = "", year: int = 0, per_shape: int = 2, per_clause: int = 3,
                   per_sentence: int = 8, years_back: int = 2) -> "Candidates":
        """Sentences of other reports to compare with ``sentences``, as a mapping text -> the
        metadata of the chunks it stands in (read when asked: only matches are). Index
        lookups, bounded whatever the corpus size:

        - the same sentence with other figures (same shape), at most ``per_shape`` texts;
        - for a sentence with no such twin, a few sentences sharing each of its clauses;
        - every sentence of the same unit's report on the same project in the ``years_back``
          years before (year-over-year copies).
        """
        out = Candidates(exclude_source, exclude_hash)
        with self._lock:
            db = self._db
            # the same sentence with other figures: at most per_shape texts per shape (one
            # LIMIT query each: an index range that stops early, however common the shape)
            hashes: dict[int, None] = {}
            for sent in sentences:
                rows = db.execute("SELECT h FROM sentence WHERE shape = ? LIMIT ?", (shape(sent), per_shape)).fetchall()
                if not rows:  # no twin: a few sentences sharing each of its clauses
                    rows = [r for c in clauses(sent) for r in db.execute("SELECT h FROM clause WHERE c = ? LIMIT ?", (key(c), per_clause))]
                hashes.update((r[0], None) for r in rows)
            metas: dict[int, list[dict]] = {}
            # every sentence of the same project's reports of the years before
            if unit and project and year:
                for row in db.execute(f"SELECT {_FIELDS} FROM chunk WHERE unit = ? AND project = ? AND year >= ? AND year < ?"
                                      " AND source != ?", (unit, project, year - years_back, year, exclude_source)).fetchall():
                    m = _meta(row)
                    if m["file_hash"] == exclude_hash:
                        continue
                    for (h,) in db.execute("SELECT h FROM occurrence WHERE chunk = ?", (m["id"],)):
                        metas.setdefault(h, []).append(m)
                        hashes.setdefault(h, None)
                        out.earlier_hashes.add(h)
            for h, text in _in(db, "SELECT h, text FROM sentence WHERE h IN ({})", list(hashes)):
                out.by_text[text] = h
            # where each stands: at most per_sentence chunks of other reports per sentence
            chunks: dict[int, list[str]] = {}
            for h in hashes:
                chunks[h] = [r[0] for r in db.execute("SELECT chunk FROM occurrence WHERE h = ? LIMIT ?", (h, per_sentence + 1))]
            wanted = list({c for ids in chunks.values() for c in ids})
            rows = {r[0]: _meta(r) for r in _in(db, f"SELECT {_FIELDS} FROM chunk WHERE id IN ({{}})", wanted)}
        for h, ids in chunks.items():
            have = metas.setdefault(h, [])
            seen = {m["id"] for m in have}
            for cid in ids:
                m = rows.get(cid)
                if m and m["source"] != exclude_source and m["file_hash"] != exclude_hash and cid not in seen and len(have) < per_sentence:
                    have.append(m)
        out.metas = metas
        return out


def _in(db, sql: str, keys: list, size: int = 500):
    """Rows of ``sql`` (with one ``{}`` for the placeholders) for keys, in batches."""
    for i in range(0, len(keys), size):
        part = keys[i : i + size]
        yield from db.execute(sql.format(",".join("?" * len(part))), part)


_FIELDS = "id, source, unit, project, year, file_hash"


def _meta(row) -> dict:
    """What the copy check reads of a chunk: where it is from and whose it is."""
    return {"id": row[0], "source": row[1], "unit": row[2], "project": row[3], "year": row[4], "file_hash": row[5]}


class Candidates(Mapping):
    """Candidate sentence texts -> the metadata of the chunks of other reports they stand in."""

    def __init__(self, exclude_source: str, exclude_hash: str) -> None:
        self.exclude_source, self.exclude_hash = exclude_source, exclude_hash
        self.by_text: dict[str, int] = {}
        self.metas: dict[int, list[dict]] = {}
        self.earlier_hashes: set[int] = set()  # sentences of the same project's earlier reports

    def earlier(self, text: str) -> bool:
        return self.by_text.get(text) in self.earlier_hashes

    def __iter__(self):
        return iter(self.by_text)

    def __len__(self) -> int:
        return len(self.by_text)

    def __getitem__(self, text: str) -> list[dict]:
        return self.metas.get(self.by_text[text], [])


def shape(sentence: str) -> int:
    """A sentence's words with its figures folded: the same sentence with other numbers has
    the same shape."""
    return key(normalise(sentence))

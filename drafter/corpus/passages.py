"""The index's record table: every chunk's text and metadata, and every indexed sentence,
found by its clauses.

Beside a local Chroma store (``passages.sqlite3`` in the index folder) Chroma holds only the
chunks' ids and vectors: each metadata key Chroma stores is a row in two SQLite B-trees, and
writing a chunk's text and metadata there cost half the indexing time and most of the size.
A search reads its hits' text and metadata here by id. A shared Chroma server has no such
file and keeps everything in its own metadata.

The review's copy check asks "which sentences of other reports share a clause with this
one?". A vector search answers that slowly (a query and a fetch per review, ~20 ms at 10k
reports) and only among near neighbours; this table answers it with one SQLite lookup of
clause hashes (on a Chroma server the check falls back to vector neighbours).

A batch is written to Chroma first and then here, in one transaction that first deletes what
the batch's files had: a file is in the index when its rows are here, so a run killed
half-way leaves either the old or the new rows of a file, and the re-run replaces them. (A
vector written just before a kill has no row: a search skips it, and re-indexing the file
overwrites it.)
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from drafter.corpus.embed import fold_numbers, sentence_form
from drafter.errors import DrafterError

FILE = "passages.sqlite3"
_SENTENCES = re.compile(r"[^。！？；!?;\n]+")
_CLAUSE = re.compile(r"[，,、：:（）()“”\"《》\s]+")
MIN_CLAUSE = 5


@lru_cache(maxsize=50000)
def clauses(text: str) -> frozenset[str]:
    """The sentence's clauses (between commas, colons, brackets and quotes), normalised with
    numbers folded: a copied passage carries at least one of them unchanged."""
    return frozenset(c for c in (sentence_form(x) for x in _CLAUSE.split(text)) if len(c) >= MIN_CLAUSE)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS file (f INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL UNIQUE, unit TEXT NOT NULL,
                                 project TEXT NOT NULL, year INTEGER NOT NULL, file_hash TEXT NOT NULL,
                                 text_hash TEXT NOT NULL, report TEXT NOT NULL, sketch BLOB);
CREATE INDEX IF NOT EXISTS file_unit ON file (unit, project, year);
CREATE INDEX IF NOT EXISTS file_text ON file (text_hash);
CREATE INDEX IF NOT EXISTS file_report ON file (report);
CREATE TABLE IF NOT EXISTS band (b INTEGER NOT NULL, f INTEGER NOT NULL, PRIMARY KEY (b, f)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS band_file ON band (f);
CREATE TABLE IF NOT EXISTS chunk (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, unit TEXT NOT NULL,
                                  project TEXT NOT NULL, year INTEGER NOT NULL, file_hash TEXT NOT NULL,
                                  section_kind TEXT NOT NULL, n_chunks INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_source ON chunk (source);
CREATE INDEX IF NOT EXISTS chunk_unit ON chunk (unit, project, year);
CREATE INDEX IF NOT EXISTS chunk_kind ON chunk (section_kind, year);
CREATE TABLE IF NOT EXISTS record (n INTEGER PRIMARY KEY, text TEXT NOT NULL, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sentence (h INTEGER PRIMARY KEY, shape INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sentence_shape ON sentence (shape);
CREATE TABLE IF NOT EXISTS clause (c INTEGER NOT NULL, h INTEGER NOT NULL, PRIMARY KEY (c, h)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS occurrence (h INTEGER NOT NULL, f INTEGER NOT NULL, PRIMARY KEY (h, f)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS occurrence_file ON occurrence (f);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""  # noqa: E501 (SQLite keeps this text as the schema: one line per table, as written)


def key(text: str) -> int:
    """A signed 64-bit hash (SQLite's INTEGER) of a text."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def split_sentences(body: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(body) if s.strip()]


class PassageStore:
    """The record store beside a local Chroma store (the same methods as
    ``drafter.corpus.chroma.ServerRecords``), and the copy check's sentence table."""

    local = True

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._known: set[int] = set()  # hashes of sentences this instance has written
        self._files: dict[int, dict] = {}  # file rows read (a file number is never reused)
        with self._locked(opening=True):
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA mmap_size=1073741824")  # reads map the file instead of copying pages
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _locked(self, opening: bool = False):
        """The connection for one thread at a time; a damaged or full database is a
        ``DrafterError`` naming the file, never a traceback."""
        with self._lock:
            try:
                yield
            except sqlite3.DatabaseError as exc:  # corrupt, not a database, disk full, I/O error, locked
                raise DrafterError(f"{self.path}: {_problem(exc, opening)}") from None

    # --- the index's own state ---
    def get_state(self, key: str) -> str | None:
        with self._locked():
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        with self._locked():
            self._db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, value))

    def all_ids(self) -> list[str]:
        """Every recorded chunk's id, in the order they were written."""
        with self._locked():
            return [r[0] for r in self._db.execute("SELECT id FROM chunk ORDER BY n")]

    def max_number(self) -> int:
        with self._locked():
            return self._db.execute("SELECT coalesce(max(n), 0) FROM chunk").fetchone()[0]

    def add(self, chunks: Iterable, sketches: Mapping[str, bytes] | None = None) -> None:
        """Store chunks (``id``, ``text``, ``metadata`` with ``body_offset`` and ``source``),
        with each file's text sketch (``sketches``: source -> ``chunking.sketch``). Replaces
        what their files had. Each file gets the report key of the file already indexed that
        is the same report (``chunking.same_report``), else a key of its own."""
        sketches = sketches or {}
        chunks = list({c.id: c for c in chunks}.values())  # a file listed twice is written once
        sentences: dict[int, tuple[int, str, tuple[int, ...]]] = {}
        occurrences: set[tuple[int, str]] = set()  # (sentence, file)
        chunk_rows, records = [], []
        for c in chunks:
            meta = {k: v for k, v in c.metadata.items() if k != "text"}
            chunk_rows.append((c.id, meta["source"], str(meta.get("unit", "")), str(meta.get("project", "")),
                               int(meta.get("year") or 0), str(meta.get("file_hash", "")),
                               str(meta.get("section_kind", "")), int(meta.get("n_chunks", -1)),
                               str(meta.get("text_hash", ""))))
            records.append((c.text, json.dumps(meta, ensure_ascii=False)))
            if meta.get("section_kind") == "front":
                continue  # the cover is not prose
            for sent in split_sentences(c.text[int(meta.get("body_offset", 0)) :]):
                sh, cl = _keys(fold_numbers(sent))
                if not cl:
                    continue
                h = key(sent)
                if h not in self._known:
                    sentences[h] = (sh, sent, cl)
                occurrences.add((h, meta["source"]))
        sources = sorted({row[1] for row in chunk_rows})
        with self._locked():
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                self._delete(sources)
                # files and chunks are numbered here (a sentence's occurrences name files by
                # number; a file's number is never reused, so a reader may keep what it read)
                files = {}
                for row in chunk_rows:
                    if row[1] not in files:
                        files[row[1]] = self._add_file(row, sketches.get(row[1]))
                base = db.execute("SELECT coalesce(max(n), 0) + 1 FROM chunk").fetchone()[0]
                db.executemany("INSERT INTO chunk VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               [(base + i, *row[:8]) for i, row in enumerate(chunk_rows)])
                db.executemany("INSERT INTO record VALUES (?, ?, ?)",
                               [(base + i, *row) for i, row in enumerate(records)])
                db.executemany("INSERT OR IGNORE INTO sentence VALUES (?, ?, ?)",
                               [(h, sh, t) for h, (sh, t, _) in sentences.items()])
                db.executemany("INSERT OR IGNORE INTO clause VALUES (?, ?)",
                               {(c, h) for h, (_, _, cl) in sentences.items() for c in cl})
                db.executemany("INSERT OR IGNORE INTO occurrence VALUES (?, ?)",
                               [(h, files[src]) for h, src in occurrences])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        # sentences (and their clauses) once written stay: a sentence seen again needs only
        # its occurrence (a bounded memory of hashes; forgetting one costs a redundant insert)
        if len(self._known) > 2_000_000:
            self._known.clear()
        self._known.update(sentences)

    def _add_file(self, row: tuple, sk: bytes | None) -> int:
        """Insert a file's row (in the caller's transaction) with the report key of the same
        report already indexed, else its own; returns the file's number."""
        from drafter.corpus.chunking import bands, code

        _, source, unit, project, year, fhash, _, _, thash = row
        mine = {"unit": unit, "project": project, "year": year, "text_hash": thash, "sketch": sk}
        twin = self._same_report(mine)
        report = twin["report"] if twin else code(source)
        f = self._db.execute("INSERT INTO file (source, unit, project, year, file_hash, text_hash, report, sketch)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING f",
                             (source, unit, project, year, fhash, thash, report, sk)).fetchone()[0]
        if sk:
            self._db.executemany("INSERT OR IGNORE INTO band VALUES (?, ?)", [(b, f) for b in bands(sk)])
        return f

    def _same_report(self, mine: dict) -> dict | None:
        """The row of an indexed file that is the same report as ``mine`` (unit, project,
        year, text_hash, sketch), if any: looked up by those keys and by the sketch's bands."""
        from drafter.corpus.chunking import bands, same_report

        db = self._db
        cols = "f, source, unit, project, year, file_hash, text_hash, report, sketch"
        rows = []
        if mine["text_hash"]:
            rows += db.execute(f"SELECT {cols} FROM file WHERE text_hash = ? LIMIT 1", (mine["text_hash"],)).fetchall()
        if not rows and mine["unit"] and mine["project"] and mine["year"]:
            rows += db.execute(f"SELECT {cols} FROM file WHERE unit = ? AND project = ? AND year = ? LIMIT 5",
                               (mine["unit"], mine["project"], mine["year"])).fetchall()
        if not rows and mine.get("sketch"):
            near = {r[0] for r in _in(db, "SELECT f FROM band WHERE b IN ({})", bands(mine["sketch"]))}
            rows += list(_in(db, f"SELECT {cols} FROM file WHERE f IN ({{}})", sorted(near)))
        for r in rows:
            other = dict(zip(("f", "source", "unit", "project", "year", "file_hash", "text_hash", "report", "sketch"),
                             r))
            if same_report(mine, other):
                return other
        return None

    def report_of(self, ident: dict, text_hash: str, sk: bytes | None) -> str | None:
        """The report key of the indexed report that is the same report as this one (its
        identity, text hash and sketch), or None."""
        with self._locked():
            twin = self._same_report({**ident, "text_hash": text_hash, "sketch": sk})
        return twin["report"] if twin else None

    def reports(self) -> int:
        """How many reports the index holds (several files of one report count once)."""
        with self._locked():
            return self._db.execute("SELECT count(DISTINCT report) FROM file").fetchone()[0]

    def remove(self, source: str) -> None:
        with self._locked():
            self._db.execute("BEGIN IMMEDIATE")
            self._delete([source])
            self._db.execute("COMMIT")

    def _delete(self, sources: list[str]) -> None:
        # sentences and clauses stay (shared by other reports; an orphan matches nothing: the
        # lookup joins occurrences)
        db = self._db
        for source in sources:
            row = db.execute("SELECT f FROM file WHERE source = ?", (source,)).fetchone()
            if row:
                db.execute("DELETE FROM occurrence WHERE f = ?", row)
                db.execute("DELETE FROM band WHERE f = ?", row)
                db.execute("DELETE FROM file WHERE f = ?", row)
            numbers = [(r[0],) for r in db.execute("SELECT n FROM chunk WHERE source = ?", (source,))]
            if numbers:
                db.executemany("DELETE FROM record WHERE n = ?", numbers)
                db.execute("DELETE FROM chunk WHERE source = ?", (source,))

    def count(self) -> int:
        with self._locked():
            return self._db.execute("SELECT count(*) FROM chunk").fetchone()[0]

    # --- the chunks' records ---
    def state(self, source: str) -> tuple[str | None, int, int]:
        """(file_hash, chunks present, chunks expected) of a file; "mixed" when its chunks
        disagree."""
        with self._locked():
            row = self._db.execute("SELECT min(file_hash), max(file_hash), count(*), min(n_chunks) FROM chunk"
                                   " WHERE source = ?", (source,)).fetchone()
        low, high, count, expected = row
        if not count:
            return None, 0, 0
        return (low if low == high else "mixed"), count, expected

    def sources(self) -> set[str]:
        with self._locked():
            return {r[0] for r in self._db.execute("SELECT source FROM file")}  # one row a file

    def source_codes(self) -> set[str]:
        """The codes (``drafter.corpus.chunking.code``) of the indexed files."""
        from drafter.corpus.chunking import code

        return {code(s) for s in self.sources()}

    def vector_extras(self, chunks: list) -> dict:
        """What a write to Chroma carries besides ids and vectors: nothing (the records are here)."""
        return {}

    def ids(self, source: str) -> list[str]:
        with self._locked():
            return [r[0] for r in self._db.execute("SELECT id FROM chunk WHERE source = ?", (source,))]

    def fetch(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """id -> (text, metadata) of the chunks that have a record."""
        with self._locked():
            return {cid: (text, json.loads(meta))
                    for cid, text, meta in _in(self._db,
                                               "SELECT c.id, r.text, r.meta FROM chunk c JOIN record r USING (n)"
                                               " WHERE c.id IN ({})", ids)}

    def records(self, where: dict | None = None, page: int = 0) -> list[dict]:
        """Every chunk's metadata with its "text" and "id" (``where``: equal column values,
        e.g. ``{"source": ...}``; ``page`` is for a server's store: one query reads them here)."""
        where = where or {}
        bad = set(where) - set(_FILTERS)
        if bad:
            raise ValueError(f"cannot select chunks by {sorted(bad)}")
        sql = "SELECT c.id, r.text, r.meta FROM chunk c JOIN record r USING (n)" + (
            " WHERE " + " AND ".join(f"c.{k} = ?" for k in where) if where else "")
        with self._locked():
            return [{**json.loads(meta), "text": text, "id": cid}
                    for cid, text, meta in self._db.execute(sql, list(where.values()))]

    def files(self) -> dict[str, dict]:
        """source -> unit, project, year and chunk count of every indexed file."""
        with self._locked():
            rows = self._db.execute("SELECT source, min(unit), min(project), min(year), count(*) FROM chunk"
                                    " GROUP BY source").fetchall()
        return {src: {"unit": unit, "project": project, "year": year, "chunks": n}
                for src, unit, project, year, n in rows}

    def ids_where(self, *, section_kind: str | None = None, year: int | None = None, unit: str | None = None,
                  exclude_source: str | None = None, limit: int = 5000) -> list[str]:
        """Ids of the chunks that pass a search's filters, at most ``limit`` of them."""
        conds, args = [], []
        for col, value in (("section_kind", section_kind), ("year", year), ("unit", unit)):
            if value:
                conds.append(f"{col} = ?")
                args.append(value)
        if exclude_source:
            conds.append("source != ?")
            args.append(exclude_source)
        sql = "SELECT id FROM chunk" + (" WHERE " + " AND ".join(conds) if conds else "") + " LIMIT ?"
        with self._locked():
            return [r[0] for r in self._db.execute(sql, [*args, limit])]

    def candidates(self, sentences: list[str], *, exclude_source: str, exclude_hash: str, unit: str = "",
                   project: str = "", year: int = 0, per_shape: int = 2, per_clause: int = 3,
                   per_sentence: int = 8, years_back: int = 2, exclude_report: str | None = None) -> "Candidates":
        """Sentences of other reports to compare with ``sentences``, as a mapping text -> the
        files (source, unit, project, year, file_hash) it stands in. Index
        lookups, bounded whatever the corpus size:

        - the same sentence (with the same figures), and the same sentence with other figures
          (same shape), at most ``per_shape`` texts;
        - for a sentence with no such twin, a few sentences sharing each of its clauses;
        - every sentence of the same unit's report on the same project in the ``years_back``
          years before (year-over-year copies).
        """
        out = Candidates()
        with self._locked():
            db = self._db
            # the same sentence with other figures: at most per_shape texts per shape (one
            # LIMIT query each: an index range that stops early, however common the shape)
            hashes: dict[int, None] = {}
            for sent in sentences:
                sh, cl = _keys(fold_numbers(sent))  # as the sentences were stored
                rows = db.execute("SELECT h FROM sentence WHERE h = ?", (key(sent),)).fetchall()
                rows += db.execute("SELECT h FROM sentence WHERE shape = ? LIMIT ?", (sh, per_shape)).fetchall()
                if not rows:  # no twin: a few sentences sharing each of its clauses
                    rows = [r for c in cl
                            for r in db.execute("SELECT h FROM clause WHERE c = ? LIMIT ?", (c, per_clause))]
                hashes.update((r[0], None) for r in rows)
            metas: dict[int, list[dict]] = {}
            # every sentence of the same project's reports of the years before
            if unit and project and year:
                for row in db.execute(f"SELECT {_FIELDS} FROM file WHERE unit = ? AND project = ?"
                                      " AND year >= ? AND year < ? AND source != ?",
                                      (unit, project, year - years_back, year, exclude_source)).fetchall():
                    m = self._files.setdefault(row[0], _meta(row))
                    if m["file_hash"] == exclude_hash or (exclude_report and m["report"] == exclude_report):
                        continue
                    for (h,) in db.execute("SELECT h FROM occurrence WHERE f = ?", (m["f"],)):
                        metas.setdefault(h, []).append(m)
                        hashes.setdefault(h, None)
                        out.earlier_hashes.add(h)
            for h, text in _in(db, "SELECT h, text FROM sentence WHERE h IN ({})", list(hashes)):
                out.by_text[text] = h
            # where each stands: at most per_sentence other reports per sentence (a few more:
            # the report under review, in one format or several, may be among them)
            where: dict[int, list[int]] = {}
            for h in hashes:
                where[h] = [r[0] for r in db.execute("SELECT f FROM occurrence WHERE h = ? LIMIT ?",
                                                     (h, per_sentence + 4))]
            unread = list({f for fs in where.values() for f in fs if f not in self._files})
            self._files.update((r[0], _meta(r))
                               for r in _in(db, f"SELECT {_FIELDS} FROM file WHERE f IN ({{}})", unread))
        for h, fs in where.items():
            have = metas.setdefault(h, [])
            seen = {m["f"] for m in have}
            for f in fs:
                m = self._files.get(f)
                if (m and m["source"] != exclude_source and m["file_hash"] != exclude_hash and f not in seen
                        and not (exclude_report and m["report"] == exclude_report) and len(have) < per_sentence):
                    have.append(m)
        out.metas = metas
        return out


def _problem(exc: sqlite3.DatabaseError, opening: bool) -> str:
    """What a SQLite error means for the index, in words a user can act on."""
    text = str(exc)
    if "full" in text:
        return f"磁盘已满，索引没有写完（{text}）：腾出空间后重新运行 drafter index"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"索引的记录库已损坏（{text}）：请重建索引（drafter index 报告文件夹 --rebuild），"
                "或审核时加 --no-index")
    return f"{'无法打开' if opening else '读写'}索引的记录库失败（{exc.__class__.__name__}: {text}）"


def _in(db, sql: str, keys: list, size: int = 500):
    """Rows of ``sql`` (with one ``{}`` for the placeholders) for keys, in batches."""
    for i in range(0, len(keys), size):
        part = keys[i : i + size]
        yield from db.execute(sql.format(",".join("?" * len(part))), part)


_FIELDS = "f, source, unit, project, year, file_hash, report"
_FILTERS = ("source", "unit", "project", "year", "file_hash", "section_kind")


def _meta(row) -> dict:
    """What the copy check reads of a file: where it is and whose it is."""
    return {"f": row[0], "source": row[1], "unit": row[2], "project": row[3], "year": row[4], "file_hash": row[5],
            "report": row[6]}


class Candidates(Mapping):
    """Candidate sentence texts -> the files of other reports they stand in."""

    def __init__(self) -> None:
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


@lru_cache(maxsize=1 << 17)
def _keys(folded: str) -> tuple[int, tuple[int, ...]]:
    """(shape, clause keys) of a sentence with its figures folded to "0": the same for every
    sentence that differs only in its figures, so computed once for all of them."""
    return shape(folded), tuple(key(c) for c in clauses(folded))


def shape(sentence: str) -> int:
    """A sentence's words with its figures folded: the same sentence with other numbers has
    the same shape."""
    return key(sentence_form(sentence))

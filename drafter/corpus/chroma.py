"""Chroma: the client (a local folder or a server), the collection's schema, starting an index
over, and the record store of a Chroma server, where each chunk's text and metadata are Chroma
metadata (a local index keeps them in ``drafter.corpus.passages`` instead)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from urllib.parse import urlparse

from drafter.config import Config
from drafter.errors import DrafterError, InputError

CHUNKS = "drafter_chunks"
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


def schema():
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


def client(config: Config):
    import chromadb
    from chromadb.config import Settings

    logging.getLogger("chromadb").setLevel(logging.ERROR)
    settings = Settings(anonymized_telemetry=False)
    if config.chroma_url:
        u = urlparse(config.chroma_url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise DrafterError(f"chroma_url {config.chroma_url} 不是 http(s)://HOST:PORT 形式的地址")
        try:
            return chromadb.HttpClient(host=u.hostname, port=u.port or (443 if u.scheme == "https" else 8000),
                                       ssl=u.scheme == "https", settings=settings)
        except Exception as exc:
            raise DrafterError(
                f"无法连接 Chroma 服务 {config.chroma_url}（{exc.__class__.__name__}）") from None
    Path(config.index).mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(config.index), settings=settings)
    except Exception as exc:
        raise DrafterError(
            f"{config.index}: cannot open the index ({exc.__class__.__name__}: {str(exc)[:120]})") from None


_UUID_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_INDEX_FILES = re.compile(r"^(?:(?:chroma|passages)\.sqlite3(?:-wal|-shm|-journal)?|drafter\.lock)$")


def wipe(config: Config) -> None:
    """Start an index over: the drafter collection on a Chroma server, or a local index
    folder, which must hold nothing but a Chroma store and the sentence table (a folder
    with anything else in it is refused, never deleted). The writer lock's file stays: the
    writer that wipes holds it (``drafter.corpus.lock``)."""
    import shutil

    if config.chroma_url:
        server = client(config)
        if CHUNKS in {c.name for c in server.list_collections()}:
            server.delete_collection(CHUNKS)
        return
    folder = Path(config.index)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise InputError(str(folder), "不是文件夹：没有重建")
    from drafter.corpus.lock import LOCK_FILE

    parts = [p for p in folder.iterdir() if p.name != LOCK_FILE]
    strangers = [p.name for p in parts if not (_INDEX_FILES.match(p.name) if p.is_file() else _UUID_DIR.match(p.name))]
    if not parts:
        return  # nothing but the lock: nothing to start over
    if strangers or not (folder / "chroma.sqlite3").exists():
        what = f"其中还有 {'、'.join(sorted(strangers)[:3])}" if strangers else "其中没有 chroma.sqlite3"
        raise InputError(str(folder),
                         f"看起来不是 drafter 的索引（{what}）：没有删除；请另选 --index")
    for p in parts:
        shutil.rmtree(p) if p.is_dir() else p.unlink()


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


class ServerRecords:
    """The record store of a Chroma server: each chunk's text and metadata live in Chroma's
    metadata beside its vector (``pack``); the same methods as ``PassageStore``."""

    local = False

    def __init__(self, collection) -> None:
        self.chunks = collection

    def vector_extras(self, chunks: list) -> dict:
        """What a write to Chroma carries besides ids and vectors: here, the records."""
        return {"metadatas": [pack(c.metadata, c.text) for c in chunks]}

    def add(self, chunks, sketches=None) -> None:
        """Nothing to do: the records went to Chroma with the vectors (a server keeps no
        sketches: the files of one report are told by their identity and text hash)."""

    def state(self, source: str) -> tuple[str | None, int, int]:
        got = self.chunks.get(where={"source": source}, include=["metadatas"])
        metas = [unpack(m) for m in got["metadatas"] or []]
        if not metas:
            return None, 0, 0
        hashes = {m.get("file_hash") for m in metas}
        return (hashes.pop() if len(hashes) == 1 else "mixed"), len(metas), int(metas[0].get("n_chunks", -1))

    def source_codes(self) -> set[str]:
        """The codes of the files that have chunks (from the ids alone)."""
        got = self.chunks.get(include=[])
        return {cid.split(".")[3] for cid in got["ids"]}

    def remove(self, source: str) -> None:
        self.chunks.delete(where={"source": source})

    def ids(self, source: str) -> list[str]:
        return []  # the vectors went with the records (``remove``)

    def records(self, where: dict | None = None, page: int = 5000) -> list[dict]:
        """Every chunk's metadata (with its "text" and "id"), a page at a time (one read of a
        large index exceeds SQLite's variable limit inside Chroma)."""
        out: list[dict] = []
        while True:
            got = self.chunks.get(where=where, include=["metadatas"], limit=page, offset=len(out))
            out.extend({**unpack(m), "id": cid} for cid, m in zip(got["ids"], got["metadatas"] or []))
            if len(got["ids"]) < page:
                return out

    def files(self) -> dict[str, dict]:
        files: dict[str, dict] = {}
        for m in self.records():
            f = files.setdefault(m["source"], {"unit": m.get("unit", ""), "project": m.get("project", ""),
                                               "year": m.get("year", 0), "text_hash": m.get("text_hash", ""),
                                               "source": m["source"], "chunks": 0})
            f["chunks"] += 1
        return files

    def count(self) -> int:
        return self.chunks.count()

    def fetch(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        raw = _texts(self.chunks.get(ids=ids, include=["metadatas"]), nested=False)
        return {cid: (doc, meta) for cid, doc, meta in zip(raw["ids"], raw["documents"], raw["metadatas"])}

"""Embeddings. The offline default hashes character 1–3-grams into a fixed number of buckets
(vectorised with numpy, deterministic on every machine: no Python ``hash``, no download).
Optional: an OpenAI-compatible embeddings endpoint, or a local sentence-transformers folder."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Protocol

import numpy as np

from drafter.errors import DrafterError
from drafter.secrets import redact, remember

# Content characters only: CJK, letters, digits (digits fold to one class so that last year's
# figures do not make the same sentence look different).
_NOISE = re.compile(r"[^\w\u3400-\u9fff]|_", re.UNICODE)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_M1, _M2, _M3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)


class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


def fold_numbers(text: str) -> str:
    """Every number (3, 2.5, 318472) written as "0": last year's sentence with this year's
    figures reads the same."""
    return _DIGITS.sub("0", text)


def normalise(text: str) -> str:
    """Content characters only, every number folded to "0"."""
    return _NOISE.sub("", fold_numbers(text))


@lru_cache(maxsize=1 << 15)
def sentence_form(text: str) -> str:
    """``normalise`` of a sentence or clause, cached: the copy check asks for the same
    sentences' forms several times over (long texts go to ``normalise``)."""
    return normalise(text)


def _mix(h: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser (splitmix64): spreads n-gram codes evenly over the buckets."""
    h = h ^ (h >> np.uint64(30))
    h = h * _M2
    h = h ^ (h >> np.uint64(27))
    h = h * _M3
    return h ^ (h >> np.uint64(31))


def _codes(norms: list[str], n_max: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The n-gram codes of many normalised texts at once, and the text each code is of: the
    texts' characters side by side, n-grams that cross from one text into the next dropped."""
    lengths = np.fromiter((len(t) for t in norms), dtype=np.int64, count=len(norms))
    cp = np.frombuffer("".join(norms).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(norms), dtype=np.int64), lengths)
    codes, owners = [], []
    with np.errstate(over="ignore"):
        for n in range(1, n_max + 1):
            if len(cp) < n:
                break
            m = len(cp) - n + 1
            code = np.full(m, np.uint64(n), dtype=np.uint64)
            for k in range(n):
                code = code * _M1 + cp[k : m + k]
            inside = owner[:m] == owner[n - 1 :]
            codes.append(_mix(code[inside]))
            owners.append(owner[:m][inside])
    if not codes:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(codes), np.concatenate(owners)


class HashingEmbedder:
    """Hashed character n-gram vectors, log-scaled counts, L2-normalised."""

    def __init__(self, dim: int = 512) -> None:
        self._dim = dim
        self.name = f"hash-char-1-3@{dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        """All texts at once (one pass of numpy over their characters, not one per text)."""
        codes, owners = _codes([normalise(t) for t in texts])
        with np.errstate(over="ignore"):
            buckets = owners * self._dim + (codes % np.uint64(self._dim)).astype(np.int64)
        counts = np.bincount(buckets, minlength=len(texts) * self._dim).reshape(len(texts), self._dim)
        out = np.log1p(counts.astype(np.float32))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=out, where=norms > 0)


class OpenAIEmbedder:
    """Any OpenAI-compatible /embeddings endpoint (bge-m3 on vLLM, Ollama, Xinference…)."""

    def __init__(self, model: str, base_url: str | None = None, api_key_env: str = "", timeout: float = 60.0) -> None:
        from openai import OpenAI

        key = os.environ.get(api_key_env, "") if api_key_env else ""
        if not key and base_url is None:
            key = os.environ.get("OPENAI_API_KEY", "")
        # The default key is never sent to a custom base URL: only the named variable is.
        remember(key)  # and no message shows it
        self._client = OpenAI(api_key=key or "not-needed", base_url=base_url, timeout=timeout, max_retries=3)
        self.model = model
        self.name = f"openai:{model}"
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = self.embed(["维度探测"]).shape[1]
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        try:
            resp = self._client.embeddings.create(model=self.model, input=texts)
        except Exception as exc:  # the openai client raises many subclasses; all mean "no embeddings"
            raise DrafterError(redact(f"嵌入服务调用失败（{exc.__class__.__name__}: {redact(str(exc))[:200]}）")
                               ) from None
        vecs = np.asarray([d.embedding for d in sorted(resp.data, key=lambda d: d.index)], dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.where(norms == 0, 1, norms)
        self._dim = vecs.shape[1]
        return vecs


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (nothing is downloaded)."""

    def __init__(self, path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise DrafterError(
                "没有安装 sentence-transformers：请运行 pip install sentence-transformers") from None
        if not os.path.isdir(path):
            raise DrafterError(f"{path}: embedding model folder not found")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model = SentenceTransformer(path, local_files_only=True)
        self.name = f"st:{os.path.basename(os.path.normpath(path))}"

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts, normalize_embeddings=True), dtype=np.float32)


def make_embedder(spec: str | None = None) -> Embedder:
    """``hash`` / ``hash:1024`` (default), ``openai:MODEL[@BASE_URL]``, ``st:/path/to/model``."""
    spec = spec or os.environ.get("DRAFTER_EMBEDDING", "hash")
    if spec == "hash" or spec.startswith("hash:"):
        return HashingEmbedder(int(spec.split(":", 1)[1]) if ":" in spec else 512)
    if spec.startswith("openai:"):
        model, _, base = spec[len("openai:") :].partition("@")
        return OpenAIEmbedder(model, base or None, api_key_env="DRAFTER_EMBEDDING_API_KEY")
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise DrafterError(f"未知的嵌入方式 {spec}（可选 hash、hash:DIM、openai:MODEL[@URL] 或 st:PATH）")

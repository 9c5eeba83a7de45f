"""The lexical half of hybrid retrieval: BM25 over character bigrams of the vector candidates."""

from __future__ import annotations

import math
from collections import Counter

from drafter.corpus.embed import normalise


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

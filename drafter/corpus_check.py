"""Review against the corpus index: which passages of a report stand near-verbatim in other
reports, and which paragraphs repeat the same unit's report of an earlier year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path

from drafter.analysis import Analysis, Sentence
from drafter.embed import normalise
from drafter.index import MIN_SENTENCE, CorpusIndex, file_hash, identity, section_kind, source_key
from drafter.templates import detect_template, norm

_NOT_CONTENT = re.compile(r"[^\w\u3400-\u9fff]|_")


def content(text: str) -> tuple[str, list[int]]:
    """The text's content characters (CJK, letters, digits) and where each stands in ``text``."""
    keep = [(i, ch) for i, ch in enumerate(text) if not _NOT_CONTENT.match(ch)]
    return "".join(ch for _, ch in keep), [i for i, _ in keep]


def shingles(text: str, n: int = 3, fold_digits: bool = True) -> set[str]:
    """Character n-grams of the content characters; with ``fold_digits`` every number reads
    the same, so a sentence copied with new figures still matches its original."""
    t = normalise(text) if fold_digits else content(text)[0]
    if len(t) < n:
        return {t} if t else set()
    return {t[i : i + n] for i in range(len(t) - n + 1)}


def _words(text: str) -> int:
    """Content characters that are not digits."""
    return sum(1 for ch in text if not ch.isdigit())


def _densest(blocks: list, text: str, gap: int = 3) -> list:
    """The run of matching blocks, each at most ``gap`` characters after the previous one in
    our sentence, that carries the most words: the copied passage."""
    runs: list[list] = []
    for b in blocks:
        if runs and b.a - (runs[-1][-1].a + runs[-1][-1].size) <= gap:
            runs[-1].append(b)
        else:
            runs.append([b])
    return max(runs, key=lambda run: sum(_words(text[b.a : b.a + b.size]) for b in run), default=[])


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass
class Match:
    text: str
    meta: dict
    shape: float  # Jaccard of 3-grams with numbers folded: the same sentence, perhaps other figures
    passage: tuple[int, int] | None  # the span of our sentence found verbatim in this one
    share: float  # the passage's share of our sentence's content


@dataclass
class SentenceMatches:
    sentence: Sentence
    kind: str  # the section's template kind ("unit" for the unit's profile and duties)
    matches: list[Match]

    def copies(self) -> list[Match]:
        """The best match per other report among those sharing a verbatim passage."""
        best: dict[str, Match] = {}
        for m in self.matches:
            if m.passage is None:
                continue
            src = m.meta.get("source", "")
            if src not in best or m.share > best[src].share:
                best[src] = m
        return sorted(best.values(), key=lambda m: -m.share)

    def passage(self) -> tuple[int, int] | None:
        """The widest copied passage, in analysis offsets."""
        spans = [m.passage for m in self.matches if m.passage]
        if not spans:
            return None
        lo = min(s for s, _ in spans)
        hi = max(e for _, e in spans)
        return self.sentence.start + lo, self.sentence.start + hi


class CorpusMatcher:
    """Computed once per reviewed report, shared by the corpus rule types.

    A candidate (from the sentence store's nearest neighbours) counts as a copy when it shares
    verbatim passages of at least ``long_passage`` characters of words (digits do not count),
    or of ``min_chars`` that make at least ``min_share`` of the sentence; it counts as the same sentence (for year-over-year
    copying) when the 3-gram Jaccard with numbers folded is at least ``threshold``."""

    def __init__(self, index: CorpusIndex, analysis: Analysis, threshold: float = 0.8, min_chars: int = 15,
                 min_share: float = 0.5, long_passage: int = 20) -> None:
        self.index = index
        self.analysis = analysis
        self.threshold = threshold
        self.min_chars = min_chars
        self.min_share = min_share
        self.long_passage = long_passage
        report = analysis.report
        path = Path(report.path)
        if path.is_file():
            self.source = source_key(path)
            self.hash = file_hash(path.read_bytes())
        else:
            self.hash = file_hash(report.text.encode("utf-8"))
            self.source = f"<text>:{self.hash}"
        self.identity = identity(report, analysis)
        self.index_neighbours = 12

    @cached_property
    def sentences(self) -> list[SentenceMatches]:
        a = self.analysis
        template = detect_template(a)
        instructions = {norm(i) for i in template.all_instructions()} if template else set()
        wanted = [s for s in a.sentences if len(normalise(s.text)) >= MIN_SENTENCE and norm(s.text) not in instructions]
        near = self.index.near_sentences([s.text for s in wanted], exclude_source=self.source, exclude_hash=self.hash,
                                         n=self.index_neighbours)
        out = []
        for s, candidates in zip(wanted, near):
            matches = [m for m in (self._compare(s.text, text, meta) for text, meta in candidates) if m]
            if matches:
                out.append(SentenceMatches(s, section_kind(a, a.section_at(s.start)), matches))
        return out

    def _compare(self, mine: str, other: str, meta: dict) -> Match | None:
        shape = jaccard(shingles(mine), shingles(other))
        mine_c, where = content(mine)
        other_c, _ = content(other)
        passage, share = None, 0.0
        grams = shingles(mine, fold_digits=False)
        # cheap filter before the exact alignment: enough of our 3-grams must occur there at all
        if grams and len(grams & shingles(other, fold_digits=False)) >= self.min_chars - 2:
            # runs of shared words count; shared digits ("0000元" in 30000元 and 110000元) do not
            blocks = [b for b in SequenceMatcher(None, mine_c, other_c, autojunk=False).get_matching_blocks()
                      if b.size >= 4 and _words(mine_c[b.a : b.a + b.size]) >= 3]
            cluster = _densest(blocks, mine_c)
            matched = sum(_words(mine_c[b.a : b.a + b.size]) for b in cluster)
            if cluster and (matched >= self.long_passage or (matched >= self.min_chars and matched >= self.min_share * len(mine_c))):
                first, last = cluster[0], cluster[-1]
                passage = (where[first.a], where[last.a + last.size - 1] + 1)
                share = matched / len(mine_c)
        if passage is None and shape < self.threshold:
            return None
        return Match(other, meta, shape, passage, share)

    def earlier_same_unit(self, sm: SentenceMatches) -> list[Match]:
        """Same-sentence matches from the same unit's reports of earlier years."""
        unit, year = self.identity["unit"], self.identity["year"]
        if not unit or not year:
            return []
        return [m for m in sm.matches if m.shape >= self.threshold and m.meta.get("unit") == unit
                and 0 < int(m.meta.get("year") or 0) < year]

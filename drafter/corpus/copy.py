"""Review against the corpus index: which passages of a report stand near-verbatim in other
reports, and which paragraphs repeat the same unit's report of an earlier year."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from drafter.analysis.templates import detect_template, norm, section_kind
from drafter.analysis.view import Analysis, Sentence
from drafter.corpus.chunking import (
    MIN_SENTENCE,
    chunk_report,
    file_hash,
    identity,
    report_group,
    same_report,
    sketch,
    source_key,
    text_key,
)
from drafter.corpus.embed import sentence_form
from drafter.corpus.index import CorpusIndex
from drafter.corpus.passages import clauses
from drafter.resources import DATA
from drafter.text.figures import extract

_CONTENT_RUN = re.compile(r"[^\W_]+")  # letters, digits and CJK: Python's \w, less "_"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@lru_cache(maxsize=1)
def _figure_words() -> tuple[re.Pattern, int]:
    """The words of a report's standard figure sentences and the residue allowed
    (``drafter/data/corpus/figure-sentences.yml``)."""
    import yaml

    data = yaml.safe_load((DATA / "corpus" / "figure-sentences.yml").read_text(encoding="utf-8"))
    words = sorted({str(w) for w in data["words"]}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), int(data["max_residue"])


@lru_cache(maxsize=50000)
def figure_sentence(text: str) -> bool:
    """A sentence whose content is its figures and the budget's and the score's role words
    ("全年支出 14703118 元，结余 73132 元"): every report states one; with other figures it
    is no copy."""
    figures = extract(text)
    if not figures:
        return False
    words, residue = _figure_words()
    rest = list(text)
    for f in figures:
        rest[f.start : f.end] = [" "] * (f.end - f.start)
    left = words.sub(" ", _NUMBER.sub(" ", "".join(rest)))
    return len("".join(_CONTENT_RUN.findall(left))) <= residue


@lru_cache(maxsize=50000)
def figure_key(text: str) -> tuple:
    """The sentence's figures (kind, unit, value in base units), in order."""
    return tuple((f.kind, "" if f.kind == "amount" else f.unit, round(f.base, 6)) for f in extract(text))


def _plain_unit(unit) -> str:
    return "".join(_CONTENT_RUN.findall(str(unit or "")))


def significant_digits(figure_text: str) -> int:
    """Digits of a figure's number without leading and trailing zeros: 14703118 元 has 8,
    100 万元 has 1 (a round figure two reports may share by chance)."""
    digits = "".join(_NUMBER.findall(figure_text)).replace(",", "").replace(".", "")
    return len(digits.strip("0"))


def content(text: str) -> tuple[str, list[int]]:
    """The text's content characters (CJK, letters, digits) and where each stands in ``text``."""
    runs = [(m.start(), m.group()) for m in _CONTENT_RUN.finditer(text)]
    return "".join(r for _, r in runs), [i for start, r in runs for i in range(start, start + len(r))]


def shingles(text: str, n: int = 3) -> set[str]:
    """Character n-grams of the content characters with every number folded, so a sentence
    copied with new figures still matches its original."""
    t = sentence_form(text)
    if len(t) < n:
        return {t} if t else set()
    return {t[i : i + n] for i in range(len(t) - n + 1)}


_NO_DIGITS = str.maketrans("", "", "0123456789")


def _words(text: str) -> int:
    """Content characters that are not digits."""
    return len(text.translate(_NO_DIGITS))


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
    earlier: list[Match] | None = None  # see CorpusMatcher.earlier_same_unit
    figures: bool = False  # a figure sentence (``figure_sentence``)

    def copies(self) -> list[Match]:
        """The best match per other report among those sharing a verbatim passage (several
        files of one report count once). A figure sentence is nobody's copy: with the same
        figures it is ``same_figures``."""
        if self.figures:
            return []
        return _best_per_report(m for m in self.matches if m.passage is not None)

    def same_figures(self) -> list[Match]:
        """For a figure sentence: the best match per other report whose sentence has the same
        figures as ours."""
        if not self.figures:
            return []
        mine = figure_key(self.sentence.text)
        return _best_per_report(m for m in self.matches if m.passage is not None and figure_key(m.text) == mine)

    def passage(self) -> tuple[int, int] | None:
        """The widest copied passage, in analysis offsets."""
        spans = [m.passage for m in self.matches if m.passage]
        if not spans:
            return None
        lo = min(s for s, _ in spans)
        hi = max(e for _, e in spans)
        return self.sentence.start + lo, self.sentence.start + hi


def _best_per_report(matches) -> list[Match]:
    best: dict[str, Match] = {}
    for m in matches:
        key = report_group(m.meta)
        if key not in best or m.share > best[key].share:
            best[key] = m
    return sorted(best.values(), key=lambda m: -m.share)


WINDOW = 6  # characters of a shared run's smallest piece


class _Prepared:
    """A sentence's content characters and folded form, and, when first asked, its folded
    3-grams, its exact WINDOW-grams and where each content character stands (a candidate of
    other reports never needs the positions)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.content = "".join(_CONTENT_RUN.findall(text))
        self.form = sentence_form(text)

    @cached_property
    def shape(self) -> set[str]:
        return shingles(self.text)

    @cached_property
    def where(self) -> list[int]:
        return content(self.text)[1]

    @cached_property
    def grams(self) -> list[str]:
        c = self.content
        return [c[i : i + WINDOW] for i in range(max(0, len(c) - WINDOW + 1))]

    @cached_property
    def gram_set(self) -> set[str]:
        return set(self.grams)

    def shared_runs(self, other: "_Prepared", gap: int = 3) -> list[tuple[int, int]]:
        """Spans of our content covered by WINDOW-grams that also stand in ``other``, merged
        when at most ``gap`` characters apart."""
        theirs = other.gram_set
        runs: list[list[int]] = []
        for i in [i for i, g in enumerate(self.grams) if g in theirs]:
            if runs and i <= runs[-1][1] + gap:
                runs[-1][1] = i + WINDOW  # (i grows: the run's end only moves on)
            else:
                runs.append([i, i + WINDOW])
        return [(a, b) for a, b in runs]


@lru_cache(maxsize=20000)
def _prepared(text: str) -> _Prepared:
    return _Prepared(text)


_SPLIT = re.compile(r"[。！？；!?;\n]+")


@lru_cache(maxsize=50000)
def _long_enough(text: str) -> bool:
    return len(sentence_form(text)) >= MIN_SENTENCE


class CorpusMatcher:
    """Computed once per reviewed report, shared by the corpus rule types.

    Candidates are the sentences of other reports sharing a clause with ours. A candidate counts as a copy when it
    shares verbatim passages of at least ``long_passage`` characters of words (digits do not
    count), or of ``min_chars`` that make at least ``min_share`` of the sentence; it counts as
    the same sentence (for year-over-year copying) when the 3-gram Jaccard with numbers folded
    is at least ``threshold``."""

    def __init__(self, index: CorpusIndex, analysis: Analysis, threshold: float = 0.8, min_chars: int = 15,
                 min_share: float = 0.5, long_passage: int = 20, neighbours: int = 6, cap: int = 8) -> None:
        self.index = index
        self.analysis = analysis
        self.threshold = threshold
        self.min_chars = min_chars
        self.min_share = min_share
        self.long_passage = long_passage
        self.index_neighbours = neighbours
        # the count of other reports is a floor past this: the sentence table returns at most
        # ``cap`` chunks per sentence, a vector search ``neighbours`` per chunk
        self.cap = cap if index.passages is not None else neighbours
        report = analysis.report
        path = Path(report.path)
        if path.is_file():
            self.source = source_key(path)
            self.hash = file_hash(path.read_bytes())
        else:
            self.hash = file_hash(report.text.encode("utf-8"))
            self.source = f"<text>:{self.hash}"
        self.identity = identity(report, analysis)
        # the report's identity whatever its path and format: its files in the index (its .md
        # when this is its .docx) are never its sources
        self.text_hash = text_key(report)
        self.sketch = sketch(report) if index.passages is not None else None
        self.report = (index.passages.report_of(self.identity, self.text_hash, self.sketch)
                       if index.passages is not None else None)

    def _candidates(self, wanted: list[Sentence]) -> Mapping[str, list[dict]]:
        """Candidate sentence -> the metadata of the chunks it stands in: from the index's
        sentence table (every sentence of other reports sharing a clause with ours), or, on a
        Chroma server, from the chunks nearest to this report's chunks."""
        if self.index.passages is not None:
            return self.index.passages.candidates([s.text for s in wanted], exclude_source=self.source,
                                                  exclude_hash=self.hash, unit=self.identity["unit"],
                                                  project=self.identity["project"], year=self.identity["year"],
                                                  per_sentence=self.cap, exclude_report=self.report)
        a = self.analysis
        # a chunk copied from last year's report is the nearest neighbour of its copy, so the
        # same query finds cross-report and year-over-year copies
        mine, unit_seen = [], False
        for c in chunk_report(a.report, a, self.source, self.hash):
            kind = c.metadata["section_kind"]
            if kind == "front" or (kind == "unit" and unit_seen):
                continue  # the cover is not prose; one chunk of the unit's profile finds its twins
            unit_seen = unit_seen or kind == "unit"
            mine.append(c.text)
        out: dict[str, list[dict]] = {}
        me = {**self.identity, "text_hash": self.text_hash}
        for _, doc, meta in self.index.neighbours(mine, exclude_source=self.source, exclude_hash=self.hash,
                                                  n=self.index_neighbours):
            if same_report(me, meta):
                continue
            body = doc[int(meta.get("body_offset", 0)) :]
            for sent in _SPLIT.split(body):
                out.setdefault(sent.strip(), []).append(meta)
        return out

    @cached_property
    def sentences(self) -> list[SentenceMatches]:
        a = self.analysis
        template = detect_template(a)
        instructions = {norm(i) for i in template.all_instructions()} if template else set()
        wanted = [s for s in a.sentences
                  if len(sentence_form(s.text)) >= MIN_SENTENCE and norm(s.text) not in instructions]
        if not wanted:
            return []
        candidates = self._candidates(wanted)
        # each distinct sentence is compared once, however many reports carry it
        texts = [t for t in candidates if _long_enough(t)]
        postings: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            for c in clauses(t):
                postings.setdefault(c, []).append(i)
        earlier = getattr(candidates, "earlier", lambda text: False)
        # texts that differ only in their figures are compared once, through the first of them
        shapes: dict[str, int] = {}
        rep = [shapes.setdefault(sentence_form(t), i) for i, t in enumerate(texts)]
        out = []
        kinds: dict[int, str] = {}
        is_earlier = [earlier(t) for t in texts]
        for s in wanted:
            hits = sorted({i for c in clauses(s.text) for i in postings.get(c, ())})
            if not hits:
                continue
            mine = _Prepared(s.text)
            matches = []
            compared: dict[int, tuple | None] = {}
            # the same project's earlier reports first (year-over-year copies), then the rest
            # until the count is a floor anyway
            for i in [i for i in hits if is_earlier[i]] + [i for i in hits if not is_earlier[i]]:
                if len(matches) >= self.cap and not is_earlier[i]:
                    break
                r = rep[i]
                if r not in compared:
                    compared[r] = self._compare(mine, texts[r])
                found = compared[r]
                if found is not None:
                    shape, passage, share = found
                    matches.extend(Match(texts[i], meta, shape, passage, share) for meta in candidates[texts[i]])
            if matches:
                sec = a.section_at(s.start)
                if id(sec) not in kinds:
                    kinds[id(sec)] = section_kind(a, sec)
                out.append(SentenceMatches(s, kinds[id(sec)], matches, figures=figure_sentence(s.text)))
        return out

    def _compare(self, mine: "_Prepared", other: str) -> tuple[float, tuple[int, int] | None, float] | None:
        theirs = _prepared(other)
        # the same words with other figures: the 3-grams of the folded forms are the same
        shape = 1.0 if mine.form == theirs.form else jaccard(mine.shape, theirs.shape)
        passage, share = None, 0.0
        if mine.content == theirs.content:
            passage, share = (mine.where[0], mine.where[-1] + 1), 1.0
        else:
            # the densest run of shared text; its words count, shared digits ("0000元" in
            # 30000元 and 110000元) do not
            runs = mine.shared_runs(theirs)
            if runs:
                a, b = max(runs, key=lambda r: _words(mine.content[r[0] : r[1]]))
                matched = _words(mine.content[a:b])
                if (matched >= self.long_passage
                        or (matched >= self.min_chars and matched >= self.min_share * len(mine.content))):
                    passage = (mine.where[a], mine.where[b - 1] + 1)
                    share = matched / len(mine.content)
        if passage is None and shape < self.threshold:
            return None
        return shape, passage, share

    def earlier_same_unit(self, sm: SentenceMatches) -> list[Match]:
        """Same-sentence matches from the same unit's reports of earlier years."""
        if sm.earlier is None:  # asked by three rules: worked out once
            unit, year = self.identity["unit"], self.identity["year"]
            sm.earlier = [m for m in sm.matches if m.shape >= self.threshold and m.meta.get("unit") == unit
                          and 0 < int(m.meta.get("year") or 0) < year] if unit and year else []
        return sm.earlier

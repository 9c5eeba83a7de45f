"""Real input as it arrives (pasted from a web page, extracted from a PDF) made uniform for analysis,
always character for character, so every offset still points at the same character of the
original text:

* full-width digits, ％ and ． become ASCII (０１２ → 012);
* half-width punctuation between words becomes the full-width form reports are written in
  (``,`` ``:`` ``;`` ``(`` ``)`` ``?`` ``!`` → ``，：；（）？！``), except inside numbers (1,234.5; 10:30)
  and addresses (http://);
* a report written in traditional characters is read in simplified ones (OpenCC's character
  table, the first simplified form of each; applied only to a text that is traditional, since
  one character may be traditional in one word and simplified in another: 著);
* pinyin that some sites put after every character (``項(xiàng)目``) and the space a PDF puts inside a
  decimal (``35. 3万元``) are dropped (``pinyin_spans``).
"""

from __future__ import annotations

import re
from functools import lru_cache

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")
_FULLWIDTH_ANY = re.compile("[０-９％．]")  # str.translate walks every character: only when one is there
_HALF = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}
_HALF_RUN = re.compile(r"[,:;()?!]")
_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPLIT_DECIMAL = re.compile(r"(?<=\d\.)[ \u00a0](?=\d{1,4}\s*(?:万元|元|亿元|%))")


def fold(text: str, start: int = 0) -> str:
    """``text`` with its characters from ``start`` on made uniform (same length, same offsets)."""
    body = text[start:]
    if _FULLWIDTH_ANY.search(body):
        body = body.translate(_FULLWIDTH)
    body = _HALF_RUN.sub(lambda m: _full_width(body, m.start()), body)
    if is_traditional(body):
        body = body.translate(_t2s_table())
    return text[:start] + body


def _full_width(text: str, i: int) -> str:
    ch = text[i]
    before = text[i - 1] if i else ""
    after = text[i + 1 : i + 2]
    if ch == "," and before.isdigit() and re.match(r"\d{3}(?!\d)", text[i + 1 : i + 5]):
        return ch  # a thousands separator: 1,234
    if ch == ":" and (before.isdigit() and after.isdigit() or text.startswith("//", i + 1)):
        return ch  # 10:30, http://
    return _HALF[ch]


def pinyin_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Spans that are not the report's text: pinyin put in brackets after a character
    (``項(xiàng)``), and the space a PDF puts inside a decimal amount (``35. 3万元``)."""
    out = [m.span() for m in _PINYIN.finditer(text, start) if m.start() and _CJK.match(text[m.start() - 1])]
    out += [m.span() for m in _SPLIT_DECIMAL.finditer(text, start)]
    return sorted(out)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], frozenset[str], frozenset[str]]:
    """(traditional → simplified by code point, characters only traditional text uses, characters
    only simplified text uses), from OpenCC's character tables."""
    from importlib.resources import files

    folder = files("opencc") / "dictionary"

    def read(name: str) -> dict[str, str]:
        out = {}
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                first = parts[1].split(" ")[0]
                if len(first) == 1:
                    out[parts[0]] = first
        return out

    ts, st = read("TSCharacters.txt"), read("STCharacters.txt")
    trad_only = frozenset(c for c, s in ts.items() if c != s and c not in st)
    simp_only = frozenset(c for c, t in st.items() if c != t and c not in ts)
    return {ord(c): s for c, s in ts.items() if c != s}, trad_only, simp_only


def _t2s_table() -> dict[int, str]:
    return _tables()[0]


def is_traditional(text: str, sample: int = 20000) -> bool:
    """Whether a text is written in traditional characters: many characters only traditional text
    uses, few only simplified text uses."""
    head = text[:sample]
    try:
        head.encode("gb2312")  # the simplified character set: a fast no for most reports
        return False
    except UnicodeEncodeError:
        pass
    _, trad, simp = _tables()
    chars = set(head)
    t_chars = chars & trad
    if not t_chars:
        return False
    t = sum(head.count(c) for c in t_chars)
    s = sum(head.count(c) for c in chars & simp)
    return t >= 8 and t > 4 * s


def to_simplified(text: str) -> str:
    """A traditional text in simplified characters (the same length); other text unchanged."""
    return text.translate(_t2s_table()) if is_traditional(text) else text

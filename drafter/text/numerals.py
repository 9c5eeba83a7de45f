"""Chinese numerals both ways, through cn2an: reading (二十一 → 21, 三点五 → 3.5, 两百 → 200) and
writing (21 → 二十一), and the strict reading of the numbers that count headings and list items."""

from __future__ import annotations

from functools import lru_cache

import cn2an


def to_chinese(n: int) -> str:
    """An integer in Chinese numerals: 1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五."""
    return cn2an.an2cn(int(n))


@lru_cache(maxsize=4096)
def parse(cn: str) -> float | None:
    """The value of Chinese numerals as a figure is written (二十一, 三点五, 两百, 一万二); None
    when cn2an cannot read them."""
    try:
        return float(cn2an.cn2an(cn, "smart"))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def counter_value(s: str, limit: int = 99) -> int | None:
    """The value of a heading or list counter (一 … 九十九) written the canonical way (十一, or
    一十一 as some write the teens); None for anything else (一一, 十十, 两)."""
    value = parse(s) if s else None
    if value is None or value != int(value) or not 1 <= value <= limit:
        return None
    written = to_chinese(int(value))
    return int(value) if s in (written, "一" + written if written.startswith("十") else written) else None

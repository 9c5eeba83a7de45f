"""A set of character spans asked "does any of you hold this offset?" many times: by bisection
over the spans' starts and the furthest end reached up to each, not by reading every span for
each offset (quadratic in a long report: a figure asked against every table line)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable


class Spans:
    """Half-open spans ``[start, end)``, in any order, overlapping or not."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self._starts: list[int] = []
        self._reach: list[int] = []  # the furthest end among the spans up to each start
        far = None
        for start, end in sorted(spans):
            far = end if far is None else max(far, end)
            self._starts.append(start)
            self._reach.append(far)

    def __contains__(self, pos: int) -> bool:
        """True when a span holds ``pos``: ``start <= pos < end``."""
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._reach[i]

    def __len__(self) -> int:
        return len(self._starts)

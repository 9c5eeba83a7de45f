"""Model output is data. Before a model's answer is checked and assembled, what the assembly or
the review would read as instructions is taken out of it: comments and drafter's ignore and
accept markers (which would silence the review of the draft), and Markdown headings, rules
and fences (which would make sections or a metadata header of their own). The answer as the
model gave it stays in the run's artifacts (``SectionDraft.raw``)."""

from __future__ import annotations

import re

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BRACKETED = re.compile(r"【[^】\n]*drafter[^】\n]*】", re.I)  # a marker as Word text: 【drafter-ignore】
# what is left of a marker once the above are gone: an unclosed comment, a bare marker word
_PIECES = re.compile(r"<!--|-->|drafter-(?:ignore|accept)[\w-]*", re.I)
_HEADING = re.compile(r"^[ \t]*#{1,6}(?=[ \t]|$)[ \t]*", re.M)
_RULE = re.compile(r"^[ \t]*(?:[-*_=~`][ \t]*){3,}$", re.M)  # ---, ***, ===, ``` lines


def model_text(text: str) -> str:
    """``text`` with every comment, marker, heading mark and rule line taken out. Repeated until
    nothing changes: removing one piece must not join two halves into a marker."""
    previous = None
    while previous != text:
        previous = text
        text = _PIECES.sub("", _BRACKETED.sub("", _COMMENT.sub("", text)))
        text = _RULE.sub("", _HEADING.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()

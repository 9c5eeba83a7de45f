"""API keys never leave drafter in a message, a log line or a finding. An endpoint's error body
may echo the request's ``Authorization`` header; ``redact`` takes out of any text the keys
drafter has read (``remember``) and whatever has the shape of one (``sk-…``, ``Bearer …``,
``api_key=…``). ``redact_logs`` does the same to every log record of the process (the CLI
turns it on; the library never changes logging by itself)."""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
_known: set[str] = set()
_lock = threading.Lock()
_SHAPES = (
    (re.compile(r"(?<![A-Za-z0-9])(Bearer)(\s+)[A-Za-z0-9._~+/=\-]{4,}", re.I), rf"\1\2{MASK}"),
    (re.compile(r"(?<![A-Za-z0-9])(Basic|Token)(\s+)[A-Za-z0-9._~+/=\-]{12,}", re.I), rf"\1\2{MASK}"),
    (re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-*.]{4,}"), f"sk-{MASK}"),
    (re.compile(r"""(?i)((?:api[_-]?key|access[_-]?token|auth[_-]?token|secret|password|x-api-key)["']?\s*[:=]\s*["']?)"""
                r"""(?!\*\*\*)[^\s"',;}]{4,}"""), rf"\1{MASK}"),
)


def remember(secret: str | None) -> str | None:
    """Note a secret drafter has read (an API key), so that ``redact`` takes it out wherever it
    appears, whatever its shape; returns it."""
    if secret and len(secret) >= 6:
        with _lock:
            _known.add(secret)
    return secret


def redact(text: str) -> str:
    """``text`` with every remembered secret and everything shaped like a key replaced by ***."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, MASK)
    for pattern, mask in _SHAPES:
        text = pattern.sub(mask, text)
    return text


_installed = False


def redact_logs() -> None:
    """Every log record of this process is redacted as it is made (its message, arguments and
    traceback), whichever handler prints it. Idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: left to logging
            return record
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)

"""Text files in any of the encodings reports arrive in, and what a file really is from its first bytes."""

from __future__ import annotations

from drafter.errors import InputError


def decode(data: bytes, path: str) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (with a BOM, or recognised by
    its zero bytes), else GB18030 (a superset of GBK and GB2312), else whatever
    charset-normalizer finds convincing."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
        raise InputError(path, binary_problem(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # a file cut in the middle of its last character: keep what is there
            return data[: exc.start].decode("utf-8-sig", errors="replace")
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(1, len(text) // 1000) and _cjk_share(text) > 0.05:
        # UTF-8 with a stray invalid byte or two: reading it as GBK would garble every line
        return text
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_text(text):
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _looks_like_text(str(best)):
        return str(best)
    raise InputError(path, "无法识别这个文件的文字编码（已试过 UTF-8、GB18030/GBK 和自动检测）："
                           "请另存为 UTF-8")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte order mark: its zero bytes sit mostly on one side (the high
    byte of ASCII characters), and it decodes to plausible Chinese/ASCII text."""
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(data) % 2:
        return None
    for codec, ours, theirs in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if ours < 4 * theirs or ours < len(sample) // 200:
            continue
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text) and _plausible_share(text) > 0.95:
            return text
    return None


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese report is made of (ASCII, CJK, CJK and general
    punctuation, full-width forms): near 1 for real text, about 1/3 for decoded noise."""
    sample = text[:20000]
    ok = sum(
        1
        for ch in sample
        if ch.isascii()
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2000" <= ch <= "\u206f"
    )
    return ok / max(1, len(sample))


def _cjk_share(text: str) -> float:
    sample = text[:20000]
    return sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff") / max(1, len(sample))


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / len(sample) < 0.01


def sniff(data: bytes) -> str:
    """What a file really is, from its first bytes: 'pdf', 'docx', 'zip', 'ole', 'image' or ''."""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    return ""


def binary_problem(data: bytes) -> str:
    kind = sniff(data)
    return {
        "pdf": "这是 PDF 文件，不是文本：请把扩展名改为 .pdf",
        "docx": "这是 Word（.docx）文件，不是文本：请把扩展名改为 .docx",
        "zip": "这是 zip 压缩包，不是文字报告：请解压后审核其中的报告",
        "ole": "这是旧版 Word（.doc）或其他 Office 文件，不是文本：请另存为 .docx",
        "image": "这是一张图片，不是文字报告：请先做文字识别（OCR）",
    }.get(kind, "这是二进制文件，不是文字报告")

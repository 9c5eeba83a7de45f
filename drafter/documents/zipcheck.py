"""Zip packages (.docx, .xlsx) checked before a parser opens them: a few hundred KB of zip can
unpack to gigabytes of XML (a "zip bomb"), which python-docx and openpyxl would read whole.

The sizes the zip declares are checked first (nothing is unpacked when they are too large),
then every member is unpacked in chunks and counted, so a package whose headers understate its
sizes is caught too, within the same bound."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from drafter.errors import InputError

MAX_UNPACKED = 50 * 1024 * 1024  # all members of one package together, unpacked
MAX_RATIO = 100  # unpacked ÷ packed, for a member larger than RATIO_FROM
RATIO_FROM = 10 * 1024 * 1024
_CHUNK = 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB"


def check_package(source: bytes | str | Path, name: str) -> None:
    """Raise an ``InputError`` naming ``name`` when the zip package ``source`` (its bytes or its
    path) would unpack to more than ``MAX_UNPACKED``, or has a large member packed more than
    ``MAX_RATIO`` times; a package that is not a readable zip is left to the parser to name."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            members = [i for i in z.infolist() if not i.is_dir()]
            _check_declared(members, name)
            _check_actual(z, members, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
        return  # damaged, encrypted or unusual: the parser says what is wrong with it
    except OSError as exc:
        raise InputError(name, f"无法读取这个文件（{exc.strerror or exc.__class__.__name__}）") from None


def _check_declared(members: list[zipfile.ZipInfo], name: str) -> None:
    for info in members:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise InputError(name, f"压缩比异常：包内 {info.filename} 解压后 {_mb(info.file_size)}，是压缩后的 "
                                   f"{info.file_size // max(1, info.compress_size)} 倍（超过 {MAX_RATIO} 倍），"
                                   "疑似压缩炸弹，不予读取")
    total = sum(i.file_size for i in members)
    if total > MAX_UNPACKED:
        raise InputError(name, _too_large(total))


def _check_actual(z: zipfile.ZipFile, members: list[zipfile.ZipInfo], name: str) -> None:
    """Unpack every member in chunks: never more than a member declares (``zipfile`` stops
    there), and a member that holds more than it declares fails its CRC check."""
    total = 0
    for info in members:
        try:
            with z.open(info) as f:
                while chunk := f.read(_CHUNK):
                    total += len(chunk)
                    if total > MAX_UNPACKED:
                        raise InputError(name, _too_large(total))
        except zipfile.BadZipFile:
            raise InputError(name, f"包内 {info.filename} 的内容与它声明的大小或校验和不符"
                                   "（文件已损坏或被篡改），不予读取") from None


def _too_large(total: int) -> str:
    return (f"解压后过大（至少 {_mb(total)}，上限 {_mb(MAX_UNPACKED)}）：一份报告用不了这么多，"
            "疑似压缩炸弹，不予读取")

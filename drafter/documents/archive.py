"""Reports sent as one .zip (the web page's batch upload): checked before anything is unpacked,
then unpacked under names this module chooses (``0001.docx`` …): no path from the archive is
ever used on disk. The archive's own names are kept only to show.

Refused as a whole, with one line that says why: a member whose path leaves the archive
(``../``, an absolute path, a drive letter), more report files than ``max_files``, a member
larger than ``max_member`` or all of them together larger than ``max_unpacked`` (as declared,
and again as actually unpacked, so a header that understates its sizes is caught too), an
encrypted or damaged archive."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from drafter.documents.load import MAX_BYTES, REPORT_SUFFIXES
from drafter.errors import InputError

MAX_FILES = 200
MAX_UNPACKED = 200 * 1024 * 1024
_CHUNK = 1024 * 1024
_SKIPPED = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass
class Unpacked:
    name: str  # the member's name in the archive, to show
    path: Path | None  # where it was unpacked (a name of our own), None when it is not a report
    problem: str = ""


def _mb(n: int) -> str:
    return f"{n / 1048576:.1f} MB"


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker wrote it: Chinese Windows tools write GBK names without
    the UTF-8 flag, which ``zipfile`` reads as code page 437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _escapes(name: str) -> bool:
    """A path that would leave the folder it is unpacked into."""
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return True
    return ".." in PurePosixPath(posix).parts


def unpack_reports(archive: str | Path, dest: str | Path, *, shown: str = "压缩包", max_files: int = MAX_FILES,
                   max_member: int = MAX_BYTES, max_unpacked: int = MAX_UNPACKED) -> list[Unpacked]:
    """Unpack the report files of ``archive`` into ``dest`` (an empty folder of the caller's),
    in the archive's order; members of other types are listed with a problem and not unpacked.
    Raises an ``InputError`` naming ``shown`` when the archive is refused."""
    dest = Path(dest)
    try:
        with zipfile.ZipFile(archive) as z:
            members = [i for i in z.infolist() if not i.is_dir()]
            names = [member_name(i) for i in members]
            for info, name in zip(members, names):
                if _escapes(info.filename) or _escapes(name):
                    raise InputError(shown, f"包内的路径“{name}”指向压缩包之外，整个压缩包不予处理")
            kept = [(i, n) for i, n in zip(members, names)
                    if not any(part in n for part in _SKIPPED) and not PurePosixPath(n).name.startswith("~$")]
            reports = [(i, n) for i, n in kept if PurePosixPath(n).suffix.lower() in REPORT_SUFFIXES]
            if not reports:
                raise InputError(shown, "压缩包里没有报告文件（.docx、.pdf、.md、.txt）")
            if len(reports) > max_files:
                raise InputError(shown, f"压缩包里有 {len(reports)} 份报告，超过上限 {max_files} 份：请分批上传")
            for info, name in reports:
                if info.flag_bits & 0x1:
                    raise InputError(shown, f"包内的“{name}”已加密，无法读取：请上传未加密的压缩包")
                if info.file_size > max_member:
                    raise InputError(shown, f"包内的“{name}”解压后 {_mb(info.file_size)}，超过单个文件的上限 "
                                            f"{_mb(max_member)}，整个压缩包不予处理")
            declared = sum(i.file_size for i, _ in reports)
            if declared > max_unpacked:
                raise InputError(shown, f"压缩包解压后共 {_mb(declared)}，超过上限 {_mb(max_unpacked)}：请分批上传")
            out: list[Unpacked] = []
            total = 0
            for k, (info, name) in enumerate(kept, start=1):
                suffix = PurePosixPath(name).suffix.lower()
                if suffix not in REPORT_SUFFIXES:
                    out.append(Unpacked(name, None, f"不是报告文件（{suffix or '无扩展名'}），未审核"))
                    continue
                target = dest / f"{k:04d}{suffix}"
                size = 0
                with z.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > max_member or total > max_unpacked:
                            raise InputError(shown, f"包内的“{name}”解压后超过声明的大小或上限，疑似压缩炸弹，"
                                                    "整个压缩包不予处理")
                        dst.write(chunk)
                out.append(Unpacked(name, target))
            return out
    except zipfile.BadZipFile:
        raise InputError(shown, "不是有效的 zip 压缩包，或压缩包已损坏") from None
    except (zlib.error, EOFError, NotImplementedError) as exc:
        raise InputError(shown, f"压缩包无法解压（{exc.__class__.__name__}）："
                                "可能已损坏或使用了不支持的压缩方式") from None
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        raise InputError(shown, f"压缩包无法解压（{exc}）") from None

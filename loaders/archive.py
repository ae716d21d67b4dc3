"""Archive every fetched file unchanged, content-addressed by its sha256, before anything reads it.

The same pass that copies and hashes the file also tells its encoding (UTF-8, UTF-8 with BOM or
Windows-1252) and whether it ends with a line break, so a file is read from disk only once here.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchivedFile:
    name: str  # the file name as the district sent it
    sha256: str
    size: int
    path: Path  # the archived copy; readers use this, never the original
    encoding: str  # "utf-8", "utf-8-sig" or "cp1252"
    ends_with_newline: bool
    mtime: float


def archive_file(src: Path, root: Path, name: str | None = None) -> ArchivedFile:
    """Copy ``src`` to ``<root>/<sha[:2]>/<sha>/<name>`` and describe it. Idempotent."""
    root.mkdir(parents=True, exist_ok=True)
    name = name or src.name
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    size = 0
    first = b""
    last = b""
    with open(src, "rb") as fin, tempfile.NamedTemporaryFile(dir=root, delete=False, prefix=".incoming-") as tmp:
        while chunk := fin.read(CHUNK):
            if not first:
                first = chunk[:3]
            digest.update(chunk)
            tmp.write(chunk)
            size += len(chunk)
            last = chunk[-2:]
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
        if is_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    sha = digest.hexdigest()
    dest = root / sha[:2] / sha / name
    if dest.exists():
        os.unlink(tmp.name)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp.name, dest)
        # The file's own times, not its permissions: the archive copy stays owner-only (0600).
        st = src.stat()
        os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))
    if not is_utf8:
        encoding = "cp1252"
    elif first.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    return ArchivedFile(
        name=name, sha256=sha, size=size, path=dest, encoding=encoding,
        ends_with_newline=last.endswith(b"\n"), mtime=src.stat().st_mtime,
    )

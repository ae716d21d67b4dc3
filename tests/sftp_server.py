"""A real SFTP server on 127.0.0.1 for the tests, with fault injection.

The loaders talk to district and vendor SFTP boxes through paramiko; mocking paramiko would
only test our assumptions about it. This module runs an asyncssh server in a background
thread (its own event loop), so tests exercise the real protocol: host-key checks, password
and public-key logins, pipelined transfers, renames, and connections that die mid-file.

Use it as a context manager::

    with SftpTestServer(tmp_path / "remote") as server:
        server.write_known_hosts(tmp_path / "known_hosts")
        server.drop_next_transfer_after(64 * 1024)     # the next big transfer dies once
        fetch_new(SftpLocation.parse(server.url("/incoming")), ...)

or through the pytest fixtures at the bottom (``sftp_server``, ``sftp_known_hosts``,
``sftp_auth``, ``sftp_client_key``, ``sftp_key_server``): import them into a test module, or
list ``"tests.sftp_server"`` in ``pytest_plugins`` of the top-level conftest.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hmac
import os
import posixpath
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh
import pytest

DEFAULT_USERNAME = "district"
DEFAULT_PASSWORD = "correct horse battery staple"

# Generous: the loop thread only blocks on local disk I/O; this only matters if it wedges.
_LOOP_CALL_TIMEOUT = 10.0


@dataclass
class _DropRule:
    nbytes: int
    times: int
    direction: str  # "read" (server sends, a download), "write" (server receives, an upload), "any"
    name_pattern: str


class _FaultState:
    """Shared between the test thread (arms rules) and the loop thread (fires them)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rule: _DropRule | None = None
        self.drops = 0
        self.rename_drops_left = 0
        self.rename_drop_after = True

    def should_drop_rename(self) -> bool:
        with self.lock:
            if self.rename_drops_left <= 0:
                return False
            self.rename_drops_left -= 1
            self.drops += 1
            return True

    def should_drop(self, direction: str, name: str, end_offset: int) -> int | None:
        """Return the byte limit if this request crosses an armed rule (and consume one use)."""
        with self.lock:
            rule = self.rule
            if rule is None or rule.times <= 0:
                return None
            if rule.direction not in ("any", direction):
                return None
            if not fnmatch.fnmatchcase(name, rule.name_pattern):
                return None
            if end_offset <= rule.nbytes:
                return None
            rule.times -= 1
            self.drops += 1
            return rule.nbytes


class _FaultySFTPServer(asyncssh.SFTPServer):
    """The stock chrooted asyncssh SFTP server plus connection drops on demand."""

    def __init__(self, chan: asyncssh.SSHServerChannel, *, root: Path, faults: _FaultState,
                 posix_rename: bool) -> None:
        super().__init__(chan, chroot=os.fsencode(root))
        self._faults = faults
        self._posix_rename = posix_rename
        self._names: dict[int, str] = {}
        # Requests already queued when the connection is aborted still reach us; they must
        # neither touch files nor use up another planned drop.
        self._dropped = False

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        self._check_alive()
        file_obj = super().open(path, pflags, attrs)
        self._names[id(file_obj)] = posixpath.basename(os.fsdecode(path))
        return file_obj

    def close(self, file_obj: object) -> None:
        self._names.pop(id(file_obj), None)
        super().close(file_obj)

    def _drop(self) -> None:
        # abort(), not close(): a real network failure sends no SSH disconnect message, and
        # buffered replies are lost, exactly what a client sees when a link dies.
        self._dropped = True
        self.connection.abort()
        raise asyncssh.SFTPConnectionLost("connection dropped by the test server")

    def _check_alive(self) -> None:
        if self._dropped:
            raise asyncssh.SFTPConnectionLost("connection dropped by the test server")

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        self._check_alive()
        data = super().read(file_obj, offset, size)
        assert isinstance(data, bytes)
        name = self._names.get(id(file_obj), "")
        if data and self._faults.should_drop("read", name, offset + len(data)) is not None:
            self._drop()
        return data

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        self._check_alive()
        name = self._names.get(id(file_obj), "")
        limit = self._faults.should_drop("write", name, offset + len(data))
        if limit is not None:
            # Keep what "arrived" before the drop, so a half-written temporary really exists
            # on the server and the client has to clean it up.
            keep = max(0, limit - offset)
            if keep:
                super().write(file_obj, offset, data[:keep])
            file_obj.flush()  # type: ignore[attr-defined]
            self._drop()
        written = super().write(file_obj, offset, data)
        assert isinstance(written, int)
        return written

    def _renaming(self, do_rename: Any) -> None:
        self._check_alive()
        if not self._faults.should_drop_rename():
            do_rename()
            return
        if self._faults.rename_drop_after:
            do_rename()  # done on disk, but the client never hears back
        self._drop()

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        self._renaming(lambda: super(_FaultySFTPServer, self).rename(oldpath, newpath))

    def remove(self, path: bytes) -> None:
        self._check_alive()
        super().remove(path)

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        self._check_alive()
        if not self._posix_rename:
            raise asyncssh.SFTPOpUnsupported("posix-rename@openssh.com is not supported")
        self._renaming(lambda: super(_FaultySFTPServer, self).posix_rename(oldpath, newpath))


class _AuthServer(asyncssh.SSHServer):
    def __init__(self, owner: SftpTestServer) -> None:
        self._owner = owner
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._owner._connections.add(conn)
        self._owner.connections_made += 1

    def connection_lost(self, exc: Exception | None) -> None:
        if self._conn is not None:
            self._owner._connections.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True  # always require authentication

    def password_auth_supported(self) -> bool:
        return self._owner.password is not None

    def validate_password(self, username: str, password: str) -> bool:
        expected = self._owner.password
        return (expected is not None and username == self._owner.username
                and hmac.compare_digest(password.encode(), expected.encode()))

    def public_key_auth_supported(self) -> bool:
        return self._owner.authorized_key is not None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        authorized = self._owner.authorized_key
        return (authorized is not None and username == self._owner.username
                and key.public_data == authorized.public_data)

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        # Port forwarding (ssh -L) only to the places a test opened, and only on this machine.
        return (dest_host, dest_port) in self._owner.forwarding


def _as_public_key(key: str | bytes | Path | asyncssh.SSHKey) -> asyncssh.SSHKey:
    if isinstance(key, asyncssh.SSHKey):
        return key.convert_to_public()
    if isinstance(key, Path):
        return asyncssh.read_public_key(str(key))
    return asyncssh.import_public_key(key)


class SftpTestServer:
    """A real SFTP server on 127.0.0.1 (free port), chrooted to ``root``.

    ``password=None`` disables password logins; ``authorized_key`` (an OpenSSH public key
    string, a ``.pub`` path or an asyncssh key) enables public-key logins for ``username``.
    ``posix_rename=False`` makes the server refuse the posix-rename@openssh.com extension,
    like some appliance SFTP servers do.
    """

    def __init__(self, root: Path, *, username: str = DEFAULT_USERNAME,
                 password: str | None = DEFAULT_PASSWORD,
                 authorized_key: str | bytes | Path | asyncssh.SSHKey | None = None,
                 posix_rename: bool = True) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.username = username
        self.password = password
        self.authorized_key = None if authorized_key is None else _as_public_key(authorized_key)
        self.posix_rename = posix_rename
        # (host, port) pairs a client may open tunnels to (direct-tcpip); none unless a test adds one.
        self.forwarding: set[tuple[str, int]] = set()
        self._host_private_key = asyncssh.generate_private_key("ssh-ed25519")
        self.host_key: asyncssh.SSHKey = self._host_private_key.convert_to_public()
        self._faults = _FaultState()
        self._connections: set[asyncssh.SSHServerConnection] = set()
        # How many SSH connections clients have opened: a retry after a drop shows up here.
        self.connections_made = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SftpTestServer:
        if self._loop is not None:
            raise RuntimeError("the SFTP test server is already running")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="sftp-test-server", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            self._acceptor = self._call(self._listen())
        except BaseException:
            self.stop()
            raise
        self.port = self._acceptor.get_port()
        return self

    async def _listen(self) -> asyncssh.SSHAcceptor:
        def sftp_factory(chan: asyncssh.SSHServerChannel) -> asyncssh.SFTPServer:
            return _FaultySFTPServer(chan, root=self.root, faults=self._faults,
                                     posix_rename=self.posix_rename)

        return await asyncssh.listen(
            "127.0.0.1", 0,
            server_factory=lambda: _AuthServer(self),
            server_host_keys=[self._host_private_key],
            sftp_factory=sftp_factory,
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
            # No login grace games: tests fail fast instead of hanging.
            login_timeout=10,
        )

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            if loop.is_running():
                self._call(self._shutdown())
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=_LOOP_CALL_TIMEOUT)
            if not thread.is_alive():
                loop.close()
            self._loop = self._thread = None
            self._acceptor = None

    async def _shutdown(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
        for conn in list(self._connections):
            conn.abort()
        for conn in list(self._connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 2)
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _call(self, coro: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(_LOOP_CALL_TIMEOUT)

    def __enter__(self) -> SftpTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for tests -----------------------------------------------------------------

    @property
    def host_key_line(self) -> str:
        """``ssh-ed25519 AAAA...`` (no comment), the public half of the host key."""
        algorithm, blob = self.host_key.export_public_key("openssh").decode().split()[:2]
        return f"{algorithm} {blob}"

    def known_hosts_line(self) -> str:
        """The known_hosts entry OpenSSH would write: ``[127.0.0.1]:PORT ssh-ed25519 AAAA...``."""
        return f"[127.0.0.1]:{self.port} {self.host_key_line}"

    def write_known_hosts(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.known_hosts_line() + "\n")
        return path

    def url(self, path: str = "/") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"sftp://{self.username}@127.0.0.1:{self.port}{path}"

    def drop_next_transfer_after(self, nbytes: int, *, times: int = 1, direction: str = "any",
                                 name_pattern: str = "*") -> None:
        """Abort the connection when a file transfer goes past ``nbytes`` bytes of one file.

        Applies to the next ``times`` transfers that get that far (each drop uses one), in
        ``direction`` "read" (downloads), "write" (uploads) or "any", on files whose base name
        matches ``name_pattern`` (fnmatch; uploads usually go to ``.<name>.part-*``
        temporaries). Files no bigger than ``nbytes`` are never affected. An upload keeps the
        first ``nbytes`` bytes on the server, so the half-written file really exists.
        """
        if direction not in ("read", "write", "any"):
            raise ValueError("direction must be 'read', 'write' or 'any'")
        if nbytes < 0 or times < 0:
            raise ValueError("nbytes and times must not be negative")
        with self._faults.lock:
            self._faults.rule = _DropRule(nbytes, times, direction, name_pattern)

    def drop_next_rename(self, *, times: int = 1, after: bool = True) -> None:
        """Abort the connection on the next ``times`` rename requests (plain or posix).

        With ``after=True`` the rename is carried out first and only its reply is lost, the
        nasty case where the client cannot know whether it happened.
        """
        with self._faults.lock:
            self._faults.rename_drops_left = times
            self._faults.rename_drop_after = after

    def clear_faults(self) -> None:
        with self._faults.lock:
            self._faults.rule = None
            self._faults.rename_drops_left = 0

    @property
    def drops(self) -> int:
        """How many connections the server has dropped on purpose so far."""
        with self._faults.lock:
            return self._faults.drops

    @property
    def pending_drops(self) -> int:
        with self._faults.lock:
            rule = self._faults.rule
            return 0 if rule is None else rule.times


# -- pytest fixtures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientKey:
    """An ed25519 key pair for public-key logins: ``private_path`` is OpenSSH format, no passphrase."""

    private_path: Path
    public_line: str


@pytest.fixture
def sftp_server(tmp_path: Path) -> Iterator[SftpTestServer]:
    """A password-login server (``DEFAULT_USERNAME``/``DEFAULT_PASSWORD``) rooted at tmp_path/'sftp_root'."""
    with SftpTestServer(tmp_path / "sftp_root") as server:
        yield server


@pytest.fixture
def sftp_known_hosts(sftp_server: SftpTestServer, tmp_path: Path) -> Path:
    """A known_hosts file that trusts ``sftp_server`` (and nothing else)."""
    return sftp_server.write_known_hosts(tmp_path / "known_hosts")


@pytest.fixture
def sftp_auth(sftp_server: SftpTestServer, sftp_known_hosts: Path) -> Any:
    """``schoolhouse.sftp.SftpAuth`` with the server's password and known_hosts."""
    from schoolhouse.sftp import SftpAuth

    return SftpAuth(known_hosts=sftp_known_hosts, password=sftp_server.password)


@pytest.fixture
def sftp_client_key(tmp_path: Path) -> ClientKey:
    key = asyncssh.generate_private_key("ssh-ed25519")
    private_path = tmp_path / "id_ed25519"
    key.write_private_key(str(private_path), "openssh")
    private_path.chmod(0o600)
    return ClientKey(private_path, key.export_public_key("openssh").decode().strip())


@pytest.fixture
def sftp_key_server(tmp_path: Path, sftp_client_key: ClientKey) -> Iterator[SftpTestServer]:
    """A server that accepts only ``sftp_client_key`` (password logins disabled)."""
    with SftpTestServer(tmp_path / "sftp_key_root", password=None,
                        authorized_key=sftp_client_key.public_line) as server:
        yield server

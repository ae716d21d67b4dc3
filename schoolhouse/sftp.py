"""SFTP for district intake (fetch_new) and vendor roster pushes (push_files), over paramiko.

Safety rules this module enforces (README, "What a load guarantees"):

* Host keys are checked against a known_hosts file; an unknown or changed key is refused and
  never added automatically.
* A file appears under its final name, locally or on the vendor's server, only once it is
  complete and its size matches; interrupted transfers leave nothing half-written behind.
* Flaky links are retried (tenacity, exponential backoff, reconnecting each time); host-key,
  login and server-side errors are not, because trying again cannot fix them.
* Error messages are one plain sentence and never contain secrets.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import glob
import json
import logging
import os
import posixpath
import secrets
import select
import socket
import threading
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit

import paramiko
import tenacity

log = logging.getLogger(__name__)

T = TypeVar("T")

# TCP connect, SSH banner, login and channel open: generous for a district box across a WAN.
CONNECT_TIMEOUT = 30.0
# Longest silence tolerated on an SFTP request; a stalled link then counts as a dropped one
# (and is retried) instead of hanging the nightly job forever.
IO_TIMEOUT = 120.0
# Exponential backoff never waits longer than this between two attempts.
MAX_BACKOFF = 60.0
_CHUNK = 32768
# OpenSSH's own sftp keeps at most 64 reads in flight; unlimited prefetch can stall some servers.
_MAX_PREFETCH_REQUESTS = 64
_STATE_VERSION = 1


class SftpError(Exception):
    """An SFTP step failed; the message is one plain sentence, safe to show a user."""


class HostKeyError(SftpError):
    """The server's host key is unknown or differs from the one in known_hosts."""


@dataclass(frozen=True)
class SftpLocation:
    """A folder on an SFTP server: ``sftp://user@host:port/path``.

    ``path`` is absolute (``/incoming``); ``sftp://user@host/~/drop`` gives the path ``drop``,
    relative to the login directory, for accounts that are not chrooted.
    """

    user: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> SftpLocation:
        shape = "use sftp://user@host:port/path"
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ValueError(f"The SFTP location is not a valid URL; {shape}.") from None
        if parts.scheme.lower() != "sftp":
            raise ValueError(f"The SFTP location must start with sftp://; {shape}.")
        # Checked first so that no later message can echo a URL that holds a password.
        if parts.password is not None:
            raise ValueError(
                "The SFTP location must not contain a password; set SCHOOLHOUSE_SFTP_PASSWORD instead."
            )
        if not parts.username:
            raise ValueError(f"The SFTP location {url} has no user name; {shape}.")
        if not parts.hostname:
            raise ValueError(f"The SFTP location {url} has no host; {shape}.")
        if parts.query or parts.fragment:
            raise ValueError(f"The SFTP location {url} must not have a ?query or #fragment; {shape}.")
        if port == 0:
            raise ValueError(f"The SFTP location {url} has port 0; {shape}.")
        path = unquote(parts.path) or "/"
        if path == "/~" or path.startswith("/~/"):
            path = posixpath.normpath(path[3:] or ".")
        else:
            path = posixpath.normpath(path)
        return cls(user=unquote(parts.username), host=parts.hostname, port=port or 22, path=path)

    @property
    def host_port(self) -> str:
        """``host:port`` as people and ssh-keyscan write it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        path = self.path if self.path.startswith("/") else "/~" + ("" if self.path == "." else "/" + self.path)
        return f"sftp://{quote(self.user, safe='')}@{self.host_port}{quote(path)}"


@dataclass
class SftpAuth:
    """How to log in and which host keys to trust. Secrets are kept out of repr()."""

    known_hosts: Path
    password: str | None = field(default=None, repr=False)
    key_file: Path | None = None
    # Only for an encrypted key_file.
    key_passphrase: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class FetchedFile:
    remote_path: str
    local_path: Path
    size: int
    mtime: int


# -- connections -------------------------------------------------------------------------------


class _Dropped(Exception):
    """Internal: the connection failed or dropped; the only thing tenacity retries."""


def _keyscan_hint(location: SftpLocation) -> str:
    port = "" if location.port == 22 else f"-p {location.port} "
    return f"ssh-keyscan {port}{location.host}"


class _RefuseUnknownHost(paramiko.RejectPolicy):
    """RejectPolicy with a message an operator can act on."""

    def __init__(self, location: SftpLocation, known_hosts: Path) -> None:
        self._location = location
        self._known_hosts = known_hosts

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        raise HostKeyError(
            f"The SFTP server {self._location.host_port} presented an unknown host key "
            f"({key.get_name()} {key.fingerprint}); add it to {self._known_hosts} after checking "
            f"its fingerprint ({_keyscan_hint(self._location)})."
        )


class _Connection:
    """One SSH session and SFTP channel, reopened lazily after a drop."""

    def __init__(self, location: SftpLocation, auth: SftpAuth) -> None:
        self.location = location
        self.auth = auth
        self._client: paramiko.SSHClient | None = None
        self._sftp: paramiko.SFTPClient | None = None

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def alive(self) -> bool:
        transport = self._client.get_transport() if self._client else None
        return self._sftp is not None and transport is not None and transport.is_active()

    def close(self) -> None:
        client, self._client, self._sftp = self._client, None, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()

    def sftp(self) -> paramiko.SFTPClient:
        if not self.alive():
            self.close()
            self._open()
        assert self._sftp is not None
        return self._sftp

    def _open(self) -> None:
        client = ssh_client(self.location, self.auth)
        try:
            sftp = client.open_sftp()
            sftp.get_channel().settimeout(IO_TIMEOUT)
        except Exception as exc:
            client.close()
            raise _plain_connect_error(exc, self.location, Path(self.auth.known_hosts)) from exc
        self._client, self._sftp = client, sftp
        log.debug("Connected to %s", self.location)


def ssh_client(location: SftpLocation, auth: SftpAuth) -> paramiko.SSHClient:
    """A logged-in SSH client: the host key checked against known_hosts, only the given credentials used."""
    known_hosts = Path(auth.known_hosts).expanduser()
    if not known_hosts.is_file():
        raise HostKeyError(
            f"The known_hosts file {known_hosts} does not exist; create it with the key of "
            f"{location.host_port} after checking its fingerprint ({_keyscan_hint(location)})."
        )
    if auth.password is None and auth.key_file is None:
        raise SftpError(f"No credentials for {location}; set SCHOOLHOUSE_SFTP_PASSWORD or SCHOOLHOUSE_SFTP_KEY_FILE.")
    pkey = _load_key(auth.key_file, auth.key_passphrase) if auth.key_file else None
    client = paramiko.SSHClient()
    try:
        # "System" host keys are never written back, unlike load_host_keys().
        client.load_system_host_keys(str(known_hosts))
    except (OSError, UnicodeDecodeError) as exc:
        raise HostKeyError(f"The known_hosts file {known_hosts} could not be read ({exc}).") from exc
    client.set_missing_host_key_policy(_RefuseUnknownHost(location, known_hosts))
    try:
        client.connect(
            location.host, port=location.port, username=location.user, password=auth.password, pkey=pkey,
            # Only the credentials we were given: an agent or ~/.ssh keys would make
            # logins depend on whoever runs the job.
            allow_agent=False, look_for_keys=False,
            timeout=CONNECT_TIMEOUT, banner_timeout=CONNECT_TIMEOUT, auth_timeout=CONNECT_TIMEOUT,
            channel_timeout=CONNECT_TIMEOUT,
        )
    except Exception as exc:
        client.close()
        plain = _plain_connect_error(exc, location, known_hosts)
        if plain is exc:
            raise
        raise plain from exc
    return client


@contextlib.contextmanager
def open_tunnel(ssh_url: str, auth: SftpAuth, remote_host: str, remote_port: int) -> Iterator[int]:
    """Forward a port of 127.0.0.1 through an SSH server to remote_host:remote_port (as ``ssh -L``);
    yields the local port. ``ssh_url`` is ssh://user@host:port (host key verified as for SFTP)."""
    location = SftpLocation.parse("sftp://" + ssh_url.split("://", 1)[-1])
    client = ssh_client(location, auth)
    transport = client.get_transport()
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                local, peer = listener.accept()
            except (socket.timeout, OSError):
                continue
            try:
                channel = transport.open_channel("direct-tcpip", (remote_host, remote_port), peer)
            except Exception as exc:  # noqa: BLE001 - the database side refused: close this connection only
                log.warning("The SSH tunnel could not reach %s:%s (%s)", remote_host, remote_port, exc)
                local.close()
                continue
            threading.Thread(target=_pump, args=(local, channel), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True, name="schoolhouse-ssh-tunnel")
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()
        client.close()


def _pump(local: socket.socket, channel: paramiko.Channel) -> None:
    """Copy bytes both ways until either side closes."""
    try:
        while True:
            ready, _, _ = select.select([local, channel], [], [], 1.0)
            if local in ready:
                data = local.recv(_CHUNK)
                if not data:
                    break
                channel.sendall(data)
            if channel in ready:
                data = channel.recv(_CHUNK)
                if not data:
                    break
                local.sendall(data)
    except OSError:
        pass
    finally:
        channel.close()
        local.close()


def _plain_connect_error(exc: Exception, location: SftpLocation, known_hosts: Path) -> Exception:
    """What a failed connect means, as one of our exceptions (_Dropped: worth another attempt)."""
    if isinstance(exc, HostKeyError):
        return exc
    if isinstance(exc, paramiko.BadHostKeyException):
        return HostKeyError(
            f"The SFTP server {location.host_port} presented a host key "
            f"({exc.key.get_name()} {exc.key.fingerprint}) that differs from the one in "
            f"{known_hosts}; this may be an attack, so confirm the new key with the server's "
            "owner before changing known_hosts.")
    if isinstance(exc, paramiko.AuthenticationException):
        return SftpError(
            f"The SFTP server {location.host_port} refused the login for user {location.user!r}; "
            "check SCHOOLHOUSE_SFTP_PASSWORD or SCHOOLHOUSE_SFTP_KEY_FILE.")
    if isinstance(exc, paramiko.SSHException) and str(exc).startswith("Incompatible ssh"):
        return SftpError(f"The SFTP server {location.host_port} and paramiko share no usable SSH algorithm ({exc}).")
    if isinstance(exc, (paramiko.SSHException, OSError, EOFError)):
        return _Dropped(exc)
    return exc


def _load_key(key_file: Path, passphrase: str | None) -> paramiko.PKey:
    # Loaded here rather than by connect() so a bad key file gets its own plain message
    # instead of looking like a refused login.
    key_file = Path(key_file).expanduser()
    try:
        # from_path hands the passphrase to cryptography, which wants bytes.
        return paramiko.PKey.from_path(key_file, passphrase.encode() if passphrase else None)
    except FileNotFoundError:
        raise SftpError(f"The SSH key file {key_file} does not exist.") from None
    except (TypeError, paramiko.PasswordRequiredException) as exc:
        if passphrase:
            raise SftpError(f"The SSH key file {key_file} could not be loaded ({exc}).") from exc
        # cryptography raises TypeError for an encrypted key without a passphrase.
        raise SftpError(
            f"The SSH key file {key_file} is encrypted; set SCHOOLHOUSE_SFTP_KEY_PASSPHRASE."
        ) from exc
    except (ValueError, OSError, paramiko.SSHException, paramiko.UnknownKeyType) as exc:
        raise SftpError(
            f"The SSH key file {key_file} could not be loaded (wrong passphrase or not a private key)."
        ) from exc


def _is_drop(exc: BaseException, conn: _Connection) -> bool:
    # paramiko reports SFTP status errors (no such file, permission denied, ...) as IOError on
    # a live transport; anything else from the transport means the link is gone or stalled.
    if isinstance(exc, (EOFError, ConnectionError, socket.timeout, paramiko.SSHException)):
        return True
    return isinstance(exc, OSError) and not conn.alive()


def _retrying(conn: _Connection, what: str, attempts: int, backoff_seconds: float,
              op: Callable[[paramiko.SFTPClient], T]) -> T:
    """Run op(sftp), reconnecting and retrying with exponential backoff after a dropped
    connection; any other failure is raised at once as SftpError."""
    location = conn.location

    def once() -> T:
        sftp = conn.sftp()  # raises _Dropped when connecting fails
        try:
            return op(sftp)
        except SftpError:
            raise
        except Exception as exc:
            if _is_drop(exc, conn):
                conn.close()
                raise _Dropped(exc) from exc
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise SftpError(f"The SFTP server {location.host_port} refused {what} ({reason}).") from exc

    def before_sleep(state: tenacity.RetryCallState) -> None:
        assert state.outcome is not None and state.next_action is not None
        log.warning("Connection to %s failed while %s (%s); attempt %d of %d in %.1f s",
                    location.host_port, what, _cause(state.outcome.exception()),
                    state.attempt_number + 1, attempts, state.next_action.sleep)

    retryer = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts),
        wait=tenacity.wait_exponential(multiplier=backoff_seconds, max=MAX_BACKOFF),
        retry=tenacity.retry_if_exception_type(_Dropped),
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retryer(once)
    except _Dropped as exc:
        raise SftpError(
            f"Gave up {what} on the SFTP server {location.host_port} after {attempts} "
            f"attempt{'s' if attempts != 1 else ''}: the connection failed or dropped ({_cause(exc)})."
        ) from exc.__cause__


def _cause(exc: BaseException | None) -> str:
    inner = exc.__cause__ if isinstance(exc, _Dropped) and exc.__cause__ else exc
    # paramiko says "Server connection dropped: " with nothing after the colon.
    text = str(inner).strip().rstrip(":").strip() if inner is not None else ""
    return text or type(inner).__name__


def _check_attempts(attempts: int, backoff_seconds: float) -> None:
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    if backoff_seconds < 0:
        raise ValueError("backoff_seconds must not be negative")


def _temp_name(name: str) -> str:
    return f".{name}.part-{secrets.token_hex(4)}"


def _is_stale_temp(entry: str, names: set[str]) -> bool:
    """A leftover from an interrupted run of ours for one of ``names``."""
    if not entry.startswith("."):
        return False
    for marker in (".part-", ".old-"):
        base, sep, _ = entry[1:].rpartition(marker)
        if sep and base in names:
            return True
    return False


# -- fetch -------------------------------------------------------------------------------------


def _matches(name: str, patterns: list[str], case_sensitive: bool = True) -> bool:
    # Dot files (including our own temporaries) only match patterns that start with a dot, as in a shell.
    fold = (lambda text: text) if case_sensitive else str.lower
    return any(
        fnmatch.fnmatchcase(fold(name), fold(p)) and (not name.startswith(".") or p.startswith("."))
        for p in patterns
    )


def _load_state(state_file: Path) -> dict[str, dict[str, int]]:
    try:
        data = json.loads(state_file.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise SftpError(f"The SFTP state file {state_file} could not be read ({exc}).") from exc
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise SftpError(f"The SFTP state file {state_file} is not in the expected format.")
    return files


def _save_state(state_file: Path, files: dict[str, dict[str, int]]) -> None:
    # Written aside and renamed, so a crash never leaves a truncated state file that would
    # make every file look new (or unreadable).
    state_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_file.with_name(_temp_name(state_file.name))
    try:
        with open(tmp, "w") as fh:
            json.dump({"version": _STATE_VERSION, "files": dict(sorted(files.items()))}, fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, state_file)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _local_io(verb: str, path: Path) -> Iterator[None]:
    """Turn a local disk error into a plain message; otherwise it would read as the server's."""
    try:
        yield
    except OSError as exc:
        raise SftpError(f"Could not {verb} the local file {path} ({exc.strerror or exc}).") from exc


def _download(sftp: paramiko.SFTPClient, remote: str, final: Path) -> FetchedFile:
    tmp = final.with_name(_temp_name(final.name))
    with _local_io("write", tmp):
        for stale in final.parent.glob(f".{glob.escape(final.name)}.part-*"):
            stale.unlink(missing_ok=True)
        lf = open(tmp, "wb")
    try:
        with lf, sftp.open(remote, "rb") as rf:
            # fstat of the open handle: the size we verify and the version we record are
            # those of the file we actually read, even if it changed since the listing.
            st = rf.stat()
            expected = st.st_size or 0
            if expected:
                rf.prefetch(expected, _MAX_PREFETCH_REQUESTS)
            copied = 0
            while data := rf.read(_CHUNK):
                with _local_io("write", tmp):
                    lf.write(data)
                copied += len(data)
            with _local_io("write", tmp):
                lf.flush()
                os.fsync(lf.fileno())
        if copied != expected:
            raise SftpError(
                f"{remote} changed size while it was downloaded ({expected} bytes announced, "
                f"{copied} received); it is probably still being written, so try again later."
            )
        mtime = int(st.st_mtime or 0)
        with _local_io("write", final):
            if mtime:
                os.utime(tmp, (mtime, mtime))  # keep the district's timestamp for the archive
            os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return FetchedFile(remote_path=remote, local_path=final, size=copied, mtime=mtime)


def fetch_new(location: SftpLocation, auth: SftpAuth, patterns: list[str], dest_dir: Path,
              state_file: Path, *, attempts: int = 5, backoff_seconds: float = 1.0,
              case_sensitive: bool = True) -> list[FetchedFile]:
    """Download files in location.path whose names match any fnmatch pattern and that are new or changed
    (by name, size and mtime against state_file, a JSON file this function maintains) into dest_dir.
    Each file is downloaded to a temporary name, its size checked against the remote stat, then renamed into place;
    a partial download is never left under the final name nor returned. A dropped connection is retried
    (reconnect) with exponential backoff via tenacity; after the last attempt, raise SftpError naming the file.
    The state file is updated only for files fully downloaded. Returns files sorted by name.

    The state file is written only when every file of the run has been downloaded: if one
    fails, the files already placed in dest_dir (complete) are fetched again next time rather
    than being marked as done without the caller ever having seen them. Loading a file twice
    is harmless; missing one is not.
    """
    _check_attempts(attempts, backoff_seconds)
    dest_dir = Path(dest_dir)
    state_file = Path(state_file)
    dest_dir.mkdir(parents=True, exist_ok=True)
    state = _load_state(state_file)

    fetched: list[FetchedFile] = []
    with _Connection(location, auth) as conn:
        listing = _retrying(conn, f"listing {location.path}", attempts, backoff_seconds,
                            lambda sftp: sftp.listdir_attr(location.path))
        for entry in sorted(listing, key=lambda e: e.filename):
            name = entry.filename
            if not _matches(name, patterns, case_sensitive):
                continue
            if entry.st_mode is not None and not stat.S_ISREG(entry.st_mode):
                log.debug("Skipping %s: not a regular file", name)
                continue
            remote = posixpath.join(location.path, name)
            if state.get(remote) == {"size": entry.st_size, "mtime": int(entry.st_mtime or 0)}:
                log.debug("Unchanged since the last fetch: %s", remote)
                continue
            final = dest_dir / name
            got = _retrying(conn, f"downloading {remote}", attempts, backoff_seconds,
                            lambda sftp, remote=remote, final=final: _download(sftp, remote, final))
            log.info("Fetched %s (%d bytes)", remote, got.size)
            fetched.append(got)

    if fetched:
        for got in fetched:
            state[got.remote_path] = {"size": got.size, "mtime": got.mtime}
        _save_state(state_file, state)
    return fetched


# -- push --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    local: Path
    final: str
    temp: str  # the new version until every file is uploaded
    backup: str  # the old version while it is moved aside (servers without posix-rename)

    @classmethod
    def plan(cls, local: Path, folder: str) -> _Upload:
        # One token per file and run, so a retry after a drop finds what the failed attempt left.
        token = secrets.token_hex(4)
        return cls(local, posixpath.join(folder, local.name),
                   posixpath.join(folder, f".{local.name}.part-{token}"),
                   posixpath.join(folder, f".{local.name}.old-{token}"))


def _upload(sftp: paramiko.SFTPClient, item: _Upload) -> int:
    sent = 0
    with _local_io("read", item.local):
        lf = open(item.local, "rb")
    # "wb" truncates, so a retry after a drop overwrites the half-written temporary.
    with lf, sftp.open(item.temp, "wb") as rf:
        rf.set_pipelined(True)  # don't wait for each 32 KiB write to be acknowledged
        while True:
            with _local_io("read", item.local):
                data = lf.read(_CHUNK)
            if not data:
                break
            rf.write(data)
            sent += len(data)
    remote_size = sftp.stat(item.temp).st_size
    if remote_size != sent:
        raise SftpError(
            f"The upload of {item.local.name} to {item.temp} arrived with {remote_size} bytes "
            f"instead of {sent}; the server may be out of space."
        )
    return sent


def _remote_size(sftp: paramiko.SFTPClient, path: str) -> int | None:
    try:
        return sftp.stat(path).st_size
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise


def _rename_into_place(sftp: paramiko.SFTPClient, item: _Upload, size: int) -> None:
    try:
        sftp.posix_rename(item.temp, item.final)  # atomic replace, OpenSSH extension
        return
    except OSError as exc:
        transport = sftp.get_channel().get_transport()
        if isinstance(exc, (ConnectionError, socket.timeout)) or not transport.is_active():
            raise
    # posix_rename failed on a live connection: either the server lacks the extension, or an
    # earlier attempt already renamed and its reply was lost when the link dropped.
    if _remote_size(sftp, item.temp) is None:
        # Size is the best evidence available that the new version is the one in place.
        if _remote_size(sftp, item.final) == size:
            _remove_if_present(sftp, item.backup)
            return
        raise SftpError(f"The uploaded temporary {item.temp} disappeared before it could be renamed.")
    # Plain SFTP rename refuses to overwrite. Rather than deleting the old file first (and
    # losing it if the next step fails), move it aside and put it back on failure.
    moved_aside = False
    if _remote_size(sftp, item.final) is not None:
        sftp.rename(item.final, item.backup)
        moved_aside = True
    try:
        sftp.rename(item.temp, item.final)
    except Exception:
        if moved_aside:
            with contextlib.suppress(Exception):
                sftp.rename(item.backup, item.final)
        raise
    # Also removes a backup left by an attempt that dropped right after moving the old file aside.
    _remove_if_present(sftp, item.backup)


def _remove_if_present(sftp: paramiko.SFTPClient, path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        sftp.remove(path)


def _remove_temporaries(conn: _Connection, uploads: list[_Upload]) -> None:
    """Best effort, one reconnect: the temporaries are dot files and the next push sweeps them.

    An old version still moved aside (a rename that dropped midway) is put back first."""
    try:
        sftp = conn.sftp()
        for item in uploads:
            if _remote_size(sftp, item.backup) is not None:
                if _remote_size(sftp, item.final) is None:
                    sftp.rename(item.backup, item.final)
                else:
                    _remove_if_present(sftp, item.backup)
            _remove_if_present(sftp, item.temp)
    except Exception as exc:  # noqa: BLE001 - the original failure matters more
        log.warning("Could not remove temporary files on %s (%s); the next push removes them",
                    conn.location.host_port, _cause(exc))


def push_files(location: SftpLocation, auth: SftpAuth, files: list[Path], *, attempts: int = 5,
               backoff_seconds: float = 1.0) -> None:
    """Atomic-as-possible push of a file set into location.path: upload every file under a temporary name
    (e.g. '.<name>.part-<random>'), verify each remote size, and only when ALL uploaded, rename each into place
    (posix_rename where the server supports it, else remove+rename). If any upload fails, remove the temporaries and raise
    SftpError: the previous files stay intact. Retries with backoff on a dropped connection (re-uploading).

    Without posix-rename the old file is moved aside (not removed) before the rename and put
    back if the rename fails. Leftover temporaries of an earlier interrupted push of the same
    names are removed first. If the connection is lost for good during the renames, the
    message says which files were already replaced.
    """
    _check_attempts(attempts, backoff_seconds)
    files = [Path(f) for f in files]
    if not files:
        return
    names = [f.name for f in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SftpError(f"Cannot push two files with the same name ({', '.join(duplicates)}).")
    for f in files:
        if not f.is_file():
            raise SftpError(f"Cannot push {f}: it is not a readable file.")
    uploads = [_Upload.plan(f, location.path) for f in files]
    sizes: dict[str, int] = {}

    with _Connection(location, auth) as conn:
        try:
            def sweep(sftp: paramiko.SFTPClient) -> None:
                for entry in sftp.listdir(location.path):
                    if _is_stale_temp(entry, set(names)):
                        with contextlib.suppress(FileNotFoundError):
                            sftp.remove(posixpath.join(location.path, entry))

            _retrying(conn, f"listing {location.path}", attempts, backoff_seconds, sweep)
            for item in uploads:
                sizes[item.final] = _retrying(
                    conn, f"uploading {item.local.name} to {location.path}", attempts,
                    backoff_seconds, lambda sftp, item=item: _upload(sftp, item))
        except BaseException:
            _remove_temporaries(conn, uploads)
            raise

        done: list[str] = []
        for i, item in enumerate(uploads):
            try:
                _retrying(conn, f"renaming {item.temp} to {item.final}", attempts, backoff_seconds,
                          lambda sftp, item=item: _rename_into_place(sftp, item, sizes[item.final]))
            except SftpError as exc:
                _remove_temporaries(conn, uploads[i:])
                replaced = ", ".join(done) if done else "none"
                raise SftpError(
                    f"{str(exc).rstrip('.')}; files already replaced: {replaced}; the others keep "
                    "their previous version."
                ) from exc
            done.append(posixpath.basename(item.final))
    log.info("Pushed %d file(s) to %s", len(uploads), location)

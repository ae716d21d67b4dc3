"""schoolhouse.sftp against a real SFTP server (tests/sftp_server.py): no mocks."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import asyncssh
import pytest

from schoolhouse.settings import load_settings
from schoolhouse.sftp import (
    FetchedFile,
    HostKeyError,
    SftpAuth,
    SftpError,
    SftpLocation,
    fetch_new,
    push_files,
)
from tests.sftp_server import (  # noqa: F401 - fixtures are used by name
    ClientKey,
    SftpTestServer,
    sftp_auth,
    sftp_client_key,
    sftp_key_server,
    sftp_known_hosts,
    sftp_server,
)

FAST = {"backoff_seconds": 0.01}
# A backoff this long would blow the test's time budget if the error were (wrongly) retried.
SLOW_BACKOFF = {"attempts": 5, "backoff_seconds": 30.0}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def temporaries(root: Path) -> list[str]:
    return [p for p in all_files(root) if ".part-" in p or ".old-" in p]


@pytest.fixture
def incoming(sftp_server: SftpTestServer) -> Path:
    folder = sftp_server.root / "incoming"
    folder.mkdir()
    (folder / "students_export.csv").write_text("id,name\n1,Ada\n2,Grace\n")
    (folder / "educators_export.txt").write_text("id,name\n10,Ms. Frizzle\n")
    (folder / "notes.md").write_text("not an export\n")
    (folder / ".students_export.csv.swp").write_text("editor junk\n")
    (folder / "students_export_dir").mkdir()  # matches a pattern but is not a file
    return folder


@pytest.fixture
def location(sftp_server: SftpTestServer) -> SftpLocation:
    return SftpLocation.parse(sftp_server.url("/incoming"))


PATTERNS = ["students_export*", "educators_export*"]


# -- SftpLocation / SftpAuth -------------------------------------------------------------------


def test_location_parse_and_str() -> None:
    loc = SftpLocation.parse("sftp://district@sftp.example.org:2222/incoming/aspen/")
    assert loc == SftpLocation("district", "sftp.example.org", 2222, "/incoming/aspen")
    assert str(loc) == "sftp://district@sftp.example.org:2222/incoming/aspen"
    assert SftpLocation.parse(str(loc)) == loc

    assert SftpLocation.parse("sftp://u@h").port == 22
    assert SftpLocation.parse("sftp://u@h").path == "/"
    assert SftpLocation.parse("sftp://u@[::1]:22/x").host_port == "[::1]:22"
    home = SftpLocation.parse("sftp://u@h/~/drop")
    assert home.path == "drop" and SftpLocation.parse(str(home)) == home


@pytest.mark.parametrize("url", [
    "ftp://u@h/x", "sftp://h/x", "sftp://u@/x", "sftp://u@h:99999/x", "sftp://u@h:abc/x",
    "sftp://u@h/x?y=1", "not a url",
])
def test_location_parse_rejects(url: str) -> None:
    with pytest.raises(ValueError):
        SftpLocation.parse(url)


def test_location_with_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as info:
        SftpLocation.parse("sftp://u:hunter2@h/x")
    assert "hunter2" not in str(info.value)
    assert "SCHOOLHOUSE_SFTP_PASSWORD" in str(info.value)


def test_auth_from_settings_and_repr_hides_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_PASSWORD", "hunter2")
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_KEY_FILE", str(tmp_path / "id"))
    monkeypatch.setenv("SCHOOLHOUSE_KNOWN_HOSTS", str(tmp_path / "kh"))
    settings = load_settings()
    auth = settings.sftp_auth()
    assert auth == SftpAuth(known_hosts=tmp_path / "kh", password="hunter2", key_file=tmp_path / "id")
    assert "hunter2" not in repr(auth) and "hunter2" not in repr(settings)
    # A vendor's own credentials win over the plain ones, for that vendor only.
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_PASSWORD_CLEVER", "clever-secret")
    settings = load_settings()
    assert settings.sftp_auth("clever").password == "clever-secret"
    assert settings.sftp_auth("clever").key_file is None
    assert settings.sftp_auth("stmath").password == "hunter2"

    monkeypatch.delenv("SCHOOLHOUSE_KNOWN_HOSTS")
    monkeypatch.setenv("SCHOOLHOUSE_SFTP_KEY_FILE", "")
    auth = load_settings().sftp_auth()
    assert auth.known_hosts == Path("~/.ssh/known_hosts").expanduser()
    assert auth.key_file is None


# -- fetch_new ---------------------------------------------------------------------------------


def test_fetch_new_downloads_matching_then_skips_unchanged_then_refetches_changed(
        incoming: Path, location: SftpLocation, sftp_auth: SftpAuth, tmp_path: Path) -> None:
    dest, state = tmp_path / "dest", tmp_path / "state" / "sftp.json"

    got = fetch_new(location, sftp_auth, PATTERNS, dest, state, **FAST)
    assert [f.remote_path for f in got] == ["/incoming/educators_export.txt", "/incoming/students_export.csv"]
    assert all_files(dest) == ["educators_export.txt", "students_export.csv"]
    for f in got:
        assert isinstance(f, FetchedFile)
        remote = incoming / Path(f.remote_path).name
        assert f.local_path == dest / remote.name
        assert sha256(f.local_path) == sha256(remote)
        assert f.size == remote.stat().st_size
        assert f.mtime == int(remote.stat().st_mtime) == int(f.local_path.stat().st_mtime)
    assert set(json.loads(state.read_text())["files"]) == {f.remote_path for f in got}

    assert fetch_new(location, sftp_auth, PATTERNS, dest, state, **FAST) == []

    students = incoming / "students_export.csv"
    students.write_text("id,name\n1,Ada\n2,Grace\n3,Katherine\n")
    os.utime(students, (time.time() + 60, time.time() + 60))
    again = fetch_new(location, sftp_auth, PATTERNS, dest, state, **FAST)
    assert [f.local_path.name for f in again] == ["students_export.csv"]
    assert (dest / "students_export.csv").read_text().endswith("3,Katherine\n")
    assert temporaries(dest) == []


def test_fetch_new_same_size_new_mtime_counts_as_changed(
        incoming: Path, location: SftpLocation, sftp_auth: SftpAuth, tmp_path: Path) -> None:
    dest, state = tmp_path / "dest", tmp_path / "state.json"
    fetch_new(location, sftp_auth, ["students_export*"], dest, state, **FAST)
    students = incoming / "students_export.csv"
    students.write_text(students.read_text().replace("Ada", "Eve"))  # same size
    os.utime(students, (time.time() + 60, time.time() + 60))
    got = fetch_new(location, sftp_auth, ["students_export*"], dest, state, **FAST)
    assert [f.local_path.name for f in got] == ["students_export.csv"]
    assert "Eve" in (dest / "students_export.csv").read_text()


def test_fetch_new_empty_file(incoming: Path, location: SftpLocation, sftp_auth: SftpAuth,
                              tmp_path: Path) -> None:
    (incoming / "assessment_export.csv").write_bytes(b"")
    got = fetch_new(location, sftp_auth, ["assessment_export*"], tmp_path / "d", tmp_path / "s.json", **FAST)
    assert [(f.local_path.name, f.size) for f in got] == [("assessment_export.csv", 0)]


def test_fetch_new_missing_folder_is_a_plain_error_not_retried(
        sftp_server: SftpTestServer, sftp_auth: SftpAuth, tmp_path: Path) -> None:
    loc = SftpLocation.parse(sftp_server.url("/nope"))
    started = time.monotonic()
    with pytest.raises(SftpError, match="/nope"):
        fetch_new(loc, sftp_auth, ["*"], tmp_path / "d", tmp_path / "s.json", **SLOW_BACKOFF)
    assert time.monotonic() - started < 10


def test_unknown_host_key_is_refused_and_nothing_downloaded(
        incoming: Path, location: SftpLocation, sftp_server: SftpTestServer, tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")  # trusts nobody
    auth = SftpAuth(known_hosts=known_hosts, password=sftp_server.password)
    dest, state = tmp_path / "dest", tmp_path / "state.json"
    started = time.monotonic()
    with pytest.raises(HostKeyError) as info:
        fetch_new(location, auth, PATTERNS, dest, state, **SLOW_BACKOFF)
    assert time.monotonic() - started < 10  # not retried
    message = str(info.value)
    assert f"127.0.0.1:{sftp_server.port}" in message and "unknown host key" in message
    assert str(known_hosts) in message and f"ssh-keyscan -p {sftp_server.port} 127.0.0.1" in message
    assert all_files(dest) == [] and not state.exists()
    assert known_hosts.read_text() == ""  # never auto-added


def test_missing_known_hosts_file_is_refused(location: SftpLocation, sftp_server: SftpTestServer,
                                             tmp_path: Path) -> None:
    auth = SftpAuth(known_hosts=tmp_path / "absent", password=sftp_server.password)
    with pytest.raises(HostKeyError, match="does not exist"):
        fetch_new(location, auth, PATTERNS, tmp_path / "dest", tmp_path / "s.json", **FAST)


def test_changed_host_key_is_refused(incoming: Path, location: SftpLocation,
                                     sftp_server: SftpTestServer, tmp_path: Path) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().split()
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{sftp_server.port} {other[0]} {other[1]}\n")
    auth = SftpAuth(known_hosts=known_hosts, password=sftp_server.password)
    started = time.monotonic()
    with pytest.raises(HostKeyError, match="differs.*attack") as info:
        fetch_new(location, auth, PATTERNS, tmp_path / "dest", tmp_path / "s.json", **SLOW_BACKOFF)
    assert time.monotonic() - started < 10
    assert "unknown" not in str(info.value)
    assert all_files(tmp_path / "dest") == []


def test_host_key_for_port_22_form_does_not_match_other_port(
        location: SftpLocation, sftp_server: SftpTestServer, tmp_path: Path) -> None:
    # A bare "127.0.0.1 key" entry is for port 22 only, as in OpenSSH.
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"127.0.0.1 {sftp_server.host_key_line}\n")
    auth = SftpAuth(known_hosts=known_hosts, password=sftp_server.password)
    with pytest.raises(HostKeyError, match="unknown host key"):
        fetch_new(location, auth, PATTERNS, tmp_path / "dest", tmp_path / "s.json", **FAST)


def test_wrong_password_is_refused_quickly_without_leaking_it(
        incoming: Path, location: SftpLocation, sftp_known_hosts: Path, tmp_path: Path) -> None:
    auth = SftpAuth(known_hosts=sftp_known_hosts, password="not-the-password")
    started = time.monotonic()
    with pytest.raises(SftpError) as info:
        fetch_new(location, auth, PATTERNS, tmp_path / "dest", tmp_path / "s.json", **SLOW_BACKOFF)
    assert time.monotonic() - started < 10
    assert not isinstance(info.value, HostKeyError)
    assert "refused the login for user 'district'" in str(info.value)
    assert "not-the-password" not in str(info.value)


def test_no_credentials_is_a_plain_error(location: SftpLocation, sftp_known_hosts: Path,
                                         tmp_path: Path) -> None:
    with pytest.raises(SftpError, match="SCHOOLHOUSE_SFTP_PASSWORD"):
        fetch_new(location, SftpAuth(known_hosts=sftp_known_hosts), ["*"], tmp_path / "d",
                  tmp_path / "s.json", **FAST)


def test_key_auth(sftp_key_server: SftpTestServer, sftp_client_key: ClientKey, tmp_path: Path) -> None:
    (sftp_key_server.root / "students_export.csv").write_text("id\n1\n")
    known_hosts = sftp_key_server.write_known_hosts(tmp_path / "kh")
    loc = SftpLocation.parse(sftp_key_server.url("/"))

    auth = SftpAuth(known_hosts=known_hosts, key_file=sftp_client_key.private_path)
    got = fetch_new(loc, auth, ["students_export*"], tmp_path / "dest", tmp_path / "s.json", **FAST)
    assert [f.remote_path for f in got] == ["/students_export.csv"]

    # The same server refuses a password, and a key it does not know.
    with pytest.raises(SftpError, match="refused the login"):
        fetch_new(loc, SftpAuth(known_hosts=known_hosts, password="x"), ["*"], tmp_path / "d2",
                  tmp_path / "s2.json", **FAST)
    stranger = tmp_path / "stranger"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(stranger), "openssh")
    with pytest.raises(SftpError, match="refused the login"):
        fetch_new(loc, SftpAuth(known_hosts=known_hosts, key_file=stranger), ["*"], tmp_path / "d3",
                  tmp_path / "s3.json", **FAST)


@pytest.mark.filterwarnings("ignore:.*bcrypt.kdf.*:UserWarning")
def test_missing_or_encrypted_key_file_is_a_plain_error(
        sftp_key_server: SftpTestServer, tmp_path: Path) -> None:
    known_hosts = sftp_key_server.write_known_hosts(tmp_path / "kh")
    loc = SftpLocation.parse(sftp_key_server.url("/"))
    with pytest.raises(SftpError, match="does not exist"):
        fetch_new(loc, SftpAuth(known_hosts=known_hosts, key_file=tmp_path / "nope"), ["*"],
                  tmp_path / "d", tmp_path / "s.json", **FAST)
    locked = tmp_path / "locked"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(
        str(locked), "openssh", passphrase="pw", rounds=1)
    with pytest.raises(SftpError, match="encrypted"):
        fetch_new(loc, SftpAuth(known_hosts=known_hosts, key_file=locked), ["*"],
                  tmp_path / "d", tmp_path / "s.json", **FAST)
    with pytest.raises(SftpError, match="could not be loaded"):
        fetch_new(loc, SftpAuth(known_hosts=known_hosts, key_file=locked, key_passphrase="wrong"),
                  ["*"], tmp_path / "d", tmp_path / "s.json", **FAST)


@pytest.mark.filterwarnings("ignore:.*bcrypt.kdf.*:UserWarning")
def test_encrypted_key_with_passphrase(tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    locked = tmp_path / "locked"
    key.write_private_key(str(locked), "openssh", passphrase="pw", rounds=1)
    with SftpTestServer(tmp_path / "root", password=None, authorized_key=key) as server:
        (server.root / "x.csv").write_text("x\n")
        auth = SftpAuth(known_hosts=server.write_known_hosts(tmp_path / "kh"), key_file=locked,
                        key_passphrase="pw")
        got = fetch_new(SftpLocation.parse(server.url()), auth, ["*.csv"], tmp_path / "d",
                        tmp_path / "s.json", **FAST)
        assert [f.size for f in got] == [2]


@pytest.fixture
def big_export(incoming: Path) -> Path:
    path = incoming / "assessment_export.csv"
    path.write_bytes(os.urandom(1_500_000))
    return path


def test_dropped_download_is_retried_and_complete(
        big_export: Path, location: SftpLocation, sftp_server: SftpTestServer, sftp_auth: SftpAuth,
        tmp_path: Path) -> None:
    dest, state = tmp_path / "dest", tmp_path / "state.json"
    sftp_server.drop_next_transfer_after(400_000, times=2, direction="read")
    got = fetch_new(location, sftp_auth, ["assessment_export*", "students_export*"], dest, state,
                    attempts=3, **FAST)
    assert sftp_server.drops == 2
    assert sftp_server.connections_made == 3  # reconnected after each drop
    assert [f.local_path.name for f in got] == ["assessment_export.csv", "students_export.csv"]
    assert sha256(dest / "assessment_export.csv") == sha256(big_export)
    assert got[0].size == 1_500_000
    assert temporaries(dest) == []


def test_download_drops_beyond_attempts_raise_and_leave_no_partial_file(
        big_export: Path, location: SftpLocation, sftp_server: SftpTestServer, sftp_auth: SftpAuth,
        tmp_path: Path) -> None:
    dest, state = tmp_path / "dest", tmp_path / "state.json"
    dest.mkdir()
    yesterday = dest / "assessment_export.csv"
    yesterday.write_text("yesterday's complete file\n")

    sftp_server.drop_next_transfer_after(400_000, times=3, direction="read")
    with pytest.raises(SftpError, match="/incoming/assessment_export.csv") as info:
        fetch_new(location, sftp_auth, ["assessment_export*", "students_export*"], dest, state,
                  attempts=3, **FAST)
    assert "after 3 attempts" in str(info.value)
    assert sftp_server.drops == 3 and sftp_server.connections_made == 3
    assert yesterday.read_text() == "yesterday's complete file\n"  # no partial under the final name
    assert temporaries(dest) == []
    assert not state.exists()  # nothing recorded: the next run fetches everything again

    got = fetch_new(location, sftp_auth, ["assessment_export*", "students_export*"], dest, state,
                    attempts=3, **FAST)
    assert [f.local_path.name for f in got] == ["assessment_export.csv", "students_export.csv"]
    assert sha256(yesterday) == sha256(big_export)


# -- push_files --------------------------------------------------------------------------------


@pytest.fixture
def outbox(sftp_server: SftpTestServer) -> Path:
    folder = sftp_server.root / "sds"
    folder.mkdir()
    return folder


def make_files(folder: Path, contents: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def test_push_files_uploads_renames_and_leaves_no_temporaries(
        outbox: Path, sftp_server: SftpTestServer, sftp_auth: SftpAuth, tmp_path: Path) -> None:
    (outbox / "students.csv").write_text("old students\n")
    (outbox / "unrelated.csv").write_text("keep me\n")
    (outbox / ".students.csv.part-deadbeef").write_text("left by a crashed push\n")
    files = make_files(tmp_path / "out", {
        "orgs.csv": b"sourcedId,name\n1,School\n",
        "students.csv": os.urandom(300_000),
        "teachers.csv": b"",
    })
    push_files(SftpLocation.parse(sftp_server.url("/sds")), sftp_auth, files, **FAST)
    assert all_files(outbox) == ["orgs.csv", "students.csv", "teachers.csv", "unrelated.csv"]
    for f in files:
        assert sha256(outbox / f.name) == sha256(f)
    assert (outbox / "unrelated.csv").read_text() == "keep me\n"


def test_push_without_posix_rename_replaces_files(tmp_path: Path) -> None:
    with SftpTestServer(tmp_path / "root", posix_rename=False) as server:
        (server.root / "students.csv").write_text("old\n")
        auth = SftpAuth(known_hosts=server.write_known_hosts(tmp_path / "kh"), password=server.password)
        files = make_files(tmp_path / "out", {"students.csv": b"new\n", "orgs.csv": b"o\n"})
        push_files(SftpLocation.parse(server.url("/")), auth, files, **FAST)
        assert all_files(server.root) == ["orgs.csv", "students.csv"]
        assert (server.root / "students.csv").read_text() == "new\n"


def test_dropped_push_is_retried(outbox: Path, sftp_server: SftpTestServer, sftp_auth: SftpAuth,
                                 tmp_path: Path) -> None:
    files = make_files(tmp_path / "out", {"a.csv": os.urandom(500_000), "b.csv": os.urandom(500_000)})
    sftp_server.drop_next_transfer_after(200_000, times=2, direction="write")
    push_files(SftpLocation.parse(sftp_server.url("/sds")), sftp_auth, files, attempts=3, **FAST)
    assert sftp_server.drops == 2 and sftp_server.connections_made == 3
    assert all_files(outbox) == ["a.csv", "b.csv"]
    for f in files:
        assert sha256(outbox / f.name) == sha256(f)


def test_interrupted_push_keeps_previous_files_and_leaves_no_temporaries(
        outbox: Path, sftp_server: SftpTestServer, sftp_auth: SftpAuth, tmp_path: Path) -> None:
    previous = {"a.csv": b"previous a\n", "b.csv": b"previous b\n", "c.csv": b"previous c\n"}
    make_files(outbox, previous)
    files = make_files(tmp_path / "out", {
        "a.csv": b"new a\n", "b.csv": os.urandom(500_000), "c.csv": b"new c\n"})

    sftp_server.drop_next_transfer_after(100_000, times=1, direction="write", name_pattern=".b.csv.part-*")
    with pytest.raises(SftpError, match="uploading b.csv") as info:
        push_files(SftpLocation.parse(sftp_server.url("/sds")), sftp_auth, files, attempts=1, **FAST)
    assert "after 1 attempt:" in str(info.value)
    assert sftp_server.drops == 1
    assert sftp_server.connections_made == 2  # one more, to remove the temporaries
    assert all_files(outbox) == ["a.csv", "b.csv", "c.csv"]  # no temporaries
    for name, data in previous.items():
        assert (outbox / name).read_bytes() == data


@pytest.mark.parametrize("posix_rename", [True, False])
@pytest.mark.parametrize("after", [True, False])
def test_drop_during_renames_is_retried(tmp_path: Path, posix_rename: bool, after: bool) -> None:
    with SftpTestServer(tmp_path / "root", posix_rename=posix_rename) as server:
        make_files(server.root, {"a.csv": b"old a\n", "b.csv": b"old b\n"})
        auth = SftpAuth(known_hosts=server.write_known_hosts(tmp_path / "kh"), password=server.password)
        files = make_files(tmp_path / "out", {"a.csv": b"new a\n", "b.csv": b"new b!\n"})
        server.drop_next_rename(times=1, after=after)
        push_files(SftpLocation.parse(server.url("/")), auth, files, attempts=3, **FAST)
        assert server.drops == 1
        assert all_files(server.root) == ["a.csv", "b.csv"]
        assert (server.root / "a.csv").read_bytes() == b"new a\n"
        assert (server.root / "b.csv").read_bytes() == b"new b!\n"


def test_drops_during_renames_beyond_attempts_say_what_was_replaced(
        outbox: Path, sftp_server: SftpTestServer, sftp_auth: SftpAuth, tmp_path: Path) -> None:
    make_files(outbox, {"a.csv": b"old a\n", "b.csv": b"old b\n"})
    files = make_files(tmp_path / "out", {"a.csv": b"new a\n", "b.csv": b"new b\n"})
    sftp_server.drop_next_rename(times=3, after=False)
    with pytest.raises(SftpError, match="renaming") as info:
        push_files(SftpLocation.parse(sftp_server.url("/sds")), sftp_auth, files, attempts=3, **FAST)
    assert "files already replaced: none" in str(info.value)
    assert all_files(outbox) == ["a.csv", "b.csv"]
    assert (outbox / "a.csv").read_bytes() == b"old a\n"


def test_push_without_posix_rename_interrupted_mid_swap_restores_the_old_file(tmp_path: Path) -> None:
    with SftpTestServer(tmp_path / "root", posix_rename=False) as server:
        make_files(server.root, {"a.csv": b"old a\n"})
        auth = SftpAuth(known_hosts=server.write_known_hosts(tmp_path / "kh"), password=server.password)
        files = make_files(tmp_path / "out", {"a.csv": b"new a\n"})
        server.drop_next_rename(times=1, after=True)  # old file moved aside, then the link dies
        with pytest.raises(SftpError, match="files already replaced: none"):
            push_files(SftpLocation.parse(server.url("/")), auth, files, attempts=1, **FAST)
        assert all_files(server.root) == ["a.csv"]
        assert (server.root / "a.csv").read_bytes() == b"old a\n"


def test_unreachable_server_is_retried_then_reported(tmp_path: Path) -> None:
    with SftpTestServer(tmp_path / "root") as server:
        known_hosts = server.write_known_hosts(tmp_path / "kh")
        loc = SftpLocation.parse(server.url("/"))
    auth = SftpAuth(known_hosts=known_hosts, password=server.password)  # server is gone now
    with pytest.raises(SftpError, match="after 2 attempts"):
        fetch_new(loc, auth, ["*"], tmp_path / "d", tmp_path / "s.json", attempts=2, **FAST)


def test_push_refuses_bad_file_sets(sftp_server: SftpTestServer, sftp_auth: SftpAuth,
                                    tmp_path: Path) -> None:
    loc = SftpLocation.parse(sftp_server.url("/"))
    a1 = make_files(tmp_path / "one", {"a.csv": b"1"})
    a2 = make_files(tmp_path / "two", {"a.csv": b"2"})
    with pytest.raises(SftpError, match="same name"):
        push_files(loc, sftp_auth, a1 + a2, **FAST)
    with pytest.raises(SftpError, match="not a readable file"):
        push_files(loc, sftp_auth, [tmp_path / "missing.csv"], **FAST)
    push_files(loc, sftp_auth, [], **FAST)  # nothing to do
    assert all_files(sftp_server.root) == []

"""The one settings object: ``district.yml`` (optional), each setting overridable by ``SCHOOLHOUSE_<SETTING>``.

Every command builds one ``Settings`` (``load_settings``) and hands it down; this is the only
module that reads ``SCHOOLHOUSE_*`` variables, and ``Settings.dbt_vars()`` is the only producer of
dbt vars, so ``load``, ``build``, ``export``, ``nightly`` and ``dashboard`` see the same district.

Which file: ``--config FILE``, else ``SCHOOLHOUSE_CONFIG``, else ``./district.yml`` when present;
no file at all is fine (the environment can say everything). Structured settings (``sources``,
``file_patterns``, ``exports``, ``dbt_vars``) take YAML or JSON text in their variable. Relative
folders in the file are relative to the file's own folder, so cron can run from anywhere;
relative folders from the environment or the defaults are relative to the working folder.

Secrets never come from the file (a key that looks like one is refused): SFTP passwords and keys
and the LDAP bind password are read from the environment only, through ``Settings.secret``.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from schoolhouse.catalog import SENSITIVE_FIELDS, SIS_SOURCES, SOURCES, VENDORS
from schoolhouse.warehouse import TARGETS, Warehouse

PROJECT_DIR = Path(__file__).resolve().parent.parent  # the dbt project (dbt_project.yml) lives here
PASSWORD_POLICIES = ("student_id", "state_id")
# Environment-only values; vendor pushes may have their own (SCHOOLHOUSE_SFTP_PASSWORD_CLEVER, ...).
SECRETS = ("sftp_password", "sftp_key_file", "sftp_key_passphrase", "ldap_bind_password", "powerschool_password",
           "powerschool_ssh_password", "powerschool_ssh_key_file", "powerschool_ssh_key_passphrase", "smtp_password",
           "notify_webhook_url")

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SECRET_WORDS = ("password", "passphrase", "secret", "token", "private_key")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class SettingsError(ValueError):
    """The settings are unusable; the message is one plain sentence naming the setting."""


@dataclass(frozen=True)
class ExportTarget:
    vendor: str
    to: str
    share: tuple[str, ...] = ()  # sensitive fields this vendor receives (catalog.SENSITIVE_FIELDS); none by default
    schools: tuple[str, ...] = ()  # the schools (org ids) this vendor receives; all when empty
    grades: tuple[str, ...] = ()  # the grades (KG, 01 ... 12, as in dim_students) it receives; all when empty


@dataclass(frozen=True)
class Notify:
    """Where a night that did not fully succeed is told (schoolhouse/notify.py). The webhook URL
    usually carries a token, so it comes from SCHOOLHOUSE_NOTIFY_WEBHOOK_URL, not the file."""

    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None  # its password: SCHOOLHOUSE_SMTP_PASSWORD
    webhook: bool = False  # post to SCHOOLHOUSE_NOTIFY_WEBHOOK_URL
    stale_hours: int = 36  # a source with no new file for this long is stale


@dataclass(frozen=True)
class Settings:
    config_file: Path | None = None
    # where things are
    target: str = "duckdb"
    duckdb_path: Path = Path("warehouse.duckdb")
    archive_dir: Path = Path("archive")
    landing_dir: Path = Path("archive/landing")  # SFTP downloads wait here before they are loaded
    cache_dir: Path = Path(".schoolhouse_cache")  # what the dashboards keep between processes
    # dbt on DuckDB: models built at once, memory before DuckDB spills to disk, DuckDB's threads (None: every core)
    dbt_threads: int = 2
    duckdb_memory_limit: str = "80%"
    duckdb_threads: int | None = None
    project_dir: Path = PROJECT_DIR
    # the district
    district_name: str | None = None
    email_domain: str | None = None
    student_email_domain: str | None = None
    student_password_policy: str | None = None  # blank student passwords unless one of PASSWORD_POLICIES
    sources: dict[str, str] = field(default_factory=dict)  # source -> folder, sftp:// URL or database URL
    file_patterns: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # source -> entity -> patterns
    known_hosts: Path | None = None
    exports: tuple[ExportTarget, ...] = ()
    shrink_guard_max_drop: float = 0.10
    max_reject_share: float = 0.10
    # the rules dbt applies
    as_of_date: str | None = None
    sis_source: str = "aspen"
    chronic_absence_threshold: float | None = None
    dbt_vars_extra: dict[str, Any] = field(default_factory=dict)  # district.yml `dbt_vars:`
    # PowerSchool (sources.powerschool is the database URL; its password comes from SCHOOLHOUSE_POWERSCHOOL_PASSWORD)
    powerschool_schema: str | None = None  # default: ps when the database has it (PowerSchool's owner)
    powerschool_ssh_tunnel: str | None = None  # ssh://user@bastion:22, host key checked against known_hosts
    powerschool_programs: dict[str, str] = field(default_factory=dict)  # ell_code/sped_code/plan_504_code → table.column
    powerschool_fetch_size: int = 10000
    # SFTP transport
    sftp_attempts: int = 5
    sftp_backoff_seconds: float = 1.0
    # dashboards
    demo_mode: bool = False
    ldap_url: str | None = None
    ldap_base_dn: str | None = None
    ldap_user_filter: str | None = None
    ldap_bind_dn: str | None = None
    ldap_login_attr: str = "uid"
    ldap_email_attr: str = "mail"
    ldap_start_tls: bool = False
    ldap_ca_file: Path | None = None  # the CA that signed the directory's certificate (else the system's)
    ldap_insecure_plaintext: bool = False  # ldap:// without StartTLS sends passwords in clear: refused unless set
    login_max_failures: int = 5         # failed sign-ins of one login within login_lockout_minutes before a pause
    login_lockout_minutes: int = 15
    session_idle_minutes: int = 30      # a dashboard session unused this long signs out (shared classroom computers)
    # retention (loaders/retention.py): archived files and rejected rows' raw text, in days; None keeps all
    retention_days: int | None = None
    retention_accept_history_loss: bool = False
    notify: Notify = Notify()
    _secrets: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def secret(self, name: str, vendor: str | None = None) -> str | None:
        """A secret from the environment: the vendor's own (SCHOOLHOUSE_SFTP_PASSWORD_CLEVER) first."""
        if name not in SECRETS:
            raise KeyError(name)
        if vendor:
            own = self._secrets.get(f"{name}_{VENDORS[vendor].env_suffix.lower()}")
            if own:
                return own
        return self._secrets.get(name) or None

    def has_vendor_credentials(self, vendor: str) -> bool:
        suffix = VENDORS[vendor].env_suffix.lower()
        return any(self._secrets.get(f"{name}_{suffix}") for name in ("sftp_password", "sftp_key_file"))

    def sftp_auth(self, vendor: str | None = None):
        """SFTP login and trusted host keys: the vendor's own credentials (SCHOOLHOUSE_SFTP_PASSWORD_CLEVER,
        SCHOOLHOUSE_SFTP_KEY_FILE_CLEVER) when set, else the plain ones; known_hosts falls back to
        ~/.ssh/known_hosts."""
        from schoolhouse.sftp import SftpAuth

        own = vendor is not None and self.has_vendor_credentials(vendor)
        pick = (lambda name: self._secrets.get(f"{name}_{VENDORS[vendor].env_suffix.lower()}")) if own else \
            (lambda name: self._secrets.get(name))
        key_file = pick("sftp_key_file")
        return SftpAuth(known_hosts=(self.known_hosts or Path("~/.ssh/known_hosts")).expanduser(),
                        password=pick("sftp_password") or None,
                        key_file=Path(key_file).expanduser() if key_file else None,
                        key_passphrase=pick("sftp_key_passphrase") or None)

    def tunnel_auth(self):
        """The SSH login for the PowerSchool tunnel: SCHOOLHOUSE_POWERSCHOOL_SSH_* when set, else the SFTP ones."""
        from schoolhouse.sftp import SftpAuth

        own = any(self._secrets.get(f"powerschool_ssh_{n}") for n in ("password", "key_file"))
        pick = (lambda n: self._secrets.get(f"powerschool_ssh_{n}")) if own else (lambda n: self._secrets.get(f"sftp_{n}"))
        key_file = pick("key_file")
        return SftpAuth(known_hosts=(self.known_hosts or Path("~/.ssh/known_hosts")).expanduser(),
                        password=pick("password") or None, key_file=Path(key_file).expanduser() if key_file else None,
                        key_passphrase=pick("key_passphrase") or None)

    def warehouse(self) -> Warehouse:
        return Warehouse(self.target, self.duckdb_path)

    def dbt_vars(self) -> dict[str, Any]:
        """Every dbt var these settings imply (those not set keep dbt_project.yml's defaults)."""
        out: dict[str, Any] = dict(self.dbt_vars_extra)
        out["sis_source"] = self.sis_source
        for name in ("as_of_date", "email_domain", "student_email_domain", "student_password_policy",
                     "chronic_absence_threshold"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        out["vendor_shares"] = {v: list(self.shares(v)) for v in {t.vendor for t in self.exports} if self.shares(v)}
        out["vendor_scopes"] = {t.vendor: {k: list(getattr(t, k)) for k in ("schools", "grades") if getattr(t, k)}
                                for t in self.exports if t.schools or t.grades}
        return out

    def shares(self, vendor: str) -> tuple[str, ...]:
        """The sensitive fields ``vendor`` is sent (the same for each of its destinations: checked)."""
        return next((t.share for t in self.exports if t.vendor == vendor), ())


# -- parsing --------------------------------------------------------------------------------------


def env_name(setting: str) -> str:
    return f"SCHOOLHOUSE_{setting.upper()}"


def _text(value: Any, name: str) -> str | None:
    text = str(value).strip()
    return text or None


def _flag(value: Any, name: str) -> bool:
    text = str(value).strip().lower()
    if isinstance(value, bool):
        return value
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise SettingsError(f"The setting {name} must be true or false, not {value!r}.")


def _share(value: Any, name: str) -> float:
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = -1.0
    if not 0 <= share <= 1:
        raise SettingsError(f"The setting {name} must be a share between 0 and 1, not {value!r}.")
    return share


def _positive(kind: Callable[[Any], Any]) -> Callable[[Any, str], Any]:
    def parse(value: Any, name: str) -> Any:
        try:
            number = kind(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise SettingsError(f"The setting {name} must be a positive number, not {value!r}.")
        return number
    return parse


def _choice(options: tuple[str, ...]) -> Callable[[Any, str], str | None]:
    def parse(value: Any, name: str) -> str | None:
        text = str(value).strip()
        if text not in options:
            raise SettingsError(f"The setting {name} must be one of {', '.join(options)}, not {value!r}.")
        return text
    return parse


def _domain(value: Any, name: str) -> str | None:
    text = str(value).strip().lower().lstrip("@")
    if not _DOMAIN.match(text):
        raise SettingsError(f"The setting {name} must be a domain such as district.org, not {value!r}.")
    return text


def _ssh_url(value: Any, name: str) -> str:
    text = str(value).strip()
    if not text.lower().startswith("ssh://"):
        raise SettingsError(f"The setting {name} must be ssh://user@host:port, not {value!r}.")
    from schoolhouse.sftp import SftpLocation

    try:
        SftpLocation.parse("sftp://" + text.split("://", 1)[1])
    except ValueError as exc:
        raise SettingsError(f"The setting {name}: {str(exc).replace('SFTP', 'SSH')}") from None
    return text


def _iso_date(value: Any, name: str) -> str:
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise SettingsError(f"The setting {name} must be a date YYYY-MM-DD, not {value!r}.") from None


def _memory(value: Any, name: str) -> str:
    text = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B|B)|\d{1,2}%|100%", text, flags=re.IGNORECASE):
        raise SettingsError(f"The setting {name} must be an amount of memory such as 4GB or 80%, not {value!r}.")
    return text


_SCALARS: dict[str, Callable[[Any, str], Any]] = {
    "target": _choice(TARGETS), "district_name": _text,
    "email_domain": _domain, "student_email_domain": _domain,
    "student_password_policy": _choice(PASSWORD_POLICIES),
    "shrink_guard_max_drop": _share, "max_reject_share": _share,
    "as_of_date": _iso_date, "sis_source": _choice(SIS_SOURCES), "chronic_absence_threshold": _share,
    "sftp_attempts": _positive(int), "sftp_backoff_seconds": _positive(float),
    "powerschool_schema": _text, "powerschool_ssh_tunnel": _ssh_url, "powerschool_fetch_size": _positive(int),
    "demo_mode": _flag, "ldap_url": _text, "ldap_base_dn": _text, "ldap_user_filter": _text,
    "ldap_bind_dn": _text, "ldap_login_attr": _text, "ldap_email_attr": _text, "ldap_start_tls": _flag,
    "ldap_insecure_plaintext": _flag, "login_max_failures": _positive(int), "login_lockout_minutes": _positive(int),
    "session_idle_minutes": _positive(int),
    "retention_days": _positive(int), "retention_accept_history_loss": _flag,
    "dbt_threads": _positive(int), "duckdb_threads": _positive(int), "duckdb_memory_limit": _memory,
}
_PATHS = ("duckdb_path", "archive_dir", "landing_dir", "cache_dir", "project_dir", "known_hosts", "ldap_ca_file")
_STRUCTURED = ("sources", "file_patterns", "exports", "dbt_vars", "powerschool_programs", "notify")
KNOWN = (*_SCALARS, *_PATHS, *_STRUCTURED)
# Settings an earlier version read, accepted in a settings file (with a warning) so it keeps working.
RETIRED = {"dlt_dir": "the loader replaces raw tables itself and keeps no pipeline state",
           "dlt_progress": "the loader no longer runs dlt"}


def find_config(config_file: Path | str | None, environ: Mapping[str, str]) -> Path | None:
    """--config, else SCHOOLHOUSE_CONFIG, else ./district.yml when present, else none."""
    chosen = config_file or environ.get("SCHOOLHOUSE_CONFIG") or None
    if chosen:
        path = Path(chosen).expanduser().resolve()
        if not path.is_file():
            raise SettingsError(f"The settings file {path} does not exist.")
        return path
    default = Path("district.yml")
    return default.resolve() if default.is_file() else None


def current_settings() -> Settings:
    """load_settings() for a long-running process (the dashboards): read again whenever a
    SCHOOLHOUSE_* variable or the settings file changes, else the same object."""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SCHOOLHOUSE_")))
    path = find_config(None, os.environ)
    return _cached_settings(env, path, path.stat().st_mtime_ns if path else 0)


@functools.lru_cache(maxsize=8)
def _cached_settings(_env: tuple, path: Path | None, _mtime: int) -> Settings:
    return load_settings(path)


def load_settings(config_file: Path | str | None = None, environ: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """The district's settings: the file (see find_config), then SCHOOLHOUSE_<SETTING>, then ``overrides``
    (the command line's own options, e.g. target), validated."""
    env = os.environ if environ is None else environ
    path = find_config(config_file, env)
    from_file = _read_file(path) if path else {}
    base = path.parent if path else Path.cwd()
    values: dict[str, tuple[Any, Path]] = {name: (value, base) for name, value in from_file.items()}
    for name in KNOWN:
        text = env.get(env_name(name))
        if text is None or text == "":
            continue
        if name in _STRUCTURED:
            try:
                text = yaml.safe_load(text)
            except yaml.YAMLError:
                raise SettingsError(f"{env_name(name)} must be YAML or JSON text.") from None
        values[name] = (text, Path.cwd())
    for name, value in overrides.items():
        if value is not None:
            values[name] = (value, Path.cwd())
    secrets = {key[len("SCHOOLHOUSE_"):].lower(): value for key, value in env.items()
               if key.startswith("SCHOOLHOUSE_") and value and
               any(key[len("SCHOOLHOUSE_"):].lower().startswith(s) for s in SECRETS)}
    return _build(values, path, secrets)


class _TextDatesLoader(yaml.SafeLoader):
    """YAML without its own date parsing: a bad date stays text and is named by the setting's own check."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_file(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDatesLoader) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"The settings file {path} is not valid YAML ({exc}).") from None
    if not isinstance(loaded, dict):
        raise SettingsError(f"The settings file {path} must be a mapping of setting: value.")
    _refuse_secrets(loaded, path)
    for name in sorted(set(loaded) & set(RETIRED)):
        warnings.warn(f"{path}: the setting {name} is no longer used ({RETIRED[name]}); remove it.", stacklevel=2)
        del loaded[name]
    unknown = sorted(set(loaded) - set(KNOWN))
    if unknown:
        raise SettingsError(f"{path} has unknown settings ({', '.join(unknown)}); known: {', '.join(KNOWN)}.")
    return loaded


def _refuse_secrets(node: Any, config_file: Path, path: str = "") -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if any(word in str(key).lower() for word in _SECRET_WORDS) and key != "student_password_policy":
                raise SettingsError(
                    f"{config_file} holds a secret ({where}); secrets come only from environment variables "
                    "such as SCHOOLHOUSE_SFTP_PASSWORD.")
            _refuse_secrets(value, config_file, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _refuse_secrets(value, config_file, f"{path}[{i}]")


def _path(value: Any, base: Path) -> Path:
    path = Path(str(value).strip()).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _location(value: Any, base: Path, setting: str) -> str:
    text = str(value).strip()
    if not text:
        raise SettingsError(f"The setting {setting} is empty.")
    if "://" in text:
        if text.lower().startswith("sftp://"):
            from schoolhouse.sftp import SftpLocation

            try:
                SftpLocation.parse(text)  # refuses a password in the URL
            except ValueError as exc:
                raise SettingsError(f"The setting {setting}: {exc}") from None
        elif _has_password(text):
            raise SettingsError(f"The setting {setting} must not contain a password; set "
                                "SCHOOLHOUSE_POWERSCHOOL_PASSWORD in the environment instead.")
        return text
    return str(_path(text, base))


def _has_password(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False


def _sources(raw: Any, base: Path) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise SettingsError("The setting sources must map a source (district, aspen, star, powerschool) to a location.")
    unknown = sorted(set(raw) - set(SOURCES))
    if unknown:
        raise SettingsError(f"Unknown source {unknown[0]!r} in sources; use {', '.join(SOURCES)}.")
    return {s: _location(raw[s], base, f"sources.{s}") for s in SOURCES if raw.get(s)}


def _file_patterns(raw: Any, base: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    from schoolhouse.catalog import FILE_SOURCES

    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise SettingsError("The setting file_patterns must map source → entity → a pattern or list of patterns.")
    out = {}
    for source, entities in raw.items():
        known = {s.entity for s in FILE_SOURCES.get(str(source), ())}
        if not known:
            raise SettingsError(f"file_patterns names {source!r}, which is not a file source "
                                f"({', '.join(FILE_SOURCES)}).")
        for entity in entities:
            if entity not in known:
                raise SettingsError(f"file_patterns.{source} names {entity!r}, which is not one of "
                                    f"{', '.join(sorted(known))}.")
        out[str(source)] = {str(e): tuple([p] if isinstance(p, str) else [str(x) for x in p])
                            for e, p in entities.items()}
    return out


def _exports(raw: Any, base: Path) -> tuple[ExportTarget, ...]:
    if not isinstance(raw, list):
        raise SettingsError("The setting exports must be a list of {vendor, to}.")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("vendor") or not item.get("to"):
            raise SettingsError(f"exports[{i}] must have a vendor and a to (a folder or sftp:// URL).")
        vendor = str(item["vendor"])
        if vendor not in VENDORS:
            raise SettingsError(f"exports[{i}] names an unknown vendor {vendor!r}; use {', '.join(VENDORS)}.")
        share = item.get("share") or []
        if isinstance(share, str):
            share = [x.strip() for x in share.split(",") if x.strip()]
        unknown = [f for f in share if f not in SENSITIVE_FIELDS]
        if not isinstance(share, list) or unknown:
            raise SettingsError(f"exports[{i}].share names {unknown[0] if unknown else share!r}; it lists sensitive "
                                f"fields to send {vendor}, from {', '.join(SENSITIVE_FIELDS)}.")
        schools = _id_list(item.get("schools"), f"exports[{i}].schools")
        grades = _id_list(item.get("grades"), f"exports[{i}].grades")
        bad = [g for g in grades if g not in GRADE_LEVELS]
        if bad:
            raise SettingsError(f"exports[{i}].grades names {bad[0]!r}; grades are {', '.join(GRADE_LEVELS)}.")
        out.append(ExportTarget(vendor, _location(item["to"], base, f"exports[{i}].to"), tuple(sorted(set(share))),
                                schools, grades))
    first: dict[str, ExportTarget] = {}
    for target in out:
        seen = first.setdefault(target.vendor, target)
        for what in ("share", "schools", "grades"):
            if getattr(seen, what) != getattr(target, what):
                raise SettingsError(f"exports list {target.vendor} twice with different {what} lists; the vendor's "
                                    f"files are built once, so give every destination of a vendor the same {what}.")
    return tuple(out)


# The grade levels of dim_students (seeds/vendor_grade_codes.csv); a scope names grades this way.
GRADE_LEVELS = ("IT", "PR", "PK", "TK", "KG", *(f"{g:02d}" for g in range(1, 14)), "PS", "UG", "Other")


def _id_list(raw: Any, name: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, (str, int)):
        raw = [x.strip() for x in str(raw).split(",") if x.strip()]
    if not isinstance(raw, list):
        raise SettingsError(f"{name} must be a list.")
    # YAML reads 03 as the number 3: grades and ids are text, with grades two digits as dim_students has them.
    return tuple(sorted({f"{x:02d}" if isinstance(x, int) and name.endswith("grades") else str(x) for x in raw}))


def _dbt_vars(raw: Any, base: Path) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise SettingsError("The setting dbt_vars must map a dbt var declared in dbt_project.yml to its value.")
    declared = declared_dbt_vars()
    unknown = sorted(set(raw) - set(declared))
    if unknown:
        raise SettingsError(f"dbt_vars names {unknown[0]!r}, which dbt_project.yml does not declare "
                            f"(declared: {', '.join(sorted(declared))}).")
    return dict(raw)


def _programs(raw: Any, base: Path) -> dict[str, str]:
    from schoolhouse.catalog import POWERSCHOOL_PROGRAM_FIELDS

    if not isinstance(raw, dict):
        raise SettingsError("The setting powerschool_programs must map ell_code, sped_code or plan_504_code to table.column.")
    for field_name, where in raw.items():
        if field_name not in POWERSCHOOL_PROGRAM_FIELDS:
            raise SettingsError(f"powerschool_programs names {field_name!r}; use {', '.join(POWERSCHOOL_PROGRAM_FIELDS)}.")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$#]*\.[A-Za-z_][A-Za-z0-9_$#]*", str(where)):
            raise SettingsError(f"powerschool_programs.{field_name} must be table.column, not {where!r}.")
    return {str(k): str(v) for k, v in raw.items()}


def _notify(raw: Any, base: Path) -> Notify:
    if not isinstance(raw, dict) or set(raw) - {"email", "webhook", "stale_hours"}:
        raise SettingsError("The setting notify takes email (to, from, smtp_host, smtp_port, starttls, smtp_user), "
                            "webhook: true (the URL in SCHOOLHOUSE_NOTIFY_WEBHOOK_URL) and stale_hours.")
    email = raw.get("email") or {}
    if not isinstance(email, dict) or set(email) - {"to", "from", "smtp_host", "smtp_port", "starttls", "smtp_user"}:
        raise SettingsError("notify.email takes to, from, smtp_host, smtp_port, starttls and smtp_user.")
    to = email.get("to") or ()
    to = (to,) if isinstance(to, str) else tuple(str(t) for t in to)
    if email and not (to and email.get("from") and email.get("smtp_host")):
        raise SettingsError("notify.email needs to (one address or a list), from and smtp_host.")
    if any("@" not in t for t in to):
        raise SettingsError(f"notify.email.to must be email addresses, not {to!r}.")
    if isinstance(raw.get("webhook"), str):
        raise SettingsError("notify.webhook is true or false: the URL (it carries a token) goes in "
                            "SCHOOLHOUSE_NOTIFY_WEBHOOK_URL, not in district.yml.")
    return Notify(email_to=to, email_from=email.get("from"), smtp_host=email.get("smtp_host"),
                  smtp_port=_positive(int)(email.get("smtp_port", 25), "notify.email.smtp_port"),
                  smtp_starttls=_flag(email.get("starttls", False), "notify.email.starttls"),
                  smtp_user=email.get("smtp_user"), webhook=_flag(raw.get("webhook", False), "notify.webhook"),
                  stale_hours=_positive(int)(raw.get("stale_hours", 36), "notify.stale_hours"))


_STRUCTURED_PARSERS = {"sources": _sources, "file_patterns": _file_patterns, "exports": _exports,
                       "dbt_vars": _dbt_vars, "powerschool_programs": _programs, "notify": _notify}


def declared_dbt_vars(project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


def _build(values: dict[str, tuple[Any, Path]], config_file: Path | None, secrets: dict[str, str]) -> Settings:
    kwargs: dict[str, Any] = {}
    for name, (value, base) in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name in _SCALARS:
            kwargs[name] = _SCALARS[name](value, name)
        elif name in _PATHS:
            kwargs[name] = _path(value, base)
        else:
            key = "dbt_vars_extra" if name == "dbt_vars" else name
            kwargs[key] = _STRUCTURED_PARSERS[name](value, base)
    for name in ("duckdb_path", "archive_dir", "landing_dir", "cache_dir"):
        kwargs.setdefault(name, _path(getattr(Settings, name), Path.cwd()))
    if "landing_dir" not in {n for n in values} and "archive_dir" in values:
        kwargs["landing_dir"] = kwargs["archive_dir"] / "landing"
    return Settings(config_file=config_file, _secrets=secrets, **kwargs)

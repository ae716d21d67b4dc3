"""District settings: ``district.yml`` (optional), each setting overridable by ``SCHOOLHOUSE_<SETTING>``.

The file names the district's sources, export destinations and identifiers; the environment
overrides any of them (``SCHOOLHOUSE_EMAIL_DOMAIN=…``), so a night can run with no file at all.
Structured settings (``sources``, ``file_patterns``, ``exports``) take YAML or JSON text in their
variable. Secrets never come from the file: a key that looks like one is refused, and SFTP
passwords and keys are read from the environment by :mod:`loaders.sftp`.

Relative folders in the file are relative to the file's own folder, so cron can run from anywhere.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

VENDORS = ("sds-v2.1", "sds-v1", "stmath", "oneroster-1.1", "clever")
SOURCES = ("district", "aspen", "star", "powerschool")  # the order a night loads them in
PASSWORD_POLICIES = ("student_id", "state_id")

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SECRET_WORDS = ("password", "passphrase", "secret", "token", "private_key")


class SettingsError(ValueError):
    """The settings are unusable; the message is one plain sentence naming the setting."""


@dataclass(frozen=True)
class ExportTarget:
    vendor: str
    to: str


@dataclass(frozen=True)
class Settings:
    district_name: str | None = None
    email_domain: str | None = None
    student_email_domain: str | None = None
    # source -> folder, sftp://user@host:port/path or (powerschool) a database URL
    sources: dict[str, str] = field(default_factory=dict)
    # source -> entity -> fnmatch patterns, overriding loaders.entities
    file_patterns: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    known_hosts: Path | None = None
    exports: tuple[ExportTarget, ...] = ()
    shrink_guard_max_drop: float = 0.10
    as_of_date: str | None = None
    max_reject_share: float = 0.10
    # Blank passwords unless the district chooses one of PASSWORD_POLICIES for students.
    student_password_policy: str | None = None
    config_file: Path | None = None

    def dbt_vars(self) -> dict[str, Any]:
        """The dbt vars the export views are built with (only those set)."""
        out: dict[str, Any] = {}
        as_of = self.as_of_date or os.environ.get("SCHOOLHOUSE_AS_OF_DATE") or None
        if as_of:
            out["as_of_date"] = as_of
        for name in ("email_domain", "student_email_domain", "student_password_policy"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out


_SCALARS = ("district_name", "email_domain", "student_email_domain", "known_hosts", "shrink_guard_max_drop",
            "as_of_date", "max_reject_share", "student_password_policy")
_STRUCTURED = ("sources", "file_patterns", "exports")
KNOWN = _SCALARS + _STRUCTURED


def env_name(setting: str) -> str:
    return f"SCHOOLHOUSE_{setting.upper()}"


def load_settings(config_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """district.yml (when given) overlaid with SCHOOLHOUSE_<SETTING> variables, validated."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    base = Path.cwd()
    if config_file is not None:
        config_file = Path(config_file).expanduser().resolve()
        if not config_file.is_file():
            raise SettingsError(f"The settings file {config_file} does not exist.")
        try:
            loaded = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"The settings file {config_file} is not valid YAML ({exc}).") from None
        if not isinstance(loaded, dict):
            raise SettingsError(f"The settings file {config_file} must be a mapping of setting: value.")
        _refuse_secrets(loaded, config_file)
        unknown = sorted(set(loaded) - set(KNOWN))
        if unknown:
            raise SettingsError(f"{config_file} has unknown settings ({', '.join(unknown)}); known: {', '.join(KNOWN)}.")
        raw.update(loaded)
        base = config_file.parent
    for name in KNOWN:
        value = env.get(env_name(name))
        if value is None or value == "":
            continue
        if name in _STRUCTURED:
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                raise SettingsError(f"{env_name(name)} must be YAML or JSON text.") from None
        raw[name] = value
    return _validate(raw, base, config_file)


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


def _location(value: Any, base: Path, setting: str) -> str:
    text = str(value).strip()
    if not text:
        raise SettingsError(f"The setting {setting} is empty.")
    if "://" in text:
        if text.lower().startswith("sftp://"):
            from loaders.sftp import SftpLocation

            try:
                SftpLocation.parse(text)  # refuses a password in the URL
            except ValueError as exc:
                raise SettingsError(f"The setting {setting}: {exc}") from None
        return text
    path = Path(text).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def _share(raw: dict, name: str, default: float) -> float:
    value = raw.get(name, default)
    try:
        share = float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"The setting {name} must be a share between 0 and 1, not {value!r}.") from None
    if not 0 <= share <= 1:
        raise SettingsError(f"The setting {name} must be a share between 0 and 1, not {value!r}.")
    return share


def _validate(raw: dict[str, Any], base: Path, config_file: Path | None) -> Settings:
    domains = {}
    for name in ("email_domain", "student_email_domain"):
        value = raw.get(name)
        if value in (None, ""):
            domains[name] = None
            continue
        value = str(value).strip().lower().lstrip("@")
        if not _DOMAIN.match(value):
            raise SettingsError(f"The setting {name} must be a domain such as district.org, not {raw.get(name)!r}.")
        domains[name] = value

    sources_raw = raw.get("sources") or {}
    if not isinstance(sources_raw, dict):
        raise SettingsError("The setting sources must map a source (district, aspen, star, powerschool) to a location.")
    unknown = sorted(set(sources_raw) - set(SOURCES))
    if unknown:
        raise SettingsError(f"Unknown source {unknown[0]!r} in sources; use {', '.join(SOURCES)}.")
    sources = {s: _location(sources_raw[s], base, f"sources.{s}") for s in SOURCES if sources_raw.get(s)}

    patterns_raw = raw.get("file_patterns") or {}
    if not isinstance(patterns_raw, dict) or not all(isinstance(v, dict) for v in patterns_raw.values()):
        raise SettingsError("The setting file_patterns must map source → entity → a pattern or list of patterns.")
    file_patterns = {
        str(source): {str(entity): tuple([p] if isinstance(p, str) else [str(x) for x in p])
                      for entity, p in entities.items()}
        for source, entities in patterns_raw.items()
    }

    exports_raw = raw.get("exports") or []
    if not isinstance(exports_raw, list):
        raise SettingsError("The setting exports must be a list of {vendor, to}.")
    exports = []
    for i, item in enumerate(exports_raw):
        if not isinstance(item, dict) or not item.get("vendor") or not item.get("to"):
            raise SettingsError(f"exports[{i}] must have a vendor and a to (a folder or sftp:// URL).")
        vendor = str(item["vendor"])
        if vendor not in VENDORS:
            raise SettingsError(f"exports[{i}] names an unknown vendor {vendor!r}; use {', '.join(VENDORS)}.")
        exports.append(ExportTarget(vendor, _location(item["to"], base, f"exports[{i}].to")))

    as_of = raw.get("as_of_date")
    if as_of not in (None, ""):
        try:
            as_of = date.fromisoformat(str(as_of)).isoformat()
        except ValueError:
            raise SettingsError(f"The setting as_of_date must be a date YYYY-MM-DD, not {as_of!r}.") from None
    else:
        as_of = None

    policy = raw.get("student_password_policy") or None
    if policy is not None and policy not in PASSWORD_POLICIES:
        raise SettingsError(
            f"The setting student_password_policy must be one of {', '.join(PASSWORD_POLICIES)} or empty, not {policy!r}.")

    known_hosts = raw.get("known_hosts")
    if known_hosts:
        known_hosts = Path(str(known_hosts)).expanduser()
        known_hosts = known_hosts if known_hosts.is_absolute() else (base / known_hosts).resolve()

    return Settings(
        district_name=str(raw["district_name"]) if raw.get("district_name") else None,
        email_domain=domains["email_domain"],
        student_email_domain=domains["student_email_domain"],
        sources=sources,
        file_patterns=file_patterns,
        known_hosts=known_hosts or None,
        exports=tuple(exports),
        shrink_guard_max_drop=_share(raw, "shrink_guard_max_drop", 0.10),
        as_of_date=as_of,
        max_reject_share=_share(raw, "max_reject_share", 0.10),
        student_password_policy=policy,
        config_file=config_file,
    )

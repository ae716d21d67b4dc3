"""Which file in tonight's folder is which entity: file names and zip members against the patterns.

Every file is a candidate, and so is every CSV inside a zip (a STAR zip may hold both subjects,
under any zip name), routed by its own name; a zip with a single CSV may also be named by the
zip's own name. For each entity the patterns are tried in order and the first that matches
anything decides: one candidate is the entity's file, two or more are a conflict (nothing is
guessed). Candidates no entity claims are reported, never silently skipped.
"""

from __future__ import annotations

import fnmatch
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from schoolhouse.catalog import EntitySpec

_DATA_SUFFIXES = (".csv", ".txt", ".tsv")
# A file that matches nothing is reported when it looks like data; other files (a README, the
# generator's truth.json) are left alone.
_REPORTED_SUFFIXES = (*_DATA_SUFFIXES, ".zip", ".dat", ".xls", ".xlsx")


@dataclass(frozen=True)
class Candidate:
    """A file of tonight's folder, or a member of a zip in it."""

    path: Path  # the file on disk (for a member: its zip)
    member: str | None = None  # the member's path inside the zip
    zip_name_applies: bool = False  # the zip holds only this data file: the zip's name may name it

    @property
    def label(self) -> str:
        """How the district's own folder shows it: name, or zip:member."""
        return f"{self.path.name}:{Path(self.member).name}" if self.member else self.path.name

    @property
    def names(self) -> tuple[str, ...]:
        """The names patterns are matched against."""
        if self.member is None:
            return (self.path.name,)
        return (Path(self.member).name, self.path.name) if self.zip_name_applies else (Path(self.member).name,)


@dataclass
class Discovery:
    found: dict[str, Candidate] = field(default_factory=dict)
    conflicts: dict[str, list[Candidate]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unrecognised: list[Candidate] = field(default_factory=list)


def candidates(folder: Path) -> list[Candidate]:
    out = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        members = _zip_members(path) if path.suffix.lower() == ".zip" else None
        if not members:  # a plain file, or a zip with no data file (refused when an entity claims it)
            out.append(Candidate(path))
            continue
        out.extend(Candidate(path, m, zip_name_applies=len(members) == 1) for m in members)
    return out


def _zip_members(path: Path) -> list[str] | None:
    try:
        with zipfile.ZipFile(path) as zf:
            return sorted(i.filename for i in zf.infolist()
                          if not i.is_dir() and i.filename.lower().endswith(_DATA_SUFFIXES)
                          and not Path(i.filename).name.startswith("."))
    except zipfile.BadZipFile:
        return None


def _matches(candidate: Candidate, pattern: str) -> bool:
    return any(fnmatch.fnmatch(name.lower(), pattern.lower()) for name in candidate.names)


def discover(folder: Path, specs: tuple[EntitySpec, ...], others: tuple[EntitySpec, ...] = ()) -> Discovery:
    """``others`` are the other sources' entities: their files may share the folder unreported."""
    found = Discovery()
    pool = candidates(folder)
    claimed: set[Candidate] = set()
    for spec in specs:
        for pattern in spec.patterns:
            hits = [c for c in pool if _matches(c, pattern)]
            if len(hits) == 1:
                found.found[spec.entity] = hits[0]
            elif hits:
                found.conflicts[spec.entity] = hits
            if hits:
                claimed.update(hits)
                break
        else:
            found.missing.append(spec.entity)
    found.unrecognised = [c for c in pool if c not in claimed
                          and not any(_matches(c, p) for spec in others for p in spec.patterns)
                          and c.path.suffix.lower() in _REPORTED_SUFFIXES]
    return found

"""Writers for the Aspen-style quoted CSV exports, with the dirty-file realities built in.

Every writer counts records the way a spreadsheet numbers rows: the header is record 1 and a
record with embedded line breaks counts once. In dirty mode the writer itself injects the
unreadable rows (a damaged copy of the row just written: one field too few or too many, or its
key blanked) and remembers their record numbers for truth.json.
"""
from __future__ import annotations

import io
import random
import zipfile
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

# Rates of unreadable rows injected by the writer in dirty mode (per data row written).
FIELD_COUNT_RATE = 0.004
MISSING_KEY_RATE = 0.003
# In a small file the first of each kind is forced within the first few rows, so every dirty file has some.
FORCE_FIRST_WITHIN = 12

ZIP_DATE_TIME = (2020, 1, 1, 0, 0, 0)


def iso(d: date) -> str:
    return d.isoformat()


def mdy(d: date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def _quote_rfc(v: str) -> str:
    if '"' in v:
        v = v.replace('"', '""')
    return '"' + v + '"'


def _quote_mysql(v: str) -> str:
    if '"' in v:
        v = v.replace('"', '\\"')
    if "\n" in v:
        v = v.replace("\n", "\\\n")
    return '"' + v + '"'


class QuotedCsvWriter:
    """One Aspen-style file: every field quoted, CRLF line ends, header first.

    columns: the canonical column names (rows are dicts keyed by these).
    order: the column order written to the file (default: ``columns``).
    header_style: 'quoted' | 'single_quoted' | 'whitespace'.
    escape: 'rfc' (doubled quotes) or 'mysql' (backslash escapes, backslash before embedded line break).
    """

    def __init__(self, stream: io.TextIOBase, name: str, columns: Sequence[str], *, key: Sequence[str],
                 order: Sequence[str] | None = None, header_style: str = "quoted", escape: str = "rfc",
                 null_literal: bool = False, date_format: str = "iso", encoding: str = "utf-8",
                 inject_rng: random.Random | None = None):
        self.stream = stream
        self.name = name
        self.columns = tuple(columns)
        self.order = tuple(order or columns)
        assert sorted(self.order) == sorted(self.columns), name
        self.key = tuple(key)
        self.header_style = header_style
        self.escape = escape
        self.null_literal = null_literal
        self.date_format = date_format
        self.encoding = encoding
        self.fmt_date: Callable[[date], str] = mdy if date_format == "M/D/YYYY" else iso
        self._q = _quote_mysql if escape == "mysql" else _quote_rfc
        self._rng = inject_rng
        self.records = 1
        self.rejected: list[tuple[int, str]] = []
        self._n_fc = self._n_mk = 0
        self._force_fc = inject_rng.randint(2, FORCE_FIRST_WITHIN) if inject_rng else 0
        self._force_mk = inject_rng.randint(2, FORCE_FIRST_WITHIN) if inject_rng else 0
        self._write_header()

    # -- header -----------------------------------------------------------------------------
    def _write_header(self) -> None:
        cells = []
        for i, c in enumerate(self.order):
            if self.header_style == "single_quoted":
                cells.append(f"'{c}'")
            elif self.header_style == "whitespace":
                cells.append(self._q(f" {c}" if i % 3 == 0 else f"{c} " if i % 3 == 1 else c))
            else:
                cells.append(self._q(c))
        self.stream.write(",".join(cells) + "\r\n")

    # -- rows -------------------------------------------------------------------------------
    def _values(self, row: dict) -> list[str]:
        vals = [row.get(c, "") for c in self.order]
        if self.null_literal:
            vals = [v if v != "" else "NULL" for v in vals]
        return vals

    def _emit(self, vals: Sequence[str]) -> int:
        q = self._q
        self.stream.write(",".join([q(v) for v in vals]) + "\r\n")
        self.records += 1
        return self.records

    def write(self, row: dict) -> int:
        """Write one good row; return its record number. May follow it with an injected bad copy."""
        rec = self._emit(self._values(row))
        rng = self._rng
        if rng is not None:
            n = self.records - 1
            if rng.random() < FIELD_COUNT_RATE or (self._n_fc == 0 and n >= self._force_fc):
                self.write_field_count(row, rng)
            elif rng.random() < MISSING_KEY_RATE or (self._n_mk == 0 and n >= self._force_mk):
                self.write_missing_key(row, rng)
        return rec

    def write_field_count(self, row: dict, rng: random.Random) -> int:
        vals = self._values(row)
        if rng.random() < 0.5:
            del vals[rng.randrange(len(vals))]
        else:
            vals.insert(rng.randrange(len(vals) + 1), "")
        rec = self._emit(vals)
        self.rejected.append((rec, "field_count"))
        self._n_fc += 1
        return rec

    def write_missing_key(self, row: dict, rng: random.Random) -> int:
        bad = dict(row)
        bad[self.key[rng.randrange(len(self.key))]] = "NULL" if rng.random() < 0.3 else ""
        vals = [row_v for row_v in (bad.get(c, "") for c in self.order)]
        if self.null_literal:
            vals = [v if v != "" else "NULL" for v in vals]
        rec = self._emit(vals)
        self.rejected.append((rec, "missing_key"))
        self._n_mk += 1
        return rec

    @property
    def data_records(self) -> int:
        return self.records - 1

    def truth(self) -> dict:
        rej = sorted(self.rejected)
        return {
            "encoding": self.encoding,
            "data_records": self.data_records,
            "rejected": [{"record": r, "reason": why} for r, why in rej],
            "loaded_records": self.data_records - len(rej),
            "columns": list(self.order),
            "header_style": self.header_style,
            "date_format": self.date_format,
            "escape": self.escape,
            "null_literal": self.null_literal,
        }


def open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    return open(path, "w", encoding=encoding, newline="", buffering=1 << 20)


class ZipMember:
    """A text stream written straight into a one-member zip with a fixed timestamp (byte-identical reruns)."""

    def __init__(self, path: Path, member: str, encoding: str = "utf-8", large: bool = False):
        self.zf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        info = zipfile.ZipInfo(member, date_time=ZIP_DATE_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o644 << 16
        self.raw = self.zf.open(info, "w", force_zip64=large)
        self.text = io.TextIOWrapper(self.raw, encoding=encoding, newline="", write_through=False)

    def close(self) -> None:
        self.text.flush()
        self.text.close()
        self.zf.close()

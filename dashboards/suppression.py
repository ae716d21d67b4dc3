"""Small groups stay hidden, and stay hidden under arithmetic.

Primary suppression hides a group of fewer than MIN_GROUP students and any count of 1 to 9
students. That alone is not enough: a hidden cell next to a total, a rate, or the other cells of
its row is recovered by subtraction or multiplication. So:

* a rate is shown only when its numerator and its denominator are shown (35% of 20 is 7);
* every count column whose total is known (a metric on the page, another breakdown of the same
  students) gets complementary suppression: within each group of cells that add up to a known
  total, more cells are hidden until no hidden cell can be worked out from the total and the
  shown cells, the bounds a reader can infer (a "<10" cell holds 1 to 9, a "*" cell 10 or more)
  included;
* categories of rare events are merged into "Other" rather than listed (a row named SUBSTANCE
  discloses an event whatever its count says).

That holds within one table. The counts that several filters show (the grade table of all schools,
and of school A) are protected together in dashboards.lattice, with the same labels.

A hidden cell is NaN in the frame; ``df.attrs['hidden']`` says which cells are hidden and why
("primary", "row" and "secondary_small": shown as "<10"; "secondary": shown as "*"), ``df.attrs['partitions']`` which columns add
up to a known total (and within which group), ``df.attrs['rates']`` which columns are rates of which.
The pages, the CSV downloads and the tests all read the same frame.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np
import pandas as pd

MIN_GROUP = 10
# Why a cell is hidden, and what a reader can still infer about it: a count of 1 to 9; any number
# of a group of fewer than MIN_GROUP students (0 to 9); a cell hidden so others cannot be worked
# out (10 or more: every smaller non-zero count is hidden already).
# (A statistic of a small group, such as its incidents, can be any size: ROW_VALUE.)
# When nothing else protects a cell, a 0 is hidden as "<10" too (dashboards.lattice): SECONDARY_SMALL.
PRIMARY, ROW, ROW_VALUE, SECONDARY = "primary", "row", "row_value", "secondary"
SECONDARY_SMALL = "secondary_small"
LABELS = {PRIMARY: f"<{MIN_GROUP}", ROW: f"<{MIN_GROUP}", ROW_VALUE: f"<{MIN_GROUP}", SECONDARY: "*",
          SECONDARY_SMALL: f"<{MIN_GROUP}"}
BOUNDS = {PRIMARY: (1, MIN_GROUP - 1), ROW: (0, MIN_GROUP - 1), ROW_VALUE: (0, math.inf),
          SECONDARY: (MIN_GROUP, math.inf), SECONDARY_SMALL: (0, MIN_GROUP - 1)}

_enabled = [True]


def enabled() -> bool:
    return _enabled[0]


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """The true numbers, for tests that check what suppression hides (never used by the pages)."""
    _enabled[0] = False
    try:
        yield
    finally:
        _enabled[0] = True


def protect(df: pd.DataFrame, *, n: str | None = None, counts: tuple[str, ...] = (), values: tuple[str, ...] = (),
            rates: dict[str, tuple[str, str]] | None = None, partitions: tuple[str, ...] = (),
            group: str | None = None, public: tuple[str, ...] = ()) -> pd.DataFrame:
    """Suppress ``df`` in place of showing it.

    n: the row's group size (students); below MIN_GROUP the row's numbers are all hidden.
    counts: columns counting students (1 to 9 hidden even in a large group; 0 shown).
    values: statistics of the row's students (medians, attendance rate): hidden with its group.
    rates: rate column → (numerator, denominator) columns; hidden unless both are shown.
    partitions: count columns whose total is known: complementary suppression, within ``group``
    (a column naming the group each row belongs to) or over all rows.
    public: partitions whose total the page shows exactly (a metric over a named list): a cell that
    total pins whatever else is hidden (the only row, say) is shown, since hiding it hides nothing.
    """
    rates = rates or {}
    out = df.copy().reset_index(drop=True)
    numeric = [c for c in (n, *counts, *values, *rates) if c]
    for c in numeric:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    hidden: dict[tuple[int, str], str] = {}
    if _enabled[0]:
        _primary(out, n, counts, values, rates, hidden)
        for column in partitions:
            for rows in _groups(out, group):
                _complement(out, column, rows, hidden, column in public)
    out.attrs.update(hidden=hidden, partitions=[(c, group) for c in partitions], rates=dict(rates),
                     suppressed=numeric)
    apply_hidden(out)
    return out


def reorder(df: pd.DataFrame, order: list[int]) -> pd.DataFrame:
    """``df``'s rows in ``order``, its hidden cells following them."""
    out = df.iloc[order].reset_index(drop=True)
    new_row = {old: new for new, old in enumerate(order)}
    out.attrs = {**df.attrs, "hidden": {(new_row[i], c): k for (i, c), k in df.attrs["hidden"].items()}}
    return out


def hide_with_group(df: pd.DataFrame, n: str, values: tuple[str, ...]) -> None:
    """Statistics of a small group (its n hidden as primary) are hidden with it; call apply_hidden after."""
    hidden = df.attrs["hidden"]
    for i in range(len(df)):
        if hidden.get((i, n)) == PRIMARY:
            for c in values:
                hidden[(i, c)] = ROW_VALUE


def apply_hidden(df: pd.DataFrame) -> None:
    """After cells were added to ``df.attrs['hidden']``: rates follow their numerators and
    denominators, and hidden cells become NaN."""
    hidden = df.attrs["hidden"]
    _hide_rates(df, df.attrs["rates"], hidden)
    for (i, c) in hidden:
        df.at[i, c] = np.nan


def _primary(df: pd.DataFrame, n, counts, values, rates, hidden) -> None:
    for i in range(len(df)):
        size = df.at[i, n] if n else None
        if n and 0 < size < MIN_GROUP:
            hidden[(i, n)] = PRIMARY
            for c in (*counts, *values, *rates):
                if not _is_nan(df.at[i, c]):
                    hidden[(i, c)] = ROW if c in counts else ROW_VALUE
            continue
        for c in counts:
            v = df.at[i, c]
            if not _is_nan(v) and 0 < v < MIN_GROUP:
                hidden[(i, c)] = PRIMARY


def _groups(df: pd.DataFrame, group: str | None) -> list[list[int]]:
    if group is None:
        return [list(range(len(df)))]
    return [list(idx) for _, idx in df.groupby(group, sort=False).groups.items()]


def _complement(df: pd.DataFrame, column: str, rows: list[int], hidden: dict, public: bool) -> None:
    """Hide more cells of ``column`` among ``rows`` until no hidden one can be worked out from their
    (known) total: the smallest shown non-zero cell first. When nothing is left to hide and the total
    is public, the cells it pins are shown (they are on the page already, by subtraction)."""
    while True:
        cells = [(i, df.at[i, column]) for i in rows if not _is_nan(df.at[i, column])]
        kinds = {i: hidden.get((i, column)) for i, _ in cells}
        if not any(kinds.values()):
            return
        pinned = _pinned([(v, kinds[i]) for i, v in cells])
        if not pinned:
            return
        candidates = sorted((v, i) for i, v in cells if kinds[i] is None and v > 0)
        if candidates:
            hidden[(candidates[0][1], column)] = SECONDARY
        elif public:
            for k in pinned:
                del hidden[(cells[k][0], column)]
        else:
            return  # everything non-zero is hidden already: the total alone reveals no single cell


def recoverable(cells: list[tuple[float, str | None]]) -> bool:
    """Whether any hidden cell of a group with a known total is pinned to one value by the shown
    cells and the bounds of the hidden ones (interval reasoning on sum = total)."""
    return bool(_pinned(cells))


def _pinned(cells: list[tuple[float, str | None]]) -> list[int]:
    """The positions of the hidden cells that the total, the shown cells and the bounds pin."""
    total = sum(v for v, _ in cells)
    hidden_at = [k for k, (_, kind) in enumerate(cells) if kind]
    unknown = [BOUNDS[cells[k][1]] for k in hidden_at]
    rest = total - sum(v for v, kind in cells if not kind)
    pinned = []
    for j, (lo, hi) in enumerate(unknown):
        others_lo = sum(b[0] for m, b in enumerate(unknown) if m != j)
        others_hi = sum(b[1] for m, b in enumerate(unknown) if m != j)
        low, high = max(lo, rest - others_hi), min(hi, rest - others_lo)
        if low == high:
            pinned.append(hidden_at[j])
    return pinned


def _hide_rates(df: pd.DataFrame, rates: dict[str, tuple[str, str]], hidden: dict) -> None:
    for rate, (num, den) in rates.items():
        for i in range(len(df)):
            if (i, num) in hidden or (i, den) in hidden:
                hidden.setdefault((i, rate), hidden.get((i, num)) or hidden.get((i, den)))


def _is_nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def label(df: pd.DataFrame, i: int, column: str) -> str | None:
    """The text a hidden cell shows ("<10" or "*"), or None when it is shown."""
    kind = df.attrs.get("hidden", {}).get((i, column))
    return LABELS[kind] if kind else None


def group_rare(events: pd.DataFrame, category: str, student: str = "student_id", other: str = "Other") -> pd.Series:
    """Each event's category, with categories of fewer than MIN_GROUP students merged into ``other``
    (a rare category's mere name would disclose the event)."""
    students = events.groupby(category)[student].nunique()
    rare = set(students[students < MIN_GROUP].index)
    return events[category].where(~events[category].isin(rare), other)

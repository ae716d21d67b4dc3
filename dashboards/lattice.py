"""Suppression that holds across filters: one decision per viewer for every number any filter shows.

Every count the overview, attendance and assessments pages show, under any combination of the
sidebar filters, is a cell of one table and its margins: the viewer's students by school × grade ×
subgroup (× STAR band), where a margin sums a dimension away ("all schools"). Protecting each page on
its own is not enough: the grade table of all schools minus the grade table of school A is the grade
table of school B, so a "<10" there would come back by subtraction between two downloads.

So the hidden cells are chosen once, on the whole table with all its margins, by the hypercube
method (the GHMITER heuristic that statistical offices use for linked tables): each sensitive cell
(a count of 1 to 9, or any count of a group of fewer than 10 students) becomes one corner of a box
whose other corners are hidden too, with the box chosen so that adding 1 to its corners in turn
(+1, −1, ...) changes no shown number and keeps every hidden one within what its label says ("<10":
1 to 9, or 0 to 9 for a small group's counts; "*": 10 or more). A reader then always has two values
for each sensitive cell, whatever equations they write between the numbers of every page and filter.
Among the boxes that work, the one hiding the fewest new cells is taken.

The size of the work is the size of this table (schools × grades × subgroups, a few thousand cells
for a district), whatever the number of students; it is computed once per viewer and cached.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboards.suppression import BOUNDS, MIN_GROUP, PRIMARY, ROW, SECONDARY, apply_hidden, enabled

ALL = None  # the margin of a dimension: every category summed
TRIES = 4  # candidate categories per dimension for a box's other side (the fullest neighbours)


@dataclass
class Lattice:
    """Counts by every combination of ``dims`` (a category, or ALL for the margin), with the cells
    that must be hidden and why."""

    dims: list[str]
    categories: list[list]
    values: dict[str, np.ndarray]  # measure → array over categories + 1 (the last index: ALL)
    kinds: dict[str, np.ndarray]   # measure → '' (shown) or a suppression kind

    def index(self, key: dict) -> tuple[int, ...]:
        """Array position of a cell: ``key`` maps a dimension to its category; a dimension left out
        is summed away."""
        out = []
        for dim, cats in zip(self.dims, self.categories):
            value = key.get(dim, ALL)
            out.append(len(cats) if value is ALL else cats.index(value))
        return tuple(out)

    def cell(self, measure: str, key: dict) -> tuple[float, str | None]:
        """(value, hidden kind or None)."""
        try:
            pos = self.index(key)
        except ValueError:  # a category outside the viewer's students: none of them
            return 0.0, None
        kind = self.kinds[measure][pos]
        return float(self.values[measure][pos]), (str(kind) or None)

    def frame(self, measures: list[str], fixed: dict, by: str | list[str] | None) -> pd.DataFrame:
        """The cells a page shows: with ``fixed`` filters, one row per category (or combination of
        categories) of ``by`` that has students, or one row, the total, when ``by`` is None.
        attrs['hidden'] as suppression.protect."""
        dims = [by] if isinstance(by, str) else list(by or [])
        choices = [[fixed[d]] if d in fixed else self.categories[self.dims.index(d)] for d in dims]
        rows, hidden = [], {}
        first = measures[0]
        for combo in itertools.product(*choices):
            key = {**fixed, **dict(zip(dims, combo))}
            if dims and self.cell(first, key)[0] == 0:
                continue
            row = dict(zip(dims, combo))
            for m in measures:
                value, kind = self.cell(m, key)
                row[m] = value
                if kind:
                    hidden[(len(rows), m)] = kind
            rows.append(row)
        df = pd.DataFrame(rows, columns=dims + measures)
        for m in measures:
            df[m] = df[m].astype(float)
        df.attrs.update(hidden=hidden, suppressed=list(measures), rates={}, partitions=[])
        apply_hidden(df)
        return df


def build(inner: pd.DataFrame, dims: list[str], n: str, counts: list[str], plain: tuple[str, ...] = ()) -> Lattice:
    """The lattice of ``inner`` (one row per combination of ``dims`` with its measures), protected.

    n: the measure counting the group's students; counts: measures counting some of those students
    (hidden when 1 to 9, and with their group when it is small); plain: sums shown as they are (the
    caller decides what they may show)."""
    categories = [sorted(inner[d].dropna().unique().tolist(), key=str) for d in dims]
    shape = tuple(len(c) + 1 for c in categories)
    values = {}
    for m in [n, *counts, *plain]:
        arr = np.zeros(shape)
        if len(inner):
            idx = tuple(inner[d].map({c: i for i, c in enumerate(cats)}).to_numpy() for d, cats in zip(dims, categories))
            np.add.at(arr, idx, inner[m].astype(float).to_numpy())
        for axis in range(len(dims)):  # each margin: the sum over that axis, at its last index
            sl = [slice(None)] * len(dims)
            sl[axis] = slice(0, shape[axis] - 1)
            total = arr[tuple(sl)].sum(axis=axis, keepdims=True)
            sl[axis] = slice(shape[axis] - 1, shape[axis])
            arr[tuple(sl)] = total
        values[m] = arr
    kinds = {m: np.full(shape, "", dtype=object) for m in values}
    if enabled():
        size = values[n]
        small = (size > 0) & (size < MIN_GROUP)
        kinds[n][small] = PRIMARY
        _protect(values[n], kinds[n])
        for m in counts:
            k = kinds[m]
            k[(values[m] > 0) & (values[m] < MIN_GROUP)] = PRIMARY
            k[small] = ROW
            _protect(values[m], k)
    return Lattice(dims, categories, values, kinds)


def _protect(values: np.ndarray, kinds: np.ndarray) -> None:
    """Hide box corners until every sensitive cell has a box it can move along (in place)."""
    d = values.ndim
    last = [s - 1 for s in values.shape]
    # What a reader may assume of each cell if it is (or becomes) hidden: a shown cell would join a
    # box as "*", which only a count of 10 or more can say truthfully.
    low = np.full(values.shape, float(MIN_GROUP))
    high = np.full(values.shape, np.inf)
    for kind, (lo, hi) in BOUNDS.items():
        low[kinds == kind], high[kinds == kind] = lo, hi
    shown = kinds == ""
    sensitive = [tuple(p) for p in np.argwhere(~shown)]
    # Largest first: its box is likely to cover the smaller ones that share its corners.
    sensitive.sort(key=lambda p: -values[p])
    protected = np.zeros(values.shape, dtype=bool)
    for cell in sensitive:
        if protected[cell]:
            continue  # a corner of a box already found: that same move leaves it two values
        # Per dimension the two coordinates of the box and the sign of the second: a fixed category
        # moves against another category (+1 at one, -1 at the other); a margin moves with one of its
        # categories (+1 at both: the margin is their sum).
        # Only categories whose neighbour of the cell (the cell with that one coordinate changed) is
        # not empty can be corners, and the fullest are the likeliest to move: the TRIES fullest.
        choices = []
        for k in range(d):
            ranked = _fullest_neighbours(values, cell, k)
            if cell[k] == last[k]:
                choices.append([(a, last[k], 1) for a in ranked])
            else:
                choices.append([(cell[k], a, -1) for a in ranked])
        best = None if any(not c for c in choices) else _best_box(values, shown, low, high, choices)
        if best is None:
            # Nested categories (grades that only one school has) leave no box: move each corner of
            # the fixed dimensions along a category of its own.
            best = _best_path(values, shown, low, high, cell)
        if best is None:
            continue  # nothing works (tests/test_dashboards.py's reader reports what is then recoverable)
        for corner in best:
            protected[corner] = True
            if shown[corner]:
                kinds[corner], shown[corner] = SECONDARY, False
                low[corner], high[corner] = BOUNDS[SECONDARY]


def _fullest_neighbours(values: np.ndarray, cell: tuple[int, ...], k: int) -> list[int]:
    """The TRIES categories of dimension k (not the cell's own) whose neighbour of the cell (the cell
    with that one coordinate changed) holds the most; empty neighbours cannot be corners."""
    line = list(cell)
    line[k] = slice(0, values.shape[k] - 1)
    sizes = values[tuple(line)].copy()
    if cell[k] < len(sizes):
        sizes[cell[k]] = 0
    order = np.argsort(-sizes, kind="stable")[:TRIES]
    return [int(a) for a in order if sizes[a] > 0]


def _best_box(values, shown, low, high, choices: list[list[tuple[int, int, int]]]):
    """The box (its corners) that hides the fewest new cells and can move by +1 or by -1; None if none."""
    d = len(choices)
    grids = np.meshgrid(*[np.arange(len(c)) for c in choices], indexing="ij")
    coords = [[np.array([c[j] for c in ch])[grids[k]] for j in (0, 1)] for k, ch in enumerate(choices)]
    signs = [np.array([c[2] for c in ch])[grids[k]] for k, ch in enumerate(choices)]
    cost = np.zeros(grids[0].shape)
    up = np.ones(grids[0].shape, dtype=bool)
    down = np.ones(grids[0].shape, dtype=bool)
    for pick in itertools.product((0, 1), repeat=d):
        pos = tuple(coords[k][pick[k]] for k in range(d))
        sign = np.ones(grids[0].shape)
        for k in range(d):
            if pick[k]:
                sign = sign * signs[k]
        v, lo, hi = values[pos], low[pos], high[pos]
        cost += shown[pos]
        up &= (v + sign >= lo) & (v + sign <= hi)
        down &= (v - sign >= lo) & (v - sign <= hi)
    cost = np.where(up | down, cost, np.inf)
    if not np.isfinite(cost).any():
        return None
    at = np.unravel_index(int(np.argmin(cost)), cost.shape)
    return [tuple(int(choices[k][at[k]][pick[k]]) for k in range(d)) for pick in itertools.product((0, 1), repeat=d)]


def _best_path(values, shown, low, high, cell: tuple[int, ...]):
    """Like a box, but each corner of the fixed dimensions takes its own category in the summed ones
    (the grade a school has): every lattice cell the move changes is hidden, and the move by +1 or -1
    must keep each within its bounds. The cells to hide, fewest new first; None if nothing works."""
    d = values.ndim
    last = [n - 1 for n in values.shape]
    fixed = [k for k in range(d) if cell[k] != last[k]]
    summed = [k for k in range(d) if cell[k] == last[k]]
    inner_block = values[tuple(slice(0, n - 1) for n in values.shape)]
    # For each combination of fixed coordinates: its fullest inner cell (the summed coordinates).
    if summed:
        moved = np.moveaxis(inner_block, summed, list(range(d - len(summed), d)))
        flat = moved.reshape(*moved.shape[:d - len(summed)], -1)
        fullest = np.unravel_index(flat.argmax(axis=-1), moved.shape[d - len(summed):])
    alternatives = [_fullest_neighbours(values, cell, k)[:2] for k in fixed]  # 2: this search is in Python
    if any(not a for a in alternatives):
        return None
    best, best_cost = None, np.inf
    for alts in itertools.product(*alternatives):
        delta: dict[tuple[int, ...], int] = {}
        for pick in itertools.product((0, 1), repeat=len(fixed)):
            x = list(cell)
            sign = 1
            for j, k in enumerate(fixed):
                if pick[j]:
                    x[k], sign = alts[j], -sign
            if summed:
                at = tuple(x[k] for k in fixed)
                for j, k in enumerate(summed):
                    x[k] = int(fullest[j][at])
            delta[tuple(x)] = delta.get(tuple(x), 0) + sign
        effect: dict[tuple[int, ...], int] = {}
        for x, sign in delta.items():
            for y in _ancestors(x, last):
                effect[y] = effect.get(y, 0) + sign
        changed = [y for y, e in effect.items() if e]
        if cell not in changed:
            continue
        for direction in (1, -1):
            if all(low[y] <= values[y] + direction * effect[y] <= high[y] for y in changed):
                cost = sum(bool(shown[y]) for y in changed)
                if cost < best_cost:
                    best, best_cost = changed, cost
                break
        if best_cost == 0:
            break
    return best


def _ancestors(x: tuple[int, ...], last: list[int]) -> list[tuple[int, ...]]:
    """The lattice cells that sum ``x``: itself and every margin over any of its dimensions."""
    out = [()]
    for k, v in enumerate(x):
        out = [(*y, c) for y in out for c in (v, last[k])]
    return out

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
Among the boxes that work, the one hiding the least is taken, a margin costing more than a whole
box of the cells under it (a grade's total is what a district reads first); the viewer's grand
total (a teacher's class size) is never hidden to protect another cell.

The size of the work is the size of this table (schools × grades × subgroups, a few thousand cells
for a district), whatever the number of students; it is computed once per viewer and cached.

Each box (or path) is kept with the lattice (``Lattice.moves``), so the next night's lattice of the
same viewer is repaired rather than chosen again (``build(previous=...)``): a school day changes a few
of the 130,000 boxes of a state's district lattice, and choosing them all again took 8 s. A kept box is
taken again only when the cell it was found for is still sensitive and the box still moves within
every corner's bounds on tonight's numbers, so every sensitive cell has a box that works, as when
chosen afresh; the cells it no longer protects come out, and only the rest are chosen anew. Kept
boxes are not always the ones a fresh choice would make, so after MAX_REPAIRS nights of repairs the
cells are chosen afresh.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from dashboards.suppression import (BOUNDS, MIN_GROUP, PRIMARY, ROW, SECONDARY, SECONDARY_SMALL, apply_hidden,
                                    enabled)

ALL = None  # the margin of a dimension: every category summed
TRIES = 4  # candidate categories per dimension for a box's other side (the fullest neighbours)
# Repaired nights in a row before the cells are chosen afresh. A repair keeps boxes a fresh choice
# would no longer make, so what it hides creeps up: +5 % in 40 nights, +8 to 13 % in 120, on a
# district whose counts moved every night (tests/test_suppression.py); a week keeps it to a few %.
MAX_REPAIRS = 6


@dataclass
class Lattice:
    """Counts by every combination of ``dims`` (a category, or ALL for the margin), with the cells
    that must be hidden and why."""

    dims: list[str]
    categories: list[list]
    values: dict[str, np.ndarray]  # measure → array over categories + 1 (the last index: ALL)
    kinds: dict[str, np.ndarray]   # measure → '' (shown) or a suppression kind
    moves: dict[str, Moves] = field(default_factory=dict)  # measure → the boxes that protect it
    repairs: int = 0  # nights repaired in a row since its cells were chosen afresh

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
        categories) of ``by`` that has students (or whose none is hidden), or one row, the total, when
        ``by`` is None.
        attrs['hidden'] as suppression.protect."""
        dims = [by] if isinstance(by, str) else list(by or [])
        choices = [[fixed[d]] if d in fixed else self.categories[self.dims.index(d)] for d in dims]
        rows, hidden = [], {}
        first = measures[0]
        for combo in itertools.product(*choices):
            key = {**fixed, **dict(zip(dims, combo))}
            if dims and self.cell(first, key) == (0.0, None):
                continue  # no students: no row (an empty group hidden as "<10" keeps its row)
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


@dataclass
class Moves:
    """Boxes and paths, each found for one sensitive cell (its owner): the cells a move changes and by
    how much (+1/-1 at a box's corners), as flat indices into the lattice's arrays. Move i is
    cells[starts[i]:starts[i + 1]]."""

    owners: np.ndarray
    starts: np.ndarray
    cells: np.ndarray
    effects: np.ndarray

    @classmethod
    def of(cls, shape: tuple[int, ...], found: list[tuple[tuple, np.ndarray, np.ndarray]],
           reused: Moves | None = None) -> Moves:
        """``reused``, then the moves found now, each (its cell as a position, its cells' flat
        positions, their effects)."""
        lengths = np.array([len(c) for _, c, _ in found], dtype=np.int64)
        cells = np.concatenate([c for _, c, _ in found]).astype(np.int64) if found else np.zeros(0, np.int64)
        owners = (np.ravel_multi_index(tuple(np.array([o for o, _, _ in found], dtype=np.int64).T), shape) if found
                  else np.zeros(0, np.int64))
        effects = np.concatenate([np.asarray(e) for _, _, e in found]) if found else np.zeros(0)
        new = cls(owners, np.concatenate([[0], np.cumsum(lengths)]), cells, effects.astype(np.int8))
        if reused is None:
            return new
        return cls(np.concatenate([reused.owners, new.owners]),
                   np.concatenate([reused.starts, reused.starts[-1] + new.starts[1:]]),
                   np.concatenate([reused.cells, new.cells]), np.concatenate([reused.effects, new.effects]))

    def __len__(self) -> int:
        return len(self.owners)


def build(inner: pd.DataFrame, dims: list[str], n: str, counts: list[str], plain: tuple[str, ...] = (),
          previous: Lattice | None = None) -> Lattice:
    """The lattice of ``inner`` (one row per combination of ``dims`` with its measures), protected.

    n: the measure counting the group's students; counts: measures counting some of those students
    (hidden when 1 to 9, and with their group when it is small); plain: sums shown as they are (the
    caller decides what they may show). previous: the same viewer's lattice of an earlier night,
    whose boxes are taken again where they still work (ignored unless it has the same categories, and
    after MAX_REPAIRS repairs in a row)."""
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
    moves: dict[str, Moves] = {}
    repairs = 0
    if enabled():
        repairable = (previous is not None and (previous.dims, previous.categories) == (dims, categories)
                      and previous.repairs < MAX_REPAIRS)
        kept = previous.moves if repairable else {}
        repairs = previous.repairs + 1 if repairable else 0
        size = values[n]
        small = (size > 0) & (size < MIN_GROUP)
        kinds[n][small] = PRIMARY
        moves[n] = _protect(values[n], kinds[n], empty_groups=True, kept=kept.get(n))
        for m in counts:
            k = kinds[m]
            k[(values[m] > 0) & (values[m] < MIN_GROUP)] = PRIMARY
            k[small] = ROW
            moves[m] = _protect(values[m], k, kept=kept.get(m))
    return Lattice(dims, categories, values, kinds, moves, repairs)


def _protect(values: np.ndarray, kinds: np.ndarray, empty_groups: bool = False, kept: Moves | None = None) -> Moves:
    """Hide box corners until every sensitive cell has a box it can move along (in place); the boxes.
    ``empty_groups``: ``values`` are group sizes, whose 0s may be hidden as a last resort.
    ``kept``: an earlier night's boxes, taken again where they still work."""
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
    # The values never change here (only what is hidden does): what is fullest is found once, not
    # per cell (per cell it made a state's lattice quadratic in its schools).
    neighbours = _Neighbours(values)
    fullest: dict[tuple[int, ...], tuple] = {}
    # What hiding a shown cell costs: a margin more than a whole box of cells one level below it (a
    # grade's total is what a district reads first). The grand total, the viewer's number of students
    # (a teacher's class), is never a corner: a cell whose only box needs it goes without, as one
    # nothing protects (the test readers check that such cells still have two values).
    level = sum(np.arange(n).reshape([-1 if k == j else 1 for j in range(d)]) == n - 1
                for k, n in enumerate(values.shape))
    price = float(2 ** d) ** level
    price[tuple(last)] = np.inf
    found: list[tuple[tuple, np.ndarray, np.ndarray]] = []  # (cell, cells, effects) of each move found
    # The same arrays by flat position, as moves name their cells (views: every one is C-ordered).
    flat = SimpleNamespace(values=values.ravel(), kinds=kinds.ravel(), shown=shown.ravel(),
                           protected=protected.ravel(), low=low.ravel(), high=high.ravel())
    reused = None
    if kept is not None and len(kept):
        # Every kept move that still works, hidden at once (what each corner's kind is follows from
        # its own value, whatever else is hidden, so the moves are judged each on its own).
        reused = _still_working(values, shown, low, high, price, kept, empty_groups)
        _hide(flat, reused.cells)

    def cover(cell: tuple[int, ...], zeros: bool = False) -> bool:
        """Hide the corners of the cheapest box (or path) that moves ``cell``; False if none does.
        ``zeros``: a shown 0 may be a corner, hidden as "<10" (the last resort)."""
        # Per dimension the two coordinates of the box and the sign of the second: a fixed category
        # moves against another category (+1 at one, -1 at the other), or with its margin (+1 at
        # both: the margin is the sum of its categories); a margin moves with one of its categories.
        # Only categories whose neighbour of the cell (the cell with that one coordinate changed) is
        # not empty can be corners, and the fullest are the likeliest to move: the TRIES fullest,
        # then the margin. Without the margin a category no other has (the grade only one school
        # teaches) had no box; the path that replaced it hid every margin it touched, or failed and
        # left the cell to be worked out (a school's only 9th grader, and their race, in the demo).
        choices = []
        for k in range(d):
            ranked = neighbours(cell, k)
            if cell[k] == last[k]:
                choices.append([(a, last[k], 1) for a in ranked])
            else:
                choices.append([(cell[k], a, -1) for a in ranked] + [(cell[k], last[k], 1)])
        lo, hi = low, high
        if zeros:
            lo, hi = low.copy(), high.copy()
            lo[shown & (values == 0)], hi[shown & (values == 0)] = BOUNDS[SECONDARY_SMALL]
        best = None if any(not c for c in choices) else _best_box(values, shown, lo, hi, choices, price)
        if best is None and not zeros:
            # No category at all along a margin of the cell, or every box would push a cell out of
            # its label's bounds: move each corner of the fixed dimensions along a category of its own.
            best = _best_path(values, shown, low, high, cell, neighbours, fullest, price)
        if best is None:
            return False
        cells, effects = best
        _hide(flat, cells)
        found.append((cell, cells, effects))
        return True

    # A corner of a box already found is skipped: that same move leaves it two values.
    waiting = [cell for cell in sensitive if not protected[cell] and not cover(cell)]
    # A cell with no box at first may have one once the other cells' boxes are hidden: a hidden cell
    # costs nothing and moves within its label's bounds ("*": any count of 10 or more).
    waiting = [cell for cell in waiting if not protected[cell] and not cover(cell)]
    # Still nothing: in a sparse table (a counselor's students by school × grade × race × STAR band)
    # every box may need an empty group. Hiding its 0 as "<10" is true, and then it can move. Most
    # such cells are not recoverable anyway (which are is a linear program, too slow to solve per
    # cell), so only group sizes take this step: the 0s of counts (no English learners among a
    # district's Native Hawaiian students) hid half the subgroup table when they did.
    for cell in waiting if empty_groups else ():
        if not protected[cell]:
            cover(cell, zeros=True)  # if even this fails, tests/suppression_attack.py's readers say so
    return Moves.of(values.shape, found, reused)


def _hide(flat: SimpleNamespace, cells: np.ndarray) -> None:
    """Mark the corners of moves (flat positions) protected, and hide those still shown: a count as
    "*", a 0 as "<10", each with its label's bounds (what a reader may assume of it from now on)."""
    flat.protected[cells] = True
    newly = cells[flat.shown[cells]]
    if not len(newly):
        return
    counts = flat.values[newly] != 0
    flat.kinds[newly] = np.where(counts, SECONDARY, SECONDARY_SMALL)
    flat.shown[newly] = False
    flat.low[newly] = np.where(counts, BOUNDS[SECONDARY][0], BOUNDS[SECONDARY_SMALL][0])
    flat.high[newly] = np.where(counts, BOUNDS[SECONDARY][1], BOUNDS[SECONDARY_SMALL][1])


def _still_working(values, shown, low, high, weight, kept: Moves, empty_groups: bool) -> Moves:
    """The kept moves whose cell is still sensitive and that still move by +1 or -1 within every
    cell's bounds on these numbers, each cell bounded as it would be once hidden: its own kind's
    bounds if hidden already, "*" (10 or more) if shown, and a shown 0 only as the last resort of
    group sizes ("<10"), as when the move was chosen. A move that would hide a cell never hidden for
    another's sake (``weight`` infinite: the grand total, a corner last night while it was small) is
    not kept."""
    flat_shown, v = shown.ravel(), values.ravel()
    owners_sensitive = ~flat_shown[kept.owners]
    cells, effects = kept.cells, kept.effects.astype(float)
    move = np.repeat(np.arange(len(kept)), np.diff(kept.starts))
    lo, hi = low.ravel()[cells].copy(), high.ravel()[cells].copy()
    zero = flat_shown[cells] & (v[cells] == 0)
    if empty_groups:
        lo[zero], hi[zero] = BOUNDS[SECONDARY_SMALL]

    def any_per_move(cell_fails: np.ndarray) -> np.ndarray:
        return np.bincount(move, weights=cell_fails, minlength=len(kept)) > 0

    never = any_per_move(flat_shown[cells] & ~np.isfinite(weight.ravel()[cells]))
    up_fails = any_per_move(~((v[cells] + effects >= lo) & (v[cells] + effects <= hi)))
    down_fails = any_per_move(~((v[cells] - effects >= lo) & (v[cells] - effects <= hi)))
    works = owners_sensitive & ~never & ~(up_fails & down_fails)
    lengths = np.diff(kept.starts)[works]
    return Moves(kept.owners[works], np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                 cells[works[move]], kept.effects[works[move]])


class _Neighbours:
    """The TRIES categories of dimension k (not the cell's own) whose neighbour of a cell (the cell
    with that one coordinate changed) holds the most; empty neighbours cannot be corners. Ties go to
    the first category. Each axis is ranked once, so a cell's answer is a lookup."""

    def __init__(self, values: np.ndarray):
        self.values = values
        self.top = []
        for k in range(values.ndim):
            inner = values.take(np.arange(values.shape[k] - 1), axis=k)
            order = np.argsort(-inner, axis=k, kind="stable")
            self.top.append(order.take(np.arange(min(TRIES + 1, inner.shape[k])), axis=k))

    def __call__(self, cell: tuple[int, ...], k: int) -> list[int]:
        line = list(cell)
        line[k] = slice(None)
        out = []
        for a in self.top[k][tuple(line)].tolist():
            if a == cell[k]:
                continue
            if len(out) == TRIES:
                break
            line[k] = a
            if self.values[tuple(line)] > 0:
                out.append(a)
        return out


_PICKS: dict[int, np.ndarray] = {}


def _picks(d: int) -> np.ndarray:
    """Which of its two coordinates each corner of a box takes per dimension, in the order
    itertools.product((0, 1), repeat=d) gives them: (2**d, d)."""
    if d not in _PICKS:
        _PICKS[d] = np.array(list(itertools.product((0, 1), repeat=d)), dtype=np.intp).reshape(2 ** d, d)
    return _PICKS[d]


def _best_box(values, shown, low, high, choices: list[list[tuple[int, int, int]]], weight):
    """The box (its corners as flat positions, and the sign of each in the move) that hides the least
    (``weight`` of the newly hidden cells) and can move by +1 or by -1; None if none.

    Every candidate box (one choice per dimension) and each of its 2**d corners at once: arrays of
    shape (corners, *candidates), with the cheapest box the first of the least cost in C order."""
    d = len(choices)
    picks = _picks(d)
    # One flat index into the (C-ordered) arrays, read once per array: a quarter of a state's
    # lattice time went to broadcasting d index arrays for each of the four reads.
    at, sign = np.zeros((len(picks),) + (1,) * d, dtype=np.intp), np.ones((len(picks),) + (1,) * d)
    stride = 1
    for k in range(d - 1, -1, -1):
        ch = np.array(choices[k], dtype=np.intp)  # (candidates, 3): this end, the other end, its sign
        shape = [len(picks)] + [1] * d
        shape[k + 1] = len(ch)
        chosen = picks[:, k:k + 1] == 1
        at = at + (np.where(chosen, ch[:, 1], ch[:, 0]) * stride).reshape(shape)
        sign = sign * np.where(chosen, ch[:, 2].astype(float), 1.0).reshape(shape)
        stride *= values.shape[k]
    v, lo, hi = values.ravel()[at], low.ravel()[at], high.ravel()[at]
    cost = np.where(shown.ravel()[at], weight.ravel()[at], 0.0).sum(axis=0)
    up = ((v + sign >= lo) & (v + sign <= hi)).all(axis=0)
    down = ((v - sign >= lo) & (v - sign <= hi)).all(axis=0)
    cost = np.where(up | down, cost, np.inf)
    if not np.isfinite(cost).any():
        return None
    chosen = (slice(None), *np.unravel_index(int(np.argmin(cost)), cost.shape))
    return at[chosen].copy(), sign[chosen].copy()  # copies: a view would keep every candidate alive


def _best_path(values, shown, low, high, cell: tuple[int, ...], neighbours: _Neighbours,
               fullest_by: dict[tuple[int, ...], tuple], weight):
    """Like a box, but each corner of the fixed dimensions takes its own category in the summed ones
    (the grade a school has): every lattice cell the move changes is hidden, and the move by +1 or -1
    must keep each within its bounds. The cells to hide (flat positions), the cheapest (``weight``),
    and how the move changes each; None if nothing works.
    ``fullest_by``: per set of summed dimensions, each combination's fullest inner cell (filled here)."""
    d = values.ndim
    last = [n - 1 for n in values.shape]
    fixed = [k for k in range(d) if cell[k] != last[k]]
    summed = [k for k in range(d) if cell[k] == last[k]]
    # For each combination of fixed coordinates: its fullest inner cell (the summed coordinates).
    if summed and tuple(summed) not in fullest_by:
        inner_block = values[tuple(slice(0, n - 1) for n in values.shape)]
        moved = np.moveaxis(inner_block, summed, list(range(d - len(summed), d)))
        flat = moved.reshape(*moved.shape[:d - len(summed)], -1)
        fullest_by[tuple(summed)] = np.unravel_index(flat.argmax(axis=-1), moved.shape[d - len(summed):])
    fullest = fullest_by.get(tuple(summed))
    alternatives = [neighbours(cell, k)[:2] for k in fixed]  # 2: two per fixed dimension
    if any(not a for a in alternatives):
        return None
    # Every choice of alternatives (one per fixed dimension) at once: row r of each array below is
    # the r-th choice in itertools.product order, so the first of the cheapest is the same choice a
    # loop over them in that order would keep.
    chosen_alternatives = list(itertools.product(*alternatives))
    combos = np.array(chosen_alternatives, dtype=np.intp).reshape(len(chosen_alternatives), len(fixed))
    picks = _picks(len(fixed)).astype(bool)  # the move's corners: which fixed coordinates change
    corners = np.broadcast_to(np.array(cell, dtype=np.intp), (len(combos), len(picks), d)).copy()
    for j, k in enumerate(fixed):
        corners[:, :, k] = np.where(picks[None, :, j], combos[:, None, j], cell[k])
    if summed:
        at = tuple(corners[:, :, k] for k in fixed)
        for j, k in enumerate(summed):
            corners[:, :, k] = fullest[j][at]
    signs = np.where(picks.sum(axis=1) % 2, -1.0, 1.0)
    # What the move changes: each corner and every margin of it (2**d cells), summed per cell.
    margins = _picks(d).astype(bool)
    touched = np.where(margins[None, None], np.array(last, dtype=np.intp), corners[:, :, None, :])
    flat = np.ravel_multi_index(tuple(np.moveaxis(touched, -1, 0)), values.shape)  # (combos, corners, 2**d)
    keys, where = np.unique(flat.reshape(len(combos), -1) + values.size * np.arange(len(combos))[:, None],
                            return_inverse=True)
    effect = np.bincount(where.ravel(), weights=np.broadcast_to(signs[None, :, None], flat.shape).ravel())
    keep = effect != 0
    keys, effect = keys[keep], effect[keep]
    row, at_cell = keys // values.size, keys % values.size
    v, lo, hi = values.ravel()[at_cell], low.ravel()[at_cell], high.ravel()[at_cell]
    n = len(combos)
    up_fails = np.bincount(row, weights=~((v + effect >= lo) & (v + effect <= hi)), minlength=n) > 0
    down_fails = np.bincount(row, weights=~((v - effect >= lo) & (v - effect <= hi)), minlength=n) > 0
    moves_cell = np.bincount(row, weights=at_cell == np.ravel_multi_index(cell, values.shape), minlength=n) > 0
    cost = np.bincount(row, weights=np.where(shown.ravel()[at_cell], weight.ravel()[at_cell], 0.0), minlength=n)
    cost = np.where(moves_cell & ~(up_fails & down_fails), cost, np.inf)
    if not np.isfinite(cost).any():
        return None
    taken = row == int(np.argmin(cost))
    return at_cell[taken], effect[taken]

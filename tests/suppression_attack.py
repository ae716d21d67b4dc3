"""A reader who tries to work out the hidden numbers of a dashboard page from the ones it shows.

The reader knows how the page's numbers are made: every count on a page is a sum of cells of an
unseen table (students by school × grade × subgroup; incidents by location × time × weekday × code
× month; STAR students by grade × band). A shown number is an equation on those cells, a shown rate
an equation within its display rounding, a hidden number an inequality ("<10": 1 to 9, or 0 to 9
for a whole small group; "*": 10 or more). For each hidden number the reader solves two linear
programs (scipy's HiGHS): the least and the most it can be. When they meet, the number is recovered
(the most is not solved when the least is already a whole number below the true value).

The linear relaxation is the reader's best case over real numbers; if it cannot pin a cell, no
reasoning over integers that uses only these equations can either (it may narrow a cell without
pinning it, which this reader does not count).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import lil_matrix

from dashboards.suppression import BOUNDS


@dataclass
class Hidden:
    what: str
    cells: list[Hashable]
    truth: float


@dataclass
class Reader:
    """The unknown cells, what the page shows about them, and what it hides."""

    cells: dict[Hashable, int] = field(default_factory=dict)
    rows: list[tuple[list[int], float, float]] = field(default_factory=list)  # sum of cells in [lo, hi]
    hidden: list[Hidden] = field(default_factory=list)
    zeros: list[set[int]] = field(default_factory=list)  # cells of a shown 0

    def _index(self, cells: Iterable[Hashable]) -> list[int]:
        out = []
        for c in cells:
            if c not in self.cells:
                self.cells[c] = len(self.cells)
            out.append(self.cells[c])
        return out

    def shown(self, cells: Iterable[Hashable], value: float, give: float = 0.0) -> None:
        """The page shows the sum of these cells (within ``give`` when it is rounded)."""
        idx = self._index(cells)
        self.rows.append((idx, value - give, value + give))
        if value == 0 and give == 0:
            self.zeros.append(set(idx))

    def hides(self, what: str, cells: Iterable[Hashable], kind: str, truth: float) -> None:
        cells = list(cells)
        lo, hi = BOUNDS[kind]
        self.rows.append((self._index(cells), lo, hi))
        self.hidden.append(Hidden(what, cells, truth))

    def recovered(self) -> list[tuple[str, float, float, float]]:
        """The hidden numbers the reader pins down: (what, least, most, truth). Also checks that each
        truth lies within what the reader deduces (else the model of the page is wrong)."""
        if not self.hidden:
            return []
        n = len(self.cells)
        a = lil_matrix((2 * len(self.rows), n))
        b = np.zeros(2 * len(self.rows))
        for r, (idx, lo, hi) in enumerate(self.rows):
            for i in idx:
                a[2 * r, i] += 1.0
                a[2 * r + 1, i] -= 1.0
            b[2 * r] = hi if math.isfinite(hi) else 1e12
            b[2 * r + 1] = -lo
        a = a.tocsr()
        found = []
        solved: dict[frozenset, tuple[float, float]] = {}  # the same cells hidden on several pages
        for h in self.hidden:
            key = frozenset(self._index(h.cells))
            if key in solved:
                least, most = solved[key]
                assert least - 1e-6 <= h.truth <= most + 1e-6, (h.what, least, most, h.truth)
                continue
            c = np.zeros(n)
            for i in self._index(h.cells):
                c[i] += 1.0
            low = linprog(c, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
            assert low.status == 0, f"the page's numbers contradict each other ({h.what}): {low.message}"
            least = low.fun
            assert least - 1e-6 <= h.truth, (h.what, least, h.truth)
            if math.ceil(least - 1e-6) < math.floor(h.truth + 1e-6):
                # The least is a whole number below the truth, which is possible, so the least and the
                # most cannot meet: not pinned, whatever the most is (half the programs saved).
                solved[key] = (least, math.inf)
                continue
            high = linprog(-c, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
            most = -high.fun if high.status == 0 else math.inf
            solved[key] = (least, most)
            assert h.truth <= most + 1e-6, (h.what, least, most, h.truth)
            # A part of a shown 0 is 0: the page says so outright (zeros are shown, issue 11), so
            # that is not a hidden number recovered; nor is a sum of such parts (every grade-6 cell of
            # a subgroup is in one school's shown 0 or in a school without grade 6).
            said = most < 0.5 and set(self._index(h.cells)) <= set().union(*self.zeros)
            if math.ceil(least - 1e-6) >= math.floor(most + 1e-6) and not said:
                found.append((h.what, least, most, h.truth))
        return found


def lattice_reader(lat, measure: str) -> Reader:
    """A reader of every cell of a dashboards.lattice.Lattice at once (every combination of filters,
    every margin): each is the sum of its inner cells, shown or hidden as the lattice says."""
    values, kinds = lat.values[measure], lat.kinds[measure]
    last = [s - 1 for s in values.shape]
    reader = Reader()
    for pos in itertools.product(*(range(s) for s in values.shape)):
        inner = itertools.product(*(range(last[k]) if pos[k] == last[k] else (pos[k],) for k in range(len(pos))))
        if kinds[pos]:
            reader.hides(str(pos), inner, str(kinds[pos]), float(values[pos]))
        else:
            reader.shown(inner, float(values[pos]))
    return reader

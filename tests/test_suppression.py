"""dashboards.suppression on frames built by hand: the worked examples of issue 11, each of which
recovered a hidden number before, and the rules that keep a hidden cell hidden."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboards import suppression
from dashboards.suppression import PRIMARY, ROW, SECONDARY, protect, recoverable


def hidden(df: pd.DataFrame, column: str) -> list[bool]:
    return [math.isnan(v) for v in df[column]]


def test_small_groups_and_small_counts_are_hidden_and_zero_is_not():
    df = pd.DataFrame({"k": ["a", "b", "c"], "students": [9, 10, 40], "rate": [0.5, 0.2, 0.1], "count": [3, 0, 4]})
    out = protect(df, n="students", counts=("count",), values=("rate",))
    assert hidden(out, "students") == [True, False, False]
    assert hidden(out, "rate") == [True, False, False]
    assert hidden(out, "count") == [True, False, True]  # 0 stays, 1..9 goes
    assert out.attrs["hidden"][(0, "students")] == PRIMARY and out.attrs["hidden"][(0, "count")] == ROW


def test_a_rate_is_hidden_with_its_numerator():
    """'chronically absent <10' beside '20 students, 35.0%' gave 7."""
    df = pd.DataFrame({"students": [20.0], "chronic": [7.0], "chronic_rate": [0.35]})
    out = protect(df, n="students", counts=("chronic",), rates={"chronic_rate": ("chronic", "students")})
    assert math.isnan(out.chronic[0]) and math.isnan(out.chronic_rate[0]) and out.students[0] == 20


def test_one_hidden_cell_beside_a_known_total_takes_a_second_with_it():
    """STAR bands 50 + 16 + 14 + '<10' with grade total 85 gave 5."""
    df = pd.DataFrame({"grade": ["03"] * 4, "band": list("ABCD"), "students": [50.0, 16, 14, 5],
                       "grade_students": [85.0] * 4})
    out = protect(df, n="grade_students", counts=("students",), partitions=("students",), group="grade")
    assert hidden(out, "students") == [False, False, True, True]  # the smallest shown cell goes too
    assert out.attrs["hidden"][(2, "students")] == SECONDARY
    assert out.grade_students.tolist() == [85] * 4


def test_bounds_of_hidden_cells_are_used_as_a_reader_would():
    """230 − 94 − 135 = 1: with '<10' meaning 1 to 9 and '*' meaning 10 or more, a hidden pair whose
    sum is 10 leaves '<10' at most 0 in a '*' world: both must stay uncertain."""
    assert recoverable([(94.0, None), (135.0, None), (1.0, PRIMARY)])
    # 1..9 and 10+ summing to 11: the '<10' cell is pinned to 1.
    assert recoverable([(1.0, PRIMARY), (10.0, SECONDARY), (50.0, None)])
    assert not recoverable([(4.0, PRIMARY), (20.0, SECONDARY), (50.0, None)])
    df = pd.DataFrame({"grade": ["KG", "01", "02"], "students": [94.0, 135.0, 1.0]})
    out = protect(df, n="students", partitions=("students",))
    assert hidden(out, "students") == [True, False, True]
    assert not recoverable([(v, out.attrs["hidden"].get((i, "students"))) for i, v in enumerate(df.students)])


def test_rare_categories_are_grouped_not_named():
    """A row named SUBSTANCE discloses an event whatever its count says."""
    events = pd.DataFrame({"code": ["FIGHT"] * 12 + ["SUBSTANCE"] * 2 + ["THEFT"] * 3,
                           "student_id": [f"s{i}" for i in range(12)] + ["a", "b", "c", "d", "e"]})
    grouped = suppression.group_rare(events, "code")
    assert set(grouped) == {"FIGHT", "Other"}


def test_disabled_shows_the_truth_for_tests_only():
    df = pd.DataFrame({"students": [3.0]})
    with suppression.disabled():
        assert protect(df, n="students").students[0] == 3
    assert math.isnan(protect(df, n="students").students[0])


@pytest.mark.parametrize("values", [[1, 2, 3, 100], [5, 5, 40], [9, 12, 30, 31], [1, 1, 1, 1, 60]])
def test_no_hidden_cell_of_a_partition_can_be_worked_out_by_brute_force(values):
    """Every combination of values the reader's bounds allow that adds up to the total: a hidden
    cell is safe when at least two values remain possible for it."""
    df = pd.DataFrame({"students": [float(v) for v in values]})
    out = protect(df, n=None, counts=("students",), partitions=("students",))
    kinds = out.attrs["hidden"]
    total = sum(values)
    shown = sum(v for i, v in enumerate(values) if (i, "students") not in kinds)
    cells = [i for i in range(len(values)) if (i, "students") in kinds]
    ranges = [range(1, 10) if kinds[(i, "students")] == PRIMARY else range(10, total + 1) for i in cells]
    possible = {i: set() for i in cells}

    def walk(k, acc, chosen):
        if k == len(cells):
            if acc == total - shown:
                for i, v in zip(cells, chosen):
                    possible[i].add(v)
            return
        for v in ranges[k]:
            if acc + v <= total - shown:
                walk(k + 1, acc + v, [*chosen, v])

    walk(0, 0, [])
    for i in cells:
        assert values[i] in possible[i] and len(possible[i]) > 1, (values, i, possible[i])


def test_downloads_do_not_carry_spreadsheet_formulas():
    """A student's name or an incident note beginning with =, +, -, @ is text in the CSV, not a formula
    (OWASP CSV injection); numbers, negative ones included, stay numbers."""
    from dashboards import ui

    df = pd.DataFrame({"last_name": ["=HYPERLINK(\"http://x\",\"y\")", "+A1+A2", "-cmd|' /C calc'!A0", "@SUM(A1)",
                                     "\tTab", "O'Brien", "Smith-Jones"],
                       "median_change": ["-3.5", "12", "-1,200", "0.5%", "-", "", "7"]})
    out = ui.spreadsheet_safe(df)
    assert out.last_name.tolist()[:5] == ["'" + v for v in df.last_name[:5]]
    assert out.last_name.tolist()[5:] == ["O'Brien", "Smith-Jones"]
    assert out.median_change.tolist() == ["-3.5", "12", "-1,200", "0.5%", "'-", "", "7"]


@pytest.mark.parametrize("students", [[3.0], [3.0, 4.0], [2.0, 12.0, 30.0]])
def test_a_small_viewers_lattice_hides_every_count_of_its_small_groups(students):
    """A viewer with a handful of students: the grand total itself is a small group, so the lattice
    has to protect cells with no category of their own (no box; the path of margins)."""
    from dashboards import lattice

    inner = pd.DataFrame({"school": ["s1"] * len(students), "grade": [f"0{i + 1}" for i in range(len(students))],
                          "subgroup": ["x"] * len(students), "students": students,
                          "ell": [min(2.0, n) for n in students]})
    lat = lattice.build(inner, ["school", "grade", "subgroup"], "students", ["ell"])
    for i, n in enumerate(students):
        value, kind = lat.cell("students", {"school": "s1", "grade": f"0{i + 1}"})
        assert value == n and (kind is not None or n >= 10)  # a large one may go too, as a second cell
        assert lat.cell("ell", {"school": "s1", "grade": f"0{i + 1}"})[1] is not None  # 2 of a group: hidden
    total, kind = lat.cell("students", {})
    assert total == sum(students) and (kind is not None or sum(students) >= 10)


def _split_grades_district(seed: int) -> pd.DataFrame:
    """Students by school × grade × race with the grades split between schools (two elementary
    schools, a middle and a high school) and one 9th grader still at the middle school: a category
    (M, 09) whose only sibling is a school of another level. Counts of English learners and free or
    reduced lunch drawn per cell."""
    rng = np.random.default_rng(seed)
    grades = ["KG"] + [f"{g:02d}" for g in range(1, 13)]
    schools = {"E1": grades[:6], "E2": grades[:6], "M": grades[6:9] + ["09"], "H": grades[9:]}
    races = ["White", "Hispanic/Latino", "Black", "Asian", "Two or more races", "AIAN", "NHPI"]
    share = [0.42, 0.28, 0.12, 0.1, 0.05, 0.02, 0.01]
    rows = []
    for school, taught in schools.items():
        for grade in taught:
            n = 1 if (school, grade) == ("M", "09") else int(rng.integers(70, 160))
            for race, k in zip(races, rng.multinomial(n, share)):
                if k:
                    rows.append({"school": school, "grade": grade, "subgroup": race, "students": float(k),
                                 "ell": float(rng.binomial(k, 0.15)), "free_reduced": float(rng.binomial(k, 0.4))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 3])
def test_no_cell_of_a_district_with_grades_split_between_schools_can_be_worked_out(seed):
    """The strongest reader: every cell of the lattice at once (every combination of filters and
    margins). Before the box could pair a category with its margin, the middle school's only 9th
    grader had no box (no other school with a 9th grade of that race), and the reader worked out
    that there is one and what race, and on some draws that they are not an English learner."""
    from dashboards import lattice
    from tests.suppression_attack import lattice_reader

    inner = _split_grades_district(seed)
    lat = lattice.build(inner, ["school", "grade", "subgroup"], "students", ["ell", "free_reduced"])
    assert lat.cell("students", {"school": "M", "grade": "09"}) == (1.0, PRIMARY)
    for measure in ("students", "ell", "free_reduced"):
        assert lattice_reader(lat, measure).recovered() == [], measure
    # Margins cost the district's readers the most: the totals of schools and grades stay shown.
    shown = [lat.cell("students", {"school": s})[1] is None for s in ("E1", "E2", "M", "H")]
    shown += [lat.cell("students", {"grade": g})[1] is None for g in lat.categories[1]]
    assert sum(shown) >= len(shown) - 2, shown


def _next_night(inner: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The next school day's numbers: a few students move between groups, and a few become or stop
    being English learners or eligible for free or reduced lunch, so some counts cross 10 either way."""
    rng = np.random.default_rng(seed)
    out = inner.copy()
    for i in rng.choice(len(out), size=max(3, len(out) // 20), replace=False):
        step = float(rng.choice([-3, -1, 1, 2, 4]))
        out.loc[i, "students"] = max(1.0, out.loc[i, "students"] + step)
        for m in ("ell", "free_reduced"):
            out.loc[i, m] = float(min(out.loc[i, "students"], max(0.0, out.loc[i, m] + rng.choice([-2, -1, 0, 1, 3]))))
    return out


def _hidden_cells(lat) -> int:
    return sum(int((k != "").sum()) for k in lat.kinds.values())


@pytest.mark.parametrize("seed", [1, 3])
def test_a_lattice_repaired_night_after_night_protects_as_one_chosen_afresh(seed):
    """The nightly repairs a viewer's lattice from the night before (lattice.build(previous=...)).
    Over three school days: the strongest reader works out no cell, every count of 1 to 9 and every
    small group is hidden, most boxes are the night before's, and the repair hides about what a
    lattice chosen afresh hides (it does not pile up the boxes of cells that are no longer small)."""
    from dashboards import lattice
    from tests.suppression_attack import lattice_reader

    args = dict(dims=["school", "grade", "subgroup"], n="students", counts=["ell", "free_reduced"])
    inner = _split_grades_district(seed)
    last = lattice.build(inner, **args)
    # The same numbers again: exactly the lattice chosen afresh.
    again = lattice.build(inner, **args, previous=last)
    assert all((again.kinds[m] == last.kinds[m]).all() for m in last.kinds)
    for night in range(3):
        inner = _next_night(inner, seed * 10 + night)
        repaired, fresh = lattice.build(inner, **args, previous=last), lattice.build(inner, **args)
        assert (repaired.values["students"] == fresh.values["students"]).all()
        for m in ("students", "ell", "free_reduced"):
            values, kinds = repaired.values[m], repaired.kinds[m]
            assert (kinds[(values > 0) & (values < 10)] != "").all(), m
            assert (kinds[(repaired.values["students"] > 0) & (repaired.values["students"] < 10)] != "").all(), m
            assert lattice_reader(repaired, m).recovered() == [], (night, m)
            before = {(o, tuple(last.moves[m].cells[a:b])) for o, a, b in
                      zip(last.moves[m].owners, last.moves[m].starts[:-1], last.moves[m].starts[1:])}
            now = [(o, tuple(repaired.moves[m].cells[a:b])) for o, a, b in
                   zip(repaired.moves[m].owners, repaired.moves[m].starts[:-1], repaired.moves[m].starts[1:])]
            assert sum(move in before for move in now) >= 0.5 * len(now), (night, m)
        assert _hidden_cells(repaired) <= 1.15 * _hidden_cells(fresh) + 5, night
        last = repaired


def test_a_kept_box_that_no_longer_moves_is_chosen_again_and_other_categories_start_afresh():
    """A box is taken again only if it still moves within every corner's bounds: one that would push
    a '<10' corner past 9 either way is dropped and its cell gets a box that works. A lattice whose
    categories changed (a new school) is chosen afresh."""
    from dashboards import lattice
    from tests.suppression_attack import lattice_reader

    args = dict(dims=["school", "grade", "subgroup"], n="students", counts=["ell", "free_reduced"])
    inner = _split_grades_district(1)
    last = lattice.build(inner, **args)
    broken = last.moves["students"]
    effects = broken.effects.copy()
    effects[broken.starts[0]:broken.starts[1]] = 20  # no count of 1 to 9 moves by 20 and stays one
    tampered = lattice.Lattice(last.dims, last.categories, last.values, last.kinds,
                               {**last.moves, "students": lattice.Moves(broken.owners, broken.starts, broken.cells, effects)})
    repaired = lattice.build(inner, **args, previous=tampered)
    moves = repaired.moves["students"]
    assert not (moves.effects == 20).any()
    assert broken.owners[0] in moves.cells  # its cell is a corner of a box that works
    assert lattice_reader(repaired, "students").recovered() == []

    grown = pd.concat([inner, pd.DataFrame([{"school": "E3", "grade": "KG", "subgroup": "White", "students": 40.0,
                                             "ell": 4.0, "free_reduced": 12.0}])], ignore_index=True)
    fresh = lattice.build(grown, **args)
    assert all((lattice.build(grown, **args, previous=last).kinds[m] == fresh.kinds[m]).all() for m in fresh.kinds)


def test_a_viewers_total_that_grew_past_9_is_not_kept_hidden_by_last_nights_boxes():
    """Last night the viewer had 9 students, so their total was hidden and could be a box's corner.
    Tonight they have 10: the total is shown again, whatever last night's boxes used it for (the
    viewer's own total is never hidden to protect another number)."""
    from dashboards import lattice
    from tests.suppression_attack import lattice_reader

    args = dict(dims=["school", "grade", "subgroup"], n="students", counts=["ell"])

    def night(s1_grade_2):
        return pd.DataFrame({"school": ["s2", "s2", "s1", "s2"], "grade": ["02", "01", "02", "01"],
                             "subgroup": ["x", "y", "y", "x"], "students": [3.0, 1.0, s1_grade_2, 3.0],
                             "ell": [1.0, 1.0, 1.0, 1.0]})

    last = lattice.build(night(2.0), **args)
    total = np.ravel_multi_index(tuple(len(c) for c in last.categories), last.values["students"].shape)
    assert last.cell("students", {}) == (9.0, "primary") and total in last.moves["students"].cells
    repaired = lattice.build(night(3.0), **args, previous=last)
    assert repaired.cell("students", {}) == (10.0, None)
    assert all(lattice_reader(repaired, m).recovered() == [] for m in ("students", "ell"))


def test_after_a_week_of_repairs_the_hidden_cells_are_chosen_afresh():
    """A repair keeps boxes a fresh choice would no longer make, so what it hides creeps up night
    after night: after MAX_REPAIRS repairs in a row the next lattice is chosen afresh."""
    from dashboards import lattice

    args = dict(dims=["school", "grade", "subgroup"], n="students", counts=["ell", "free_reduced"])
    inner = _split_grades_district(5)
    last = lattice.build(inner, **args)
    assert last.repairs == 0
    for night in range(lattice.MAX_REPAIRS + 1):
        inner = _next_night(inner, 500 + night)
        last = lattice.build(inner, **args, previous=last)
        fresh = lattice.build(inner, **args)
        if night < lattice.MAX_REPAIRS:
            assert last.repairs == night + 1
        else:
            assert last.repairs == 0
            assert all((last.kinds[m] == fresh.kinds[m]).all() for m in fresh.kinds)
    tonight = _next_night(inner, 600)
    again = lattice.build(tonight, **args, previous=last)
    assert again.repairs == 1


def test_the_count_of_repairs_is_kept_in_the_store(tmp_path):
    from dashboards import lattice_store

    inner = _split_grades_district(6)
    args = dict(dims=["school", "grade", "subgroup"], n="students", counts=["ell"], plain=())
    lattice_store.build(tmp_path, inner, **args, family="f")
    repaired = lattice_store.build(tmp_path, _next_night(inner, 1), **args, family="f")
    assert repaired.repairs == 1 and lattice_store._previous(tmp_path, "f").repairs == 1

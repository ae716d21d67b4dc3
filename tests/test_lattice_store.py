"""Protected lattices kept on disk (dashboards/lattice_store.py): a stored lattice is exactly the one
computed, is found again only for the same numbers, and a damaged or unwritable store never stops a
page."""

from __future__ import annotations

import os
import stat
import time

import numpy as np
import pandas as pd
from dashboards import lattice, lattice_store

DIMS = ["school", "grade", "subgroup"]


def rows(seed: int = 1) -> pd.DataFrame:
    """Students by school × grade × subgroup: many groups of fewer than 10, as a real district has."""
    rng = np.random.default_rng(seed)
    out = [{"school": s, "grade": g, "subgroup": sg, "students": float(rng.integers(1, 25)),
            "ell": float(rng.integers(0, 4)), "absent_days": float(rng.integers(0, 300))}
           for s in ("0101", "0102", "0203") for g in ("KG", "01", "02", "03") for sg in ("a", "b", "c")]
    return pd.DataFrame(out)


def build(directory, inner):
    return lattice_store.build(directory, inner, DIMS, n="students", counts=["ell"], plain=("absent_days",))


def same(a: lattice.Lattice, b: lattice.Lattice) -> bool:
    return (a.dims == b.dims and a.categories == b.categories and a.values.keys() == b.values.keys()
            and all((a.values[m] == b.values[m]).all() and (a.kinds[m] == b.kinds[m]).all() for m in a.values))


def test_a_stored_lattice_is_the_computed_one_and_is_read_back(tmp_path, monkeypatch):
    inner = rows()
    computed = lattice.build(inner, DIMS, n="students", counts=["ell"], plain=("absent_days",))
    assert any((k != "").any() for k in computed.kinds.values())  # something is hidden: the test means something
    first = build(tmp_path, inner)
    assert same(first, computed)
    [stored] = list(tmp_path.glob("*.npz"))
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(lattice, "build", refuse)
    # The same numbers in another row order (another engine's group by): the stored file.
    again = build(tmp_path, inner.sample(frac=1.0, random_state=4))
    assert same(again, computed)
    assert again.cell("students", {"school": "0102"}) == computed.cell("students", {"school": "0102"})
    assert again.frame(["students", "ell"], {}, "grade").equals(computed.frame(["students", "ell"], {}, "grade"))


def test_other_numbers_or_rules_are_another_file(tmp_path, monkeypatch):
    inner = rows()
    names = {lattice_store.name(inner, DIMS, "students", ["ell"], ("absent_days",))}
    changed = inner.copy()
    changed.loc[5, "ell"] += 1  # one student more in one group
    names.add(lattice_store.name(changed, DIMS, "students", ["ell"], ("absent_days",)))
    names.add(lattice_store.name(inner, DIMS, "students", ["ell"], ()))  # another measure list
    renamed = inner.copy()
    renamed.loc[0, "school"] = "0999"
    names.add(lattice_store.name(renamed, DIMS, "students", ["ell"], ("absent_days",)))
    assert len(names) == 4
    build(tmp_path, inner)
    build(tmp_path, changed)
    assert len(list(tmp_path.glob("*.npz"))) == 2
    # Suppression turned off (a district's own choice) is another decision, not the stored one.
    from dashboards import suppression

    monkeypatch.setattr(suppression, "_enabled", [False])
    assert lattice_store.name(inner, DIMS, "students", ["ell"], ("absent_days",)) not in names


def test_a_damaged_store_is_recomputed_and_an_unwritable_one_still_serves(tmp_path):
    inner = rows(2)
    good = build(tmp_path, inner)
    [stored] = list(tmp_path.glob("*.npz"))
    stored.write_bytes(b"not a lattice")
    assert same(build(tmp_path, inner), good)
    assert stored.read_bytes()[:2] == b"PK"  # rewritten whole
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    assert same(build(blocked / "lattices", inner), good)
    assert same(build(None, inner), good)


def test_files_unused_for_the_retention_are_removed(tmp_path):
    build(tmp_path, rows(3))
    [old] = list(tmp_path.glob("*.npz"))
    long_ago = time.time() - (lattice_store.RETAIN_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))
    build(tmp_path, rows(4))
    assert not old.exists() and len(list(tmp_path.glob("*.npz"))) == 1


def test_reading_keeps_a_file_in_use(tmp_path):
    inner = rows(5)
    build(tmp_path, inner)
    [stored] = list(tmp_path.glob("*.npz"))
    long_ago = time.time() - (lattice_store.RETAIN_DAYS - 1) * 86400
    os.utime(stored, (long_ago, long_ago))
    build(tmp_path, inner)
    assert stored.stat().st_mtime > time.time() - 60


def test_lattices_protected_in_processes_of_their_own_are_the_ones_computed_here(tmp_path, monkeypatch):
    """The nightly protects large lattices side by side in spawned processes (lattice_store.prepare):
    each stored file must hold exactly the lattice computed in this process, for suppression on and
    off (a setting of this process the spawned ones must follow), and a lattice already stored is
    not computed again."""
    from dashboards import suppression

    monkeypatch.setattr(lattice_store, "IN_PROCESS_ROWS", 0)  # every lattice in a process of its own
    inputs = [dict(inner=rows(seed), dims=DIMS, n="students", counts=["ell"], plain=("absent_days",))
              for seed in (1, 2, 3)]
    lattice_store.prepare(tmp_path / "on", iter(inputs))
    with suppression.disabled():
        lattice_store.prepare(tmp_path / "off", iter(inputs[:1]))
        plain = lattice.build(**inputs[0])
    computed = [lattice.build(**args) for args in inputs]
    assert not any((k != "").any() for k in plain.kinds.values())
    assert all(any((k != "").any() for k in c.kinds.values()) for c in computed)
    assert len(list((tmp_path / "on").glob("*.npz"))) == 3 and len(list((tmp_path / "off").glob("*.npz"))) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(lattice, "build", refuse)
    monkeypatch.setattr(lattice_store, "ProcessPoolExecutor", refuse)
    assert all(same(lattice_store.build(tmp_path / "on", **args), c) for args, c in zip(inputs, computed))
    lattice_store.prepare(tmp_path / "on", iter(inputs))  # all stored already: nothing started
    with suppression.disabled():
        assert same(lattice_store.build(tmp_path / "off", **inputs[0]), plain)

    # Small lattices are protected here, under this process's setting, which they leave as it was.
    monkeypatch.undo()
    monkeypatch.setattr(lattice_store, "IN_PROCESS_ROWS", 10**9)
    monkeypatch.setattr(lattice_store, "ProcessPoolExecutor", refuse)
    with suppression.disabled():
        lattice_store.prepare(tmp_path / "here", iter(inputs))
        assert not suppression.enabled()
        assert all(same(lattice_store.build(tmp_path / "here", **args), lattice.build(**args)) for args in inputs)
    assert suppression.enabled()


def test_a_familys_next_lattice_is_repaired_from_its_last_and_the_first_stored_is_served(tmp_path, monkeypatch):
    """The nightly's lattice of a viewer is repaired from the same viewer's last one (its family),
    not chosen afresh; another family, or no family, starts afresh. Repairs depend on the earlier
    lattice, so two processes may choose differently for one name: the first file stored is the one
    every process serves."""
    night1, night2 = rows(6), rows(6)
    night2.loc[[2, 9, 17], "students"] += [3.0, -1.0, 12.0]
    night2["students"] = night2["students"].clip(lower=1.0)
    first = lattice_store.build(tmp_path, night1, DIMS, "students", ["ell"], ("absent_days",), family="district")
    assert first.moves and same(first, lattice.build(night1, DIMS, "students", ["ell"], ("absent_days",)))

    seen = []
    real = lattice.build

    def spy(*args, previous=None, **kwargs):
        seen.append(previous)
        return real(*args, previous=previous, **kwargs)

    monkeypatch.setattr(lattice, "build", spy)
    second = lattice_store.build(tmp_path, night2, DIMS, "students", ["ell"], ("absent_days",), family="district")
    assert seen[-1] is not None and same(seen[-1], first)
    assert same(second, real(night2, DIMS, "students", ["ell"], ("absent_days",), previous=first))
    lattice_store.build(tmp_path, night2.assign(ell=0.0), DIMS, "students", ["ell"], ("absent_days",), family="a school")
    assert seen[-1] is None
    # Read back with its boxes: the night after repairs from this one.
    assert all((lattice_store._previous(tmp_path, "district").moves[m].cells == second.moves[m].cells).all()
               for m in second.moves)

    # Another process stored this name first, with other hidden cells: that file is served.
    other = lattice.Lattice(second.dims, second.categories, second.values,
                            {m: np.where(k == "", "secondary", k).astype(object) for m, k in second.kinds.items()})
    path = tmp_path / f"{lattice_store.name(night2, DIMS, 'students', ['ell'], ('absent_days',))}.npz"
    assert same(lattice_store._write(tmp_path, path, other, "district"), second)
    assert same(lattice_store.build(tmp_path, night2, DIMS, "students", ["ell"], ("absent_days",), family="district"), second)


def test_a_store_without_hard_links_still_keeps_lattices(tmp_path, monkeypatch):
    """The first-stored rule uses a hard link; where the file system has none (EPERM), the file is
    still stored, by rename."""
    def no_links(*args, **kwargs):
        raise PermissionError("no hard links here")

    monkeypatch.setattr(os, "link", no_links)
    inner = rows(7)
    stored = lattice_store.build(tmp_path, inner, DIMS, "students", ["ell"], ("absent_days",), family="f")
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".last", ".npz"]  # nothing half-written left
    assert same(lattice_store._previous(tmp_path, "f"), stored)

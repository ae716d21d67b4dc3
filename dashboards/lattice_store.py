"""Protected lattices kept on disk under the numbers they protect, so that choosing the hidden cells
(dashboards.lattice: seconds for a district's lattice) happens once per night's numbers, not once per
app process, cache expiry or viewer.

A stored lattice is named by a hash of what it is computed from: its input rows (one per
combination of categories, in a fixed order), its measures, the suppression settings and the source
of the code that protects it. So it is never stale: another night's numbers, another rule or another
version of the code is another name, and two viewers with the same students share one file. The
nightly stores the largest viewers' lattices before it publishes (dashboards.data.warm_lattices);
the app stores any other the first time it needs it. Files unused for RETAIN_DAYS are removed. They
hold counts, not names, and are readable by their owner only like everything else Schoolhouse writes
(schoolhouse.private_files). A file that cannot be read or written is recomputed, never an error.

A lattice of a ``family`` (the caller's name for one viewer's lattice of one kind, whatever the
night) is repaired from the family's last stored lattice (dashboards.lattice, ``previous``): a
state's three district lattices take 3.3 s of CPU instead of 19 s. So which cells are hidden also
depends on that earlier lattice, and two processes could choose differently for the same numbers;
the first file stored under a name is the one every process serves (a page and its download must
hide the same cells: two patterns of one table, read side by side, can give a cell away).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import time
import zipfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from dashboards import lattice, suppression

RETAIN_DAYS = 14
# Below this many input rows (0.5 s of protecting at 50,000 students, 6,923 rows) a process of its own
# costs more than it saves: starting one takes about 0.6 s of a core.
IN_PROCESS_ROWS = 20_000
# The code that decides what is hidden: a change to it is a change of every name.
_CODE = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (lattice, suppression))).hexdigest()


def build(directory: Path | None, inner: pd.DataFrame, dims: list[str], n: str, counts: list[str],
          plain: tuple[str, ...] = (), family: str | None = None) -> lattice.Lattice:
    """lattice.build(inner, ...), read from ``directory`` when these rows were protected before
    (None: no store, always computed), else repaired from ``family``'s last one."""
    if directory is None:
        return lattice.build(inner, dims, n, counts, plain)
    path = directory / f"{name(inner, dims, n, counts, plain)}.npz"
    found = _read(path)
    return found if found is not None else _protect(directory, path, inner, dims, n, counts, plain, family)


def _protect(directory: Path, path: Path, inner: pd.DataFrame, dims: list[str], n: str, counts: list[str],
             plain: tuple[str, ...] = (), family: str | None = None) -> lattice.Lattice:
    """Protect ``inner`` (repaired from ``family``'s last lattice) and store it under ``path``, its
    name; the lattice stored, which is the one to serve."""
    protected = lattice.build(inner, dims, n, counts, plain, previous=_previous(directory, family))
    return _write(directory, path, protected, family)


def prepare(directory: Path, inputs: Iterable[dict]) -> None:
    """Store the protected lattice of each of ``inputs`` (build's arguments) that is not stored yet.

    Choosing the hidden cells is numpy on small arrays, which holds the GIL: one lattice keeps one
    core busy (a state's district: three lattices, 19 s one after another chosen afresh), so large ones are
    protected side by side in processes of their own, started clean (spawn: the nightly's threads
    and open DuckDB file stay behind). Each process writes its file as build does."""
    with contextlib.ExitStack() as stack:
        pool, started = None, []
        for args in inputs:
            path = directory / f"{name(**args)}.npz"  # once: hashing a state's rows takes ~0.1 s
            if _read(path) is not None:
                continue
            if len(args["inner"]) < IN_PROCESS_ROWS:
                _protect(directory, path, **args)
                continue
            if pool is None:
                pool = stack.enter_context(ProcessPoolExecutor(
                    max_workers=os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")))
            started.append(pool.submit(_protect_in_process, directory, path, args, suppression.enabled()))
        for done in started:
            done.result()  # a process's error is the caller's


def _protect_in_process(directory: Path, path: Path, args: dict, enabled: bool) -> None:
    """In a spawned process, which starts with suppression on: ``enabled`` is the caller's setting."""
    with contextlib.nullcontext() if enabled else suppression.disabled():
        _protect(directory, path, **args)


def name(inner: pd.DataFrame, dims: list[str], n: str, counts: list[str], plain: tuple[str, ...] = (),
         family: str | None = None) -> str:
    """The hash of what the protected lattice of ``inner`` is computed from (the family only says
    where to look for an earlier one)."""
    columns = [*dims, n, *counts, *plain]
    rows = inner[columns].copy()
    for d in dims:
        rows[d] = rows[d].astype(str)
    rows = rows.sort_values(dims, kind="stable")
    for m in columns[len(dims):]:
        rows[m] = rows[m].astype(float)
    digest = hashlib.sha256(_CODE.encode())
    digest.update(json.dumps({"dims": dims, "n": n, "counts": list(counts), "plain": list(plain),
                              "min_group": suppression.MIN_GROUP, "enabled": suppression.enabled()}).encode())
    digest.update(rows.to_csv(index=False).encode())
    return digest.hexdigest()


_MOVES = ("owners", "starts", "cells", "effects")


def _read(path: Path, with_moves: bool = False) -> lattice.Lattice | None:
    """The stored lattice, without its boxes unless asked: a page only reads its cells, and the boxes
    are a fifth of the reading (~20 ms of ~90 for a state's district), needed only to repair it."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
            values = {m: stored[f"values_{i}"] for i, m in enumerate(meta["measures"])}
            kinds = {m: stored[f"kinds_{i}"].astype(object) for i, m in enumerate(meta["measures"])}
            moves = {m: lattice.Moves(*(stored[f"moves_{i}_{part}"] for part in _MOVES))
                     for i, m in enumerate(meta["measures"]) if with_moves and f"moves_{i}_owners" in stored}
        os.utime(path)  # in use: kept another RETAIN_DAYS
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    return lattice.Lattice(meta["dims"], meta["categories"], values, kinds, moves, meta.get("repairs", 0))


def _family_path(directory: Path, family: str) -> Path:
    """Where the family's last name is kept: per version of the code too, since a move is only what
    the code that found it means by one."""
    return directory / f"{hashlib.sha256(f'{_CODE} {family}'.encode()).hexdigest()}.last"


def _previous(directory: Path, family: str | None) -> lattice.Lattice | None:
    """The family's last stored lattice, if it is still stored and readable."""
    if family is None:
        return None
    try:
        last = _family_path(directory, family).read_text().strip()
    except OSError:
        return None
    return _read(directory / f"{last}.npz", with_moves=True) if last.isalnum() else None


def _write(directory: Path, path: Path, protected: lattice.Lattice, family: str | None = None) -> lattice.Lattice:
    """Store ``protected`` under ``path`` unless another process stored that name first; the lattice
    stored (the one to serve), or ``protected`` when nothing can be stored."""
    measures = list(protected.values)
    arrays = {"meta": np.array(json.dumps({"dims": protected.dims, "categories": protected.categories,
                                          "measures": measures, "repairs": protected.repairs}))}
    for i, m in enumerate(measures):
        arrays[f"values_{i}"] = protected.values[m]
        arrays[f"kinds_{i}"] = protected.kinds[m].astype(str)
        if m in protected.moves:
            for part in _MOVES:
                arrays[f"moves_{i}_{part}"] = getattr(protected.moves[m], part)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = _private(path.with_name(f".{path.name}.{os.getpid()}"), buffer.getvalue())
        try:
            os.link(partial, path)  # readers see the whole file or none; the first process's stays
        except FileExistsError:
            first = _read(path)
            if first is not None:
                os.unlink(partial)
                return first
            os.replace(partial, path)  # a damaged file: replaced
        except OSError:
            os.replace(partial, path)  # a file system without hard links: the last one stays
        else:
            os.unlink(partial)
        if family is not None:
            last = _family_path(directory, family)
            os.replace(_private(last.with_name(f".{last.name}.{os.getpid()}"), path.stem.encode()), last)
        _prune(directory)
    except OSError:
        pass  # a read-only or full disk: the lattice is still served, only not kept
    return protected


def _private(path: Path, content: bytes) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return path


def _prune(directory: Path) -> None:
    oldest = time.time() - RETAIN_DAYS * 86400
    for stored in [*directory.glob("*.npz"), *directory.glob("*.last")]:
        try:
            if stored.stat().st_mtime < oldest:
                stored.unlink()
        except OSError:
            pass

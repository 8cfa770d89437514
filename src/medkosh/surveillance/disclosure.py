"""Statistical disclosure control for count tables: primary and secondary suppression, rounding.

A query grouped by k dimensions is protected as a full k-dimensional cube *with all its margins*
(every total along every dimension, down to the grand total), because a user can always ask the
coarser query that returns those margins. Each "line" of the cube — the cells that differ in one
coordinate, plus their total — is one linear equation an attacker knows.

1. Primary suppression: a cell with 0 < count < threshold (zeros stay published, as in OpenSAFELY).
2. Secondary suppression, to a fixed point: a line with exactly one suppressed cell would give that
   cell away, so the smallest positive published cell of that line is suppressed too (or, when the
   line has none, its total).
3. Exactness audit: every suppressed cell is positive, so the true table is a strictly interior
   point of the attacker's feasible set {x >= 0 : line equations}; a suppressed cell is therefore
   exactly derivable iff its unit vector lies in the row space of the equations restricted to the
   suppressed cells, i.e. iff every null-space vector is zero in that cell. Cells that fail get
   another complement and the loop repeats. (Tests check the result independently with an LP.)
4. Rounding of published cells to a base (default 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.linalg import null_space
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import lsqr
from threadpoolctl import threadpool_limits

from medkosh.errors import InputError

MAX_CELLS = 4_000_000  # the full cube with margins; beyond this ask the user to coarsen
_DENSE_LIMIT = 1500  # components up to this many suppressed cells get an exact dense null space


@dataclass
class Cube:
    """Counts over a full cube: axis j has n_j levels plus one margin position (index n_j)."""

    values: np.ndarray  # int64
    suppressed: np.ndarray  # bool
    primary: np.ndarray  # bool

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.values.shape)


def build_cube(codes: Sequence[np.ndarray], counts: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """Sum counts into a cube with margins; `codes[j]` are level indices along axis j."""
    shape = tuple(n + 1 for n in levels)
    size = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if size > MAX_CELLS:
        raise InputError(f"the table would have {size:,} cells with its totals",
                         hint="group by fewer or coarser dimensions (e.g. chapter instead of icd10) or filter")
    cube = np.zeros(shape, dtype=np.int64)
    if shape:
        np.add.at(cube, tuple(np.asarray(c, dtype=np.int64) for c in codes), np.asarray(counts, dtype=np.int64))
    else:
        cube = np.asarray(int(np.sum(counts)), dtype=np.int64)
    for axis, n in enumerate(levels):
        # Summing axis by axis fills every margin, including margins of margins.
        total = np.take(cube, range(n), axis=axis).sum(axis=axis)
        idx: list[slice | int] = [slice(None)] * len(levels)
        idx[axis] = n
        cube[tuple(idx)] = total
    return cube


def _lines(shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Flat cell ids of every line along `axis`, one line per row; the total is the last column."""
    ids = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    return np.moveaxis(ids, axis, -1).reshape(-1, shape[axis])


def _line_rule(values: np.ndarray, supp: np.ndarray) -> bool:
    """One pass over every axis; suppress a complement in each line with a single suppressed cell."""
    changed = False
    flat_v = values.ravel()
    flat_s = supp.reshape(-1)  # a view: writes go to supp
    for axis in range(values.ndim):
        ids = _lines(values.shape, axis)
        s = flat_s[ids]
        lonely = s.sum(axis=1) == 1
        if not lonely.any():
            continue
        v = flat_v[ids]
        candidate = ~s[:, :-1] & (v[:, :-1] > 0)
        cost = np.where(candidate, v[:, :-1], np.iinfo(np.int64).max)
        best = cost.argmin(axis=1)
        has_child = candidate.any(axis=1)
        rows = np.flatnonzero(lonely & has_child)
        flat_s[ids[rows, best[rows]]] = True
        totals = np.flatnonzero(lonely & ~has_child & ~s[:, -1])
        flat_s[ids[totals, -1]] = True
        changed = changed or bool(rows.size or totals.size)
    return changed


def _equations(shape: tuple[int, ...], supp: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Line equations restricted to suppressed cells: rows = lines touching them, cols = those cells."""
    flat = np.flatnonzero(supp)
    col_of = np.full(supp.size, -1, dtype=np.int64)
    col_of[flat] = np.arange(flat.size)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    n_rows = 0
    flat_s = supp.ravel()
    for axis in range(len(shape)):
        line_ids = _lines(shape, axis)
        line_supp = flat_s[line_ids]
        touched = np.flatnonzero(line_supp.any(axis=1))
        if touched.size == 0:
            continue
        sub_ids = line_ids[touched]
        sub_supp = line_supp[touched]
        r, c = np.nonzero(sub_supp)
        sign = np.where(c == shape[axis] - 1, -1.0, 1.0)  # total = sum of children
        rows.append(r + n_rows)
        cols.append(col_of[sub_ids[r, c]])
        vals.append(sign)
        n_rows += touched.size
    if not rows:
        return sparse.csr_matrix((0, flat.size)), flat
    matrix = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(n_rows, flat.size))
    return matrix, flat


def derivable_cells(values: np.ndarray, supp: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Flat indices of suppressed cells whose value follows exactly from the published cells.

    Requires every suppressed cell to be positive (the suppression routine guarantees it), so that
    exactness is a property of the equations alone; see the module docstring. Small components are
    solved exactly (dense null space); large ones by projecting random vectors onto the null space
    with LSQR: a cell is free iff a random null-space projection is non-zero there (probability 1).
    """
    if not supp.any():
        return np.zeros(0, dtype=np.int64)
    if (values[supp] <= 0).any():
        raise ValueError("derivable_cells() needs every suppressed cell to be positive")
    matrix, flat = _equations(values.shape, supp)
    if matrix.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    # Suppressed cells linked by a shared line form components; each is solved on its own.
    link = (abs(matrix).T @ abs(matrix)).tocsr()
    n_comp, labels = connected_components(link, directed=False)
    csc = matrix.tocsc()
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_comp + 1))
    for comp in range(n_comp):
        members = order[bounds[comp]:bounds[comp + 1]]
        sub = csc[:, members]
        used = np.unique(sub.nonzero()[0])
        if used.size == 0:
            continue  # no equation mentions it: unconstrained above zero
        block = sub[used]
        if members.size <= _DENSE_LIMIT:
            basis = null_space(block.toarray())
            free = np.abs(basis).max(axis=1) > 1e-9 if basis.size else np.zeros(members.size, dtype=bool)
        else:
            free = np.zeros(members.size, dtype=bool)
            # LSQR is a long chain of small vector operations: BLAS threads only contend for the
            # cores (measured 30 ms per 50k-element dot product on a loaded 2-core machine).
            with threadpool_limits(limits=1):
                for _ in range(2):  # one random vector suffices with probability 1; two for margin
                    z = rng.standard_normal(members.size)
                    y = lsqr(block.T, z, atol=1e-14, btol=1e-14, iter_lim=20 * members.size)[0]
                    residual = z - block.T @ y  # the projection of z onto the null space
                    free |= np.abs(residual) > 1e-6
        out.append(flat[members[~free]])
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _complement_for(values: np.ndarray, supp: np.ndarray, cell: tuple[int, ...]) -> bool:
    """Suppress one more cell in a line through `cell`: the smallest positive published child."""
    best: tuple[int, tuple[int, ...]] | None = None
    for axis in range(values.ndim):
        for k in range(values.shape[axis] - 1):
            other = (*cell[:axis], k, *cell[axis + 1:])
            if other != cell and not supp[other] and values[other] > 0 and (best is None or values[other] < best[0]):
                best = (int(values[other]), other)
    if best is None:
        for axis in range(values.ndim):
            total = (*cell[:axis], values.shape[axis] - 1, *cell[axis + 1:])
            if not supp[total] and values[total] > 0:
                best = (int(values[total]), total)
                break
    if best is None:
        return False
    supp[best[1]] = True
    return True


def protect(values: np.ndarray, threshold: int) -> Cube:
    """Primary and secondary suppression of a cube built by `build_cube`."""
    if threshold < 1:
        raise InputError(f"disclosure threshold must be at least 1, got {threshold}")
    primary = (values > 0) & (values < threshold)
    supp = primary.copy()
    if values.ndim == 0:
        return Cube(values, supp, primary)
    for _ in range(10_000):
        while _line_rule(values, supp):
            pass
        bad = derivable_cells(values, supp)
        if bad.size == 0:
            break
        progressed = False
        for flat in bad:
            cell = tuple(int(i) for i in np.unravel_index(int(flat), values.shape))
            progressed |= _complement_for(values, supp, cell)
        if not progressed:  # nothing left to suppress: suppress the whole table
            supp[values > 0] = True
            break
    return Cube(values, supp, primary)


def round_to_base(values: np.ndarray, base: int) -> np.ndarray:
    """Round half up to a multiple of `base` (base 1 leaves counts unchanged)."""
    if base <= 1:
        return values.copy()
    return (np.floor(values / base + 0.5) * base).astype(np.int64)

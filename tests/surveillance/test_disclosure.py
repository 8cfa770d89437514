"""Secondary suppression, checked by an independent LP audit over the published table."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from medkosh.surveillance.disclosure import build_cube, derivable_cells, protect, round_to_base


def _published(values: np.ndarray, supp: np.ndarray) -> dict[tuple[int, ...], int | None]:
    """What an attacker sees: every cell of the cube with its margins, None where suppressed."""
    return {idx: (None if supp[idx] else int(values[idx])) for idx in itertools.product(*map(range, values.shape))}


def lp_intervals(table: dict[tuple[int, ...], int | None], shape: tuple[int, ...]) -> dict[tuple[int, ...], tuple[float, float]]:
    """Attacker's bounds on every suppressed cell: min/max subject to margins and x >= 0.

    Written from first principles (coordinates → equations), sharing no code with the protector.
    """
    unknown = [k for k, v in table.items() if v is None]
    col = {k: i for i, k in enumerate(unknown)}
    a_eq, b_eq = [], []
    for axis, n in enumerate(shape):
        others = [range(s) for j, s in enumerate(shape) if j != axis]
        for rest in itertools.product(*others):
            def at(k: int, rest: tuple[int, ...] = rest, axis: int = axis) -> tuple[int, ...]:
                return (*rest[:axis], k, *rest[axis:])
            row = np.zeros(len(unknown))
            rhs = 0.0
            for k in range(n):  # children minus total = 0
                sign = -1.0 if k == n - 1 else 1.0
                v = table[at(k)]
                if v is None:
                    row[col[at(k)]] += sign
                else:
                    rhs -= sign * v
            if row.any():
                a_eq.append(row)
                b_eq.append(rhs)
    out = {}
    for k in unknown:
        c = np.zeros(len(unknown))
        c[col[k]] = 1.0
        lo = linprog(c, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status in (0, 3)
        out[k] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return out


def _random_cube(rng: np.random.Generator, shape: tuple[int, ...], lam: float) -> np.ndarray:
    v = rng.poisson(lam, size=shape)
    v[rng.random(shape) < 0.1] = 0  # structural zeros, which stay published
    codes = np.indices(shape).reshape(len(shape), -1)
    return build_cube(list(codes), v.ravel(), list(shape))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shape", [(6, 5), (4, 7), (3, 4, 3)])
def test_no_suppressed_cell_is_derivable_from_margins(seed: int, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(seed)
    cube = _random_cube(rng, shape, lam=9.0)
    protected = protect(cube, threshold=8)
    assert protected.primary.any(), "the test table must have small cells"
    assert (protected.suppressed >= protected.primary).all()
    assert (cube[protected.suppressed] > 0).all()
    intervals = lp_intervals(_published(cube, protected.suppressed), cube.shape)
    for cell, (lo, hi) in intervals.items():
        assert lo <= cube[cell] + 1e-6 and cube[cell] <= hi + 1e-6
        assert hi - lo >= 1 - 1e-6, f"cell {cell}={cube[cell]} pinned to [{lo}, {hi}]"


def test_audit_catches_primary_suppression_alone() -> None:
    """The LP audit is not vacuous: without complements a lone suppressed cell is recovered."""
    cube = build_cube([np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])], np.array([3, 20, 30, 40]), [2, 2])
    primary = (cube > 0) & (cube < 8)
    lo, hi = lp_intervals(_published(cube, primary), cube.shape)[(0, 0)]
    assert lo == pytest.approx(3) and hi == pytest.approx(3)
    assert list(derivable_cells(cube, primary)) == [0]


def test_single_child_line_suppresses_its_total() -> None:
    # district B has one condition only: its row total equals that cell and must go too.
    cube = build_cube([np.array([0, 0, 1]), np.array([0, 1, 0])], np.array([30, 40, 5]), [2, 2])
    protected = protect(cube, threshold=8)
    assert protected.suppressed[1, 0] and protected.suppressed[1, 2]
    intervals = lp_intervals(_published(cube, protected.suppressed), cube.shape)
    assert all(hi - lo >= 1 for lo, hi in intervals.values())


def test_large_sparse_table_is_protected() -> None:
    """Big components go through the LSQR path; the exact dense check must agree on the result."""
    rng = np.random.default_rng(3)
    cube = _random_cube(rng, (30, 40), lam=6.0)
    protected = protect(cube, threshold=8)
    assert derivable_cells(cube, protected.suppressed).size == 0


def test_rounding_to_base_five() -> None:
    assert list(round_to_base(np.array([0, 2, 3, 7, 8, 12, 13, 1002]), 5)) == [0, 0, 5, 5, 10, 10, 15, 1000]
    assert list(round_to_base(np.array([3, 9]), 1)) == [3, 9]

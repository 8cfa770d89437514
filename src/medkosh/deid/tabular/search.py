"""Finding the generalisation: optimal search over the full lattice, or a heuristic for huge ones.

Optimal search. Nodes are visited in order of a lower bound of the metric (the metric without any
suppression, which only grows with generalisation). Once the bound reaches the best metric found,
no unvisited node can be better, so the search stops. Two kinds of tagging keep most nodes from
being evaluated at all, as in ARX's Flash:
  * predictive tagging — when feasibility is monotone, an infeasible node makes every node below
    it infeasible; on meeting an unknown node we climb a path above it and binary-search it for
    the lowest feasible node, so one search tags a whole down-set;
  * without suppression the metric itself is monotone, so a feasible node rules out every node
    above it.
A node is evaluated by rolling up the cells of the coarsest already-evaluated node below it.

Heuristic search (clearly reported as such): a best-first climb in the spirit of ARX's Lightning,
from the bottom, that always takes the cheapest step that reduces the rows failing the privacy
models, bounded by a budget of evaluations.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from medkosh.deid.tabular.lattice import Cells, NodeResult, Problem

OPTIMAL_LIMIT = 250_000  # lattices larger than this get the heuristic search
_CACHE_CELLS = 12_000_000  # roll-up cache budget: cells held across cached nodes (16 bytes each)


@dataclass
class SearchResult:
    best: NodeResult | None
    metrics: dict[str, float]
    nodes_total: int
    nodes_evaluated: int
    optimal: bool
    seconds: float
    cpu_seconds: float = 0.0  # process CPU time: comparable across machine load, unlike wall time


class _Cache:
    """Evaluated nodes' cells, to roll coarser nodes up from; evicts the largest when full."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.levels = np.zeros((0, problem.q), dtype=np.int64)
        self.cells: list[Cells] = []
        self.sizes = np.zeros(0, dtype=np.int64)
        self.total = 0

    def source(self, node: tuple[int, ...]) -> Cells:
        if len(self.cells):
            below = np.flatnonzero((self.levels <= np.asarray(node)).all(axis=1))
            if len(below):
                return self.cells[int(below[np.argmin(self.sizes[below])])]
        return self.problem.base_cells()

    def add(self, result: NodeResult) -> None:
        size = len(result.cells.rep)
        if size * 4 > len(self.problem.weight) * 3:
            return  # barely coarser than the base: not worth holding
        while self.cells and self.total + size > _CACHE_CELLS:
            i = int(np.argmax(self.sizes))
            self.total -= int(self.sizes[i])
            del self.cells[i]
            self.levels = np.delete(self.levels, i, axis=0)
            self.sizes = np.delete(self.sizes, i)
        self.levels = np.vstack([self.levels, np.asarray(result.node, dtype=np.int64)[None, :]])
        self.sizes = np.append(self.sizes, size)
        self.cells.append(result.cells)
        self.total += size


def lattice_size(problem: Problem) -> int:
    return math.prod(problem.depths) if problem.q else 1


def search(problem: Problem, metric: str = "loss", heuristic: bool | None = None,
           budget: int = 2_000) -> SearchResult:
    total = lattice_size(problem)
    if heuristic is None:
        heuristic = total > OPTIMAL_LIMIT
    cpu = time.process_time()
    result = _heuristic(problem, metric, budget, total) if heuristic else _optimal(problem, metric, total)
    result.cpu_seconds = time.process_time() - cpu
    return result


def _optimal(problem: Problem, metric: str, total: int) -> SearchResult:
    started = time.perf_counter()
    depths = tuple(problem.depths) if problem.q else (1,)
    # Node i is the C-order position of its level vector; states live in an array shaped like the
    # lattice, so "every node below/above" is one slice.
    nodes = np.indices(depths).reshape(len(depths), -1).T
    strides = np.array([math.prod(depths[d + 1:]) for d in range(len(depths))], dtype=np.int64)
    bound = problem.lower_bound(nodes, metric) if problem.q else np.zeros(1)
    order = np.lexsort((nodes.sum(axis=1), bound))
    UNKNOWN, INFEASIBLE, FEASIBLE, DOMINATED = 0, 1, 2, 3
    state = np.zeros(depths, dtype=np.int8)
    flat_state = state.reshape(-1)  # a view
    # Only the indices of evaluated nodes are kept (their cells live in the bounded roll-up
    # cache, or nowhere): holding every NodeResult would hold every node's cells.
    evaluated: set[int] = set()
    cache = _Cache(problem)
    monotone = problem.model.monotone()
    metric_monotone = problem.max_suppressed == 0 and metric != "avg_class_size"
    best: NodeResult | None = None
    best_value = math.inf
    maxima = np.array(depths) - 1

    def evaluate(i: int) -> NodeResult:
        node = tuple(int(x) for x in nodes[i]) if problem.q else ()
        r = problem.evaluate(node, cache.source(node))
        cache.add(r)
        evaluated.add(i)
        return r

    def tag(i: int, r: NodeResult) -> None:
        node = nodes[i]
        if r.feasible:
            flat_state[i] = FEASIBLE
            if metric_monotone:  # everything above costs at least as much
                above = state[tuple(slice(int(x), None) for x in node)]
                above[above == UNKNOWN] = DOMINATED
        else:
            if monotone:
                state[tuple(slice(0, int(x) + 1) for x in node)] = INFEASIBLE
            flat_state[i] = INFEASIBLE

    def consider(r: NodeResult) -> None:
        nonlocal best, best_value
        if not r.feasible:
            return
        r.metrics = problem.metrics(r)
        value = r.metrics[metric]
        if value < best_value - 1e-12:
            best, best_value = r, value

    def probe(i: int) -> None:
        """Climb from node i by the cheapest steps to the top; binary-search the path for the
        lowest feasible node, tagging the infeasible down-set below it."""
        path = [i]
        current, position = nodes[i].copy(), i
        while (current < maxima).any():
            steps = np.flatnonzero(current < maxima)
            targets = position + strides[steps]
            pick = int(np.argmin(bound[targets]))  # first minimum: deterministic
            current[steps[pick]] += 1
            position = int(targets[pick])
            path.append(position)
        lo, hi = 0, len(path) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            j = path[mid]
            if flat_state[j] == INFEASIBLE:
                lo = mid + 1
                continue
            if j in evaluated:  # already known: feasible (it was considered then)
                hi = mid - 1
                continue
            r = evaluate(j)
            tag(j, r)
            consider(r)
            if r.feasible:
                hi = mid - 1
            else:
                lo = mid + 1

    for i in order:
        i = int(i)
        if bound[i] >= best_value - 1e-12:
            break  # nothing left can beat the best
        if flat_state[i] in (INFEASIBLE, DOMINATED):
            continue
        if flat_state[i] == UNKNOWN and monotone and i not in evaluated:
            probe(i)
        if i in evaluated or flat_state[i] in (INFEASIBLE, DOMINATED):
            continue  # the probe evaluated (and considered) it, or tagged it
        r = evaluate(i)
        if flat_state[i] == UNKNOWN:
            tag(i, r)
        consider(r)
    metrics = best.metrics if best is not None else {}
    return SearchResult(best, metrics, total, len(evaluated), True, time.perf_counter() - started)


def _heuristic(problem: Problem, metric: str, budget: int, total: int) -> SearchResult:
    started = time.perf_counter()
    maxima = np.array(problem.depths) - 1
    current = np.zeros(problem.q, dtype=np.int64)
    cache = _Cache(problem)
    evaluated = 0
    best: NodeResult | None = None

    def run(node: np.ndarray, source: Cells | None = None) -> NodeResult:
        nonlocal evaluated
        key = tuple(int(x) for x in node)
        r = problem.evaluate(key, source if source is not None else cache.source(key))
        cache.add(r)
        evaluated += 1
        return r

    r = run(current)
    # The climb's nodes, kept whatever their size: a descent candidate rolls up from the coarsest
    # of them below it instead of from the base table.
    path: list[tuple[np.ndarray, Cells]] = [(current.copy(), r.cells)]

    def finer_source(node: np.ndarray) -> Cells:
        below = [cells for levels, cells in path if (levels <= node).all()]
        return min(below, key=lambda c: len(c.rep)) if below else cache.source(tuple(int(x) for x in node))

    while not r.feasible and evaluated < budget and (current < maxima).any():
        # Greedy step: among one-level generalisations, the one suppressing the fewest rows,
        # ties broken by the smaller bound on the metric.
        options = []
        for d in np.flatnonzero(current < maxima):
            nxt = current.copy()
            nxt[d] += 1
            cand = run(nxt, r.cells)  # a successor rolls up from the current node's cells
            lb = float(problem.lower_bound(nxt[None, :], metric)[0])
            options.append((cand.suppressed, lb, int(d), nxt, cand))
            if evaluated >= budget:
                break
        _, _, _, current, r = min(options, key=lambda o: (o[0], o[1], o[2]))
        path.append((current.copy(), r.cells))
    if r.feasible:
        r.metrics = problem.metrics(r)
        best = r
        # Then try to undo steps that are not needed (cheapest-first), keeping feasibility.
        improved = True
        while improved and evaluated < budget:
            improved = False
            for d in np.flatnonzero(current > 0):
                lower = current.copy()
                lower[d] -= 1
                cand = run(lower, finer_source(lower))
                if cand.feasible:
                    cand.metrics = problem.metrics(cand)
                    if cand.metrics[metric] <= best.metrics[metric]:
                        best, current, improved = cand, lower, True
                        break
    metrics = best.metrics if best is not None else {}
    return SearchResult(best, metrics, total, evaluated, False, time.perf_counter() - started)

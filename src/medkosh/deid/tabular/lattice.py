"""Evaluating one lattice node (one generalisation level per quasi-identifier) on the encoded table.

The table is held as *cells*: distinct combinations of (level-0 QI codes, sensitive code) with row
counts — never as rows. A node is evaluated from any finer node's cells (roll-up): every row of a
finer cell falls into the same coarser cell, so a cell's representative row and its count are all
that is needed. Coarse nodes therefore cost a few hundred operations, not a pass over the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from medkosh.deid.tabular.hierarchy import Hierarchy

# Mixed-radix keys must stay below this; beyond it the partial key is re-numbered densely.
_KEY_LIMIT = 1 << 61


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b without BLAS: on a busy machine BLAS threads spin-wait, and these vectors are short."""
    return float(np.multiply(a, b).sum())


@dataclass
class PrivacyModel:
    k: int = 1
    l: int = 1  # noqa: E741 (the literature's name)
    l_kind: str = "distinct"  # distinct | entropy
    t: float | None = None
    t_distance: str = "equal"  # equal | ordered
    max_suppression: float = 0.0

    def monotone(self) -> bool:
        """Whether 'feasible' is monotone over the lattice, which predictive tagging needs.

        k-anonymity and distinct l-diversity survive merging classes even with suppression;
        entropy l-diversity and t-closeness only without it (a failing class merged into a passing
        one can make the union fail, so more rows would be suppressed)."""
        if self.max_suppression <= 0:
            return True
        return not ((self.l > 1 and self.l_kind == "entropy") or self.t is not None)


@dataclass
class Cells:
    rep: np.ndarray  # int64 index of a representative base cell for each cell
    weight: np.ndarray  # int64 row count of each cell


@dataclass
class NodeResult:
    node: tuple[int, ...]
    cells: Cells  # cells at this node, sorted by class
    class_start: np.ndarray  # first cell of each class
    class_size: np.ndarray
    class_ok: np.ndarray  # bool: class meets every privacy criterion
    suppressed: int
    feasible: bool
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def class_rep(self) -> np.ndarray:
        return np.asarray(self.cells.rep[self.class_start])


class _Levels:
    """Per QI: the code of each cell's label at a level, computed on first use and kept."""

    def __init__(self, hierarchy: Hierarchy, leaf: np.ndarray) -> None:
        self.hierarchy = hierarchy
        self.leaf = leaf
        self.cache: dict[int, np.ndarray] = {}

    def __getitem__(self, level: int) -> np.ndarray:
        codes = self.cache.get(level)
        if codes is None:
            codes = self.cache[level] = self.hierarchy.codes[level][self.leaf]
        return codes


class Problem:
    """The encoded table and hierarchies; evaluates nodes."""

    def __init__(self, hierarchies: list[Hierarchy], leaf_codes: list[np.ndarray], weight: np.ndarray,
                 sensitive: np.ndarray | None, sensitive_values: list[str] | None,
                 model: PrivacyModel, sensitive_order: np.ndarray | None = None) -> None:
        self.hierarchies = hierarchies
        self.q = len(hierarchies)
        # The cells come in whatever order the group-by produced them. Every float sum below runs
        # over classes or cells sorted by their key, or over hierarchy leaves, and row counts are
        # summed exactly, so results do not depend on that order (run to run, engine to engine).
        self.weight = np.asarray(weight).astype(np.int64)
        # float copy: numpy's dot of float by int arrays skips BLAS and is ~50x slower
        self.weight_f = self.weight.astype(np.float64)
        self.n = int(self.weight.sum())
        self.model = model
        self.depths = [h.depth for h in hierarchies]
        self.level_sizes = [h.level_sizes() for h in hierarchies]
        # level_codes[q][lvl] = code of each base cell's label at that level (built when first used)
        self.level_codes = [_Levels(h, leaf_codes[i]) for i, h in enumerate(hierarchies)]
        self.leaf_weight = [np.bincount(leaf_codes[i], weights=self.weight_f, minlength=h.size)
                            for i, h in enumerate(hierarchies)]
        self.sensitive = sensitive
        self.sensitive_values = sensitive_values
        self.s_count = len(sensitive_values) if sensitive_values else 1
        self.max_suppressed = math.floor(model.max_suppression * self.n + 1e-9)
        self._prepare_metrics()
        if sensitive is not None:
            self.global_dist = np.bincount(sensitive, weights=self.weight, minlength=self.s_count) / self.n
            # position of each sensitive code in the ordered-distance order
            self.s_rank = sensitive_order if sensitive_order is not None else np.arange(self.s_count)

    # --- metrics that depend on one attribute at a time ---------------------------------------
    def _prepare_metrics(self) -> None:
        self.penalty: list[list[np.ndarray]] = []
        self.loss_lb: list[np.ndarray] = []  # per QI per level: mean penalty over rows
        self.log_freq: list[list[np.ndarray]] = []
        self.entropy_lb: list[np.ndarray] = []
        # Computed over each hierarchy's leaves weighted by their row counts: the cells are
        # visited once per QI (for leaf_weight), not once per level.
        for i, h in enumerate(self.hierarchies):
            pens, lbs, logf, ent = [], [], [], []
            w = self.leaf_weight[i]
            for lvl in range(h.depth):
                pen = h.penalty(lvl)
                codes = h.codes[lvl]
                pens.append(pen)
                lbs.append(_dot(pen[codes], w) / max(self.n, 1))
                freq = np.bincount(codes, weights=w, minlength=len(h.labels[lvl]))
                with np.errstate(divide="ignore"):
                    logf.append(np.log2(freq))
            present = w > 0  # leaves absent from the table carry no rows (and log2 0 = -inf)
            base = logf[0][h.codes[0]][present]
            for lvl in range(h.depth):
                ent.append(_dot(logf[lvl][h.codes[lvl]][present] - base, w[present]))
            self.penalty.append(pens)
            self.loss_lb.append(np.array(lbs))
            self.log_freq.append(logf)
            self.entropy_lb.append(np.array(ent))

    def lower_bound(self, nodes: np.ndarray, metric: str) -> np.ndarray:
        """A bound no node's metric goes below, monotone in generalisation: the metric with no
        suppression (a suppressed row always costs at least as much as a generalised one)."""
        out = np.zeros(len(nodes))
        if metric not in ("loss", "entropy"):
            return out
        table = self.loss_lb if metric == "loss" else self.entropy_lb
        for i in range(self.q):
            out += table[i][nodes[:, i]]
        return out / self.q if metric == "loss" else out

    def base_cells(self) -> Cells:
        return Cells(np.arange(len(self.weight), dtype=np.int64), self.weight)

    # --- grouping ----------------------------------------------------------------------------------
    def keys(self, node: tuple[int, ...], rep: np.ndarray) -> tuple[np.ndarray, int]:
        """One int64 class key per cell (mixed radix over the node's level codes), and the radix
        (an upper bound of the keys)."""
        key = np.zeros(len(rep), dtype=np.int64)
        radix = 1
        for i, lvl in enumerate(node):
            size = self.level_sizes[i][lvl]
            if size == 1:
                continue
            if radix * size >= _KEY_LIMIT:
                _, key = np.unique(key, return_inverse=True)
                key = key.astype(np.int64)
                radix = int(key.max()) + 1 if len(key) else 1
            key = key * size + self.level_codes[i][lvl][rep]
            radix *= size
        return key, radix

    @staticmethod
    def group(key: np.ndarray, radix: int, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct keys (ascending), the first position of each, and summed weights.

        Dense counting when the key space is small next to the cells (linear time), else a sort."""
        n = len(key)
        if radix <= 4 * n + 1024:
            sums = np.bincount(key, weights=weight, minlength=radix)
            seen = np.bincount(key, minlength=radix)
            uniq = np.flatnonzero(seen)
            first_at = np.empty(radix, dtype=np.int64)
            first_at[key[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)  # last write wins → first
            return uniq, first_at[uniq], sums[uniq].astype(np.int64)
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        start = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))) if n else order
        sums = np.add.reduceat(weight[order], start) if n else weight[:0]
        return ordered[start], order[start], sums.astype(np.int64)

    def evaluate(self, node: tuple[int, ...], source: Cells) -> NodeResult:
        rep, weight = source.rep, source.weight
        key, radix = self.keys(node, rep)
        if self.sensitive is not None:
            key = key * self.s_count + self.sensitive[rep]
            radix *= self.s_count
        uniq, first, cell_w = self.group(key, radix, weight)
        cells = Cells(rep[first], cell_w)
        class_key = uniq // self.s_count if self.sensitive is not None else uniq
        if len(class_key):
            start = np.concatenate(([0], np.flatnonzero(np.diff(class_key)) + 1))
        else:
            start = np.zeros(0, dtype=np.int64)
        size = np.add.reduceat(cell_w, start) if len(start) else np.zeros(0, dtype=np.int64)
        ok = self._criteria(cells, start, size)
        suppressed = int(size[~ok].sum())
        result = NodeResult(node, cells, start, size, ok, suppressed, suppressed <= self.max_suppressed)
        return result

    def _criteria(self, cells: Cells, start: np.ndarray, size: np.ndarray) -> np.ndarray:
        m = self.model
        ok = size >= m.k
        if self.sensitive is None or (m.l <= 1 and m.t is None):
            return ok
        ncell = len(cells.weight)
        if m.l > 1:
            if m.l_kind == "entropy":
                w = cells.weight.astype(np.float64)
                wlogw = np.add.reduceat(w * np.log(w), start)
                entropy = np.log(size) - wlogw / size
                ok &= entropy >= math.log(m.l) - 1e-12
            else:
                distinct = np.diff(np.append(start, ncell))
                ok &= distinct >= m.l
        if m.t is not None:
            ok &= self.emd(cells, start, size) <= m.t + 1e-12
        return ok

    def emd(self, cells: Cells, start: np.ndarray, size: np.ndarray) -> np.ndarray:
        """Earth mover's distance of each class's sensitive distribution to the table's."""
        assert self.sensitive is not None
        s = self.sensitive[cells.rep]
        class_of_cell = np.repeat(np.arange(len(start)), np.diff(np.append(start, len(cells.weight))))
        p = cells.weight / size[class_of_cell]
        q = self.global_dist
        if self.model.t_distance == "equal" or self.s_count < 2:
            # 0.5·Σ|p−q| written over the class's own values only: values absent contribute q_s.
            per_cell = np.abs(p - q[s]) - q[s]
            return 0.5 * (np.add.reduceat(per_cell, start) + 1.0)
        # ordered distance: Σ_i |Σ_{j≤i} (p_j − q_j)| / (m − 1), in blocks of classes to bound memory
        out = np.empty(len(start))
        ranks = self.s_rank[s]
        q_ordered = np.zeros(self.s_count)
        q_ordered[self.s_rank] = q
        block = max(1, 4_000_000 // self.s_count)
        for lo in range(0, len(start), block):
            hi = min(len(start), lo + block)
            sel = (class_of_cell >= lo) & (class_of_cell < hi)
            dense = np.zeros((hi - lo, self.s_count))
            np.add.at(dense, (class_of_cell[sel] - lo, ranks[sel]), p[sel])
            diff = np.cumsum(dense - q_ordered, axis=1)
            out[lo:hi] = np.abs(diff).sum(axis=1) / (self.s_count - 1)
        return out

    # --- metrics of an evaluated node ----------------------------------------------------------
    def metrics(self, r: NodeResult) -> dict[str, float]:
        n = max(self.n, 1)
        kept = r.class_size[r.class_ok].astype(np.float64)
        if r.suppressed == 0:  # the attribute-wise metrics equal their no-suppression values
            loss = sum(float(self.loss_lb[i][lvl]) for i, lvl in enumerate(r.node)) / self.q if self.q else 0.0
            entropy = sum(float(self.entropy_lb[i][lvl]) for i, lvl in enumerate(r.node))
            return {"loss": loss, "discernibility": _dot(kept, kept),
                    "avg_class_size": n / len(kept) if len(kept) else 0.0, "entropy": entropy}
        rep = r.class_rep
        bad = ~r.class_ok
        supp_rep, supp_size = rep[bad], r.class_size[bad].astype(np.float64)
        # loss: the no-suppression value plus, for suppressed classes, (1 − their penalty).
        class_pen = np.zeros(len(supp_rep))
        ent_delta = np.zeros(len(supp_rep))
        log_n = math.log2(n)
        for i, lvl in enumerate(r.node):
            codes = self.level_codes[i][lvl][supp_rep]
            class_pen += self.penalty[i][lvl][codes]
            ent_delta += log_n - self.log_freq[i][lvl][codes]
        loss = sum(float(self.loss_lb[i][lvl]) for i, lvl in enumerate(r.node)) / self.q if self.q else 0.0
        if self.q:
            loss += _dot(supp_size, 1.0 - class_pen / self.q) / n
        else:
            loss = r.suppressed / n
        entropy = sum(float(self.entropy_lb[i][lvl]) for i, lvl in enumerate(r.node)) + _dot(supp_size, ent_delta)
        disc = _dot(kept, kept) + float(r.suppressed) * n
        groups = len(kept) + (1 if r.suppressed else 0)
        return {"loss": loss, "discernibility": disc, "avg_class_size": n / groups if groups else 0.0,
                "entropy": entropy}

    def achieved(self, r: NodeResult) -> dict[str, float | None]:
        """The privacy levels the released classes actually reach (suppressed classes excluded)."""
        keep = r.class_ok
        out: dict[str, float | None] = {"k": float(r.class_size[keep].min()) if keep.any() else None,
                                        "l": None, "l_entropy": None, "t": None}
        if self.sensitive is None or not keep.any():
            return out
        ncell = len(r.cells.weight)
        distinct = np.diff(np.append(r.class_start, ncell))
        out["l"] = float(distinct[keep].min())
        w = r.cells.weight.astype(np.float64)
        wlogw = np.add.reduceat(w * np.log(w), r.class_start)
        size = r.class_size.astype(np.float64)
        entropy = np.log(size) - wlogw / size
        out["l_entropy"] = float(np.exp(entropy[keep].min()))
        out["t"] = float(self.emd(r.cells, r.class_start, r.class_size)[keep].max())
        return out

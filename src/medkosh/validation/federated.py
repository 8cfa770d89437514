"""Federated validation: the same protocol runs at each hospital, only aggregates come back, and the
pooled report is computed from them with the same engine as in-platform validation.

What a site sends, per population (everyone, and each subgroup level): for each 0.001-wide score bin
and outcome, the count, the sum and the sum of squares of the scores. These cells are sufficient for
every metric in the report: AUROC/AUPRC lose only the order inside a 0.001 bin, threshold metrics are
exact for thresholds on the grid, Brier is exact. The bootstrap draws Poisson(count) per pooled cell,
which is what a Poisson bootstrap of the pooled individuals gives. Cells go to the medkosh coordinator,
never to the model's developer (the coordinator publishes the report, which is aggregates only).

Transports: `in_process` (sites as functions) and `flower` (each site a Flower NumPyClient whose evaluate
round returns its cells; the coordinator is a Flower strategy collecting them)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medkosh.validation.bootstrap import replicates
from medkosh.validation.calibration import calibration, decision_curve
from medkosh.validation.evaluate import judge
from medkosh.validation.fairness import SHOWN, assemble, metric_block
from medkosh.validation.metrics import Cells, cells_from_sums, weighted_metrics
from medkosh.validation.types import Protocol

GRID = 1000
Aggregates = dict[str, Any]
Site = Callable[[Protocol], Aggregates]


def _cells(score: NDArray[np.float64], y: NDArray[np.int64]) -> dict[str, list[float]]:
    b = np.minimum(np.floor(np.clip(score, 0, 1) * GRID).astype(np.int64), GRID - 1)
    key = b * 2 + y
    n = np.bincount(key, minlength=2 * GRID)
    s = np.bincount(key, weights=score, minlength=2 * GRID)
    s2 = np.bincount(key, weights=score * score, minlength=2 * GRID)
    k = np.flatnonzero(n)
    return {"k": k.tolist(), "n": n[k].tolist(), "s": s[k].tolist(), "s2": s2[k].tolist()}


def site_aggregates(score: NDArray[np.floating], y: NDArray[np.integer], groups: Mapping[str, NDArray[Any]],
                    protocol: Protocol, site: str) -> Aggregates:
    """Run at the hospital, on its own scores and outcomes: the cells, nothing else."""
    s = np.asarray(score, dtype=np.float64)
    yy = np.asarray(y).astype(np.int64)
    subs: dict[str, dict[str, Any]] = {}
    for kind in protocol.subgroups:
        if kind not in groups:
            continue
        lab = np.array(["unknown" if v is None or v == "" else str(v) for v in groups[kind]])
        subs[kind] = {str(level): _cells(s[lab == level], yy[lab == level]) for level in sorted(set(lab.tolist()))}
    return {"site": site, "protocol": f"{protocol.id}@{protocol.version}", "overall": _cells(s, yy),
            "subgroups": subs}


def _add(into: dict[int, list[float]], c: Mapping[str, list[float]]) -> None:
    for k, n, s, s2 in zip(c["k"], c["n"], c["s"], c["s2"], strict=True):
        cur = into.setdefault(int(k), [0.0, 0.0, 0.0])
        cur[0] += n
        cur[1] += s
        cur[2] += s2


def _to_cells(acc: dict[int, list[float]]) -> Cells:
    keys = np.asarray(sorted(acc), dtype=np.int64)
    vals = np.asarray([acc[int(k)] for k in keys], dtype=np.float64).reshape(-1, 3)
    return cells_from_sums((keys % 2).astype(bool), vals[:, 0], vals[:, 1], vals[:, 2])


def _threshold(c: Cells, protocol: Protocol) -> dict[str, Any]:
    t = protocol.threshold
    if t.fixed is not None:
        return {"value": float(t.fixed), "method": "fixed by the protocol"}
    assert t.sensitivity is not None
    pos = c.y
    need = t.sensitivity * c.count[pos].sum()
    cum = np.cumsum(c.count[pos])  # cells are sorted by score, highest first
    i = int(np.searchsorted(cum, need - 1e-9))
    edge = float(np.floor(c.score[pos][min(i, len(cum) - 1)] * GRID) / GRID)  # the cell's lower bin edge
    return {"value": edge, "method": f"highest 0.001-grid threshold with pooled sensitivity >= {t.sensitivity}"}


def pooled_report(sites: list[Aggregates], protocol: Protocol) -> dict[str, Any]:
    """The report on the union of the sites, from their cells alone."""
    rng = np.random.default_rng(protocol.bootstrap.seed)
    overall: dict[int, list[float]] = {}
    subs: dict[str, dict[str, dict[int, list[float]]]] = {}
    for agg in sites:
        _add(overall, agg["overall"])
        for kind, levels in agg["subgroups"].items():
            for level, c in levels.items():
                _add(subs.setdefault(kind, {}).setdefault(level, {}), c)
    c = _to_cells(overall)
    thr = _threshold(c, protocol)
    pt = weighted_metrics(c, c.count[None, :], thr["value"])
    reps = replicates(c, thr["value"], protocol.bootstrap.resamples, rng)
    metrics = metric_block(pt, reps, SHOWN)
    cal = calibration(c.score, c.y.astype(np.int64), c.count)
    for key in ("slope", "intercept"):
        if cal.get(key):
            metrics[f"calibration_{key}"] = {k: cal[key][k] for k in ("value", "ci_low", "ci_high")}
    subgroups = {}
    for kind in protocol.subgroups:
        if kind in subs:
            stats = {}
            for level in sorted(subs[kind]):
                lc = _to_cells(subs[kind][level])
                lpt = weighted_metrics(lc, lc.count[None, :], thr["value"])
                stats[level] = (lpt, replicates(lc, thr["value"], protocol.bootstrap.resamples, rng))
            subgroups[kind] = assemble(stats, protocol)
    n, events = float(pt["n"][0]), float(pt["events"][0])
    report: dict[str, Any] = {
        "n": round(n), "events": round(events), "prevalence": events / n if n else None,
        "threshold": thr, "metrics": metrics,
        "ci_method": f"percentile, {protocol.bootstrap.resamples} Poisson bootstrap resamples of the pooled "
                     f"score cells (0.001 grid), seed {protocol.bootstrap.seed}",
        "calibration": {"reliability": cal.get("reliability", []),
                        "slope_method": cal["slope"]["method"] if cal.get("slope") else None},
        "decision_curve": decision_curve(c.score, c.y.astype(np.int64), c.count),
        "subgroups": subgroups,
        "subgroups_not_in_benchmark": [k for k in protocol.subgroups if k not in subs],
        "federated": {"sites": [a["site"] for a in sites], "transport": None},
    }
    report["pass"] = judge(report, protocol.pass_criteria)
    return report


# ---- transports -----------------------------------------------------------------------------------

def in_process(sites: list[Site], protocol: Protocol) -> list[Aggregates]:
    return [site(protocol) for site in sites]


def flower(sites: list[Site], protocol: Protocol) -> list[Aggregates]:
    """One Flower evaluate round: each site is a NumPyClient answering with its cells (as JSON bytes in
    the metrics, Flower's scalar type for opaque payloads); no model weights are exchanged."""
    import flwr as fl
    from flwr.common import Context

    class SiteClient(fl.client.NumPyClient):
        def __init__(self, site: Site) -> None:
            self.site = site

        def get_parameters(self, config: dict[str, Any]) -> list[NDArray[Any]]:
            return []

        def evaluate(self, parameters: list[NDArray[Any]], config: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
            proto = Protocol.model_validate_json(str(config["protocol"]))
            agg = self.site(proto)
            return 0.0, int(sum(agg["overall"]["n"])), {"aggregates": json.dumps(agg).encode()}

    collected: list[Aggregates] = []

    class Collect(fl.server.strategy.FedAvg):
        def aggregate_evaluate(self, server_round: int, results: list[Any], failures: list[Any]) -> Any:
            if failures:
                raise RuntimeError(f"{len(failures)} site(s) failed in the Flower round")
            for _, res in results:
                collected.append(json.loads(bytes(res.metrics["aggregates"]).decode()))
            return 0.0, {}

    def client_fn(context: Context) -> Any:
        pid = int(context.node_config.get("partition-id", 0))
        return SiteClient(sites[pid]).to_client()

    strategy = Collect(fraction_fit=0.0, min_fit_clients=0, fraction_evaluate=1.0, min_evaluate_clients=len(sites),
                       min_available_clients=len(sites),
                       on_evaluate_config_fn=lambda _r: {"protocol": protocol.model_dump_json()},
                       initial_parameters=fl.common.ndarrays_to_parameters([]))
    fl.simulation.start_simulation(client_fn=client_fn, num_clients=len(sites),
                                   config=fl.server.ServerConfig(num_rounds=1), strategy=strategy,
                                   client_resources={"num_cpus": 1},
                                   ray_init_args={"num_cpus": 2, "include_dashboard": False,
                                                  "ignore_reinit_error": True, "log_to_driver": False})
    return sorted(collected, key=lambda a: str(a["site"]))


TRANSPORTS: dict[str, Callable[[list[Site], Protocol], list[Aggregates]]] = {"in_process": in_process,
                                                                             "flower": flower}


def federated_validate(sites: list[Site], protocol: Protocol, transport: str = "in_process") -> dict[str, Any]:
    report = pooled_report(TRANSPORTS[transport](sites, protocol), protocol)
    report["federated"]["transport"] = transport
    return report

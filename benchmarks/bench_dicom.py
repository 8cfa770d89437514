"""DICOM de-identification benchmark: medkosh's PS3.15 engine against the deid package
(pydicom/deid, `pip install deid`) with its default recipe, on the same files, side by side in one run.

Input: the synthetic hospitals' DICOM (`medkosh synth`), plus CT/MR test images shipped with pydicom.
Both tools read every file, de-identify the header and write a new file; the methods alternate and
the median of --repeat runs (and of the per-pair ratios) is reported.

    .venv/bin/python benchmarks/bench_dicom.py [--patients 1500] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

CPU: dict[str, list[float]] = {}  # CPU seconds per run (this process and its worker children)


def _cpu() -> float:
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def make_input(base: Path, patients: int) -> tuple[Path, list[Path]]:
    """A folder holding only DICOM: the synthetic hospitals' studies plus pydicom's CT/MR test images."""
    from pydicom.data import get_testdata_file

    from medkosh.synth.generate import SynthOptions, generate

    generate(SynthOptions(patients=patients, hospitals=3, seed=5, workers=1), base / "synth")
    folder = base / "in"
    shutil.copytree(base / "synth" / "dicom", folder / "synth")
    (folder / "pydicom").mkdir()
    for name in ("CT_small.dcm", "MR_small.dcm"):
        path = get_testdata_file(name, download=False)
        if path:
            shutil.copy(path, folder / "pydicom" / name)
    return folder, sorted(p for p in folder.rglob("*") if p.is_file())


def run_medkosh(folder: Path, out: Path, workers: int = 1) -> float:
    """`medkosh deid dicom IN OUT`'s engine: read, de-identify, write, publish the output folder."""
    from medkosh.deid.dicom import DicomDeidentifier, deidentify_folder
    from medkosh.ingest.linkage import UhidKey

    secret = b"m" * 32
    engine = DicomDeidentifier(secret, UhidKey(secret, "BENCH"))
    started, cpu = time.perf_counter(), _cpu()
    report = deidentify_folder(folder, out, engine, workers=workers)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    assert not report.skipped, report.skipped
    CPU.setdefault("medkosh" if workers == 1 else "medkosh_workers", []).append(cpu)
    return seconds


def run_deid(files: list[Path], out: Path) -> float:
    from deid.config import DeidRecipe
    from deid.dicom import replace_identifiers

    recipe = DeidRecipe()  # the package's default recipe (deid.dicom)
    out.mkdir(parents=True, exist_ok=True)
    started, cpu = time.perf_counter(), _cpu()
    replace_identifiers(dicom_files=[str(f) for f in files], deid=recipe, save=True, output_folder=str(out),
                        overwrite=True)
    CPU.setdefault("deid", []).append(_cpu() - cpu)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=1500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # deid logs a line per file; not part of the work measured
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder, files = make_input(base, args.patients)
        size_mb = sum(f.stat().st_size for f in files) / 1e6
        run_medkosh(folder / "pydicom", base / "warm-m")  # imports and caches, outside the timing
        run_deid(sorted((folder / "pydicom").iterdir()), base / "warm-d")
        CPU.clear()
        times: dict[str, list[float]] = {"medkosh": [], "deid": [], "medkosh_workers": []}
        workers = min(os.cpu_count() or 1, 4)  # `medkosh deid dicom`'s default
        for i in range(args.repeat):
            times["medkosh"].append(run_medkosh(folder, base / f"m{i}"))
            times["deid"].append(run_deid(files, base / f"d{i}"))
            times["medkosh_workers"].append(run_medkosh(folder, base / f"w{i}", workers))
        written = {"medkosh": len(list((base / "m0").rglob("*.dcm"))), "deid": len(list((base / "d0").rglob("*.dcm")))}
    ratios = [d / m for m, d in zip(times["medkosh"], times["deid"], strict=True)]
    ratios_w = [d / m for m, d in zip(times["medkosh_workers"], times["deid"], strict=True)]
    summary = {"files": len(files), "megabytes": round(size_mb, 1), "written": written,
               "median_seconds": {k: round(statistics.median(v), 3) for k, v in times.items()},
               "files_per_second": {k: round(len(files) / statistics.median(v), 1) for k, v in times.items()},
               "speedup": round(statistics.median(ratios), 2), "speedup_all_pairs": [round(r, 2) for r in ratios],
               "cpu_seconds_median": {k: round(statistics.median(v), 3) for k, v in CPU.items()},
               "cpu_speedup": round(statistics.median(d / m for m, d in zip(CPU["medkosh"], CPU["deid"], strict=True)), 2),
               "workers": workers, "speedup_workers": round(statistics.median(ratios_w), 2),
               "speedup_workers_all_pairs": [round(r, 2) for r in ratios_w],
               "seconds_all_runs": {k: [round(x, 3) for x in v] for k, v in times.items()}}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{len(files)} DICOM files ({size_mb:.1f} MB)")
        for k in ("medkosh", "medkosh_workers", "deid"):
            print(f"{k:>8}: median {summary['median_seconds'][k]:.2f} s → {summary['files_per_second'][k]} files/s "
                  f"(runs {summary['seconds_all_runs'][k]})")
        print(f"medkosh (1 process) is {summary['speedup']}x faster than deid's default recipe "
              f"(per-pair {summary['speedup_all_pairs']}); with {workers} workers "
              f"{summary['speedup_workers']}x (per-pair {summary['speedup_workers_all_pairs']}); "
              f"in CPU time (one process) {summary['cpu_speedup']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

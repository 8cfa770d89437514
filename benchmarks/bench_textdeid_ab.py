"""Note de-identification speed of the working tree against an earlier commit, side by side in one
process (the fair comparison on a loaded machine: both see the same load).

    python benchmarks/bench_textdeid_ab.py [--base COMMIT] [--runs 9] [--json]

The base commit's src/medkosh/deid/text is extracted (git archive) into a temporary package
`basetext` (imports rewritten); both detect() functions then run alternately over the same notes
(the dev, held-out and tricky gold sets) and over a 250 kB all-capitals note. Reported: MB per
CPU-second (time.process_time, median of --runs) of each, the ratio, and whether both give the same
spans on every note (they should when the change is speed only).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from textdeid_eval import load  # noqa: E402

SETS = ["textdeid_heldout.jsonl", "textdeid_dev.jsonl", "textdeid_tricky.jsonl"]
_CAPS = ("NEURO: PT ALERT, MAE. CV: NSR 80S. WIFE MARY IN, UPDATED BY DR SMITH ON 3/14. "
         "AADHAAR 2345 6789 0124, PH 98765 43210, R/O 12 SHIVAJI NAGAR PUNE 411005.\n")


def _extract(commit: str, into: Path) -> None:
    data = subprocess.run(["git", "archive", commit, "src/medkosh/deid/text"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    pkg = into / "basetext"
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            rel = Path(member.name).relative_to("src/medkosh/deid/text")
            target = pkg / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            body = tar.extractfile(member).read()  # type: ignore[union-attr]
            if target.suffix == ".py":
                body = body.replace(b"medkosh.deid.text", b"basetext")
            target.write_bytes(body)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="bc5449f", help="commit to compare with (default: before the speed work)")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _extract(args.base, Path(tmp))
        sys.path.insert(0, tmp)
        from basetext import detect as old  # type: ignore[import-not-found]

        from medkosh.deid.text import detect as new

        notes = [x["text"] for s in SETS for x in load(HERE / "data" / s)]
        caps = [_CAPS * (250_000 // len(_CAPS))]
        # Spans compared as (start, end, label): the Span class itself may differ between versions.
        same = all([(s.start, s.end, s.label) for s in old(t)] == [(s.start, s.end, s.label) for s in new(t)]
                   for t in notes + caps)
        out: dict[str, Any] = {"base": args.base, "load_before": round(os.getloadavg()[0], 1), "same_spans": same}
        for name, texts in (("gold_notes", notes), ("capitals_note", caps)):
            cpu: dict[str, list[float]] = {"base": [], "now": []}
            for _ in range(args.runs):
                for key, fn in (("base", old), ("now", new)):
                    c0 = time.process_time()
                    for t in texts:
                        fn(t)
                    cpu[key].append(time.process_time() - c0)
            mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
            b, w = statistics.median(cpu["base"]), statistics.median(cpu["now"])
            out[name] = {"notes": len(texts), "megabytes": round(mb, 3), "base_mb_per_cpu_s": round(mb / b, 3),
                         "now_mb_per_cpu_s": round(mb / w, 3), "speedup": round(b / w, 2),
                         # the fastest runs are the least disturbed by other work on a shared machine
                         "speedup_fastest": round(min(cpu["base"]) / min(cpu["now"]), 2)}
        out["load_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

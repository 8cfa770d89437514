"""Demo step: de-identify the synthetic clinical notes and report recall against the generator's
gold spans, then run the release-gate scanner (with the planted canaries) over the output."""

from __future__ import annotations

import json
from typing import Any


def run(ctx: Any) -> list[str]:
    from medkosh.deid.scan import load_canaries, scan_paths
    from medkosh.deid.text.evaluate import Score, score_note
    from medkosh.deid.text.stream import deidentify_jsonl

    synth_dir = ctx.state["synth_dir"]
    notes_path = synth_dir / "notes" / "notes.jsonl"
    out_path = ctx.data_dir / "notes-deid" / "notes.jsonl"
    summary = deidentify_jsonl(notes_path, out_path, "tag", None)

    every_age = Score()
    safe_harbor = Score()  # ages under 90 are not identifiers under HIPAA Safe Harbor; synth labels all
    # The output lines carry the detected spans (offsets into the input), in input order.
    with notes_path.open(encoding="utf-8") as fh, out_path.open(encoding="utf-8") as out_fh:
        for line, out_line in zip(fh, out_fh, strict=True):
            note = json.loads(line)
            text = note["text"]
            gold = [(g["start"], g["end"], g["label"]) for g in note["phi"]]
            predicted = [(s["start"], s["end"]) for s in json.loads(out_line)["spans"]]
            score_note(text, gold, predicted, every_age)
            kept = [g for g in gold if g[2] != "AGE" or _age(text[g[0]:g[1]]) >= 90]
            score_note(text, kept, predicted, safe_harbor)

    canaries_file = synth_dir / "canaries.json"
    canaries = load_canaries(canaries_file) if canaries_file.exists() else []
    findings = scan_paths([out_path], canaries=canaries)
    canary_hits = sum(1 for f in findings if f.kind == "canary")
    ctx.state["notes_deid"] = out_path
    weakest = sorted(safe_harbor.per_label_recall().items(), key=lambda kv: kv[1])[:3]
    return [
        f"{summary.notes:,} notes ({summary.bytes / 1e6:.2f} MB) de-identified in {summary.seconds:.1f} s "
        f"with {summary.workers} workers; {summary.spans:,} spans → {out_path}",
        f"token recall {safe_harbor.recall:.4f}, precision {safe_harbor.precision:.4f} against the gold spans "
        f"(ages over 89; counting every age as PHI: recall {every_age.recall:.4f})",
        "lowest per-label recall: " + ", ".join(f"{k} {v:.3f}" for k, v in weakest),
        f"release-gate scan of the output: {len(findings)} finding(s), {canary_hits} canary hit(s) "
        f"of {len(canaries)} planted values",
    ]


def _age(text: str) -> int:
    digits = "".join(ch for ch in text if ch.isdigit())[:3]
    return int(digits) if digits else 0

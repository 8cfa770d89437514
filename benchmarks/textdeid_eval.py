"""Evaluate clinical-note de-identification against gold-annotated notes.

    python benchmarks/textdeid_eval.py benchmarks/data/textdeid_heldout.jsonl [more.jsonl ...]
        [--synth DIR] [--profile default|scan] [--json] [--show N]

Input lines carry "text" and gold spans in "phi" (medkosh synth, bench_textdeid_corpus.py) or
"spans": [{"start", "end", "label"}]. Reports, per file and overall:
  token recall / precision / F1 — a token (a run of letters or digits) is PHI when it overlaps a gold
      span, and predicted when it overlaps a detected span; labels are not required to agree;
  per-label recall — token recall split by the gold label;
  leak rate — the share of gold PHI strings still present, verbatim, in the tag-mode output.
--show N prints N missed and N wrongly flagged tokens with context (use it on dev sets only; the
held-out split is for reporting).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"[0-9A-Za-z\u00C0-\u024F\u0900-\u0963\u0966-\u097F]+")


def load(path: Path) -> list[dict[str, Any]]:
    notes = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                gold = obj.get("phi", obj.get("spans", []))
                notes.append({"id": obj.get("id"), "text": obj["text"], "gold": gold, "family": obj.get("family", path.stem)})
    return notes


def _age_value(text: str) -> int:
    digits = re.match(r"\D*(\d+)", text)
    return int(digits.group(1)) if digits else 0


def _covered(n: int, spans: list[tuple[int, int]]) -> bytearray:
    mask = bytearray(n + 1)
    for s, e in spans:
        mask[s:e] = b"\x01" * (e - s)
    return mask


class Tally:
    def __init__(self) -> None:
        self.tp = self.fn = self.fp = 0
        self.by_label: Counter[str] = Counter()
        self.by_label_hit: Counter[str] = Counter()
        self.gold_strings = 0
        self.leaked = 0
        self.notes = 0
        self.chars = 0

    def add(self, other: Tally) -> None:
        for k in ("tp", "fn", "fp", "gold_strings", "leaked", "notes", "chars"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.by_label.update(other.by_label)
        self.by_label_hit.update(other.by_label_hit)

    def report(self) -> dict[str, Any]:
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
        return {"notes": self.notes, "gold_tokens": self.tp + self.fn, "token_recall": round(recall, 4),
                "token_precision": round(precision, 4), "f1": round(f1, 4),
                "leak_rate": round(self.leaked / self.gold_strings, 4) if self.gold_strings else 0.0,
                "per_label_recall": {k: round(self.by_label_hit[k] / v, 4) for k, v in sorted(self.by_label.items())}}


def evaluate(notes: list[dict[str, Any]], profile: str, show: int = 0) -> tuple[Tally, list[str]]:
    from medkosh.deid.text import detect
    from medkosh.deid.text.transform import apply

    tally = Tally()
    examples: list[str] = []
    misses = wrong = 0
    for note in notes:
        text = note["text"]
        gold = [(g["start"], g["end"], g["label"]) for g in note["gold"]]
        spans = detect(text, profile=profile)
        pred_mask = _covered(len(text), [(s.start, s.end) for s in spans])
        gold_mask = _covered(len(text), [(s, e) for s, e, _ in gold])
        label_at = {}
        for s, e, label in gold:
            for i in range(s, e):
                label_at[i] = label
        for m in _TOKEN.finditer(text):
            a, b = m.span()
            is_gold = any(gold_mask[a:b])
            is_pred = any(pred_mask[a:b])
            if is_gold:
                label = next((label_at[i] for i in range(a, b) if i in label_at), "?")
                tally.by_label[label] += 1
                if is_pred:
                    tally.tp += 1
                    tally.by_label_hit[label] += 1
                else:
                    tally.fn += 1
                    if misses < show:
                        misses += 1
                        examples.append(f"MISS {label:12} {m.group()!r:24} …{text[max(0, a - 40):b + 30]!r}")
            elif is_pred:
                tally.fp += 1
                if wrong < show:
                    wrong += 1
                    examples.append(f"FP   {m.group()!r:24} …{text[max(0, a - 40):b + 30]!r}")
        out, _ = apply(text, spans, mode="tag")
        for s, e, _label in gold:
            value = text[s:e]
            if len(value) >= 2:
                tally.gold_strings += 1
                tally.leaked += value in out
        tally.notes += 1
        tally.chars += len(text)
    return tally, examples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--synth", type=Path, help="a `medkosh synth --out` folder: evaluates notes/notes.jsonl")
    ap.add_argument("--profile", default="default", choices=("default", "scan"))
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--ages-over-89-only", action="store_true",
                    help="drop gold AGE spans under 90 (HIPAA Safe Harbor keeps younger ages; medkosh synth labels every age)")
    args = ap.parse_args(argv)
    sets: list[tuple[str, list[dict[str, Any]]]] = [(str(p), load(p)) for p in args.files]
    if args.synth:
        sets.append((f"synth:{args.synth}", load(args.synth / "notes" / "notes.jsonl")))
    if not sets:
        ap.error("give gold JSONL files or --synth DIR")
    if args.ages_over_89_only:
        for _, notes in sets:
            for n in notes:
                n["gold"] = [g for g in n["gold"] if g["label"] != "AGE" or _age_value(n["text"][g["start"]:g["end"]]) >= 90]
    results: dict[str, Any] = {}
    total = Tally()
    started = time.perf_counter()
    for name, notes in sets:
        families: dict[str, list[dict[str, Any]]] = {}
        for n in notes:
            families.setdefault(n["family"], []).append(n)
        per_family = {}
        file_tally = Tally()
        for fam, fam_notes in sorted(families.items()):
            t, examples = evaluate(fam_notes, args.profile, args.show)
            per_family[fam] = t.report()
            file_tally.add(t)
            for line in examples:
                print(line, file=sys.stderr)
        results[name] = {**file_tally.report(), "by_family": per_family}
        total.add(file_tally)
    results["overall"] = total.report()
    results["overall"]["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for name, r in results.items():
            print(f"{name}: notes {r['notes']}, recall {r['token_recall']}, precision {r['token_precision']}, "
                  f"F1 {r['f1']}, leak {r['leak_rate']}")
            print(f"   per-label recall: {r['per_label_recall']}")
            for fam, fr in r.get("by_family", {}).items():
                print(f"   [{fam}] recall {fr['token_recall']} precision {fr['token_precision']} leak {fr['leak_rate']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

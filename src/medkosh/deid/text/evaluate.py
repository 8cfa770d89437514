"""Token-level scoring of detected spans against gold spans (the demo step's recall report).

A token is a run of letters or digits; it is PHI when it overlaps a gold span and predicted when it
overlaps a detected span (labels need not agree). benchmarks/textdeid_eval.py computes the same
figures with its own code, so the published benchmark does not depend on this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_TOKEN = re.compile(r"[0-9A-Za-z\u00C0-\u024F\u0900-\u0963\u0966-\u097F]+")


@dataclass
class Score:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    gold_by_label: Counter[str] = field(default_factory=Counter)
    hit_by_label: Counter[str] = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def per_label_recall(self) -> dict[str, float]:
        return {k: self.hit_by_label[k] / v for k, v in sorted(self.gold_by_label.items())}


def _mask(n: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    mask = bytearray(n)
    for s, e in spans:
        mask[s:e] = b"\x01" * (e - s)
    return mask


def score_note(text: str, gold: list[tuple[int, int, str]], predicted: list[tuple[int, int]],
               into: Score | None = None) -> Score:
    sc = into or Score()
    gmask = _mask(len(text), [(s, e) for s, e, _ in gold])
    pmask = _mask(len(text), predicted)
    labels = sorted(gold)
    for m in _TOKEN.finditer(text):
        a, b = m.span()
        is_gold, is_pred = any(gmask[a:b]), any(pmask[a:b])
        if is_gold:
            label = next((lab for s, e, lab in labels if s < b and e > a), "?")
            sc.gold_by_label[label] += 1
            if is_pred:
                sc.tp += 1
                sc.hit_by_label[label] += 1
            else:
                sc.fn += 1
        elif is_pred:
            sc.fp += 1
    return sc

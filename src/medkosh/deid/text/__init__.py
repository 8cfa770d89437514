"""Clinical-note de-identification: detection (patterns with checksums and context, gazetteers,
a clinical safe-list), transformation (tag, consistent surrogate, redaction) and streaming.

Stable entry points (see docs/guides/note-deidentification.md):
    detect(text, *, profile="default"|"scan") -> list[Span]
    deidentify(text, *, mode, secret=None, patient_key=None, date_shift_days=None) -> (new_text, spans)
    deidentify_jsonl(in_path, out_path, mode, workers) -> RunSummary
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medkosh.deid.text.types import Label, Mode, Span

if TYPE_CHECKING:
    from medkosh.deid.text.engine import detect
    from medkosh.deid.text.stream import RunSummary, deidentify_jsonl
    from medkosh.deid.text.transform import DeidResult, deidentify

__all__ = ["DeidResult", "Label", "Mode", "RunSummary", "Span", "deidentify", "deidentify_jsonl", "detect"]

_LAZY = {"detect": "medkosh.deid.text.engine", "deidentify": "medkosh.deid.text.transform",
         "deidentify_jsonl": "medkosh.deid.text.stream", "RunSummary": "medkosh.deid.text.stream",
         "DeidResult": "medkosh.deid.text.transform"}


def __getattr__(name: str) -> Any:
    # Lazy, so `import medkosh.deid.text.types` does not load the gazetteers.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)

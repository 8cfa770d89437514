"""Spot-check support: a reproducible random sample of notes with their detected spans, for the
CLI view (`medkosh deid review`) and the portal page (/deid/notes/review)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medkosh.deid.text.types import Span


@dataclass(frozen=True)
class ReviewItem:
    note_id: str
    text: str
    spans: list[Span]

    def segments(self) -> list[tuple[str, str | None]]:
        """The note cut into (text, label-or-None) pieces, in order: what a page highlights."""
        out: list[tuple[str, str | None]] = []
        pos = 0
        for s in self.spans:
            if s.start > pos:
                out.append((self.text[pos:s.start], None))
            out.append((self.text[s.start:s.end], s.label))
            pos = s.end
        if pos < len(self.text):
            out.append((self.text[pos:], None))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.note_id, "text": self.text, "spans": [s.to_dict() for s in self.spans]}


def review_sample(in_path: str | Path, *, sample: int = 5, seed: int = 0, note_id: str | None = None,
                  profile: str = "default") -> list[ReviewItem]:
    """A uniform random sample (reservoir sampling: one pass, memory for `sample` notes only)."""
    from medkosh.deid.text.engine import detect
    from medkosh.deid.text.stream import iter_records
    from medkosh.errors import NotFoundError

    rng = random.Random(seed)
    chosen: list[tuple[str, str]] = []
    for i, (rid, body, _patient) in enumerate(iter_records(Path(in_path))):
        if note_id is not None:
            if rid == note_id:
                chosen = [(rid, body)]
                break
            continue
        if len(chosen) < sample:
            chosen.append((rid, body))
        else:
            j = rng.randint(0, i)
            if j < sample:
                chosen[j] = (rid, body)
    if note_id is not None and not chosen:
        raise NotFoundError("note not found", where=f"id {note_id}", hint="check the id in the input file")
    return [ReviewItem(rid, body, detect(body, profile=profile)) for rid, body in chosen]

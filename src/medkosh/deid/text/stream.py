"""Streaming de-identification of many notes: JSONL in → JSONL out, or plain .txt files and
directories of them. Memory stays bounded (a fixed window of batches in flight) and both cores
work (a process pool); the Ray engine (ray_engine.py) does the same across a cluster.

Output is written to a temporary file beside the target and renamed into place at the end: a
crash never leaves a half-written output under the final name.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from medkosh.deid.text.types import Mode
from medkosh.errors import InputError

BATCH_NOTES = 200
BATCH_CHARS = 2_000_000  # a batch closes at whichever limit comes first (1 huge note = 1 batch)

# (id, text, patient_key)
Record = tuple[str, str, str | None]


@dataclass
class RunSummary:
    notes: int = 0
    chars: int = 0
    bytes: int = 0
    spans: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    workers: int = 1
    output: str = ""

    def add(self, other: BatchResult) -> None:
        self.notes += other.notes
        self.chars += other.chars
        self.bytes += other.bytes
        self.spans += sum(other.labels.values())
        self.labels.update(other.labels)

    def as_dict(self) -> dict[str, Any]:
        mb = self.bytes / 1e6
        return {"notes": self.notes, "spans": self.spans, "spans_per_label": dict(sorted(self.labels.items())),
                "megabytes": round(mb, 3), "seconds": round(self.seconds, 3),
                "mb_per_s": round(mb / self.seconds, 3) if self.seconds > 0 else None,
                "workers": self.workers, "output": self.output}


@dataclass
class BatchResult:
    lines: list[bytes]
    notes: int
    chars: int
    bytes: int
    labels: Counter[str]


# ---- reading ------------------------------------------------------------------------------------

def _read_jsonl(path: Path) -> Iterator[Record]:
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise InputError("line is not valid JSON", where=f"{path}:{lineno}",
                                 hint='each line must be {"id": ..., "text": ...}') from exc
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise InputError('line has no string "text"', where=f"{path}:{lineno}",
                                 hint='each line must be {"id": ..., "text": ...}')
            note_id = obj.get("id", f"{path.name}:{lineno}")
            patient = obj.get("patient_id") or obj.get("patient_key")
            yield str(note_id), obj["text"], str(patient) if patient is not None else None


def _read_txt(path: Path, root: Path) -> Record:
    try:
        body = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("note is not UTF-8 text", where=str(path), hint="convert it to UTF-8") from exc
    rel = path.relative_to(root).as_posix() if path != root else path.name
    return rel, body, None


def iter_records(in_path: Path) -> Iterator[Record]:
    """Notes from a JSONL file, a .txt file, or a directory (recursively: *.txt and *.jsonl)."""
    if in_path.is_dir():
        # os.walk, sorted per directory: memory follows the largest directory listing (names
        # only), not the whole tree, so a million notes in nested folders stream through.
        for root, dirs, files in os.walk(in_path):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                if name.endswith(".jsonl"):
                    yield from _read_jsonl(path)
                elif name.endswith(".txt"):
                    yield _read_txt(path, in_path)
        return
    if not in_path.exists():
        raise InputError("input not found", where=str(in_path), hint="give a .jsonl or .txt file or a directory")
    if in_path.suffix == ".jsonl" or in_path.suffix == ".json":
        yield from _read_jsonl(in_path)
    else:
        yield _read_txt(in_path, in_path)


def batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    batch: list[Record] = []
    size = 0
    for rec in records:
        batch.append(rec)
        size += len(rec[1])
        if len(batch) >= BATCH_NOTES or size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# ---- work (runs in worker processes) -------------------------------------------------------------

def process_batch(batch: list[Record], mode: str, secret: bytes | None, profile: str = "default") -> BatchResult:
    from medkosh.deid.text.engine import detect
    from medkosh.deid.text.transform import apply

    lines: list[bytes] = []
    labels: Counter[str] = Counter()
    chars = nbytes = 0
    for note_id, body, patient in batch:
        spans = detect(body, profile=profile)
        new_text, _ = apply(body, spans, mode=mode, secret=secret, patient_key=patient)
        labels.update(s.label for s in spans)
        chars += len(body)
        nbytes += len(body.encode("utf-8"))
        lines.append(orjson.dumps({"id": note_id, "text": new_text, "spans": [s.to_dict() for s in spans]}))
    return BatchResult(lines, len(batch), chars, nbytes, labels)


# ---- writing --------------------------------------------------------------------------------------

class _AtomicOutput:
    """JSONL lines to OUT (a temp file renamed into place), or, for a directory output, one .txt per
    note id plus spans.jsonl (the same records without the text)."""

    def __init__(self, out_path: Path) -> None:
        self.out_path = out_path
        self.as_dir = out_path.suffix not in (".jsonl", ".json")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tag = f".{out_path.name}.{os.getpid()}.tmp"
        self.tmp = out_path.with_name(tag)
        if self.as_dir:
            self.tmp.mkdir(parents=True, exist_ok=False)
            self.fh = (self.tmp / "spans.jsonl").open("wb")
        else:
            self.fh = self.tmp.open("wb")

    def write(self, line: bytes) -> None:
        if not self.as_dir:
            self.fh.write(line + b"\n")
            return
        obj = orjson.loads(line)
        rel = Path(str(obj["id"]))
        if rel.is_absolute() or ".." in rel.parts:
            raise InputError("note id cannot be used as a file name", where=str(obj["id"]),
                             hint="write JSONL output (OUT.jsonl) for such ids")
        target = self.tmp / (rel if rel.suffix == ".txt" else rel.with_name(rel.name + ".txt"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(obj["text"], encoding="utf-8")
        self.fh.write(orjson.dumps({"id": obj["id"], "spans": obj["spans"]}) + b"\n")

    def commit(self) -> None:
        self.fh.close()
        if self.as_dir and self.out_path.exists():
            import shutil

            old = self.out_path.with_name(f".{self.out_path.name}.{os.getpid()}.old")
            os.replace(self.out_path, old)
            os.replace(self.tmp, self.out_path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, self.out_path)

    def abort(self) -> None:
        self.fh.close()
        if self.tmp.is_dir():
            import shutil

            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            self.tmp.unlink(missing_ok=True)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def deidentify_jsonl(in_path: str | Path, out_path: str | Path, mode: Mode | str = Mode.TAG,
                     workers: int | None = None, *, secret: bytes | None = None,
                     profile: str = "default") -> RunSummary:
    """De-identify every note under `in_path` into `out_path`, in input order.

    workers=1 runs in this process; more use a process pool with at most 2×workers batches in
    flight, so a directory of a million notes streams through in bounded memory.
    """
    mode = Mode(mode).value
    in_path, out_path = Path(in_path), Path(out_path)
    if mode == Mode.SURROGATE and secret is None:
        from medkosh.deid.pseudonym import dataset_secret

        secret = dataset_secret("notes")
    n_workers = workers or default_workers()
    summary = RunSummary(workers=n_workers, output=str(out_path))
    started = time.perf_counter()
    out = _AtomicOutput(out_path)
    try:
        if n_workers <= 1:
            for batch in batches(iter_records(in_path)):
                result = process_batch(batch, mode, secret, profile)
                for line in result.lines:
                    out.write(line)
                summary.add(result)
        else:
            _run_pool(iter_records(in_path), out, summary, mode, secret, profile, n_workers)
        out.commit()
    except BaseException:
        out.abort()
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _run_pool(records: Iterable[Record], out: _AtomicOutput, summary: RunSummary, mode: str,
              secret: bytes | None, profile: str, n_workers: int) -> None:
    import multiprocessing as mp
    from collections import deque

    # forkserver/spawn would re-import everything per worker; fork is cheap on Linux, and the
    # gazetteers loaded in the parent are shared copy-on-write.
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    from medkosh.deid.text.lexicon import lexicon

    lexicon()
    window: deque[Future[BatchResult]] = deque()
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as pool:
        for batch in batches(records):
            window.append(pool.submit(process_batch, batch, mode, secret, profile))
            if len(window) >= 2 * n_workers:
                _drain_one(window, out, summary)
        while window:
            _drain_one(window, out, summary)


def _drain_one(window: Any, out: _AtomicOutput, summary: RunSummary) -> None:
    result: BatchResult = window.popleft().result()
    for line in result.lines:
        out.write(line)
    summary.add(result)

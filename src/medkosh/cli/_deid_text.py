"""`medkosh deid text | scan | review`: clinical-note de-identification, the PHI/canary scanner and
the spot-check view. Heavy imports stay inside the commands (the CLI starts fast)."""

from __future__ import annotations

from pathlib import Path

import typer

from medkosh.cli._common import emit_json, info

app = typer.Typer()


@app.command("text")
def text_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="Notes: a .jsonl file ({id, text} per line), a .txt file or a directory."),
    output: Path = typer.Option(..., "--output", "-o", help="OUT.jsonl ({id, text, spans} per line), or a directory for .txt notes."),
    mode: str = typer.Option("tag", "--mode", help="tag ([NAME]), surrogate (consistent fake values, shifted dates) or redact (***)."),
    workers: int = typer.Option(0, "--workers", help="Processes (0 = one per core)."),
    engine: str = typer.Option("local", "--engine", help="local (process pool) or ray (cluster)."),
    dataset: str = typer.Option("notes", "--dataset", help="Dataset whose secret keys the surrogates and date shifts."),
    ray_address: str | None = typer.Option(None, "--ray-address", help="Ray cluster address for --engine ray."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """De-identify clinical notes; spans are offsets into the input text."""
    from medkosh.deid.pseudonym import dataset_secret
    from medkosh.deid.text.types import Mode
    from medkosh.errors import InputError

    try:
        mode_value = Mode(mode)
    except ValueError as exc:
        raise InputError(f"unknown mode {mode!r}", where="--mode", hint="use tag, surrogate or redact") from exc
    secret = dataset_secret(dataset) if mode_value is Mode.SURROGATE else None
    if engine == "ray":
        from medkosh.deid.text.ray_engine import deidentify_jsonl_ray

        summary = deidentify_jsonl_ray(input, output, mode_value, secret=secret, address=ray_address)
    elif engine == "local":
        from medkosh.deid.text.stream import deidentify_jsonl

        summary = deidentify_jsonl(input, output, mode_value, workers or None, secret=secret)
    else:
        raise InputError(f"unknown engine {engine!r}", where="--engine", hint="use local or ray")
    result = summary.as_dict()
    if as_json:
        emit_json(result)
    else:
        labels = ", ".join(f"{k} {v}" for k, v in result["spans_per_label"].items()) or "none"
        info(f"{result['notes']} notes, {result['spans']} spans ({labels}) in {result['seconds']} s "
             f"({result['mb_per_s']} MB/s) → {output}")


@app.command("scan")
def scan_cmd(
    paths: list[Path] = typer.Argument(..., help="Files or directories to scan (text, JSON, CSV, Parquet, HTML, DICOM)."),
    canaries: Path | None = typer.Option(None, "--canaries", help="canaries.json from medkosh synth, or one value a line."),
    include_dates: bool = typer.Option(False, "--include-dates", help="Also report dates (left out by default: shifted dates are allowed)."),
    limit: int = typer.Option(50, "--limit", help="Findings to list (all are counted)."),
    as_json: bool = typer.Option(False, "--json", help="Print findings as JSON on stdout."),
) -> None:
    """Scan artefacts for PHI and canaries; exit status 1 when anything is found."""
    from medkosh.deid.scan import DEFAULT_IGNORE, load_canaries, scan_paths, summarise

    values = load_canaries(canaries) if canaries else None
    findings = scan_paths(paths, canaries=values, ignore_labels=frozenset() if include_dates else DEFAULT_IGNORE)
    summary = summarise(findings)
    if as_json:
        emit_json({**summary, "items": [f.as_dict() for f in findings[: max(limit, 0)]]})
    else:
        for f in findings[: max(limit, 0)]:
            info(f"{f.path}  {f.where}  {f.label}  {f.excerpt_masked}")
        info(f"{summary['findings']} finding(s) in {summary['files_with_findings']} file(s)"
             + (f"; {', '.join(f'{k} {v}' for k, v in summary['by_label'].items())}" if findings else ""))
    if findings:
        # sys.exit, not typer.Exit: the medkosh entry point runs click with standalone_mode=False,
        # which turns Exit into a return value and would lose the status a release gate relies on.
        import sys

        sys.exit(1)


@app.command("review")
def review_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="Notes (.jsonl, .txt or a directory)."),
    sample: int = typer.Option(5, "--sample", help="How many notes to show."),
    seed: int = typer.Option(0, "--seed", help="Seed for the random sample (stewards record it)."),
    note_id: str | None = typer.Option(None, "--id", help="Show this note only."),
    as_json: bool = typer.Option(False, "--json", help="Print the sample with spans as JSON."),
) -> None:
    """Show a sample of notes with detected identifiers highlighted, for a steward's spot-check."""
    from rich.console import Console
    from rich.text import Text

    from medkosh.deid.text.review import review_sample

    items = review_sample(input, sample=sample, seed=seed, note_id=note_id)
    if as_json:
        emit_json({"seed": seed, "notes": [it.as_dict() for it in items]})
        return
    console = Console(stderr=False, highlight=False)
    for it in items:
        console.rule(f"note {it.note_id} — {len(it.spans)} span(s)")
        shown = Text()
        pos = 0
        for s in it.spans:
            shown.append(it.text[pos:s.start])
            shown.append(it.text[s.start:s.end], style="bold black on yellow")
            shown.append(f"[{s.label}]", style="dim")
            pos = s.end
        shown.append(it.text[pos:])
        console.print(shown)

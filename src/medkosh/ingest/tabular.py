"""`medkosh ingest table FILE.csv|.parquet`: a HIS extract → a raw-zone table `tab_<name>` (or
OUT/<name>.parquet), with encoding detection, type inference and a suggested column-role recipe.

The recipe is YAML in the format of `medkosh anonymise` (roles identifier / quasi / sensitive /
insensitive; `format` for dates; `patient_key_column` names the UHID column that links the rows to
the patient's FHIR records and images). The steward edits it and passes it back with --recipe.
Rows are read and written in batches, so memory stays bounded whatever the file size.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
import yaml

from medkosh.errors import InputError
from medkosh.ingest import sources, zone
from medkosh.ingest.linkage import patient_key, zone_secret
from medkosh.ingest.roles import ColumnProfile, choose_link, profile_column
from medkosh.ingest.types import HiType, IngestReport
from medkosh.store.base import new_id

SAMPLE_ROWS = 5000
BATCH_ROWS = 50_000
_ROLE_WORDS = {"identifier": "direct identifier", "quasi": "quasi-identifier", "sensitive": "sensitive attribute",
               "insensitive": "other"}


def detect_encoding(path: Path) -> str:
    """utf-8-sig (BOM), utf-16 (BOM), utf-8, else latin-1 (which decodes any byte): streamed, so a
    Latin-1 byte at the end of a large file is still seen."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


def _utf8_copy(path: Path, encoding: str, folder: Path) -> Path:
    """Polars reads UTF-8 only: transcode other encodings into the run's staging folder, streamed."""
    if encoding in ("utf-8", "utf-8-sig"):
        return path
    dest = folder / "input.utf8.csv"
    with open(path, encoding=encoding, newline="") as src, open(dest, "w", encoding="utf-8", newline="") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    return dest


def table_name(path: Path, name: str | None) -> str:
    base = name or re.sub(r"[^a-z0-9]+", "_", path.name.lower().split(".")[0]).strip("_") or "extract"
    if base[0].isdigit():
        base = f"t_{base}"
    return zone.check_table_name(base[:55])


def _scan(path: Path, utf8: Path | None) -> pl.LazyFrame:
    if path.name.lower().endswith(".parquet"):
        return pl.scan_parquet(path)
    assert utf8 is not None
    return pl.scan_csv(utf8, infer_schema=False, encoding="utf8")


def suggest(frame: pl.DataFrame) -> list[ColumnProfile]:
    return [profile_column(c, [str(v) for v in frame[c].drop_nulls().to_list()]) for c in frame.columns]


def recipe_dict(profiles: list[ColumnProfile], link: str | None) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for col in profiles:
        spec: dict[str, Any] = {"role": col.role}
        if col.date_format:
            spec["format"] = col.date_format
        if col.role == "identifier":
            spec["transform"] = "pseudonym" if col.name == link else "drop"
        columns[col.name] = spec
    out: dict[str, Any] = {"version": 1, "columns": columns, "privacy": {"k": 5}}
    if link:
        out["patient_key_column"] = link
    return out


def write_recipe(path: Path, recipe: dict[str, Any], profiles: list[ColumnProfile], source: Path,
                 encoding: str) -> None:
    """The YAML recipe, with one comment per column saying why it got its role (written atomically)."""
    lines = [f"# Column roles suggested by medkosh for {source.name} (encoding {encoding}).",
             "# Roles: identifier = direct identifier, quasi = quasi-identifier, sensitive = sensitive attribute,",
             "# insensitive = other. Edit, then pass back: medkosh ingest table FILE --recipe THIS.yaml",
             "# (the same file drives medkosh anonymise). patient_key_column links rows to the patient's records."]
    body = yaml.safe_dump(recipe, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)
    why = {c.name: c for c in profiles}
    for line in body.splitlines():
        m = re.match(r"^  (\S.*?):\s*\{", line)
        col = why.get(yaml.safe_load(m.group(1)) if m else "")
        if m and col is not None:
            kind = f"{col.type}{f' {col.date_format}' if col.date_format else ''}"
            line = f"{line}  # {_ROLE_WORDS[col.role]}: {col.evidence}; {kind}"
        lines.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_recipe(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("recipe file not found", where=str(path), hint="check the --recipe path") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"recipe is not valid YAML: {' '.join(str(exc).split())}", where=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise InputError("recipe has no 'columns' mapping", where=str(path), hint="list each column with its role")
    for name, spec in data["columns"].items():
        role = spec.get("role") if isinstance(spec, dict) else spec
        if role not in ("identifier", "quasi", "sensitive", "insensitive", "quasi-identifier"):
            raise InputError(f"column {name!r} has role {role!r}", where=f"{path}: columns.{name}",
                             hint="use identifier, quasi, sensitive or insensitive")
    return data


def _apply_recipe(profiles: list[ColumnProfile], recipe: dict[str, Any], path: Path) -> str | None:
    by_name = {p.name: p for p in profiles}
    for name, spec in recipe["columns"].items():
        if name not in by_name:
            raise InputError(f"recipe names column {name!r}, which the file does not have",
                             where=f"{path}: columns.{name}", hint="fix the column name or remove it")
        spec = spec if isinstance(spec, dict) else {"role": spec}
        col = by_name[name]
        col.role = "quasi" if spec["role"] == "quasi-identifier" else spec["role"]
        if spec.get("format"):
            col.type, col.date_format = "date", str(spec["format"])
    link = recipe.get("patient_key_column")
    if link is not None and link not in by_name:
        raise InputError(f"patient_key_column {link!r} is not a column of the file", where=f"{path}: patient_key_column")
    return str(link) if link else None


def _cast(frame: pl.DataFrame, profiles: list[ColumnProfile]) -> pl.DataFrame:
    exprs = []
    for col in profiles:
        c = pl.col(col.name).cast(pl.String).str.strip_chars()
        if col.type == "date" and col.date_format:
            exprs.append(c.str.strptime(pl.Date, col.date_format, strict=False).alias(col.name))
        elif col.type == "integer":
            exprs.append(c.cast(pl.Int64, strict=False).alias(col.name))
        elif col.type == "float":
            exprs.append(c.cast(pl.Float64, strict=False).alias(col.name))
        else:
            exprs.append(pl.col(col.name).cast(pl.String).alias(col.name))
    return frame.select(exprs)


def ingest_table(path: Path, source_id: str, *, name: str | None = None, recipe: Path | None = None,
                 recipe_out: Path | None = None, out: Path | None = None, hi_type: str | None = None,
                 secret: bytes | None = None) -> IngestReport:
    zone.check_source_id(source_id)
    if not path.is_file():
        raise InputError(f"no such file: {path}", hint="give a .csv or .parquet extract")
    if not path.name.lower().endswith((".csv", ".parquet", ".txt", ".tsv")):
        raise InputError(f"unsupported extract type: {path.name}", hint="export the extract as CSV or Parquet")
    table = table_name(path, name)
    run_id = new_id("run")
    started = time.perf_counter()
    secret = secret if secret is not None else zone_secret()
    zone_table = f"tab_{table}"
    report = IngestReport(run_id, source_id, "table", str(out / f"{table}.parquet") if out else
                          f"raw/{source_id}/{zone_table}", files_total=1)
    digest = sources.sha256_file(path)
    if out is None and digest in zone.ingested_inputs(source_id):
        report.files_skipped = 1
        report.seconds = time.perf_counter() - started
        return report
    is_csv = not path.name.lower().endswith(".parquet")
    encoding = detect_encoding(path) if is_csv else "parquet"
    with zone.staging(run_id) as stage:
        try:
            lf = _scan(path, _utf8_copy(path, encoding, stage) if is_csv else None)
            sample = lf.head(SAMPLE_ROWS).collect()
        except (pl.exceptions.ComputeError, pl.exceptions.PolarsError, OSError) as exc:
            raise InputError(f"cannot read the extract: {' '.join(str(exc).split())[:200]}", where=str(path),
                             hint="check that it is a CSV with a header row, or a Parquet file") from exc
        odd = next((c for c in sample.columns if re.search(r"[\x00-\x1f\x7f]", c)), None)
        if odd is not None:  # Arrow cannot carry a NUL in a field name (Polars panics): refuse the header
            raise InputError(f"a column name contains control characters ({odd!r})", where=f"{path}: header row",
                             hint="fix the header row (plain column names) and ingest again")
        profiles = suggest(sample)
        link = choose_link(profiles)
        if recipe is not None:
            link = _apply_recipe(profiles, read_recipe(recipe), recipe)
        record_col = next((p.name for p in profiles if p.type == "date" and p.role == "quasi"
                           and re.search(r"admission|visit|encounter|service|date", p.name, re.I)
                           and not re.search(r"birth|dob", p.name, re.I)), None)
        hi = hi_type or (HiType.DISCHARGE_SUMMARY if any("discharge" in p.name.lower() for p in profiles)
                         else HiType.OP_CONSULTATION)
        staged = stage / f"{table}.parquet"
        try:
            rows = _write(lf, profiles, link, record_col, str(hi), source_id, run_id, secret, staged)
        except pl.exceptions.PolarsError as exc:  # a malformed line past the sampled rows
            raise InputError(f"cannot read the extract: {' '.join(str(exc).split())[:200]}", where=str(path),
                             hint="fix the malformed row (the message names it) and ingest again") from exc
        recipe_path = recipe or recipe_out or (out / f"{table}.recipe.yaml" if out else
                                               zone.source_dir(source_id) / "recipes" / f"{zone_table}.yaml")
        if recipe is None:
            write_recipe(recipe_path, recipe_dict(profiles, link), profiles, path, encoding)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            os.replace(staged, out / f"{table}.parquet")
        else:
            zone.publish(source_id, run_id, {zone_table: staged}, {digest: run_id})
    report.files_ingested = 1
    report.add_rows(zone_table if out is None else table, rows)
    if link is None:
        report.warnings.append("no UHID column found: rows carry no patient_key; name it in the recipe "
                               "(patient_key_column) and ingest again")
    report.extra.update(encoding=encoding, recipe_path=str(recipe_path), link_column=link, record_date_column=record_col,
                        roles={p.name: {"role": p.role, "type": p.type, "format": p.date_format,
                                        "detector": p.detector, "link": p.name == link} for p in profiles})
    report.seconds = time.perf_counter() - started
    return report


def _write(lf: pl.LazyFrame, profiles: list[ColumnProfile], link: str | None, record_col: str | None, hi: str,
           source_id: str, run_id: str, secret: bytes, dest: Path) -> int:
    writer: pq.ParquetWriter | None = None
    rows = 0
    cache: dict[str, str] = {}
    for batch in lf.collect_batches(chunk_size=BATCH_ROWS):
        typed = _cast(batch, profiles)
        keys: list[str | None] = [None] * typed.height
        if link:
            keys = []
            for v in batch[link].cast(pl.String).to_list():
                if v is None or not str(v).strip():
                    keys.append(None)
                    continue
                if v not in cache:
                    cache[v] = patient_key(source_id, str(v), "uhid", secret)
                keys.append(cache[v])
        record: pl.Series = typed[record_col] if record_col else pl.Series([None] * typed.height, dtype=pl.Date)
        common = pl.DataFrame({
            "source_id": [source_id] * typed.height, "run_id": [run_id] * typed.height,
            "patient_key": pl.Series(keys, dtype=pl.String), "record_date": record.cast(pl.Date),
            "hi_type": [hi] * typed.height,
        })
        arrow = pl.concat([common, typed], how="horizontal").to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(dest, arrow.schema, compression="zstd")
        writer.write_table(arrow.cast(writer.schema))
        rows += typed.height
    if writer is None:  # a header-only file: still a table, with no rows
        empty = pl.DataFrame(schema={"source_id": pl.String, "run_id": pl.String, "patient_key": pl.String,
                                     "record_date": pl.Date, "hi_type": pl.String,
                                     **{p.name: pl.String for p in profiles}})
        pq.write_table(empty.to_arrow(), dest)
    else:
        writer.close()
    return rows


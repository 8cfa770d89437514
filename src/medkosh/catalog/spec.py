"""SPEC.yaml: what a dataset is (metadata shown in the catalog) and how each version is built
(source tables, consent use, anonymisation recipe, canary list). See docs/reference/dataset-spec.md."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from medkosh.catalog.types import DATASET_ID, Modality, Tier
from medkosh.errors import InputError

ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
STATE_CODE = re.compile(r"^[A-Z]{2}$")
_ENV = re.compile(r"\$\{([A-Z0-9_]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConsentUse(_Strict):
    """The use the dataset makes of each patient's data, checked against their consent artefacts."""

    purpose: str = "DSRCH"
    hi_types: list[str] = Field(min_length=1)
    window_from: dt.date = Field(alias="from")
    window_to: dt.date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> ConsentUse:
        if self.window_from > self.window_to:
            raise ValueError("consent window 'from' is after 'to'")
        return self


class TableSelect(_Strict):
    """One output table: a raw-zone table, the columns kept, and (for tabular data) the recipe."""

    source: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    columns: list[str] | None = None
    recipe: str | None = None            # anonymisation recipe (path, relative to the spec)
    text_column: str | None = None       # notes: the free-text column to de-identify
    object_column: str | None = None     # imaging: the column holding de-identified DICOM object ids

    @property
    def output(self) -> str:
        return self.name or self.source


class DatasetSpec(_Strict):
    id: str
    name: str = Field(min_length=3, max_length=200)
    description: str = Field(min_length=10)
    steward: str
    institution: str
    modality: Modality
    tier: Tier
    licence: str
    conditions: list[str] = Field(default_factory=list)
    states: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    intended_uses: list[str] = Field(default_factory=list)
    limitations: list[str] = Field(default_factory=list)
    data_sharing_agreement: str | None = None
    consent: ConsentUse
    cohort_codes: list[str] = Field(default_factory=list)  # keep patients with a condition under these
    sources: list[str] = Field(default_factory=list)  # raw-zone sources (hospitals) to include; empty: all
    tables: list[TableSelect] = Field(min_length=1)
    canaries: str | None = None  # path to the synth canaries.json (values never stored in the database)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not DATASET_ID.match(value):
            raise ValueError("id must be 3-64 lowercase letters, digits and dashes")
        return value

    @field_validator("conditions", "cohort_codes")
    @classmethod
    def _icd10(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not ICD10.match(v)]
        if bad:
            raise ValueError(f"not ICD-10 codes: {', '.join(bad)}")
        return values

    @field_validator("states")
    @classmethod
    def _states(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not STATE_CODE.match(v)]
        if bad:
            raise ValueError(f"not two-letter state codes: {', '.join(bad)}")
        return values

    @model_validator(mode="after")
    def _unique_outputs(self) -> DatasetSpec:
        names = [t.output for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError("two tables have the same output name")
        if self.modality is Modality.NOTES and not any(t.text_column for t in self.tables):
            raise ValueError("a notes dataset needs a table with text_column")
        if self.modality is Modality.IMAGING and not any(t.object_column for t in self.tables):
            raise ValueError("an imaging dataset needs a table with object_column")
        return self


def _expand(value: str, base: Path) -> Path:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise InputError(f"the spec refers to ${{{name}}}, which is not set",
                             hint=f"export {name}=… before building")
        return os.environ[name]

    path = Path(_ENV.sub(sub, value)).expanduser()
    return path if path.is_absolute() else (base / path)


def resolve_path(spec_dir: Path, value: str) -> Path:
    """A path named in a spec: ${VAR} expanded, relative paths taken from the spec's folder."""
    return _expand(value, spec_dir)


def parse_spec(data: bytes, where: str) -> DatasetSpec:
    try:
        raw: Any = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}" if mark is not None else where
        raise InputError("the dataset spec is not valid YAML", where=at, hint="fix the syntax") from exc
    if not isinstance(raw, dict):
        raise InputError("the dataset spec must be a YAML mapping", where=where)
    try:
        return DatasetSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = "/".join(str(p) for p in first["loc"])
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InputError(f"invalid dataset spec: {first['msg']}{more}", where=f"{where}#/{loc}",
                         hint="see docs/reference/dataset-spec.md") from exc


def load_spec(path: str | Path) -> tuple[DatasetSpec, bytes]:
    """Read and validate SPEC.yaml; returns the spec and its exact bytes (stored with each version)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"no such spec file: {path}", hint="give the path to a SPEC.yaml") from exc
    return parse_spec(data, str(path)), data

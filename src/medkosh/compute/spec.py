"""Job specifications (YAML), validated strictly, with the platform's package allow-list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from medkosh.compute.types import Resources
from medkosh.errors import InputError

# Packages pre-installed in the job environment. A job's `requirements` must be a subset: jobs have no
# network, so nothing else could be installed anyway; the check turns a late ImportError into a clear
# refusal at submission.
ALLOWED_PACKAGES = frozenset({
    "numpy", "scipy", "pandas", "polars", "pyarrow", "duckdb", "scikit-learn", "skl2onnx", "onnx",
    "onnxruntime", "matplotlib", "statsmodels", "pyyaml", "orjson",
})
_REQ = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(\[[^\]]*\])?\s*([<>=!~].*)?$")
MAX_WALL = 7 * 24 * 3600


class ResourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cpus: float = Field(1.0, gt=0, le=256)
    memory_mb: int = Field(2048, ge=64, le=2_000_000)
    gpus: float = Field(0.0, ge=0, le=64)
    wall_time: str | int = "1h"

    @property
    def wall_seconds(self) -> int:
        return parse_duration(self.wall_time)


class JobSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    entry: str = Field(description="Entry script, relative to the project folder")
    project: str = Field(".", description="Project folder, relative to the spec file")
    datasets: list[str] = Field(min_length=1)
    resources: ResourceSpec = Field(default_factory=lambda: ResourceSpec.model_validate({}))
    requirements: list[str] = Field(default_factory=list)
    executor: Literal["local", "ray"] = "local"
    team: list[str] = Field(default_factory=list, description="Emails or ids of team members who may see outputs")
    args: list[str] = Field(default_factory=list)

    @field_validator("entry")
    @classmethod
    def _entry(cls, value: str) -> str:
        if value.startswith("/") or ".." in Path(value).parts or not value.endswith(".py"):
            raise ValueError("entry must be a .py file inside the project folder")
        return value

    @field_validator("requirements")
    @classmethod
    def _requirements(cls, values: list[str]) -> list[str]:
        for req in values:
            m = _REQ.match(req.strip())
            if not m:
                raise ValueError(f"not a requirement: {req!r}")
            name = m.group(1).lower().replace("_", "-")
            if name not in ALLOWED_PACKAGES:
                raise ValueError(f"package {name!r} is not on the platform's allow-list "
                                 f"({', '.join(sorted(ALLOWED_PACKAGES))})")
        return values

    def resources_obj(self) -> Resources:
        r = self.resources
        return Resources(cpus=r.cpus, memory_mb=r.memory_mb, gpus=r.gpus, wall_seconds=r.wall_seconds)


def parse_duration(value: str | int) -> int:
    if isinstance(value, int):
        seconds = value
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
        if not m:
            raise ValueError(f"not a duration: {value!r} (use e.g. 90s, 30m, 2h, 1d)")
        seconds = int(float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)])
    if not 1 <= seconds <= MAX_WALL:
        raise ValueError(f"wall time must be between 1 s and {MAX_WALL // 86400} days")
    return seconds


def load_spec(path: Path) -> tuple[JobSpec, Path]:
    """Parse SPEC.yaml; returns the spec and the absolute project folder."""
    if not path.is_file():
        raise InputError(f"job spec not found: {path}", hint="pass the path of a SPEC.yaml")
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InputError("job spec is not valid YAML", where=where, hint="fix the syntax") from exc
    return parse_spec(data, path.parent, str(path))


def parse_spec(data: Any, base: Path, where: str) -> tuple[JobSpec, Path]:
    if not isinstance(data, dict):
        raise InputError("job spec must be a mapping", where=where, hint="see examples/tre-training/job.yaml")
    try:
        spec = JobSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = "/".join(str(p) for p in err["loc"])
        raise InputError(f"invalid job spec: {err['msg']}", where=f"{where} at {loc}",
                         hint="see examples/tre-training/job.yaml") from exc
    project = (base / spec.project).resolve()
    entry = project / spec.entry
    if not entry.is_file():
        raise InputError(f"entry script not found: {entry}", where=where, hint="check `entry` and `project`")
    return spec, project

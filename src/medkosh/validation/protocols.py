"""Loading a validation protocol from YAML: one-line errors naming the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from medkosh.errors import InputError
from medkosh.validation.types import Protocol


def parse(data: Any, where: str = "protocol") -> Protocol:
    if not isinstance(data, dict):
        raise InputError("a protocol is a YAML mapping", where=where, hint="see examples/protocols/")
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "/".join(str(p) for p in err["loc"]) or "(top level)"
        raise InputError(f"invalid protocol: {err['msg']}", where=f"{where}: {field}",
                         hint="fix the field (see examples/protocols/diabetes-complication-1y.yaml)") from None


def load(path: str | Path) -> Protocol:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the protocol: {exc.strerror}", where=str(p),
                         hint="give the path of a protocol YAML file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else str(p)
        raise InputError("the protocol is not valid YAML", where=where, hint="fix the YAML syntax") from None
    return parse(data, str(p))

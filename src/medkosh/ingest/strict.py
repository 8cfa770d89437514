"""--strict: full FHIR validation with fhir.resources' R4B models (fhir.resources 8 defaults to R5;
R4B accepts R4 content). Slow, so it is opt-in; a failure quarantines the file with the pydantic
error location turned into a JSON pointer."""

from __future__ import annotations

from typing import Any

from medkosh.ingest.fhir_bundle import FaultError


def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    try:
        return get_fhir_model_class(resource_type)
    except (KeyError, ValueError) as exc:
        raise FaultError("/resourceType", f"unknown FHIR R4 resource type {resource_type!r}") from exc


def validate(raw: bytes, resource_type: str, pointer_prefix: str = "") -> None:
    """Validate one JSON document (a Bundle or a resource); raises FaultError on the first error."""
    from pydantic import ValidationError

    model = _model(resource_type)
    try:
        model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {"loc": (), "msg": str(exc)}
        loc = [str(p).replace("~", "~0").replace("/", "~1") for p in first.get("loc", ())
               if not str(p).startswith("function-")]
        pointer = pointer_prefix + ("/" + "/".join(loc) if loc else "")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        msg = " ".join(str(first.get("msg", "invalid")).split())
        raise FaultError(pointer, f"FHIR R4 validation failed: {msg}{more}") from exc

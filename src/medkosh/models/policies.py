"""Pure checks for the model registry and lifecycle (raise a one-line MedkoshError, or return bool)."""

from __future__ import annotations

from medkosh.deployment.transitions import SYSTEM, allowed
from medkosh.errors import ConflictError, InputError, PermissionDenied
from medkosh.identity.types import Principal, Role
from medkosh.models.types import State

# Magic numbers of serialisations that execute code when loaded (pickle protocols 2-5, joblib's zlib/
# pickle wrappers, numpy .npy with object arrays is pickle too) and the ONNX/protobuf shape we accept.
_PICKLE_PREFIXES = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
_ZLIB = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")
PICKLE_REFUSAL = ("pickle/joblib files are refused: loading one runs arbitrary code from its author on the "
                  "platform, so medkosh never unpickles an upload")


def check_artefact(name: str, head: bytes) -> None:
    """Refuse anything but ONNX before parsing it; pickles are named and refused with the reason."""
    lower = name.lower()
    if lower.endswith((".pkl", ".pickle", ".joblib", ".sav", ".npy", ".pt", ".pth")) or head.startswith(
            _PICKLE_PREFIXES) or head[:2] in _ZLIB:
        raise InputError(PICKLE_REFUSAL, where=name,
                         hint="convert the model to ONNX (scikit-learn: skl2onnx.to_onnx) and register the .onnx")
    if not lower.endswith(".onnx"):
        raise InputError("only ONNX model files can be registered", where=name,
                         hint="export the model to ONNX and give the .onnx file")


def can_transition(p: Principal | None, src: State, dst: State, *, owner_id: str | None = None) -> bool:
    who = allowed(src, dst)
    if p is None:
        return SYSTEM in who
    if "owner" in who and owner_id is not None and p.id == owner_id:
        return True
    return any(p.has_role(Role(r)) for r in who if r in Role.__members__.values())


def check_transition(p: Principal | None, src: State, dst: State, *, owner_id: str | None = None) -> None:
    if not allowed(src, dst):
        raise ConflictError(f"a model version cannot go from {src} to {dst}",
                            hint=_next_hint(src))
    if not can_transition(p, src, dst, owner_id=owner_id):
        who = ", ".join(sorted(allowed(src, dst)))
        raise PermissionDenied(f"moving a model version from {src} to {dst} needs one of: {who}")


def _next_hint(src: State) -> str:
    nxt = {State.REGISTERED: "validate it on a sealed benchmark first (medkosh validate)",
           State.VALIDATED: "a clinician approves it next (medkosh model approve)",
           State.APPROVED: "deploy it next (medkosh model deploy)",
           State.DEPLOYED: "suspend or retire it",
           State.SUSPENDED: "re-deploy or retire it",
           State.RETIRED: "a retired version stays retired; register a new version"}
    return nxt[src]

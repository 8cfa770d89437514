"""One FHIR input (a Bundle or a standalone resource) prepared for extraction: the entry index that
resolves urn:uuid, Type/id and absolute references, the structural checks that quarantine a file,
and the ABDM hi_type of every entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from medkosh.ingest.fhir_values import codings
from medkosh.ingest.types import HiType

_PROFILE_HI = {
    "opconsultrecord": HiType.OP_CONSULTATION, "prescriptionrecord": HiType.PRESCRIPTION,
    "dischargesummaryrecord": HiType.DISCHARGE_SUMMARY, "diagnosticreportrecord": HiType.DIAGNOSTIC_REPORT,
    "immunizationrecord": HiType.IMMUNIZATION_RECORD, "healthdocumentrecord": HiType.HEALTH_DOCUMENT_RECORD,
    "wellnessrecord": HiType.WELLNESS_RECORD,
}
_SNOMED_HI = {  # Composition.type codes used by NRCeS profiles and ProjectEKA bundles
    "371530004": HiType.OP_CONSULTATION, "440545006": HiType.PRESCRIPTION,
    "373942005": HiType.DISCHARGE_SUMMARY, "721981007": HiType.DIAGNOSTIC_REPORT,
    "4241000179101": HiType.DIAGNOSTIC_REPORT, "41000179103": HiType.IMMUNIZATION_RECORD,
    "419891008": HiType.HEALTH_DOCUMENT_RECORD,
}
_TITLE_HI = (  # last resort: words in Composition.title / type.text
    ("wellness", HiType.WELLNESS_RECORD), ("immuni", HiType.IMMUNIZATION_RECORD),
    ("discharge", HiType.DISCHARGE_SUMMARY), ("prescription", HiType.PRESCRIPTION),
    ("diagnostic", HiType.DIAGNOSTIC_REPORT), ("lab", HiType.DIAGNOSTIC_REPORT),
    ("consult", HiType.OP_CONSULTATION), ("health document", HiType.HEALTH_DOCUMENT_RECORD),
    ("record artifact", HiType.HEALTH_DOCUMENT_RECORD),
)
_WELLNESS_CATEGORIES = {"vital-signs", "social-history", "survey", "activity", "exam"}
_LAB_CATEGORIES = {"laboratory", "imaging", "procedure"}
_INPATIENT = {"IMP", "ACUTE", "NONAC", "inpatient"}
_NO_INHERIT = {"Patient", "Practitioner", "PractitionerRole", "Organization", "Location", "Encounter",
               "Composition", "Device", "RelatedPerson"}


class FaultError(ValueError):
    """A structural fault that quarantines the whole input: where (JSON pointer) and why."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(reason)
        self.pointer = pointer
        self.reason = reason


@dataclass(slots=True)
class Entry:
    resource: dict[str, Any]
    pointer: str  # JSON pointer of the resource inside the input
    full_url: str | None
    hi_type: str | None = None
    doc_date: str | None = None  # date of the Composition whose sections list this entry


@dataclass
class FhirInput:
    root: dict[str, Any]
    bundle_type: str | None  # None for a standalone resource
    entries: list[Entry] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def resolve(self, ref: Any) -> Entry | None:
        if isinstance(ref, dict):
            ref = ref.get("reference")
        if not isinstance(ref, str):
            return None
        i = self.index.get(ref)
        if i is None and "://" in ref:
            parts = ref.rstrip("/").split("/")
            if len(parts) >= 2:
                i = self.index.get(f"{parts[-2]}/{parts[-1]}")
            if i is None and len(parts) >= 4 and parts[-2] == "_history":
                i = self.index.get(f"{parts[-4]}/{parts[-3]}")
        return self.entries[i] if i is not None else None


def resource_id(entry: Entry) -> str | None:
    rid = entry.resource.get("id")
    if rid:
        return str(rid)
    if entry.full_url:
        return entry.full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return None


def load(root: Any) -> FhirInput:
    """Index a parsed input; raises FaultError for a missing resourceType or a bad entry."""
    if not isinstance(root, dict):
        raise FaultError("", f"the document is a JSON {type(root).__name__}, not a FHIR resource")
    rtype = root.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise FaultError("/resourceType", "no resourceType: this is not a FHIR resource")
    if rtype != "Bundle":
        inp = FhirInput(root, None, [Entry(root, "", None)])
        _index_entry(inp, 0)
        return inp
    inp = FhirInput(root, str(root.get("type") or ""))
    entries = root.get("entry") or []
    if not isinstance(entries, list):
        raise FaultError("/entry", "Bundle.entry is not a list")
    kept, setdefault = inp.entries, inp.index.setdefault  # locals: this loop runs for every resource
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise FaultError(f"/entry/{i}", "bundle entry is not an object")
        res = raw.get("resource")
        if res is None:
            if raw.get("request", {}).get("method") == "DELETE" or "response" in raw:
                continue  # transaction deletes and response entries carry no resource
            raise FaultError(f"/entry/{i}/resource", "bundle entry has no resource")
        if not isinstance(res, dict):
            raise FaultError(f"/entry/{i}/resource", "bundle entry resource is not an object")
        res_type = res.get("resourceType")
        if not isinstance(res_type, str) or not res_type:
            raise FaultError(f"/entry/{i}/resource/resourceType", "resource has no resourceType")
        full_url = raw.get("fullUrl")
        n = len(kept)
        kept.append(Entry(res, f"/entry/{i}/resource", full_url))
        # the index, as _index_entry builds it
        if full_url:
            setdefault(full_url, n)
            if "://" in full_url:
                parts = full_url.rstrip("/").split("/")
                if len(parts) >= 2:
                    setdefault(f"{parts[-2]}/{parts[-1]}", n)
        rid = res.get("id")
        if rid:
            setdefault(f"{res_type}/{rid}", n)
    return inp


def _index_entry(inp: FhirInput, i: int) -> None:
    entry = inp.entries[i]
    res = entry.resource
    if entry.full_url:
        inp.index.setdefault(entry.full_url, i)
        if "://" in entry.full_url:
            parts = entry.full_url.rstrip("/").split("/")
            if len(parts) >= 2:
                inp.index.setdefault(f"{parts[-2]}/{parts[-1]}", i)
    if res.get("id"):
        inp.index.setdefault(f"{res['resourceType']}/{res['id']}", i)


def iter_references(node: Any) -> Iterator[str]:
    """Every Reference.reference string inside a resource (contained resources included)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            elif isinstance(value, dict | list):
                yield from iter_references(value)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict | list):
                yield from iter_references(value)


def _pointer_of_reference(node: Any, ref: str, path: str) -> str | None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and value == ref:
                return f"{path}/reference"
            if isinstance(value, dict | list):
                found = _pointer_of_reference(value, ref, f"{path}/{key}")
                if found:
                    return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _pointer_of_reference(value, ref, f"{path}/{i}")
            if found:
                return found
    return None


_REFERENCE = re.compile(rb'"reference"\s*:\s*"([^"]*)"')


def raw_references(data: bytes) -> set[str] | None:
    """Every distinct Reference.reference in a JSON document, found on the raw bytes (a C regex scan
    is an order of magnitude faster than walking the parsed tree in Python). None when a value holds
    an escaped quote, which the simple pattern cannot delimit: the caller then walks the tree."""
    found = set()
    for value in set(_REFERENCE.findall(data)):
        if b"\\" in value:
            if value.endswith(b"\\"):
                return None
            found.add(orjson.loads(b'"' + value + b'"'))
        else:
            found.add(value.decode("utf-8", "replace"))
    return found


def _reference_ok(inp: FhirInput, ref: str, contained: set[str], document: bool) -> bool:
    if ref.startswith("#"):
        return ref == "#" or ref in contained
    if ref.startswith("urn:"):
        return inp.bundle_type is None or ref in inp.index
    if "://" in ref or "?" in ref:
        return True
    return not document or inp.resolve(ref) is not None


def check_references(inp: FhirInput, data: bytes | None = None) -> None:
    """Raise FaultError for the first reference that must resolve inside this input and does not.

    urn:uuid/urn:oid and contained (#id) references must always resolve; relative Type/id references
    must resolve inside a `document` Bundle (documents are self-contained); absolute URLs,
    conditional references (Type?query) and Type/id elsewhere point to a server and are kept as given.
    With the raw bytes, the common case (all fine) is one regex scan; the tree is walked only to
    name the faulty reference's JSON pointer."""
    document = inp.bundle_type == "document"
    if data is not None:
        contained_any = {f"#{c.get('id')}" for e in inp.entries if "contained" in e.resource
                         for c in e.resource["contained"] or [] if isinstance(c, dict)}
        # A contained reference is checked against the contained ids of the whole input here, not of
        # its own resource: close enough to catch truncation and broken exports, and ten times faster.
        refs = raw_references(data)
        if refs is not None and all(_reference_ok(inp, ref, contained_any, document) for ref in refs):
            return
    for entry in inp.entries:  # slow path: per resource, in document order
        res = entry.resource
        contained = {f"#{c.get('id')}" for c in res.get("contained") or [] if isinstance(c, dict)}
        for ref in iter_references(res):
            if not _reference_ok(inp, ref, contained, document):
                pointer = _pointer_of_reference(res, ref, entry.pointer) or entry.pointer
                raise FaultError(pointer, f"dangling reference {ref!r}: no such resource in this bundle")


def composition_hi_type(comp: dict[str, Any]) -> HiType | None:
    for profile in (comp.get("meta") or {}).get("profile") or []:
        name = str(profile).rstrip("/").rsplit("/", 1)[-1].lower()
        if name in _PROFILE_HI:
            return _PROFILE_HI[name]
    for c in codings(comp.get("type")):
        if c["code"] in _SNOMED_HI:
            return _SNOMED_HI[c["code"]]
    words = " ".join(str(x) for x in (comp.get("title"), (comp.get("type") or {}).get("text"),
                                      *(c["display"] for c in codings(comp.get("type")))) if x).lower()
    for word, hi in _TITLE_HI:
        if word in words:
            return hi
    return None


def _section_refs(sections: Any) -> Iterator[Any]:
    for section in sections or []:
        if isinstance(section, dict):
            yield from section.get("entry") or []
            yield from _section_refs(section.get("section"))


def assign_hi_types(inp: FhirInput) -> None:
    """Set Entry.hi_type from Compositions (their sections, one level further down, then the whole
    document when it has one Composition); the rest is inferred per resource at extraction."""
    comps = [e for e in inp.entries if e.resource.get("resourceType") == "Composition"]
    claimed: list[Entry] = []
    for comp in comps:
        hi = composition_hi_type(comp.resource)
        if hi is None:
            continue
        comp.hi_type = hi
        for ref in _section_refs(comp.resource.get("section")):
            target = inp.resolve(ref)
            if target is not None and target.hi_type is None:
                target.hi_type = hi
                target.doc_date = comp.resource.get("date")
                claimed.append(target)
    for entry in claimed:  # e.g. a DiagnosticReport's results, a MedicationRequest's Medication
        for ref in iter_references(entry.resource):
            target = inp.resolve(ref)
            if target is not None and target.hi_type is None \
                    and target.resource.get("resourceType") not in _NO_INHERIT:
                target.hi_type = entry.hi_type
                target.doc_date = entry.doc_date
    if inp.bundle_type == "document" and len(comps) == 1 and comps[0].hi_type:
        for entry in inp.entries:
            if entry.hi_type is None and entry.resource.get("resourceType") != "Patient":
                entry.hi_type = comps[0].hi_type


def _category_codes(categories: Any) -> set[str]:
    """Every non-empty coding code of a list of CodeableConcepts (as codings() gives them, without
    building the coding dicts: this runs for every Observation)."""
    found: set[str] = set()
    for cat in categories or []:
        if not isinstance(cat, dict):
            continue
        for c in cat.get("coding") or []:
            if isinstance(c, dict):
                code = c.get("code")
                if code is not None and (code := str(code)):
                    found.add(code)
    return found


def infer_hi_type(res: dict[str, Any], encounter: dict[str, Any] | None) -> str:
    rtype = res.get("resourceType")
    if rtype == "MedicationRequest":
        return HiType.PRESCRIPTION
    if rtype == "Immunization":
        return HiType.IMMUNIZATION_RECORD
    if rtype in ("DiagnosticReport", "ImagingStudy"):
        return HiType.DIAGNOSTIC_REPORT
    if rtype == "DocumentReference":
        return HiType.HEALTH_DOCUMENT_RECORD
    if rtype == "Observation":
        cats = _category_codes(res.get("category"))
        if cats & _WELLNESS_CATEGORIES:
            return HiType.WELLNESS_RECORD
        if cats & _LAB_CATEGORIES:
            return HiType.DIAGNOSTIC_REPORT
    enc = res if rtype == "Encounter" else encounter
    if enc is not None:
        cls = enc.get("class")
        code = (cls.get("code") if isinstance(cls, dict) else None) or ""
        if code in _INPATIENT:
            return HiType.DISCHARGE_SUMMARY
    return HiType.OP_CONSULTATION

"""Metadata exports of a version: Croissant 1.0 JSON-LD with the Responsible-AI (RAI 1.0) fields, and
DCAT-AP 3 (JSON-LD). Both are built from the stored manifest and catalog rows, so they describe exactly
the published files (sha256 and size of each)."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from medkosh.catalog import service
from medkosh.catalog.types import Tier, VersionInfo
from medkosh.config import get_settings
from medkosh.store.objects import ObjectStore

CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source",
    "subField": "cr:subField", "transform": "cr:transform", "samplingRate": "cr:samplingRate",
    "equivalentProperty": "cr:equivalentProperty",
}
_ARROW_TO_SC = (("int", "sc:Integer"), ("uint", "sc:Integer"), ("float", "sc:Float"), ("double", "sc:Float"),
                ("bool", "sc:Boolean"), ("date", "sc:Date"), ("timestamp", "sc:DateTime"))
_TIER_RIGHTS = {Tier.OPEN: "PUBLIC", Tier.REGISTERED: "RESTRICTED", Tier.CONTROLLED: "NON_PUBLIC"}


def base_url() -> str:
    s = get_settings()
    return f"http://{s.host}:{s.port}"


def _sc_type(arrow_type: str) -> str | None:
    if arrow_type.startswith(("list", "large_list", "struct", "map")):
        return None  # nested columns are described by the data card, not as Croissant fields
    for prefix, sc in _ARROW_TO_SC:
        if arrow_type.startswith(prefix):
            return sc
    return "sc:Text"


def _record_sets(version: VersionInfo, store: ObjectStore) -> list[dict[str, Any]]:
    sets = []
    for f in version.files:
        if not f.path.endswith(".parquet"):
            continue
        with store.open(f.sha256) as fh:
            schema = pq.read_schema(fh)
        table = f.path.rsplit("/", 1)[-1].removesuffix(".parquet")
        fields = []
        for col in schema:
            sc = _sc_type(str(col.type))
            if sc is None:
                continue
            fields.append({"@type": "cr:Field", "@id": f"{table}/{col.name}", "name": col.name, "dataType": sc,
                           "source": {"fileObject": {"@id": f.path}, "extract": {"column": col.name}}})
        sets.append({"@type": "cr:RecordSet", "@id": table, "name": table,
                     "description": f"Rows of {f.path} ({f.rows} rows).", "field": fields})
    return sets


def croissant(session: Session, version: VersionInfo, store: ObjectStore | None = None) -> dict[str, Any]:
    store = store or ObjectStore()
    ds = service.show_dataset(session, version.dataset_id)
    manifest = service.manifest(session, version.ref, store)
    url = f"{base_url()}/datasets/{version.dataset_id}/versions/{version.number}"
    files = [{"@type": "cr:FileObject", "@id": f.path, "name": f.path, "contentUrl": f.path,
              "encodingFormat": f.media_type, "sha256": f.sha256, "contentSize": f"{f.size} B"}
             for f in version.files if not f.path.startswith("images/")]
    images = [f for f in version.files if f.path.startswith("images/")]
    if images:
        files.append({"@type": "cr:FileSet", "@id": "images", "name": "images",
                      "description": f"{len(images)} de-identified DICOM instances (sha256 of each in the manifest).",
                      "encodingFormat": "application/dicom", "includes": "images/**/*.dcm"})
    recipes = ", ".join(f"{t}: recipe sha256 {r['sha256'][:12]}" for t, r in manifest["recipes"].items()) or "none"
    return {
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": ["http://mlcommons.org/croissant/1.0", "http://mlcommons.org/croissant/RAI/1.0"],
        "@id": version.id,
        "name": f"{ds['name']} ({version.ref})",
        "description": ds["description"],
        "url": url,
        "version": f"{version.number}.0.0",
        "identifier": version.id,
        "datePublished": version.created_at.date().isoformat(),
        "license": ds["licence"],
        "keywords": [*ds["keywords"], *ds["conditions"], ds["modality"]],
        "creator": {"@type": "sc:Organization", "name": ds["institution"]},
        "publisher": {"@type": "sc:Organization", "name": "medkosh"},
        "citeAs": f"{ds['institution']}. {ds['name']}, version {version.number} ({version.id[:12]}). medkosh.",
        "isAccessibleForFree": version.tier is Tier.OPEN,
        "usageInfo": _sharing_agreement(version, ds),
        "distribution": files,
        "recordSet": _record_sets(version, store),
        "rai:personalSensitiveInformation": (
            "Health data about patients in India (diagnoses, observations, notes or images). Direct identifiers "
            "are removed or replaced by keyed pseudonyms under this dataset's own key, dates are shifted per "
            f"patient, free text is de-identified and every file passed a PHI scan. Anonymisation: {recipes}. "
            f"Records of {version.patients} patients, each with a consent artefact covering this use "
            f"(snapshot {version.consent_snapshot_id})."),
        "rai:dataUseCases": ds["intended_uses"] or ["Health research under the access tier's conditions."],
        "rai:dataLimitations": ds["limitations"] or ["See the data card."],
        "rai:dataCollection": ("Records contributed by hospitals through ABDM-compliant FHIR R4 exchange, HIS "
                               "extracts, clinical notes and DICOM, filtered by each patient's ABDM consent."),
        "rai:dataReleaseMaintenancePlan": (
            "Versions are immutable and content-addressed. When a patient's consent is revoked or expires, a new "
            "version without them is built and this one is marked 'superseded — consent withdrawn'."),
    }


def _sharing_agreement(version: VersionInfo, ds: dict[str, Any]) -> str:
    tier = version.tier
    if tier is Tier.OPEN:
        return f"Open tier: anyone may use it under {ds['licence']}."
    dua = ds.get("data_sharing_agreement") or "the medkosh data use agreement"
    if tier is Tier.REGISTERED:
        return f"Registered tier: download after signing {dua}."
    return f"Controlled tier: usable only inside the trusted research environment after committee approval and {dua}."


def dcat(session: Session, version: VersionInfo) -> dict[str, Any]:
    ds = service.show_dataset(session, version.dataset_id)
    url = f"{base_url()}/datasets/{version.dataset_id}/versions/{version.number}"
    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "adms": "http://www.w3.org/ns/adms#", "foaf": "http://xmlns.com/foaf/0.1/",
                     "spdx": "http://spdx.org/rdf/terms#", "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": url,
        "@type": "dcat:Dataset",
        "dct:identifier": version.id,
        "dct:title": {"@value": ds["name"], "@language": "en"},
        "dct:description": {"@value": ds["description"], "@language": "en"},
        "dcat:version": str(version.number),
        "adms:versionNotes": version.status.label,
        "dct:issued": {"@value": version.created_at.isoformat(), "@type": "xsd:dateTime"},
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": ds["institution"]},
        "dcat:contactPoint": {"@type": "http://www.w3.org/2006/vcard/ns#Kind",
                              "http://www.w3.org/2006/vcard/ns#fn": ds["steward"]},
        "dcat:keyword": [*ds["keywords"], *ds["conditions"]],
        "dct:spatial": [{"@id": f"https://www.iso.org/obp/ui/#iso:code:3166:IN-{s}"} for s in ds["states"]],
        "dct:accessRights": {"@id": "http://publications.europa.eu/resource/authority/access-right/"
                                    f"{_TIER_RIGHTS[version.tier]}"},
        "dct:license": ds["licence"],
        "dcat:landingPage": {"@id": f"{base_url()}/datasets/{version.dataset_id}"},
        "dcat:distribution": [{
            "@type": "dcat:Distribution", "dct:title": f.path, "dcat:mediaType": f.media_type,
            "dcat:byteSize": {"@value": str(f.size), "@type": "xsd:nonNegativeInteger"},
            "spdx:checksum": {"@type": "spdx:Checksum", "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                              "spdx:checksumValue": f.sha256},
            "dcat:accessURL": {"@id": url}} for f in version.files],
    }


def croissant_for(session: Session, ref: str) -> dict[str, Any]:
    return croissant(session, service.get_version(session, ref))


def dcat_for(session: Session, ref: str) -> dict[str, Any]:
    return dcat(session, service.get_version(session, ref))

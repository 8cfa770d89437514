"""Who an artefact is about, without keeping who they are.

An artefact names its patient by ABHA address. medkosh indexes artefacts by `patient_hash`, a keyed
HMAC of the normalised address (key file HOME/keys/consent-patient-index.key), and joins them to raw
rows through the raw zone's `patient` table (abha_address, source_id, patient_key). The address
itself is never logged, audited or written to an index column.
"""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

from medkosh.keys import get_or_create_key

INDEX_KEY = "consent-patient-index"


def normalise_abha_address(address: str) -> str:
    """ABHA addresses are case-insensitive (raw-zone contract); suffixes (@abdm, @sbx) are kept."""
    return address.strip().lower()


def patient_hash(address: str, key: bytes | None = None) -> str:
    key = key if key is not None else get_or_create_key(INDEX_KEY)
    return hmac.new(key, b"abha-address|" + normalise_abha_address(address).encode(), hashlib.sha256).hexdigest()


def hash_addresses(frame: pl.DataFrame, column: str = "abha_address") -> pl.Series:
    """patient_hash for every address in a column (null where the address is missing)."""
    key = get_or_create_key(INDEX_KEY)
    values = frame[column].to_list()
    return pl.Series("patient_hash", [patient_hash(v, key) if v else None for v in values], dtype=pl.String)


def raw_zone_subjects() -> pl.DataFrame:
    """(patient_key, source_id, patient_hash) for every patient in the raw zone.

    A patient without an ABHA address cannot have an ABDM consent artefact: their patient_hash is null
    and every row of theirs is excluded as `no_consent`.
    """
    from medkosh.ingest.zone import scan_table

    frame = (scan_table("patient")
             .select("patient_key", "source_id", "abha_address")
             .filter(pl.col("patient_key").is_not_null())
             .unique()
             .collect())
    return subjects_frame(frame)


def subjects_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Turn (patient_key, source_id, abha_address) rows into (patient_key, source_id, patient_hash)."""
    if frame.height == 0:
        return pl.DataFrame(schema={"patient_key": pl.String, "source_id": pl.String, "patient_hash": pl.String})
    return (frame.with_columns(hash_addresses(frame))
            .select(pl.col("patient_key").cast(pl.String), pl.col("source_id").cast(pl.String), "patient_hash")
            .unique()
            .sort("patient_key", "source_id"))

from __future__ import annotations

import datetime as dt

from medkosh.deid.dates import shift_date, shift_days
from medkosh.deid.pseudonym import dataset_secret, keyed_uid, normalise_identifier, pseudonym


def test_pseudonym_is_stable_and_normalised() -> None:
    key = b"k" * 32
    assert pseudonym(key, "12-3456-7890-1234", "abha") == pseudonym(key, "12345678901234", "abha")
    assert pseudonym(key, "x", "abha") != pseudonym(b"j" * 32, "x", "abha")
    assert pseudonym(key, "x", "abha") != pseudonym(key, "x", "mrn")
    assert normalise_identifier(" ab-12 ") == "AB12"


def test_dataset_secret_is_kept_in_a_0600_file(medkosh_home) -> None:
    secret = dataset_secret("ds1")
    path = medkosh_home / "keys" / "pseudonym-ds1.key"
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert dataset_secret("ds1") == secret and dataset_secret("ds2") != secret


def test_shift_is_per_patient_nonzero_and_bounded() -> None:
    key = b"s" * 32
    shifts = {shift_days(key, f"p{i}", 30) for i in range(500)}
    assert 0 not in shifts and min(shifts) >= -30 and max(shifts) <= 30 and len(shifts) > 40
    assert shift_days(key, "p1", 30) == shift_days(key, "p1", 30)
    d = dt.date(2024, 3, 12)
    assert (shift_date(d, 5) - shift_date(d - dt.timedelta(days=3), 5)).days == 3


def test_keyed_uid_is_valid_dicom_uid() -> None:
    uid = keyed_uid(b"k" * 32, "1.2.840.113619.2.55.3")
    assert len(uid) <= 64 and uid.startswith("2.25.") and all(p.isdigit() for p in uid.split("."))
    assert uid == keyed_uid(b"k" * 32, "1.2.840.113619.2.55.3")

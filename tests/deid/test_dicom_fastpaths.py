"""The DICOM engine's shortcuts must change nothing: the identifier scrubber replaces exactly what the
case-insensitive regular expression of the same identifiers replaces (it avoids compiling one per
file), and the writer writes exactly the bytes pydicom's save_as writes."""

from __future__ import annotations

import io
import random
import warnings
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file, get_testdata_files

from medkosh.deid.dicom import (
    DicomDeidentifier,
    DicomReadError,
    Scrubber,
    clean_text,
    read_dicom,
    save,
    secrets_pattern,
)
from medkosh.ingest.linkage import UhidKey

CASES = [
    (["Sharma^Ravi", "Sharma", "Ravi", "UHID-99812"], "CT chest for ravi SHARMA uhid-99812, Sharma^Ravi"),
    (["abc", "abcd", "bcd"], "xxabcdyy abcabc bcdbcd ABCD"),  # longest at the leftmost position wins
    (["aaa"], "aaaaaaa"),  # non-overlapping, left to right
    (["Müller", "Mue"], "Herr MÜLLER, mueller"),  # non-ASCII identifiers: the pattern decides
    (["Ravi"], "Ravi Kelvin \u212a ſ"),  # non-ASCII text: the pattern decides
    ([], "nothing to do"),
    (["x.y", "a+b"], "X.Y a+b axyb"),  # regex metacharacters are literal
]


@pytest.mark.parametrize(("secrets", "text"), CASES)
def test_scrubber_matches_the_pattern(secrets: list[str], text: str) -> None:
    pattern = secrets_pattern(secrets)
    expected = pattern.sub("*", text) if pattern else text
    assert Scrubber(secrets).sub(text) == expected
    assert clean_text(text, Scrubber(secrets)) == clean_text(text, secrets)


def test_scrubber_matches_the_pattern_on_random_text() -> None:
    rng = random.Random(11)
    alphabet = "abAB^-. 12é"
    for _ in range(3000):
        secrets = ["".join(rng.choice(alphabet) for _ in range(rng.randint(3, 5))) for _ in range(rng.randint(0, 4))]
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        pattern = secrets_pattern(secrets)
        expected = pattern.sub("*", text) if pattern else text
        assert Scrubber(secrets).sub(text) == expected, (secrets, text)


def test_writer_writes_what_save_as_writes(tmp_path: Path) -> None:
    """Every readable pydicom test file (explicit and implicit VR, big endian, deflated, compressed,
    sequences), de-identified, then written both ways."""
    secret = b"w" * 32
    engine = DicomDeidentifier(secret, UhidKey(secret, "TEST"))
    compared = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(get_testdata_files("*")):
            try:
                ds = read_dicom(Path(name))
                engine.deidentify(ds)
            except (DicomReadError, ValueError, TypeError, KeyError, AttributeError, NotImplementedError):
                continue
            expected = io.BytesIO()
            try:
                ds.save_as(expected, enforce_file_format=False)
            except (ValueError, TypeError, OSError, NotImplementedError):
                continue  # pydicom cannot write it either
            save(ds, tmp_path / "out.dcm")
            assert (tmp_path / "out.dcm").read_bytes() == expected.getvalue(), name
            compared += 1
    assert compared > 100
    assert get_testdata_file("CT_small.dcm", download=False)

"""Tag, redact and surrogate modes; surrogate consistency; date shifts keep intervals."""

from __future__ import annotations

import datetime as dt
import re

from medkosh.deid.dates import shift_days
from medkosh.deid.text import deidentify, detect
from medkosh.deid.text.dateshift import shift_date_text
from medkosh.deid.text.transform import apply
from medkosh.deid.text.validators import verhoeff_check_digit, verhoeff_valid

SECRET = b"s" * 32
NOTE = ("Pt Ramesh Yadav S/o Suresh Yadav admitted 12/03/2024, discharged 22/03/2024. Ph 98765 43210. "
        "Aadhaar {a}. Dr. Sharma.")


def _note() -> str:
    base = "23456789012"
    n = base + verhoeff_check_digit(base)
    return NOTE.format(a=f"{n[:4]} {n[4:8]} {n[8:]}")


def test_tag_and_redact_keep_clinical_text() -> None:
    text = _note()
    tagged, spans = deidentify(text, mode="tag")
    assert "[NAME]" in tagged and "[DATE]" in tagged and "[AADHAAR]" in tagged and "[PHONE]" in tagged
    assert "Ramesh" not in tagged and "98765" not in tagged
    assert "admitted" in tagged and "discharged" in tagged
    redacted, _ = deidentify(text, mode="redact")
    assert "Ramesh" not in redacted and "***" in redacted
    assert all(text[s.start:s.end].strip() for s in spans)  # offsets point into the input


def test_surrogates_are_consistent_within_a_dataset() -> None:
    a, _ = deidentify("Wife Sunita Deshpande called.", mode="surrogate", secret=SECRET)
    b, _ = deidentify("Spoke to Sunita Deshpande again.", mode="surrogate", secret=SECRET)
    c, _ = deidentify("Wife Sunita Deshpande called.", mode="surrogate", secret=b"t" * 32)
    sur_a = a.removeprefix("Wife ").removesuffix(" called.")
    assert sur_a in b and "Sunita" not in a
    assert c != a  # another dataset's secret gives unrelated surrogates
    # A later bare surname maps to the same surrogate surname.
    d, _ = deidentify("Mrs. Deshpande is stable.", mode="surrogate", secret=SECRET)
    assert sur_a.split()[-1] in d


def test_surrogate_dates_keep_intervals_and_use_the_shared_shift() -> None:
    text = _note()
    out, _ = deidentify(text, mode="surrogate", secret=SECRET, patient_key="patient-1")
    days = shift_days(SECRET, "patient-1")
    dates = re.findall(r"\d{2}/\d{2}/\d{4}", out)
    parsed = [dt.datetime.strptime(d, "%d/%m/%Y").date() for d in dates]
    assert parsed[0] == dt.date(2024, 3, 12) + dt.timedelta(days=days)
    assert (parsed[1] - parsed[0]).days == 10
    fixed, _ = deidentify(text, mode="surrogate", secret=SECRET, date_shift_days=5)
    assert "17/03/2024" in fixed and "27/03/2024" in fixed


def test_surrogate_identifiers_cannot_be_real() -> None:
    out, _ = deidentify(_note(), mode="surrogate", secret=SECRET)
    aadhaar = re.search(r"Aadhaar (\d{4} \d{4} \d{4})", out)
    assert aadhaar and not verhoeff_valid(aadhaar.group(1).replace(" ", ""))
    phone = re.search(r"Ph (\d{5} \d{5})", out)
    assert phone and phone.group(1)[0] == "5"  # the unallocated mobile series


def test_replacement_offsets_for_devanagari_text() -> None:
    text = "श्री रमेश शर्मा (ph 9876543210) भर्ती 12/03/2024"
    spans = detect(text)
    out, reps = apply(text, spans, mode="tag")
    for rep in reps:
        assert out[rep.out_start:rep.out_end] == f"[{rep.span.label}]"
    assert text[spans[0].start:spans[0].end] == "रमेश शर्मा"


def test_date_formats_survive_shift() -> None:
    assert shift_date_text("12-Mar-2024", 20) == "1-Apr-2024"
    assert shift_date_text("12th March 2024", 20) == "1st April 2024"
    assert shift_date_text("2024-03-12", -12) == "2024-02-29"
    assert shift_date_text("12.03.24", 1) == "13.03.24"
    assert shift_date_text("March 2024", 31) == "April 2024"
    assert shift_date_text("3/14", 1) == "3/15"

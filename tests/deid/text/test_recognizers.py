"""Each recognizer with valid and invalid examples."""

from __future__ import annotations

import pytest

from medkosh.deid.text import detect
from medkosh.deid.text.validators import aadhaar_valid, pan_valid, verhoeff_check_digit, verhoeff_valid


def _aadhaar(prefix: str = "23456789012") -> str:
    return prefix + verhoeff_check_digit(prefix)


def found(text: str, profile: str = "default") -> list[tuple[str, str]]:
    return [(s.label, text[s.start:s.end]) for s in detect(text, profile=profile)]


def labels_of(text: str, value: str, profile: str = "default") -> set[str]:
    """Labels of the spans that cover `value` in `text`."""
    start = text.index(value)
    end = start + len(value)
    return {s.label for s in detect(text, profile=profile) if s.start <= start and s.end >= end}


def test_verhoeff_known_vectors() -> None:
    assert verhoeff_check_digit("236") == "3"
    assert verhoeff_valid("2363")
    assert not verhoeff_valid("2364")
    number = _aadhaar()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert aadhaar_valid(number) and not aadhaar_valid(wrong)
    assert not aadhaar_valid("1" + number[1:])  # UIDAI never starts with 0 or 1


@pytest.mark.parametrize("writing", ["{a} {b} {c}", "{a}-{b}-{c}"])
def test_aadhaar_spaced_and_dashed(writing: str) -> None:
    n = _aadhaar()
    value = writing.format(a=n[:4], b=n[4:8], c=n[8:])
    assert labels_of(f"Patient card {value} seen", value) == {"AADHAAR"}


def test_aadhaar_wrong_check_digit_is_not_aadhaar() -> None:
    n = _aadhaar()
    bad = n[:-1] + str((int(n[-1]) + 3) % 10)
    text = f"Aadhaar {bad[:4]} {bad[4:8]} {bad[8:]}"
    assert "AADHAAR" not in {label for label, _ in found(text)}


def test_plain_12_digits_need_context() -> None:
    n = _aadhaar()
    accession = f"Lab accession {n} received in lab"
    assert "AADHAAR" not in labels_of(f"Result {n} received", n)
    assert "AADHAAR" not in labels_of(accession, n)
    assert labels_of(f"Aadhaar no: {n}", n) == {"AADHAAR"}
    # The scan profile (a release gate) flags a valid plain number even without context.
    assert labels_of(f"Result {n} received", n, profile="scan") == {"AADHAAR"}


def test_masked_aadhaar() -> None:
    assert labels_of("UID XXXX XXXX 4821 verified", "XXXX XXXX 4821") == {"AADHAAR"}


def test_abha_number_and_address() -> None:
    assert labels_of("ABHA 91-5523-1180-4467 linked", "91-5523-1180-4467") == {"ABHA_NUMBER"}
    assert labels_of("ABHA number 91552311804467 linked", "91552311804467") == {"ABHA_NUMBER"}
    assert "ABHA_NUMBER" not in labels_of("Count 91552311804467 linked", "91552311804467")
    assert labels_of("PHR kiran.nagaraj@abdm ok", "kiran.nagaraj@abdm") == {"ABHA_ADDRESS"}
    assert labels_of("sandbox asha_k@sbx ok", "asha_k@sbx") == {"ABHA_ADDRESS"}


def test_pan_entity_code() -> None:
    assert pan_valid("ABCPK1234D") and not pan_valid("ABCZK1234D")
    assert labels_of("PAN ABCPK1234D for claim", "ABCPK1234D") == {"PAN"}
    assert "PAN" not in {label for label, _ in found("code ABCZK1234D noted")}


def test_voter_passport_licence_vehicle() -> None:
    assert labels_of("Voter ID SKM1044721 shown", "SKM1044721") == {"VOTER_ID"}
    assert labels_of("Passport no. K4471922 shown", "K4471922") == {"PASSPORT"}
    assert found("Specimen K4471922 sent") == [] or "PASSPORT" not in {x for x, _ in found("Specimen K4471922 sent")}
    assert labels_of("DL No MH12 20110012345 valid", "MH12 20110012345") == {"DRIVING_LICENCE"}
    assert labels_of("came on MH 12 AB 1234 bike", "MH 12 AB 1234") == {"VEHICLE"}
    assert "VEHICLE" not in {x for x, _ in found("grade ZZ 12 AB 1234 noted")}  # ZZ is no state


@pytest.mark.parametrize("phone", ["+91 98765 43210", "+91-9876543210", "09876543210", "98765 43210",
                                   "9876543210", "020-25501234", "(617) 555-0198", "617-555-0198"])
def test_phones(phone: str) -> None:
    assert labels_of(f"Contact {phone} anytime", phone) == {"PHONE"}


def test_pin_needs_context() -> None:
    assert labels_of("Address: Kothrud, Pune 411038", "411038") & {"PIN", "ADDRESS"}
    assert labels_of("PIN code 411 038", "411 038") == {"PIN"}
    assert found("Platelets 411038 on day 2") == []


def test_mrn_email_url_ip() -> None:
    assert labels_of("UHID: KEM/2024/001234 admitted", "KEM/2024/001234") == {"MRN"}
    assert labels_of("IP No. 23-18842 ward 4", "23-18842") == {"MRN"}
    assert labels_of("mail r.sharma@gmail.com today", "r.sharma@gmail.com") == {"EMAIL"}
    assert labels_of("see https://portal.example.in/p/17 now", "https://portal.example.in/p/17") == {"URL"}
    assert labels_of("host 10.12.0.7 logged", "10.12.0.7") == {"IP"}
    assert "IP" not in {x for x, _ in found("version 999.12.0.7 logged")}


@pytest.mark.parametrize("date", ["12/03/2024", "12-Mar-2024", "12th March 2024", "2024-03-12", "12.03.24",
                                  "March 2024", "March 12, 2024", "12 Mar 2024", "3/14", "Mar'24", "1st JAN 2020"])
def test_dates(date: str) -> None:
    assert labels_of(f"Seen on {date} in clinic", date) == {"DATE"}


@pytest.mark.parametrize("text", ["1/2 NS at 100 ml/hr", "motor power 5/5 both", "pain 3/10 now", "BP 120/80 HR 88",
                                  "GCS 15/15", "2 tabs may be given", "Hb 10.2 g/dl on day 3", "31/02/2024 invalid"])
def test_not_dates(text: str) -> None:
    assert "DATE" not in {label for label, _ in found(text)}


def test_ages_over_89_only() -> None:
    assert labels_of("93 yo F admitted", "93") == {"AGE"}
    assert labels_of("Age: 101 years", "101") == {"AGE"}
    assert labels_of("XAVIER, 91/M, from", "91") == {"AGE"}
    assert found("45 yo M admitted") == []

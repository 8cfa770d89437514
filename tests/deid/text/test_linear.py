"""Detection stays linear in the note's length: a 1 MB all-capitals note and adversarial inputs
finish (pytest-timeout fails a run that backtracks catastrophically; no timing is asserted)."""

from __future__ import annotations

import pytest

from medkosh.deid.text import detect

_CAPS = ("NEURO: PT ALERT AND ORIENTED X3, MAE. CV: NSR 80S, BP 120/80. RESP: LS CLEAR, ABG 7.38/40/95. "
         "GI: ABD SOFT, +BS. GU: FOLEY DRAINING. WIFE MARY IN TO VISIT, UPDATED BY DR SMITH ON 3/14.\n")


@pytest.mark.timeout(300)
def test_one_megabyte_all_capitals_note() -> None:
    text = _CAPS * (1_000_000 // len(_CAPS) + 1)
    assert len(text) >= 1_000_000
    spans = detect(text)
    repeats = text.count("MARY")
    assert sum(1 for s in spans if text[s.start:s.end] == "MARY") == repeats
    assert not any(text[s.start:s.end] in ("ABG", "MAE", "NSR", "FOLEY", "ABD") for s in spans)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("piece", ["1 ", "1-", "a@", "Dr. ", "A. ", "x" * 50 + " ", "12/", "www.", "S/o ",
                                   "\u0930\u092e\u0947\u0936 "])
def test_adversarial_repetition(piece: str) -> None:
    text = piece * 100_000
    detect(text)
    detect(text, profile="scan")

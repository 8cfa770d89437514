"""Round-4 recall rules (found with the dev4a/b/c tuning sets): each with a case it must catch and a
case it must leave alone."""

from __future__ import annotations

from medkosh.deid.text import detect

from .conftest import covered


def test_hospital_names_in_capitals_keep_their_clinical_words() -> None:
    text = "REF BY DR MANGRU RANDHAWA BAMS FROM HOLY FAMILY HOSPITAL. SEEN AT LIFELINE FAMILY CLINIC."
    assert covered(text, "HOLY FAMILY HOSPITAL") and covered(text, "LIFELINE FAMILY CLINIC")


def test_the_place_after_a_health_centre_code_even_when_it_is_english() -> None:
    assert covered("Referred by the MO, CHC Salon, with fever.", "Salon")
    assert covered("Ghar Pipri gaon, tehsil Salon, zila Jaunpur mein hai.", "Salon")
    assert not covered("Referred by the MO, CHC Staff informed.", "Staff")
    assert not covered("Pt visited the beauty salon before the rash.", "salon")


def test_an_acronym_landmark_after_near() -> None:
    text = "resident of Lane 2, Purani Basti, near SBI Branch, Seoni."
    assert covered(text, "SBI Branch")
    assert not covered("Pt was kept near ICU for observation.", "ICU")


def test_an_english_word_before_a_locality_head_in_capitals() -> None:
    assert covered("LIVES WITH HIS SON AT RAILWAY COLONY, PITHORAGARH. POWER 4/5", "RAILWAY COLONY")
    assert covered("PT (W/O X), RAILWAY COLONY, ALMORA. CONTACT", "RAILWAY COLONY")
    assert not covered("PT ADMITTED IN MEDICINE WARD, COLONY COUNTS NORMAL.", "MEDICINE")


def test_a_latin_place_after_a_devanagari_address_word() -> None:
    assert covered("नाम: घनश्याम चौरसिया, ग्राम Parbatta. UHID 9865740825.", "Parbatta")


def test_ms_in_mixed_case_is_a_degree_not_a_title() -> None:
    text = "Consultant: Dr. Hiralal Mudaliar, MS, MCh (Neurosurgery)"
    assert covered(text, "Hiralal Mudaliar") and not covered(text, "MCh")
    assert covered("Seen by Ms Ritu Sharma today.", "Ritu Sharma")


def test_h_slash_o_before_a_name_but_not_before_a_history() -> None:
    assert covered("Patient Chameli, 75 yrs, H/o Budhu Ekka, r/o Vill. Parbatta", "Budhu Ekka")
    for history in ("H/o fever x 3 days.", "H/o DM, HTN.", "H/o Appendicectomy.", "H/O BURNING MICTURITION"):
        assert [s for s in detect(history) if s.label == "NAME"] == [], history

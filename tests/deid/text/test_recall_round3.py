"""Round-3 recall rules (Indian addresses, relation forms, Hinglish): each with a case it must catch
and a case it must leave alone."""

from __future__ import annotations

from .conftest import covered, spans


def test_curated_indian_names_without_a_strong_cue() -> None:
    text = "Relative (Kalawati, daughter) asked to arrange blood. Lives with Ponnammal and Gurcharan."
    assert covered(text, "Kalawati") and covered(text, "Ponnammal") and covered(text, "Gurcharan")
    # English words stay words: the curated list leaves out names that are also English words.
    plain = "Apply salve, bind the wound and keep the pal informed."
    assert spans(plain) == []


def test_sector_with_a_number_is_an_address() -> None:
    text = "Smt. Kamla, 57, of Plot No. 174, Sector 53, Hardoi, referred from the PHC."
    assert covered(text, "Sector 53")
    assert not covered("The inferior sector of the retina is pale.", "sector")


def test_numbered_address_part_carries_the_place_after_it() -> None:
    text = "Pt | Ward 22, Bhaluani, Pithoragarh | BP 160/62"
    assert covered(text, "Ward 22") and covered(text, "Bhaluani")
    assert not covered(text, "BP")  # '|' ends the address
    # A hospital ward followed by ordinary words is no address.
    assert spans("Patient was shifted to Ward 7 on rounds.") == []


def test_letter_first_house_numbers_and_street_numbers() -> None:
    text = "Permanent address: Qtr No. A-75, Street No. 4, Lal Kurti."
    assert covered(text, "Qtr No. A-75") and covered(text, "Street No. 4")
    assert spans("Street noise disturbed her sleep.") == []


def test_lower_case_field_words_in_hinglish() -> None:
    text = "Ghar Dumaria gaon, tehsil Ramsanehighat, zila Kasaragod mein hai."
    for word in ("Dumaria", "Ramsanehighat", "Kasaragod"):
        assert covered(text, word), word
    assert not covered(text, "mein")
    # A lower-case field word before an English word is no address.
    assert spans("the tehsil office was closed") == []


def test_village_suffixes_extend_the_place() -> None:
    text = "The family moved to Rampur Khurd last year."
    assert covered(text, "Rampur Khurd")
    assert not covered("Khurd is a word we do not know here.", "here")


def test_quarter_after_a_street_word_and_extension() -> None:
    text = "Lives with her son at Ganj Mohalla, Betul. Moved from Gomti Nagar Extension last year."
    assert covered(text, "Ganj Mohalla") and covered(text, "Gomti Nagar Extension")
    assert spans("She shops at the bazaar every day.") == []


def test_kind_of_hospital_named_by_place_after_it() -> None:
    text = "Referred to District Hospital Barabanki and then to Govt. Rajaji Hospital."
    assert covered(text, "District Hospital Barabanki")
    assert covered(text, "Govt. Rajaji Hospital")
    assert spans("Referred to the District Hospital for imaging.") == []


def test_name_field_without_a_colon_at_line_start() -> None:
    text = "OPD Slip\nName Rajkali Kuriakose\nc/o fever"
    assert covered(text, "Rajkali Kuriakose")
    assert not covered("The name Parkinson disease is used loosely.", "Parkinson")


def test_hinglish_function_words_are_no_names() -> None:
    text = "MAREEZ ANNAMMA KHATOON KO JULY 3, 2022 KO BHARTI KIYA."
    assert covered(text, "ANNAMMA KHATOON")
    assert not covered(text, "KIYA")
    lower = "Bete Ramu ka no. diya hai."
    assert not covered(lower, "Bete")


def test_landmark_after_near_or_behind() -> None:
    text = "H.No. 12, Kawardha, behind Primary School. Lives near Hanuman Mandir."
    assert covered(text, "Primary School") and covered(text, "Hanuman Mandir")
    # A landmark word alone, or a ward landmark, is no address.
    assert spans("Sitting near Office door. Kept near Nurses Station.") == []


def test_curated_district_names() -> None:
    text = "Two more cases this week, Barabanki and Bageshwar."
    assert covered(text, "Barabanki") and covered(text, "Bageshwar")
    assert spans("He was referred back for review.") == []


def test_capitals_field_words_end_names_and_addresses() -> None:
    text = "PT RAMKALI KEWAT AGE 66 R/O H. NO. 48/3 NAI ABADI BEMETARA ADM JULY 2015 UNDER DR GOUD"
    assert covered(text, "RAMKALI KEWAT") and covered(text, "NAI ABADI BEMETARA")
    assert not covered(text, "AGE") and not covered(text, "ADM")

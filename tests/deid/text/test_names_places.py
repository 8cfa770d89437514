"""Names, places and hospitals; what must stay untouched (eponyms, drugs, abbreviations)."""

from __future__ import annotations

import pytest

from medkosh.deid.text import detect

from .conftest import names, spans


def test_titles_initials_and_relations() -> None:
    text = "Pt Ramesh Kumar Yadav S/o Suresh Yadav seen by Dr. R. K. Sharma; Smt. Kavita W/o Anil."
    got = names(text)
    assert "Ramesh Kumar Yadav" in got and "Suresh Yadav" in got and "R. K. Sharma" in got
    assert "Kavita" in got and "Anil" in got
    assert all("S/o" not in n and "Dr" not in n for n in got)


def test_unknown_names_after_cues() -> None:
    assert "Przybylski" in names("Will follow up with Dr. Przybylski re: meds.")
    assert "Zothanpuia" in names("Husband Zothanpuia called twice.")
    assert "OYELARAN" in names("DR OYELARAN AWARE. WIFE ROSALIND CALLED.")


def test_devanagari_names_and_offsets() -> None:
    text = "नाम: सुनीता देवी, पति: राजेश कुमार. श्री रमेश शर्मा, पुत्र सुरेश"
    got = names(text)
    assert "सुनीता देवी" in got and "राजेश कुमार" in got and "रमेश शर्मा" in got and "सुरेश" in got
    for s in detect(text):  # offsets are code points: slicing gives whole words
        piece = text[s.start:s.end]
        assert piece == piece.strip() and "श्री" not in piece


@pytest.mark.parametrize("text", [
    "H/o Parkinson's disease and Bell's palsy. Hodgkin lymphoma in remission. Babinski sign negative.",
    "Foley catheter in situ, Ryle's tube removed. Crohn's disease flare. Wilson's disease workup.",
    "Started Lasix 40 mg, Ceftriaxone 1 g IV BD, Pantoprazole 40 OD, Augmentin 625, Dolo 650 SOS.",
    "NEURO: A+OX3, MAE. CV: NSR, BP 110/70. RESP: ABG 7.38/40/95. GI: ABD SOFT, FOLEY PATENT. CV STABLE.",
    "Will continue current plan. May need PT consult. Mark the site. Grace period noted.",
    "Glasgow Coma Scale 15. Murphy's sign positive. Graves' disease on carbimazole. Apgar 8/9.",
])
def test_clinical_text_untouched(text: str) -> None:
    assert spans(text) == []


def test_places_and_hospitals() -> None:
    text = "R/o 12, Shivaji Nagar, Pune - 411005. Referred from Sassoon General Hospital to AIIMS."
    got = spans(text)
    labels = {label for label, _ in got}
    assert {"ADDRESS", "HOSPITAL"} <= labels
    covered = " ".join(v for _, v in got)
    for word in ("Shivaji", "Pune", "411005", "Sassoon", "AIIMS"):
        assert word in covered


def test_all_capitals_note() -> None:
    text = "WIFE MARY AND SON RAHUL IN TO VISIT, UPDATED BY DR SMITH. RECEIVED LASIX WITH GOOD UO."
    got = names(text)
    assert got == ["MARY", "RAHUL", "SMITH"]


def test_scan_profile_flags_unknown_capitalised_words_in_prose() -> None:
    text = "Blood culture grew Klebsiella pneumoniae; later visited Thekkumkattil at home."
    default = [text[s.start:s.end] for s in detect(text)]
    scan = [text[s.start:s.end] for s in detect(text, profile="scan")]
    assert "Thekkumkattil" not in default  # no cue, no gazetteer entry: the default profile misses it
    assert "Thekkumkattil" in scan and "Klebsiella" not in scan


def test_rare_names_by_position() -> None:
    assert "Budhu Ekka" in names("MO on call informed. C/o Budhu Ekka for further care.")
    assert "SONAMATI EKKA" in names("CASE DISCUSSED WITH SONAMATI EKKA, MO ON CALL.")
    assert "Dukhni Baxla" in names("Guardian Dukhni Baxla signed the consent.")
    assert "Chetia" in names("Chetia family requests discharge.")
    assert "Birsa Dungdung" in names("Birsa Dungdung aged 70, admitted with fever.")
    assert "Nilima Kumari Minz" in names("Pt Nilima Kumari Minz afebrile.")
    # Complaints after C/o, a drug before a duration and the cue word itself stay untouched.
    assert names("C/o Fever and Breathlessness since 2 days. On Glycomet 5 yrs.") == []
    assert all("BROTHER" not in n for n in names("ACCOMPANIED BY BROTHER-IN-LAW GURMAIL MINZ."))


def test_prose_address_cues_and_state_abbreviations() -> None:
    got = spans("C/o Etwa Ekka, near Polo Ground Road. Native of Doda (H.P.) 226059; from Agra, U.P.")
    values = [v for _, v in got]
    assert any("Polo Ground Road" in v for v in values)
    assert "H.P." in values and "U.P." in values
    # "near" before clinical words or an acronym, and AP as a radiograph view, are no places.
    assert spans("Near syncope episode; bed near ICU door. CXR AP view, A.P. diameter normal.") == []


def test_place_after_hospital_head() -> None:
    values = [v for label, v in spans("Referred from CHC Reasi to Synod Hospital Durtlang.") if label == "HOSPITAL"]
    assert "CHC Reasi" in values and "Synod Hospital Durtlang" in values
    assert spans("Hospital course uneventful.") == []


def test_house_number_before_an_address_field_word() -> None:
    text = "Residence: 64/1, Model Town, Visakhapatnam, Dist. Guntur"
    assert any(v.startswith("64/1") for label, v in spans(text) if label == "ADDRESS")


def test_ordinary_word_before_a_locality_head_after_from() -> None:
    assert ("ADDRESS", "Station Road") in spans("A 61-year-old woman from Station Road, Indore.")
    assert ("ADDRESS", "Civil Lines") in spans("Lives in Civil Lines since 2010.")
    assert spans("Station Road") == [] and spans("IV lines in situ. Central Lines placed.") == []


@pytest.mark.parametrize("profile", ["default", "scan"])
def test_camelcase_code_identifiers_are_no_names(profile: str) -> None:
    text = ("We trained a GradientBoostingClassifier and compared LogisticRegression, XGBClassifier, "
            "StandardScaler and a DataFrame of features.")
    assert detect(text, profile=profile) == []
    # Names with one inner capital stay names, in both profiles.
    text = "Seen by Dr. McDonald and Mr. MohammedAli; wife DeSouza spoke with FitzGerald."
    found = [text[s.start:s.end] for s in detect(text, profile=profile) if s.label == "NAME"]
    assert found == ["McDonald", "MohammedAli", "DeSouza", "FitzGerald"]


def test_district_hospital_is_no_address() -> None:
    assert spans("Patient shifted to District Hospital ICU for monitoring.") == []
    assert spans("Transferred from District Hospital NICU yesterday") == []
    assert spans("Referred to District Hospital ICU, Pune") == [("LOCATION", "Pune")]
    # "District" as a field word still starts an address part.
    assert ("ADDRESS", "Sitapur") in spans("Vill. Rampur, District Sitapur")
    assert ("ADDRESS", "Hospital Road") in spans("District: Hospital Road area")


def test_appositive_age_initials_road_and_hospital_units() -> None:
    assert names("History: Chandrasekhar, a 52-year-old male from Durg, presented") == ["Chandrasekhar"]
    assert spans("Fever, a 5 year old problem") == []
    assert ("ADDRESS", "MG Road") in spans("a 8-year-old female from MG Road, Siliguri")
    assert ("ADDRESS", "JP Nagar") in spans("lives near JP Nagar")
    # Clinical acronyms before a block word are parts of the hospital, not addresses.
    assert spans("shifted to ICU Block") == [] and spans("moved from OT Complex") == []

"""Round-4 person-name rules (staff roles, relation and form fields, Hinglish kin words, name
shapes, Devanagari): each with a case it must catch and a look-alike it must leave alone."""

from __future__ import annotations

from .conftest import covered, names


def test_staff_role_words_cue_a_name_and_stay_out_of_it() -> None:
    text = "Handed over by SN Manju to Staff Nurse Ramu; GDA Ancy and Ward boy Kalua on duty."
    for word in ("Manju", "Ramu", "Ancy", "Kalua"):
        assert covered(text, word), word
    assert not any(n.startswith(("SN", "GDA")) for n in names(text))
    assert names("ASHA Worker visited; SN chart reviewed.") == []


def test_ambulance_and_police_roles_in_capitals() -> None:
    text = "108 EMT BHAGYADHAR MUDULI PILOT CHHOTU\nBROUGHT BY HC KALICHARAN SIHAG NO 1568"
    for word in ("BHAGYADHAR MUDULI", "CHHOTU", "KALICHARAN SIHAG"):
        assert covered(text, word), word
    assert not any("EMT" in n or "HC" in n or "PILOT" in n for n in names(text))
    assert names("CT. ABDOMEN normal. HC 34 cm.") == []


def test_asha_colon_is_a_role_but_asha_in_a_name_field_is_a_name() -> None:
    text = "ASHA: KAMLI  ANM: JOSEPHINE D'CRUZ"
    assert covered(text, "KAMLI") and not covered(text, "ASHA")
    assert covered("NAME: ASHA KUMARI", "ASHA KUMARI")


def test_magistrate_with_shri_and_constable_with_a_dot() -> None:
    text = "Statement recorded before SDM Sh. Bhawani Biradar. Accompanied by Ct. Gurnam Khehra."
    assert covered(text, "Bhawani Biradar") and covered(text, "Gurnam Khehra")
    assert not covered(text, "SDM")


def test_compact_age_and_sex_after_a_name() -> None:
    text = "Bed 20 - Temjen/62/F - afebrile.\nBed 14 - Kunhiraman 63Y/M - post-op.\nPt Putul (60M) seen."
    for word in ("Temjen", "Kunhiraman", "Putul"):
        assert covered(text, word), word
    assert names("Walked 45 m with support. Ringer 500/M") == []


def test_relation_in_brackets_and_after_a_dash() -> None:
    text = "Kamli Bagdi (35/F) accompanied by mother-in-law (Bhateri). Pt Putul, mother- Nagamma, r/o Peepalkhunt."
    assert covered(text, "Bhateri") and covered(text, "Nagamma")
    assert names("His mother (deceased) had diabetes.") == []


def test_hinglish_kin_and_name_words() -> None:
    text = "Mareez ki maa Sunaina ne bataya. Beti ka naam Phoolmati, umar 5. Appa peru Chinnasamy, amma Valli."
    for word in ("Sunaina", "Phoolmati", "Chinnasamy", "Valli"):
        assert covered(text, word), word
    for word in ("ki", "ne", "naam", "Mareez"):
        assert not covered(text, word), word
    assert names("Anna Thomas came with her husband.") == ["Anna Thomas"]


def test_caps_mareez_ke_pati() -> None:
    text = "MAREEZ SABITRI SONKAR KE PATI BALKISHAN JI, GAON BANKHEDI"
    assert covered(text, "SABITRI SONKAR") and covered(text, "BALKISHAN")
    assert not covered(text, "PATI") and not covered(text, "KE")


def test_surname_first_lists() -> None:
    text = "Handover:\n1. ROUT, Kochurani - Bed 18\n2. HIREMATH, LINGAPPA - BED 20"
    assert covered(text, "ROUT, Kochurani") and covered(text, "HIREMATH, LINGAPPA")
    assert names("Labs:\n1. HTN, DM - on treatment") == []


def test_particles_and_name_prefixes() -> None:
    text = "Caller Rosy de Menezes, daughter of pt Salim bin Omer. Name: Md. Kaneez Mansuri. Donor Sk. Ishtiyaq Begum."
    assert covered(text, "Rosy de Menezes") and covered(text, "Salim bin Omer")
    assert covered(text, "Md. Kaneez Mansuri") and covered(text, "Sk. Ishtiyaq Begum")
    assert names("Started de novo on insulin; bin the old lancets.") == []


def test_nicknames() -> None:
    text = "BROUGHT BY UGRASEN @ TINKU. Informant: Karuppasamy urf Kalua (brother). Pt Chhotu alias Ramphal Markam."
    for word in ("UGRASEN", "TINKU", "Kalua", "Ramphal Markam"):
        assert covered(text, word), word
    assert names("Dopamine @ 5 mcg/kg/min; contact us at help@example.org") == []


def test_trailing_initial_after_a_dot() -> None:
    text = "Seen by (Dr. Arumugam.T) and Dr. Palanisamy.S. today."
    assert covered(text, "Arumugam.T") and covered(text, "Palanisamy.S")
    assert names("See Fig.A and Vit.K levels.") == []


def test_name_before_relation_marker_and_chat_header() -> None:
    text = "I, Ramesh Gowda, S/o Late Shri Nanjappa, consent.\n11/02/2018, 3:39 pm - Sabitri Barnwal: Referral"
    assert covered(text, "Ramesh Gowda") and covered(text, "Sabitri Barnwal")
    assert names("11/02/2018, 3:39 pm - Messages are end-to-end encrypted") == []


def test_baby_girl_is_not_a_name() -> None:
    text = "Baby of Tapati Gurjar, Baby Girl, born at 2100 hrs. Baby Boy of Md. Nasreen Shah."
    assert not covered(text, "Girl") and not covered(text, "Boy")
    assert covered(text, "Md. Nasreen Shah")
    assert names("LIV 52 CHALU. Liv 52 1-0-1.") == []


def test_devanagari_patient_word_and_function_words() -> None:
    text = "मरीज छेदी सोनकर (पुत्र बिंदेश्वरी) निवासी बिलौली। डॉ. बेचन जाटव द्वारा देखा गया।"
    assert covered(text, "छेदी सोनकर") and covered(text, "बिंदेश्वरी") and covered(text, "बेचन जाटव")
    for word in ("द्वारा", "देखा", "गया", "मरीज"):
        assert not covered(text, word), word


def test_eponym_head_after_a_comma_is_no_eponym() -> None:
    text = "Brought by son Arumugam, Cell 65267 45012. Appa peru Chhedi, amma Dharamvir. Cell 6198846495."
    assert covered(text, "Arumugam") and covered(text, "Dharamvir")
    assert names("Sickle cell disease; Parkinson disease noted.") == []


def test_hinglish_caps_kin_after_ki_and_bete() -> None:
    text = "MAREEZ KI MAA KANWARPAL NE BATAYA.\nBete Bhagirath ka mob 98765 43210."
    assert covered(text, "KANWARPAL") and covered(text, "Bhagirath")
    assert not covered(text, "MAA") and not covered(text, "NE")
    assert names("SIR EK PT BHEJ RAHA HOON - KHETI KARTA HAI") == []


def test_witness_with_a_word_first_name_and_dr_baby() -> None:
    text = "Witness: Shiny Thomas. Verified by Dr. Baby Varghese, MD (Path)."
    assert covered(text, "Shiny Thomas") and covered(text, "Baby Varghese")
    assert names("Witness: Stable vitals throughout.") == []


def test_table_row_name_cell_before_age_cell() -> None:
    text = "Reg No\tName\tAge\tVillage\nIPD-536612\tHiramani Lonia\t33\tIchhawar"
    assert covered(text, "Hiramani Lonia")
    assert not covered(text, "Village")


def test_glued_initial_and_caps_particle() -> None:
    text = "Bed 27 - Sengottaiyan.S, 27 yrs - NPO. CC: DR. AHMED BIN SALEH."
    assert covered(text, "Sengottaiyan.S") and covered(text, "AHMED BIN SALEH")
    assert names("Empty the BIN daily.") == []


def test_colon_after_a_name_and_hindi_suffix_words() -> None:
    text = "[01/12/21, 10:49 pm] Dr Parbatiya: Sir ek pt bhej raha hoon. DR. KHARADI SAHAB KO DIKHAYA. Babar naam Bechan Kori."
    assert covered(text, "Parbatiya") and covered(text, "KHARADI") and covered(text, "Bechan Kori")
    for word in ("Sir", "SAHAB", "Babar"):
        assert not covered(text, word), word


def test_address_label_name_lines() -> None:
    text = "Discharge summary\nLeelamma Eapen, 42, Padinjarethil Veedu, Kozhikode\n\nTo\nKunjumon Mathai\nKunnumpurath House\nRanni Post"
    assert covered(text, "Leelamma Eapen") and covered(text, "Kunjumon Mathai")
    assert names("Summary\nSodium Chloride, 12, given\nGeneral Ward\nTreated well\n") == []


def test_name_before_female_suffix_and_relation() -> None:
    text = "Dying declaration of Omwati Bai W/o Chanchal Khalkho, 73 yrs."
    assert covered(text, "Omwati Bai")

"""Round-4 pattern rules (Indic digits, Hindi dates and ages, registration and case numbers): each
with a case it must catch and a clinical look-alike it must leave alone."""

from __future__ import annotations

from medkosh.deid.text import detect
from medkosh.deid.text.engine import ascii_digits

from .conftest import covered


def labelled(text: str, word: str) -> str | None:
    """The label of the span covering the first occurrence of `word`, or None."""
    at = text.index(word)
    for s in detect(text):
        if s.start <= at and at + len(word) <= s.end:
            return s.label
    return None


def test_indic_digits_become_ascii_in_place() -> None:
    assert ascii_digits("२१/०१/२०२०") == "21/01/2020"
    assert ascii_digits("৯৯ ੧੨ ૩૪ ௫௬ ౭౮ ೯೦ ൧൨ ୩୪") == "99 12 34 56 78 90 12 34"
    plain = "तापमान 98.4 F"
    assert ascii_digits(plain) is plain


def test_devanagari_digit_dates() -> None:
    assert labelled("भर्ती दिनांक: २१/०१/२०२०\nनिदान: टाइफाइड", "२१/०१/२०२०") == "DATE"
    assert labelled("दिनांक ०६-०४-२०१८", "०६-०४-२०१८") == "DATE"
    assert labelled("राजकीय मेडिकल कॉलेज में १८.०५.१५ को भर्ती।", "१८.०५.१५") == "DATE"
    # A dose or a lab value in Devanagari digits is no date.
    assert not covered("हीमोग्लोबिन ९.५ ग्राम", "९.५")


def test_devanagari_digit_phones_and_pins() -> None:
    assert labelled("मोबाइल: ९६५६० ९०११७\n", "९६५६०") == "PHONE"
    assert labelled("संपर्क सूत्र +९१-६३३३३२९६५६।", "६३३३३२९६५६") == "PHONE"
    assert labelled("ABHA: -  फोन ८४४८१०८७४१", "८४४८१०८७४१") == "PHONE"
    assert labelled("सब्जी मंडी के पास, बस्ती - ४७६०६७\n", "४७६०६७") == "PIN"
    assert not covered("प्लेटलेट्स ४७६०६७ प्रति घन मिमी", "४७६०६७")


def test_hindi_ages_over_89() -> None:
    assert labelled("श्रीमती रामकली, उम्र 99 वर्ष\n", "99") == "AGE"
    assert labelled("श्रीमती रामकली, उम्र ९९ वर्ष\n", "९९") == "AGE"
    assert labelled("मरीज़ 94 साल की हैं", "94") == "AGE"
    assert not covered("श्रीमती रामकली, उम्र 45 वर्ष\n", "45")
    assert not covered("नाड़ी 96 प्रति मिनट", "96")


def test_hindi_month_dates() -> None:
    assert labelled("जिला Karauli। 5 दिसंबर 2023 को भर्ती", "दिसंबर") == "DATE"
    assert labelled("दिनांक/Date: 23 जनवरी 2024", "जनवरी") == "DATE"
    assert labelled("दिनांक ३० अगस्त २०१६   बी.पी.", "अगस्त") == "DATE"
    # A month word inside a longer word, or a count before a plain word, is no date.
    assert not covered("मईया ने 5 मईयों को", "मईया")
    assert not covered("5 गोलियां रोज़", "5")


def test_hindi_date_cue_for_day_month() -> None:
    assert labelled("दिनांक 7/8 को जांच", "7/8") == "DATE"


def test_medico_legal_and_police_numbers() -> None:
    assert labelled("MLC NO. 46086  DATE DECEMBER 2021", "46086") == "MRN"
    assert labelled("MLC 397/2018 | FIR 189/24 | pt. Kaka", "397/2018") == "MRN"
    assert labelled("MLC 397/2018 | FIR 189/24 | pt. Kaka", "189/24") == "ID"
    assert labelled("Brought by SI Dhaka. MLC MLC/2018/0445.", "MLC/2018/0445") == "MRN"
    assert labelled("through HC Pochamma (Belt No. 986). Ryle's tube present.", "986") == "ID"
    assert labelled("BROUGHT BY HC SHIVCHARAN RAJAK NO 2724 PS GHANSOR", "2724") == "ID"
    assert labelled("Brought by: Inspector Lalti Dhurve No. 1842, PS Sabroom", "1842") == "ID"
    # "MLC" alone, a bed number, a count after "No." are no identifiers.
    assert not covered("MLC done and police informed.", "MLC")
    assert not covered("Shifted to Bed No. 12 in ICU.", "12")
    assert not covered("Bed No.: A-11   Unit: OBG", "A-11")
    assert not covered("Fir tree pollen allergy, 2 episodes.", "2")


def test_registration_numbers_with_field_words() -> None:
    assert labelled("BLOOD DONOR FORM  Donor No. 660/2017\nName:", "660/2017") == "MRN"
    assert labelled("ANTENATAL CARD  MCTS/RCH ID 29372695\nNAME:", "29372695") == "MRN"
    assert labelled("father Thokchom Singh. Regd. No. IP896716.", "IP896716") == "MRN"
    assert labelled("MOB NO :- 8284031173\nUHID :- ZHM51471787", "ZHM51471787") == "MRN"
    assert labelled("पर्ची सं. OPD/60589/23\nनाम - चंद्रकला", "OPD/60589/23") == "MRN"
    assert labelled("पर्ची सं. IPD-488611\nनाम - बेचन", "IPD-488611") == "MRN"
    assert labelled("Reg No\tName\tAge\nIPD-290932\tSomaru\t26", "IPD-290932") == "MRN"
    # The state council code of a doctor's registration names a state, not a person.
    text = "Dr. Thangaraj M, MBBS, DCH  Reg. No. TN-1176\n"
    assert covered(text, "1176") and not covered(text, "TN")
    # An OPD day or an IP count is no identifier.
    assert not covered("Seen in OPD 3 times, IP 2 days.", "OPD")
    assert not covered("Hb No. 4.5 g/dl", "4.5")


def test_more_field_words_and_separators() -> None:
    assert labelled("BHT No. 4521 ", "4521") == "MRN"
    assert labelled("P.M. No. 45/21 done at mortuary", "45/21") == "MRN"
    assert labelled("IPD संख्या: 45678 ", "45678") == "MRN"
    assert labelled("UHID सं. 778899", "778899") == "MRN"
    assert labelled("OPD No.=A-2345", "A-2345") == "MRN"
    # A token number is the day's queue position; "PM" after a time is the afternoon.
    assert not covered("Token No. 4521 called at counter", "4521")
    assert not covered("Febrile at 5 PM no rigors", "PM")


def test_hospital_ward_is_no_address() -> None:
    assert not covered("He was admitted in Ward No. 12 (surgery) on rounds.", "12")
    assert covered("R/o Ward No. 12, Bhaluani, Pithoragarh", "12")


def test_graded_reflex_is_no_date() -> None:
    assert not covered("Wt 1.9 kg, Moro reflex 8/9. Father informed.", "8/9")
    assert covered("Seen on 8/9, Moro reflex present.", "8/9")

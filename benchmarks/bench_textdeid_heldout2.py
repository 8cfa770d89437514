"""A second held-out set for clinical-note de-identification, written after the first one had been
looked at while tuning (so impressions of it may have leaked into the rules).

    python benchmarks/bench_textdeid_heldout2.py   # writes benchmarks/data/textdeid_heldout2.jsonl

New sentence templates and new name and place pools, typed by hand for this file before any of the
second round of recall work: rare surnames from the North-East, Jharkhand and Kerala, small district
towns, locality names, and state abbreviations (U.P., J&K). Not used for tuning: report on it only,
and do not print its misses (textdeid_eval.py --show) while changing the rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_textdeid_corpus import OUT, render_set, write_gold
from bench_textdeid_templates import Pools

POOLS = Pools(
    first=("Lalremruati", "Tsering", "Ngawang", "Bishwajit", "Thoiba", "Ibomcha", "Kezhokhoto", "Vilasini",
           "Aparajita", "Hemlata", "Jyotirmoy", "Rituparna", "Tenzin", "Pemba", "Chandrakala", "Girija",
           "Sudhamayi", "Keerthana", "Bhuvaneshwari", "Neelakantan", "Parvathamma", "Dasarath", "Phulmani",
           "Budhni", "Somari", "Mangru", "Jhunni", "Lakhan", "Zoramthanga", "Khrieketouno"),
    middle=("Bahadur", "Chand", "Kanta", "Mohan", "Lal", "Rani"),
    last=("Lyngdoh", "Marak", "Sangma", "Hmar", "Pachuau", "Wahlang", "Syiem", "Nongkynrih", "Konyak", "Rengma",
          "Angami", "Jamir", "Bhutia", "Lepcha", "Tamang", "Oraon", "Hembrom", "Soren", "Murmu", "Tudu", "Kisku",
          "Besra", "Kujur", "Tirkey", "Xalxo", "Kerketta", "Puthenveettil", "Kalarickal", "Chirayath", "Rajkhowa",
          "Phukan", "Konwar"),
    deva_first=("ललिता", "धनपत", "बुधनी", "रामकली", "सुखमनी"),
    deva_last=("उरांव", "मुंडा", "सोरेन", "हेम्ब्रम", "किस्कू"),
    hospitals=("Civil Hospital Aizawl", "Nazareth Hospital", "Woodland Hospital", "Tezpur Medical College Hospital",
               "Rajendra Institute of Medical Sciences", "Sevaashram Nursing Home", "Holy Cross Hospital Kamda"),
    hosp_codes=("RIMS", "TMCH", "NZH", "CHA"),
    cities=("Lunglei", "Champhai", "Jowai", "Nongstoin", "Mokokchung", "Tuensang", "Gumla", "Simdega", "Lohardaga",
            "Khunti", "Dhemaji", "Majuli", "Kokrajhar", "Pasighat", "Kalimpong", "Namchi", "Kishtwar", "Paderu",
            "Malkangiri", "Nabarangpur", "Dantewada", "Kondagaon", "Umaria"),
    states=("U.P.", "M.P.", "J&K", "T.N.", "Meghalaya", "Mizoram", "Jharkhand", "Chhattisgarh", "Nagaland"),
    localities=("Dawrpui Vengthar", "Chanmari West", "Laitumkhrah", "Bariatu Housing Colony", "Hinoo Chowk",
                "Kanke Road", "Doranda Bazar", "Bhakti Nagar", "Rajendra Vihar", "Shivpuri Extension", "Kurmitoli",
                "Paltan Bazar", "Bhetapara", "Harmu Housing Colony", "Morabadi", "Lalpur Chowk", "Kokar Industrial Area"),
    drugs=("Thyronorm 50", "amlodipine", "Meropenem", "Pan-D", "ondansetron", "Duphalac", "labetalol", "Shelcal"),
    eponyms=("Addison's disease", "Kernig's sign", "Homans' sign", "Down syndrome", "Meckel's diverticulum",
             "Whipple procedure", "Hashimoto's thyroiditis", "Apgar score"),
)

TEMPLATES = [
    ("en", "Seen in OPD today. {FULL}, {AGE} y, came with her husband {FIRST} after 3 days of fever. "
           "On {DRUG}. BP {BP}. Review on {DATE}."),
    ("en", "Pt {LAST} was shifted to ward 4 at 0600. Relative {FULL} informed over phone {PHONE_IN}. "
           "{EPONYM} ruled out. Pain {PAIN}."),
    ("en", "Ref by Dr {FULL} of {HOSP}. Known case of hypothyroid on {DRUG}. Native of {CITY}, {STATE}."),
    ("en", "Handover: bed 12, {FULL3}, {AGE90} yrs, NBM since midnight; daughter-in-law {FIRST} {LAST} stays with "
           "pt. Power {POWER} both limbs."),
    ("en", "Patient brought by neighbour {FULL} from {LOCALITY}, {CITY}. MRN {MRN}. Platelets {PLT}."),
    ("en", "Discussed with {INIT_NAME} (son) regarding consent for {EPONYM}. Call back on {PHONE_IN}."),
    ("in", "Name: {FULL}   Age/Sex: {AGE}/F   UHID: {UHID}\nAddress: {HOUSE}, {LOCALITY}, {DISTRICT} {PIN}\n"
           "Aadhaar: {AADHAAR}   Mobile: {PHONE_IN}"),
    ("in", "Pt {FULL} W/o {FULL} r/o {LOCALITY}, Dist. {DISTRICT}, {STATE}. Admitted {DATE} with {EPONYM}."),
    ("in", "Resident of {CITY} ({STATE}). ABHA {ABHA_NUM}, ABHA address {ABHA_ADDR}. Seen by {FULL}, staff nurse."),
    ("in", "मरीज़ {DEVA}, पति {DEVA}, {AGE} वर्ष। दवा {DRUG} जारी। Follow-up at {HOSP} on {DATE}."),
    ("in", "Mrs {LAST} (ward attendant {FIRST}) says pt lives alone near {LOCALITY}. PAN {PAN} given for "
           "scheme. Fraction inspired {FRACTION}."),
    ("in", "Transferred from PHC {CITY} to {HOSP}. Escort {FULL}, ASHA worker. Contact {EMAIL}."),
]


def build(n: int, seed: int) -> list[dict[str, object]]:
    return render_set(TEMPLATES, POOLS, n, seed, "heldout2", "2")


def main() -> None:
    notes = build(200, 123)
    write_gold(OUT / "textdeid_heldout2.jsonl", notes)


if __name__ == "__main__":
    main()

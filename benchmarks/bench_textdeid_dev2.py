"""A second TUNING set for clinical-note de-identification: rare names and small places, so that
rule changes are driven by notes that may be looked at (textdeid_eval.py --show).

    python benchmarks/bench_textdeid_dev2.py   # writes benchmarks/data/textdeid_dev2.jsonl

Its templates and pools are disjoint from both held-out sets (textdeid_heldout.jsonl,
textdeid_heldout2.jsonl); the pools were typed by hand for this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_textdeid_corpus import OUT, render_set, write_gold
from bench_textdeid_templates import Pools

POOLS = Pools(
    first=("Vanlalruati", "Mawii", "Dorjee", "Phurba", "Nilima", "Bhagyashree", "Sukhdeep", "Gurmail", "Haripriya",
           "Mrinalini", "Imtiwapang", "Temjen", "Sanjukta", "Dukhni", "Birsa", "Etwa", "Budhu", "Chaitali",
           "Lalnunmawii", "Sonamati"),
    middle=("Prakash", "Kumari", "Bala", "Dev"),
    last=("Kharbuli", "Nongrum", "Warjri", "Dkhar", "Momin", "Ralte", "Khiangte", "Longkumer", "Imchen", "Limbu",
          "Sherpa", "Toppo", "Lakra", "Minz", "Ekka", "Baxla", "Kandulna", "Mappillaparambil", "Vellappally",
          "Borgohain", "Chetia", "Dungdung"),
    deva_first=("बिरसा", "सोमारी", "एतवा"),
    deva_last=("टोप्पो", "लकड़ा", "खलखो"),
    hospitals=("Synod Hospital Durtlang", "Tura Civil Hospital", "Sadar Hospital Latehar", "Ganga Ram Nursing Home",
               "Christian Hospital Mungeli", "Lady Hardinge Medical College"),
    hosp_codes=("SHD", "TCH", "SHL"),
    cities=("Serchhip", "Kolasib", "Tura", "Baghmara", "Wokha", "Zunheboto", "Latehar", "Garhwa", "Pakur",
            "Sahebganj", "Goalpara", "Dhubri", "Tezu", "Mangan", "Doda", "Reasi", "Koraput", "Jashpur", "Anuppur",
            "Dindori", "Narayanpur"),
    states=("A.P.", "H.P.", "U.P.", "T.N.", "Odisha", "Assam", "Sikkim", "Arunachal Pradesh"),
    localities=("Zarkawt", "Ramhlun North", "Polo Ground Road", "Mawkhar", "Ratu Road", "Pundag", "Hatia Bazar",
                "Ganeshguri Chariali", "Bamunimaidam", "Shakti Nagar", "Kalyani Vihar", "Gandhi Maidan",
                "Kanke Dam Road", "Chutia Toli", "Sector 4", "Phase 2 Housing Board"),
    drugs=("Dytor", "Glycomet", "piperacillin", "Rabeprazole", "Dexona", "clopidogrel"),
    eponyms=("Horner's syndrome", "Osler's nodes", "Trousseau sign", "Chvostek sign", "Kussmaul breathing"),
)

TEMPLATES = [
    ("en", "Accompanied by brother-in-law {FULL}. Informant: {FIRST} (wife). {EPONYM} noted. Started {DRUG}."),
    ("en", "Guardian {FULL} signed the high-risk consent. Pt {FIRST} {LAST}, {AGE90} years, bedbound."),
    ("en", "{LAST} family requests discharge on {DATE}. Attendant {FIRST} to collect reports. Plt {PLT}."),
    ("en", "Hailing from {CITY}, {STATE}; works as a driver. Spoke with cousin {FULL} at {PHONE_IN}."),
    ("en", "Case discussed with {FULL}, MO on call, {HOSP}. C/o {FULL} for further care."),
    ("en", "Seen with Sr {FIRST} on rounds. Pt {FULL3} afebrile, {DRUG} continued, power {POWER}."),
    ("in", "Patient Name - {FULL}\nGuardian - {FULL}\nAddr - {HOUSE}, {LOCALITY}, P.O. {CITY}, Dist {DISTRICT} ({STATE}) {PIN}"),
    ("in", "Native of Vill. {CITY}, PS {CITY}. C/o {FULL}, near {LOCALITY}. Mob {PHONE_IN}."),
    ("in", "{FULL} aged {AGE}, resident of {LOCALITY}, {DISTRICT}, referred from CHC {CITY} to {HOSP}."),
    ("in", "मरीज़ का नाम {DEVA}, पिता {DEVA}. Admitted on {DATE}, UHID {UHID}, Aadhaar {AADHAAR_MASKED}."),
    ("in", "Smt {FIRST} {LAST} D/o {FULL} staying opp. {LOCALITY}, {CITY}. ABHA {ABHA_ADDR}."),
]


def build(n: int, seed: int) -> list[dict[str, object]]:
    return render_set(TEMPLATES, POOLS, n, seed, "dev2", "-dev2")


def main() -> None:
    notes = build(220, 41)
    write_gold(OUT / "textdeid_dev2.jsonl", notes)


if __name__ == "__main__":
    main()

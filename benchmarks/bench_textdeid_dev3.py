"""A third TUNING set for clinical-note de-identification (round 3: recall), so that recall rules are
driven by notes that may be looked at (textdeid_eval.py --show).

    python benchmarks/bench_textdeid_dev3.py   # writes benchmarks/data/textdeid_dev3.jsonl

Written fresh from general Indian naming and addressing habits (relation forms S/o, D/o, W/o, C/o;
Smt./Shri/Km./Mohd.; doctors with degrees; villages, tehsils, mohallas, colonies, sectors, "Ward No.",
"H.No.", "Plot", "Gali No.", "Near <landmark>", PIN codes), in discharge summaries, OPD slips, nursing
notes, referral letters, all-capitals notes, Hinglish and Devanagari. Its pools were typed by hand for
this file and share no name or place list with the held-out sets, whose notes were not looked at.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_textdeid_corpus import OUT, Gen, cycle_notes, write_gold
from bench_textdeid_templates import Pools

POOLS = Pools(
    first=("Jagdish", "Rameshwari", "Phoolmati", "Kishori", "Bhupinder", "Tulsiram", "Chhotelal", "Shanno",
           "Rukhsana", "Imtiaz", "Nazia", "Kamakshi", "Thangamani", "Muthulakshmi", "Ponnusamy", "Subbalakshmi",
           "Sarojini", "Basanti", "Hiralal", "Ghanshyam", "Paramjit", "Navjot", "Sukhwinder", "Kalavati",
           "Prabhavati", "Annamma", "Thresiamma", "Ayyappan", "Jomon", "Tintu", "Ezhumalai", "Sakharam", "Vithal",
           "Shantabai", "Dnyaneshwar", "Ramdulari", "Jhunni", "Guddu", "Bablu", "Munni", "Lachhmi", "Bhagwati",
           "Rajkali", "Sumitra", "Dhaniram", "Sonelal", "Mangru", "Budhni", "Phagu", "Chameli"),
    middle=("Prasad", "Kumar", "Devi", "Bai", "Lal", "Singh", "Chand", "Nath"),
    last=("Chaurasia", "Kushwaha", "Maurya", "Nishad", "Prajapati", "Lodhi", "Baghel", "Solanki", "Vaghela",
          "Jadeja", "Gohil", "Dwivedi", "Awasthi", "Bajpai", "Saxena", "Bhatnagar", "Sandhu", "Grewal", "Randhawa",
          "Qureshi", "Siddiqui", "Khatoon", "Chowdary", "Goud", "Mudaliar", "Gounder", "Thevar", "Nadar", "Kurup",
          "Panicker", "Kuriakose", "Chacko", "Gaikwad", "Sonawane", "Mhatre", "Mahto", "Oraon", "Hembrom", "Murmu",
          "Besra", "Kisku", "Hansda", "Paswan", "Manjhi", "Saikia", "Hazarika", "Behera", "Sahoo", "Jena", "Dalai",
          "Rajbhar", "Kewat", "Gond", "Kanaujia", "Pasi"),
    deva_first=("रामदुलारी", "फूलमती", "घनश्याम", "जगदीश", "शांति", "छोटेलाल", "बसंती"),
    deva_last=("चौरसिया", "कुशवाहा", "मौर्य", "प्रजापति", "निषाद", "राजभर"),
    hospitals=("District Hospital Barabanki", "Ram Manohar Lohia Hospital", "Victoria Hospital",
               "Govt. Rajaji Hospital", "Jubilee Mission Medical College", "Holy Family Hospital",
               "Sanjay Gandhi PGI", "Kasturba Hospital", "Mission Hospital Tilda", "Shanti Nursing Home"),
    hosp_codes=("DHB", "RML", "GRH", "JMM"),
    cities=("Barabanki", "Sitapur", "Hardoi", "Unnao", "Raebareli", "Sultanpur", "Jaunpur", "Ballia", "Samastipur",
            "Begusarai", "Khagaria", "Nawada", "Jehanabad", "Dewas", "Shajapur", "Vidisha", "Raisen", "Betul",
            "Seoni", "Balaghat", "Kawardha", "Bemetara", "Dhamtari", "Almora", "Pithoragarh", "Bageshwar",
            "Tenkasi", "Virudhunagar", "Kovilpatti", "Kasaragod", "Malappuram", "Palakkad", "Nandurbar", "Washim"),
    states=("U.P.", "M.P.", "Bihar", "Jharkhand", "Chhattisgarh", "Uttarakhand", "W.B.", "Haryana", "Punjab",
            "Gujarat", "Telangana", "Kerala", "Maharashtra", "C.G."),
    localities=("Mohalla Qazipura", "Kazi Tola", "Purani Basti", "Nai Abadi", "Harijan Basti", "Kashiram Colony",
                "Indira Nagar", "Vikas Nagar", "Rajiv Nagar", "Azad Nagar", "Sector 22-B", "Block C",
                "Kidwai Nagar", "Teachers Colony", "Railway Colony", "Lal Kurti", "Bazaar Mohalla", "Ganj Mohalla",
                "Shastri Puram", "Gomti Nagar Extension"),
    drugs=("Monocef", "Pan-D", "Zerodol", "Emeset", "amlodipine", "Thyronorm", "ondansetron", "Wysolone"),
    eponyms=("Addison's disease", "Raynaud's phenomenon", "Kernig's sign", "Homans' sign", "Pott's spine",
             "Ludwig's angina", "Colles' fracture", "Down syndrome"),
)

VILLAGES = ("Bhitauli", "Kakori", "Malihabad", "Rampur Khas", "Sarairanjan", "Dalsinghsarai", "Bakhtiyarpur",
            "Parbatta", "Ekangarsarai", "Bachhrawan", "Tiloi", "Musafirkhana", "Kunda", "Mariahu", "Kerakat",
            "Machhlishahr", "Sikanderpur", "Bairia", "Rasra", "Phephna", "Bhaluani", "Dumaria", "Chakia",
            "Naugarh", "Khajurahat", "Pipri", "Lakhanpur", "Kothi")
TEHSILS = ("Fatehpur", "Ramsanehighat", "Haidergarh", "Sirauli Gauspur", "Mahmudabad", "Biswan", "Sandila",
           "Bilgram", "Safipur", "Hasanganj", "Tiloi", "Salon", "Lambhua", "Kadipur")
LANDMARKS = ("Hanuman Mandir", "Jama Masjid", "Gurudwara Sahib", "Panchayat Bhawan", "SBI Branch",
             "Primary School", "Pani Tanki", "Petrol Pump", "Bus Stand", "Railway Crossing", "Shiv Mandir",
             "Kali Bari", "Idgah", "Post Office", "Anganwadi Kendra")
DEGREES = ("MBBS, MD (Medicine)", "MS (Ortho)", "MBBS, DGO", "DNB (Paeds)", "MD, DM (Cardiology)", "MBBS",
           "MS, MCh (Neurosurgery)", "BAMS")
RELATIONS = ("S/o", "D/o", "W/o", "C/o", "s/o", "w/o", "d/o", "H/o")
HONORIFICS = ("Smt.", "Shri", "Sri", "Km.", "Mr.", "Mrs.", "Smt", "Shri.")


class Dev3Gen(Gen):
    """The corpus generator's slots plus round-3 address and relation slots."""

    def slot(self, name: str) -> tuple[str, str | None]:
        r = self.r
        extra = {
            "VILL": lambda: (self.pick(VILLAGES), "LOCATION"),
            "TEHSIL": lambda: (self.pick(TEHSILS), "LOCATION"),
            "LANDMARK": lambda: (self.pick(LANDMARKS), "ADDRESS"),
            "WARDNO": lambda: (r.choice([f"Ward No. {r.randint(1, 40)}", f"Ward No.{r.randint(1, 40)}",
                                         f"Ward {r.randint(1, 40)}"]), "ADDRESS"),
            "PLOT": lambda: (r.choice([f"Plot No. {r.randint(1, 400)}", f"Plot {r.randint(1, 99)}-{r.choice('ABCD')}",
                                       f"Khasra No. {r.randint(10, 999)}"]), "ADDRESS"),
            "GALI": lambda: (r.choice([f"Gali No. {r.randint(1, 20)}", f"Lane {r.randint(1, 12)}",
                                       f"Street No. {r.randint(1, 15)}"]), "ADDRESS"),
            "SECTOR": lambda: (r.choice([f"Sector {r.randint(1, 60)}", f"Sector-{r.randint(1, 60)}{r.choice(['', 'A', 'C'])}",
                                         f"Phase {r.randint(1, 4)}"]), "ADDRESS"),
            "HNO": lambda: (r.choice([f"H.No. {r.randint(1, 999)}", f"H. No. {r.randint(1, 99)}/{r.randint(1, 9)}",
                                      f"House No. {r.randint(1, 500)}", f"Qtr No. {r.choice('ABCD')}-{r.randint(1, 99)}",
                                      f"Makan No. {r.randint(1, 300)}"]), "ADDRESS"),
            "REL": lambda: (self.pick(RELATIONS), None),
            "HON": lambda: (self.pick(HONORIFICS), None),
            "DEG": lambda: (self.pick(DEGREES), None),
            "WARD_HOSP": lambda: (r.choice(["Ward 7", "female medical ward", "ICU bed 4", "Ward No. 12 (surgery)"]), None),
            "MIDDLE": lambda: (self.pick(self.p.middle), "NAME"),
            "BED": lambda: (str(r.randint(1, 60)), None),
        }
        if name in extra:
            return extra[name]()
        return super().slot(name)


TEMPLATES = [
    # discharge summaries
    ("en", "DISCHARGE SUMMARY\nName: {HON} {FULL}  Age/Sex: {AGE}/F\n{REL} {FULL}\nAddress: {HNO}, {LOCALITY}, "
           "{CITY}, {STATE} - {PIN}\nDOA: {DATE}  DOD: {DATE}\nConsultant: Dr. {FULL}, {DEG}\nDiagnosis: "
           "{EPONYM}. Discharged on {DRUG}."),
    ("en", "Patient {FULL3}, {AGE} yrs, {REL} {FIRST} {LAST}, r/o Vill. {VILL}, Tehsil {TEHSIL}, Distt. {CITY} "
           "was admitted in {WARD_HOSP} on {DATE}. Treated by Dr. {INIT_NAME} ({DEG})."),
    # OPD slips
    ("in", "OPD Slip  Reg No {UHID}\nName {FIRST} {LAST}  {REL} {FIRST}\nVill {VILL} Post {VILL} Thana {TEHSIL}\n"
           "Mob {PHONE_IN}\nc/o fever x 3 days. Adv: {DRUG}."),
    ("in", "OPD No. {MRN} | Pt: {HON} {FIRST} {MIDDLE} | {REL} {HON} {FULL} | {WARDNO}, {VILL}, {CITY} | BP {BP}"),
    # nursing notes
    ("en", "Nursing note: pt {FIRST} resting comfortably. Daughter {FIRST} at bedside, husband {FULL} informed "
           "by phone {PHONE_IN}. Bed {BED}, {DRUG} given, pain {PAIN}."),
    ("en", "0600 hrs: Mrs {LAST} c/o nausea, {DRUG} given. Relative ({FIRST}, son) asked to arrange blood. "
           "Sister {FIRST} on duty. {EPONYM} charted."),
    # referral letters
    ("en", "Dear Dr. {LAST},\nKindly see {HON} {FULL}, {AGE}, of {PLOT}, {SECTOR}, {CITY}, referred from PHC {VILL} "
           "for {EPONYM}. Regards, Dr. {FULL} {DEG}, {HOSP}."),
    ("en", "Referred to {HOSP} by Dr. {FIRST} {LAST} (MO, CHC {TEHSIL}). Pt {FULL}, {REL} {FULL}, resident of "
           "{GALI}, {LOCALITY}, near {LANDMARK}, {CITY}."),
    # address-heavy Indian forms
    ("in", "Permanent address: {HNO}, {GALI}, {LOCALITY}, Near {LANDMARK}, {CITY} ({STATE}) PIN {PIN}. "
           "Local guardian: {FULL}, Ph {PHONE_IN}."),
    ("in", "Address - Vill. {VILL}, P.O. {VILL}, Block {TEHSIL}, Dist. {CITY}, {STATE}. Aadhaar {AADHAAR}. "
           "Attendant {HON} {FULL} ({REL} patient)."),
    ("in", "Pt r/o {PLOT}, {SECTOR}, {LOCALITY}, {CITY}-{PIN}, behind {LANDMARK}. ABHA {ABHA_NUM}."),
    # Hinglish
    ("in", "Mareez {FULL} ko {DATE} ko bharti kiya. Ghar {VILL} gaon, tehsil {TEHSIL}, zila {CITY} mein hai. "
           "Bete {FIRST} ka no. {PHONE_IN}. {DRUG} chalu."),
    ("in", "Patient ki maa {HON} {FIRST} ne bataya ki bukhar 4 din se hai. {WARDNO} {VILL} ke rehne wale. "
           "Papa ka naam {FULL}."),
    # Devanagari names
    ("in", "नाम: {DEVA}, {REL} {DEVA}, ग्राम {VILL}. UHID {UHID}. Admitted {DATE}, {DRUG} started."),
    ("in", "Pt {DEVA} (w/o {DEVA}), {LOCALITY}, {CITY}. Contact {PHONE_IN}. {EPONYM} ruled out."),
    # all-caps style (family en gets 30% capitals anyway; these are always written in capitals)
    ("caps", "PT {FULL} {REL} {FULL} AGE {AGE} R/O {HNO} {LOCALITY} {CITY} ADM {DATE} UNDER DR {LAST}"),
    ("caps", "REF BY DR {FULL} {DEG} FROM {HOSP}. ADDRESS {WARDNO} {VILL} TEHSIL {TEHSIL} DIST {CITY} {STATE}"),
    # doctors and tricky contexts
    ("en", "Seen by Dr. {FULL} ({DEG}) and Dr. {INIT_NAME}. {EPONYM} excluded; {DRUG} {FRACTION} tab BD. "
           "Next review with Dr. {LAST} on {DATE}."),
    ("en", "Informant: {HON} {FULL3} (mother-in-law), reliable. Lives with {FIRST} and {FIRST} at {LOCALITY}, "
           "{CITY}. Power {POWER} both limbs."),
    ("in", "Shri {FIRST} {LAST} aged {AGE90} yrs, {REL} late {FULL}, Mohalla {VILL}, {CITY}. Email {EMAIL}."),
]


def build(n: int, seed: int) -> list[dict[str, object]]:
    r = random.Random(seed)
    return cycle_notes(TEMPLATES, Dev3Gen(r, POOLS), n, "dev3", "-dev3", lambda family: family == "caps" or r.random() < (0.3 if family == "en" else 0.1))


def main() -> None:
    write_gold(OUT / "textdeid_dev3.jsonl", build(240, 53))


if __name__ == "__main__":
    main()

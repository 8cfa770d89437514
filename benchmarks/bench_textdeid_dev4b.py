"""A TUNING set for clinical-note de-identification (round 4, set "dev4b"): PERSON NAMES in document types
and contexts the earlier tuning sets lack, so that name recall can be checked on notes that may be looked at
(textdeid_eval.py --show).

    python benchmarks/bench_textdeid_dev4b.py   # writes benchmarks/data/textdeid_dev4b.jsonl

Documents: medico-legal (MLC) notes with police officers, informants and dying declarations; death
summaries; birth notes ("B/o Sunita"); antenatal and immunisation cards (husband, ASHA, ANM); consent forms
("I, ..., S/o ..., hereby consent"); bed head tickets; nursing handover lists; lab reports ("Ref. by",
"Sample collected by"); prescriptions under clinic letterheads; tele-consultation notes; 108 ambulance
sheets; blood bank donor forms; and US ICU nursing progress notes (MIMIC-like, a third in capitals).
Name forms: single names and nicknames ("Munna", "Ramesh @ Pappu", "urf", "alias"), South Indian initials
("K. Ramasamy", "Ramasamy K"), surname-first lists ("SHARMA, Anita"), Md./Mohd./Sk./Syed names (the prefix
is part of the NAME span: it abbreviates a given name), Sikh Kaur/Singh, Christian and North-East names,
lower-case particles ("da Costa"), names in parentheses, after "pt.", "Attendant-", "Guardian:", "Cc:",
staff names ("SN Reena", "GDA Ramu"), compact age/sex ("Ramesh/45/M").
Label notes: police belt numbers are labelled ID (they identify a person); MLC and donor numbers are MRN;
a police station's name after "PS"/"P.S." is LOCATION ("PS" outside). Pools were typed by hand for this file.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_textdeid_corpus import OUT, Gen, cycle_notes, write_gold
from bench_textdeid_templates import Pools

POOLS = Pools(
    first=("Ramkripal", "Sheoprasad", "Bhagirath", "Kunjbihari", "Ramautar", "Shivcharan", "Gyanwati", "Sharbati",
           "Rampyari", "Bhanwari", "Dhapu", "Kamli", "Parvatamma", "Yellamma", "Gangamma", "Lingappa", "Siddappa",
           "Nagamma", "Karuppasamy", "Muniyandi", "Pechiammal", "Valliammai", "Alamelu", "Kunhiraman", "Kunjumol",
           "Saramma", "Aleyamma", "Kochurani", "Sajeevan", "Haripada", "Nitai", "Swapna", "Tapati", "Kalicharan",
           "Bhagyadhar", "Sukanti", "Jemamani", "Ellaiah", "Mallesham", "Pochamma", "Yadagiri", "Sugriv",
           "Jhumri", "Lalti", "Bitto", "Chanchal", "Omwati", "Bhateri", "Rajbala", "Kesri", "Santro", "Mewalal",
           "Jaikaran", "Badri", "Ramphal", "Narpat", "Bhawani", "Gomti", "Ugrasen", "Bansilal", "Dhanno",
           "Ratiram", "Surajbhan", "Kaushalya", "Bimla", "Teja"),
    middle=("Prasad", "Kumar", "Devi", "Bai", "Ram", "Lal", "Chandra", "Mohan"),
    last=("Dhurve", "Uikey", "Markam", "Netam", "Kunjam", "Potai", "Khalkho", "Tirkey", "Minz", "Ekka", "Lakra",
          "Toppo", "Kerketta", "Kujur", "Hosamani", "Biradar", "Kamble", "Lokhande", "Waghmare", "Dhangar",
          "Hiremath", "Talwar", "Bhil", "Meena", "Gurjar", "Jatav", "Valmiki", "Kori", "Dhobi", "Teli", "Kahar",
          "Mallah", "Bind", "Rajak", "Bauri", "Bagdi", "Majhi", "Pradhan", "Sethy", "Nayak", "Rout", "Swain",
          "Barik", "Muduli", "Gadaria", "Pal", "Saini", "Kamboj", "Dhaka", "Sihag", "Godara", "Beniwal",
          "Punia", "Jakhar", "Kaswan", "Ola", "Bhadu", "Kularia", "Meghwal", "Nai", "Thakor"),
    deva_first=("रामकृपाल", "भंवरी", "शरबती", "उग्रसेन"),
    deva_last=("धुर्वे", "मरकाम", "गोदारा", "मेघवाल"),
    hospitals=("Civil Hospital Nohar", "Sub-Divisional Hospital Sindhanur", "Govt. Taluk Hospital Kothamangalam",
               "CHC Pendra", "PHC Kamuthi", "Synod Hospital Durtlang", "St. Gregorios Mission Hospital",
               "Lifeline Nursing Home", "Sri Murugan Clinic", "Jeevan Jyoti Clinic", "Arogya Path Lab",
               "District Hospital Didwana", "Nightingale Hospital Rangia", "Sanjeevani Diagnostics",
               "Holy Cross Hospital Kottiyam", "Primary Health Centre Lingsugur"),
    hosp_codes=("CHN", "SDH", "GTH", "SGM"),
    cities=("Nohar", "Bhadra", "Pilibanga", "Sangaria", "Ladnun", "Sujangarh", "Ratangarh", "Kuchaman", "Phalodi",
            "Sausar", "Pandhurna", "Multai", "Lakhnadon", "Ghansor", "Dindori", "Bichhiya", "Pendra", "Marwahi",
            "Katghora", "Aruppukottai", "Sattur", "Paramakudi", "Mudukulathur", "Kamuthi", "Usilampatti",
            "Peraiyur", "Vadipatti", "Sindhanur", "Lingsugur", "Manvi", "Devadurga", "Shorapur", "Jewargi",
            "Afzalpur", "Chincholi", "Kothamangalam", "Muvattupuzha", "Thodupuzha", "Erattupetta",
            "Kanjirappally", "Sonbarsa", "Bairgania", "Raxaul", "Narkatiaganj", "Bagaha", "Lauriya", "Kolasib",
            "Champhai", "Serchhip", "Lunglei", "Nongpoh", "Mokokchung", "Wokha", "Tuensang", "Ukhrul",
            "Churachandpur", "Kailashahar", "Dharmanagar", "Sabroom", "Ambassa", "Dhekiajuli", "Gohpur", "Rangia"),
    states=("Mizoram", "Meghalaya", "Nagaland", "Manipur", "Tripura", "Assam", "Rajasthan", "M.P.", "Tamil Nadu",
            "T.N.", "Karnataka", "Kerala", "Bihar", "Odisha", "Chhattisgarh", "Raj."),
    localities=("Laitumkhrah", "Mawlai Mawdatbaki", "Dawrpui Vengthar", "Chanmari West", "Kumharon ka Bas",
                "Meghwalon ki Dhani", "Bhilwara Mohalla", "Teliyan Tola", "Mallah Tola", "Kahar Tola",
                "Kamarajar Street", "Periyar Nagar", "Anna Nagar East", "Gandhi Chowk", "Subhash Ward",
                "Durga Colony", "Pensioners Colony", "Kumbharwada", "Adarsh Nagar", "Housing Board Colony"),
    drugs=("Inj. TT", "Inj. Anti-D", "IFA tablets", "Calcium", "ORS", "Zinc", "Inj. Vit K", "Ringer lactate",
           "Tramadol", "Diclofenac", "Morphine", "Propofol", "Fentanyl", "Levophed", "Vasopressin", "Lasix"),
    eponyms=("Apgar score", "Kussmaul breathing", "Glasgow Coma Scale", "Battle's sign", "Cushing's triad",
             "Lown-Ganong-Levine", "Swan-Ganz catheter", "Foley catheter", "Ryle's tube", "Moro reflex"),
)

NICKS = ("Munna", "Pappu", "Chhotu", "Bittu", "Golu", "Lallu", "Kallu", "Pinku", "Tinku", "Dabbu", "Monu",
         "Chintu", "Bunty", "Bhura", "Kalua", "Putul", "Khokon", "Tutu", "Nanhe", "Bhola", "Jhabbu", "Lalla",
         "Kaka", "Chunnu", "Pintoo")
TAMIL = ("Ramasamy", "Palanisamy", "Murugesan", "Arumugam", "Kandasamy", "Veerappan", "Thangaraj",
         "Sengottaiyan", "Periyasamy", "Chinnathambi", "Mookan", "Pandiyan", "Anbarasi", "Tamilselvi", "Jothimani",
         "Kalaiselvi", "Venkatesh", "Srinivasulu", "Nagaraju", "Ponnuthai", "Manickam", "Chellamuthu")
MUSLIM_FIRST = ("Fakhruddin", "Nooruddin", "Ishtiyaq", "Mehboob", "Jamshed", "Zubeda", "Anwari", "Sajida",
                "Nasreen", "Shamim", "Rafiq", "Salimuddin", "Jalaluddin", "Asgar", "Mumtaz", "Kaneez")
MUSLIM_LAST = ("Ansari", "Mansuri", "Rangrez", "Pathan", "Mirza", "Khatun", "Begum", "Bano", "Alam", "Hussain",
               "Shah", "Quadri")
MUSLIM_PRE = ("Md.", "Mohd.", "Sk.", "Syed", "Mohd", "Md")
SIKH_FIRST = ("Gurmeet", "Harbhajan", "Jasvinder", "Kuldip", "Manpreet", "Balwinder", "Rajwant", "Daljit",
              "Sukhdev", "Paramjeet", "Amandeep", "Gurnam")
SIKH_LAST = ("Kaur", "Singh", "Dhillon", "Sidhu", "Bajwa", "Cheema", "Bhullar", "Khehra", "Mangat", "Virk")
XIAN_FIRST = ("Thomas", "Mathew", "Philomina", "Josephine", "Reenamol", "Lissy", "Anto", "Sebastian", "Francis",
              "Annakutty", "Chinnamma", "Baby", "Joby", "Shiny")
XIAN_LAST = ("D'Cruz", "D'Souza", "Kuruvilla", "Thekkekara", "Puthenpurackal", "Vadakkan", "Chittilappilly",
             "Fernandes", "Lobo", "Rodrigues", "Pinto", "Mathew", "Thomas", "Varghese")
NE_FIRST = ("Lalremruata", "Lalthanzuala", "Zothanpuii", "Vanlalhriatpuii", "Iaineh", "Wanphrang", "Bansiewdor",
            "Neikhrielie", "Vikhozo", "Akumla", "Temjen", "Thoiba", "Ibomcha", "Sanatombi", "Lalrinpuii")
NE_LAST = ("Khongwir", "Lyngdoh", "Marbaniang", "Syiemlieh", "Kharkongor", "Nongrum", "Ralte", "Hmar",
           "Chhakchhuak", "Sailo", "Khiangte", "Jamir", "Longkumer", "Haokip", "Kipgen", "Debbarma", "Reang")
PARTICLE = ("Maria da Costa", "Fatima de Sa", "Agnelo da Silva", "Rosy de Menezes", "Ahmed bin Saleh",
            "Salim bin Omer", "Conceicao da Cunha", "Bernard de Lima")
STAFF_FIRST = ("Reena", "Mary", "Ramu", "Sonu", "Jyoti", "Binu", "Shalini", "Lalita", "Ancy", "Sheeba", "Rinku",
               "Pramila", "Dolly", "Tessy", "Manju")
VILLAGES = ("Bhojpur Kalan", "Nayagaon Khurd", "Ratanpura", "Dhani Bhadu", "Khara Kheda", "Lakhasar",
            "Peepalkhunt", "Salaiya", "Kukdeshwar", "Kothur", "Chettikulam", "Melur Pudur", "Kilakarai",
            "Hirebagewadi", "Yelburga", "Mudgal", "Kadaba", "Vengola", "Pothanicad", "Ayavana", "Thingvalhmun",
            "Mawphlang", "Sohiong", "Longsa", "Chizami", "Purul", "Mohanpur Chak", "Babhangama", "Sirsiya",
            "Jogiya")
LANDMARKS = ("Tau Devi Lal Stadium", "Ramdevra Temple", "Gram Panchayat office", "Ambedkar statue",
             "Kali Mandir", "Church of St. Thomas", "Presbyterian Church", "Dargah Sharif", "water tank",
             "Govt. Girls School", "milk dairy", "cold storage")
POLICE_RANK = ("HC", "ASI", "SI", "Ct.", "Constable", "Inspector", "SHO", "L/Ct.", "Head Constable")
US_FIRST = ("Maureen", "Kevin", "Doreen", "Gerald", "Marguerite", "Bernadette", "Declan", "Siobhan", "Eileen",
            "Wendell", "Lorraine", "Dwayne", "Tamika", "Shirley", "Clarence", "Agnes", "Rosalind", "Darnell",
            "Colleen", "Theresa", "Vincent", "Gladys", "Herbert", "Loretta", "Mildred", "Earl", "Brendan", "Nuala")
US_LAST = ("Feldman", "O'Malley", "Kowalczyk", "Fitzgerald", "DiNapoli", "Sullivan", "Brennan", "Greenbaum",
           "Nakamura", "Okafor", "Abernathy", "Lindqvist", "Pasquale", "Rourke", "Haverty", "Szymanski", "McNulty",
           "Goldberg", "Vasquez", "Whitcomb", "Donnelly", "Esposito", "Kaplan", "Marchetti", "Oyelaran")
US_TOWNS = ("Quincy", "Revere", "Malden", "Brockton", "Framingham", "Somerville", "Weymouth", "Braintree",
            "Dorchester", "Medford", "Waltham", "Everett")
US_HOSP = ("St. Elizabeth's Medical Center", "Carney Hospital", "Faulkner Hospital", "Melrose-Wakefield Hospital",
           "South Shore Hospital", "Lawrence General")


class Dev4bGen(Gen):
    """The corpus generator's slots plus name-form, police, staff and US slots."""

    def _name_any(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.35:
            return f"{self.pick(self.p.first)} {self.pick(self.p.last)}"
        if k < 0.5:
            return self._muslim()
        if k < 0.6:
            return f"{self.pick(SIKH_FIRST)} {self.pick(SIKH_LAST)}"
        if k < 0.72:
            return f"{self.pick(XIAN_FIRST)} {self.pick(XIAN_LAST)}"
        if k < 0.84:
            return f"{self.pick(NE_FIRST)} {self.pick(NE_LAST)}"
        if k < 0.95:
            return self._si()
        return self.pick(PARTICLE)

    def _muslim(self) -> str:
        r = self.r
        name = f"{self.pick(MUSLIM_FIRST)} {self.pick(MUSLIM_LAST)}"
        return f"{self.pick(MUSLIM_PRE)} {name}" if r.random() < 0.7 else name

    def _si(self) -> str:
        r = self.r
        n = self.pick(TAMIL)
        a, b = r.choice("KRSMPVTAN"), r.choice("KRSMPVTAN")
        return r.choice([f"{a}. {n}", f"{a}. {b}. {n}", f"{n} {a}", f"{a}.{n}", f"{n}.{a}", f"{a}.{b}. {n}",
                         f"{n} {a}.{b}."])

    def slot(self, name: str) -> tuple[str, str | None]:
        r = self.r
        d = self.date()
        extra = {
            "NICK": lambda: (self.pick(NICKS), "NAME"),
            "ANY": lambda: (self._name_any(), "NAME"),
            "SI": lambda: (self._si(), "NAME"),
            "MUSLIM": lambda: (self._muslim(), "NAME"),
            "SIKH": lambda: (f"{self.pick(SIKH_FIRST)} {self.pick(SIKH_LAST)}", "NAME"),
            "KAUR": lambda: (f"{self.pick(SIKH_FIRST)} Kaur", "NAME"),
            "XIAN": lambda: (f"{self.pick(XIAN_FIRST)} {self.pick(XIAN_LAST)}", "NAME"),
            "NE": lambda: (f"{self.pick(NE_FIRST)} {self.pick(NE_LAST)}", "NAME"),
            "NE1": lambda: (self.pick(NE_FIRST), "NAME"),
            "PART": lambda: (self.pick(PARTICLE), "NAME"),
            "LASTUP": lambda: (self.pick(self.p.last).upper(), "NAME"),
            "STAFF": lambda: (self.pick(STAFF_FIRST), "NAME"),
            "USF": lambda: (self.pick(US_FIRST), "NAME"),
            "USL": lambda: (self.pick(US_LAST), "NAME"),
            "USFULL": lambda: (f"{self.pick(US_FIRST)} {self.pick(US_LAST)}", "NAME"),
            "USTOWN": lambda: (self.pick(US_TOWNS), "LOCATION"),
            "USHOSP": lambda: (self.pick(US_HOSP), "HOSPITAL"),
            "VILL": lambda: (self.pick(VILLAGES), "LOCATION"),
            "PS": lambda: (self.pick(self.p.cities), "LOCATION"),
            "LANDMARK": lambda: (self.pick(LANDMARKS), "ADDRESS"),
            "HNO": lambda: (r.choice([f"H.No. {r.randint(1, 999)}", f"House No. {r.randint(1, 300)}",
                                      f"Door No. {r.randint(1, 40)}/{r.randint(1, 200)}", f"#{r.randint(1, 99)}",
                                      f"Qtr. No. {r.choice('ABCDE')}-{r.randint(1, 80)}"]), "ADDRESS"),
            "RANK": lambda: (self.pick(POLICE_RANK), None),
            "BELT": lambda: (str(r.randint(11, 2999)), "ID"),
            "MLC": lambda: (r.choice([f"{r.randint(1, 999)}/{d.year}", f"MLC/{d.year}/{r.randint(1, 9999):04d}",
                                      f"{r.randint(1000, 99999)}"]), "MRN"),
            "FIR": lambda: (f"{r.randint(1, 450)}/{d.strftime('%y')}", "ID"),
            "AGEF": lambda: (str(r.randint(19, 42)), None),
            "SEX": lambda: (r.choice(["M", "F"]), None),
            "BED": lambda: (str(r.randint(1, 40)), None),
            "TIME": lambda: (f"{r.randint(0, 23):02d}{r.choice(['00', '15', '30', '45'])}", None),
            "WT": lambda: (f"{r.randint(18, 38) / 10:.1f}", None),
            "GRP": lambda: (r.choice(["B+ve", "O positive", "A-ve", "AB+", "O Rh+"]), None),
            "HB": lambda: (f"{r.randint(70, 145) / 10:.1f}", None),
            "WARDT": lambda: (r.choice(["Ward 7", "Labour Room", "NICU", "Female Surgical Ward", "Bed 12",
                                        "SNCU", "Emergency"]), None),
            "SPO2": lambda: (str(r.randint(84, 100)), None),
            "HWC": lambda: (f"{r.choice(['HWC', 'PHC', 'Sub-centre', 'CHC'])} {self.pick(VILLAGES)}", "HOSPITAL"),
            "MIDDLE": lambda: (self.pick(self.p.middle), "NAME"),
            "HON": lambda: (r.choice(["Smt.", "Shri", "Mr.", "Mrs.", "Km.", "Sh."]), None),
            "DEG": lambda: (r.choice(["MBBS, MD (Path)", "MD (Medicine)", "MBBS", "MS (Gen Surg)", "DNB"]), None),
        }
        if name in extra:
            return extra[name]()
        return super().slot(name)


TEMPLATES = [
    # ---- medico-legal
    ("in", "MLC No. {MLC}  Date {DATE}  Time {TIME} hrs\nName: {FIRST} {LAST} @ {NICK}, {AGE}/{SEX}, S/o {FIRST} "
           "{LAST}\nR/o Vill. {VILL}, PS {PS}, Distt. {CITY}\nBrought by: {RANK} {FIRST} {LAST} No. {BELT}, "
           "PS {PS}\nAlleged history of assault by neighbour {NICK} with lathi at about {TIME} hrs.\n"
           "Identification marks: 1. mole on left cheek 2. scar over right knee."),
    ("in", "MEDICO-LEGAL CASE. Informant: {FIRST} urf {NICK} (brother), Mob {PHONE_IN}. Pt {ANY}/{AGE}/{SEX} "
           "brought in unconscious after RTA near {LANDMARK}, {VILL}. Police intimation sent to PS {PS} through "
           "{RANK} {FULL} (Belt No. {BELT}). {EPONYM} present."),
    ("in", "Dying declaration of {FIRST} {MIDDLE} W/o {FIRST} {LAST}, {AGE} yrs, recorded before SDM Sh. {FULL} "
           "on {DATE} at {TIME} hrs in {WARDT}, {HOSP}. Patient conscious, oriented, fit to give statement "
           "(Dr. {SI}). She stated that her husband and mother-in-law {FIRST} set her on fire."),
    ("in", "MLC {MLC} | FIR {FIR} | pt. {NICK} alias {FIRST} {LAST} ({AGE}M) | accompanied by {RANK} {SIKH} "
           "and Ct. {FIRST} | alleged history of fall from roof at {VILL} | Magistrate {ANY} informed on {DATE}."),
    ("caps", "MLC NO {MLC} BROUGHT BY HC {FULL} NO {BELT} PS {PS} INFORMANT {NICK} S/O {FULL} R/O {HNO} "
             "{LOCALITY} {CITY} ALLEGED H/O ASSAULT BY {FIRST} @ {NICK} AND {MUSLIM}"),
    # ---- death summary
    ("in", "DEATH SUMMARY\nName: {ANY}  Age/Sex: {AGE90}/{SEX}  IPD No. {UHID}\nAddress: {HNO}, {LOCALITY}, "
           "{CITY}, {STATE}\nDate of admission {DATE}; date & time of death {DATE} {TIME} hrs.\nCause of death: "
           "septic shock, {EPONYM}. Body handed over to son {FIRST} ({PHONE_IN}). Declared by Dr. {FULL}."),
    ("in", "Death note: Pt. {XIAN} (husband of {XIAN}), {AGE} yrs, expired on {DATE} despite CPR (Dr. {SI}, "
           "SN {STAFF}). Relatives - daughter {FIRST}, son-in-law {FULL} - informed; body to mortuary."),
    # ---- birth notes / neonates
    ("in", "BIRTH NOTE\nBaby of {FIRST} {LAST}, Baby Girl, born {DATE} at {TIME} hrs, NVD in {WARDT}.\n"
           "Wt {WT} kg, {EPONYM} 8/9. Father: {FIRST} {LAST}, Mob {PHONE_IN}. Conducted by SN {STAFF}, "
           "Dr. {FULL}. {DRUG} given."),
    ("in", "SNCU admission: B/o {FIRST} ({AGEF}F), w/o {FULL}, Vill. {VILL}, Block {CITY}. Baby Boy of {MUSLIM}, "
           "birth wt {WT} kg. Referred from {HOSP} by ANM {FIRST}. MRN {MRN}."),
    ("in", "Baby Girl of {KAUR} and {SIKH}, DOB {DATE}, {WT} kg, cried immediately. Grandmother {FIRST} "
           "(Ph {PHONE_IN}) wants discharge. Ped: Dr. {SIKH}."),
    # ---- antenatal / immunisation
    ("in", "ANTENATAL CARD  MCTS/RCH ID {MRN}\nName: {FIRST} {LAST}  Age {AGEF}  Husband's name: {FIRST} "
           "{LAST}\nVillage: {VILL}  Sub-centre: {VILL}  {HWC}\nASHA: {FIRST}  ANM: {XIAN}\nLMP {DATE}  "
           "EDD {DATE}  Hb {HB} g/dl  {DRUG} x 100 given."),
    ("in", "ANC visit 3: {NE} ({AGEF}F), husband {NE1}, r/o {LOCALITY}, {CITY}, {STATE}. ASHA - {NE1}. "
           "{DRUG} 2nd dose done. Next visit {DATE}. Mob {PHONE_IN}."),
    ("in", "IMMUNISATION CARD\nChild: {FIRST} (urf {NICK}), DOB {DATE}\nMother: {FIRST} {LAST}  Father: "
           "{FIRST} {LAST}\nAnganwadi: {VILL}-2, AWW {FIRST}\nBCG/OPV-0/Hep-B on {DATE}; Penta-1 on {DATE} "
           "by ANM {FIRST} {LAST}."),
    # ---- consent forms
    ("in", "CONSENT FOR SURGERY\nI, {FIRST} {LAST}, S/o {FIRST} {LAST}, aged {AGE} years, r/o {HNO}, "
           "{LOCALITY}, {CITY}, hereby consent to the operation of my wife {FIRST} to be performed by "
           "Dr. {SI} and team at {HOSP}. Witness: {ANY}. Date {DATE}."),
    ("in", "High-risk consent: I, {MUSLIM}, D/o {MUSLIM}, guardian of patient {NICK} ({AGE}/M), "
           "understand the risks explained by Dr. {FULL}. Sign/thumb impression. Witness 1 - {FULL}, "
           "Witness 2 - SN {STAFF}."),
    # ---- bed head ticket / handover
    ("in", "BED HEAD TICKET  {WARDT}  Bed {BED}\nPt: {LASTUP}, {FIRST}  {AGE}Y/{SEX}  UHID {UHID}\nUnit: "
           "Dr. {LAST}'s unit  Attendant- {FIRST} (wife)  Ph {PHONE_IN}\nDiet: soft. {DRUG} BD."),
    ("in", "Nursing handover (night -> morning), {WARDT}:\nBed {BED} - {FIRST} {AGE}Y/M - post-op, {DRUG}.\n"
           "Bed {BED} - {MUSLIM} ({AGE}M) - on Ryle's tube.\nBed {BED} - {NE1}/{AGE}/F - afebrile.\nBed {BED} - "
           "{SI}, {AGE} yrs - NPO.\nHanded over by SN {STAFF} to Staff Nurse {STAFF}; GDA {STAFF} and Ward boy "
           "{NICK} on duty."),
    ("in", "Handover list {DATE}:\n1. {LASTUP}, {FIRST} - Bed {BED} - DVT prophylaxis\n2. {LASTUP}, {FIRST} - "
           "Bed {BED} - await CT\n3. {LASTUP}, {XIAN} - Bed {BED} - for discharge\nNurse i/c: {XIAN}."),
    # ---- lab reports
    ("in", "{HOSP}\nPatient: {HON} {FULL}  Age: {AGE} Y  Sex: {SEX}\nRef. by Dr. {FULL} {DEG}\nSample "
           "collected by {FIRST} on {DATE}  Lab No. {LABNUM}\nHaemoglobin {HB} g/dL; Platelets {PLT}."),
    ("in", "LAB REPORT | Name: {NE} | Ref: Dr. {NE} | Collected at home ({LOCALITY}, {CITY}) by {STAFF} | "
           "Reported {DATE} | Verified by Dr. {XIAN}, MD (Path)."),
    # ---- prescription with letterhead
    ("in", "{HOSP}\nDr. {SI}, MBBS, DCH  Reg. No. TN-{BELT}\n{HNO}, {LOCALITY}, {CITY} - {PIN}  Ph {PHONE_IN}\n"
           "Pt. {FIRST} {LAST}  {AGE}/{SEX}  Date {DATE}\nRx {DRUG} 1-0-1 x 5 days."),
    ("in", "Dr. {FULL}\nM.B.B.S., M.D. (Medicine)\nClinic: {HOSP}, near {LANDMARK}, {CITY}\nName: {ANY} "
           "({AGE}F)   Cc: Dr. {FULL}\nAdv: {DRUG}, review after 1 week."),
    # ---- tele-consultation
    ("in", "Tele-consultation (eSanjeevani) {DATE}: spoke to pt {FIRST} {LAST} and patient's wife {FIRST} "
           "via video from {HWC}. CHO {FIRST} {LAST} present. Hub doctor Dr. {SI}. Advised {DRUG}. "
           "ABHA {ABHA_NUM}."),
    ("in", "Teleconsult note - caller {PART} (daughter of pt {PART}), Emergency contact: {FULL} {PHONE_IN}. "
           "Pt in {CITY}, {STATE}. Dr. {XIAN} advised ED visit."),
    # ---- 108 ambulance
    ("in", "108 PATIENT CARE RECORD  Case ID {MRN}\nPick-up: {VILL}, near {LANDMARK}, Tehsil {CITY}\nPt: "
           "{FIRST} {AGE}Y/{SEX}, caller {NICK} (neighbour) {PHONE_IN}\nEMT {FIRST} {LAST}, Pilot {FIRST}\n"
           "SpO2 {SPO2}%, BP {BP}. Handed over at {HOSP} to Dr. {LAST}."),
    ("caps", "108 EMT {FULL} PILOT {NICK} PT {FIRST} {LAST} {AGE}Y/{SEX} FROM {VILL} {CITY} TO {HOSP} "
             "ATTENDANT {FIRST} ({PHONE_IN})"),
    # ---- blood bank
    ("in", "BLOOD DONOR FORM  Donor No. {MLC}\nName: {SIKH}  S/o {SIKH}  Age {AGE}  Blood group {GRP}\nAddress: "
           "{HNO}, {LOCALITY}, {CITY}  Mob {PHONE_IN}\nReplacement donor for patient {FIRST} {LAST} "
           "(Bed {BED}). Phlebotomy by {STAFF}; MO Dr. {FULL}."),
    ("in", "Blood bank issue register {DATE}: 1 unit PRBC ({GRP}) for {LASTUP}, {FIRST}; donor {MUSLIM} "
           "(brother-in-law). Cross-match by technician {FIRST} {LAST}."),
    # ---- misc Indian contexts with relatives and guardians
    ("in", "Guardian: {FIRST} {LAST} (maternal uncle)  Emergency contact: {FIRST} {PHONE_IN}\nPt {NICK} "
           "({AGE}M), mother- {FIRST}, r/o {VILL}, {CITY}."),
    ("in", "OPD: {FIRST} {LAST} ({AGE}/F) accompanied by mother-in-law ({FIRST}) and husband's brother "
           "({FIRST} {LAST}). Family physician of Pt. {FULL}, Dr. {SI}, informed. {EPONYM} negative."),
    ("in", "Referral slip: Ref: Dr. {FULL}, {HOSP} -> {HOSP}. Pt {XIAN}, {AGE} yrs, from "
           "{CITY}, {STATE}, brought by {FIRST} @ {NICK}. Cc: Dr. {PART}."),
    ("in", "नाम: {DEVA} पुत्र {DEVA}, ग्राम {VILL}, थाना {PS}. Brought by {RANK} {FULL}. MLC {MLC}."),
    # ---- US ICU nursing notes (MIMIC-like)
    ("us", "NURSING PROGRESS NOTE 7P-7A\nNEURO: A+Ox3, MAE. CV: HR 80s SR, {DRUG} titrated. RESP: 4L NC, "
           "sats 95%.\nSOCIAL: wife {USF} called x2 overnight, updated by RN. Son {USF} at bedside this AM. "
           "Dr. {USL} aware of K 3.2, repleted."),
    ("us", "CCU NPN: Pt is {AGE90} yo M transferred from {USHOSP} on {DATE_US}. Lives in {USTOWN} with "
           "daughter {USFULL} (HCP), ph {PHONE_US}. Dr. {USL} and Dr. {USL} at bedside for {EPONYM} "
           "placement. Family meeting planned w/ {USF} and {USF}."),
    ("us", "MICU nursing: Pt's sister {USF} {USL} visited, tearful; SW {USF} paged. Code status discussed w/ "
           "Dr. {USL} - DNR/DNI per pt's son {USF}. {DRUG} gtt off at 0400."),
    ("us", "Events: pt agitated ~0200, pulled at {EPONYM}; {USF} (niece) on phone, requests call back at "
           "{PHONE_US}. Covering MD Dr. {USL} notified; plan per Dr. {USFULL}. Husband {USF} to visit "
           "{DATE_US}."),
    ("us", "SICU NPN 0700-1900: POD #2. Pain controlled on {DRUG}. Wife {USF} and daughter-in-law {USF} "
           "in to visit, updated by Dr. {USL}. Pt ambulated with PT ({USF}). Plan d/c to rehab in {USTOWN}."),
    ("caps", "NPN: PT LETHARGIC, {DRUG} DECREASED. WIFE {USF} AT BEDSIDE, SON {USF} FLYING IN FROM {USTOWN}. "
             "DR {USL} AWARE. SEE FLOWSHEET."),
]


def build(n: int, seed: int) -> list[dict[str, object]]:
    r = random.Random(seed)
    return cycle_notes(TEMPLATES, Dev4bGen(r, POOLS), n, "dev4b", "-dev4b", lambda family: family == "caps" or r.random() < {"us": 1 / 3, "in": 0.1}.get(family, 0.0))


def main() -> None:
    write_gold(OUT / "textdeid_dev4b.jsonl", build(300, 72))


if __name__ == "__main__":
    main()

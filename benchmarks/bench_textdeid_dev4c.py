"""A fourth-round TUNING set (dev4c) for clinical-note de-identification: mixed-language and
semi-structured notes that the earlier tuning sets lack.

    python benchmarks/bench_textdeid_dev4c.py   # writes benchmarks/data/textdeid_dev4c.jsonl

Styles: Devanagari notes whose names, villages, districts and hospitals appear in Devanagari and in Latin
script inside Devanagari text (ग्राम, जिला, पोस्ट, थाना, तहसील, मोहल्ला, पुत्र/पुत्री/पत्नी श्री, श्रीमती, डॉ.),
with Devanagari digits and month names in dates and phone numbers; Hinglish history-taking and romanised
Marathi/Bengali/Tamil address phrasing; semi-structured forms with odd key-value separators
("Name :- ", "Pt Name-", "NAME=", "Patient Name | ", tabs, pipe tables), addresses broken over several lines
and ending in "(U.P.)", "(Raj.)", "(M.P.)", "(H.P.)", "(Bihar)"; registration/OPD cards, discharge-summary
headers with Bed No./Unit/Consultant, WhatsApp-style referral messages; about a third in capitals.
The pools were typed by hand for this file from general knowledge of Indian names and places.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_textdeid_corpus import OUT, Gen, cycle_notes, write_gold
from bench_textdeid_templates import Pools

POOLS = Pools(
    first=("Bhagirathi", "Sukhdei", "Ramkali", "Jaidevi", "Lalmani", "Somaru", "Budhram", "Itwari", "Mangli",
           "Sanichari", "Phulwa", "Dukhiya", "Bechan", "Jhagru", "Kallu", "Nanhe", "Chhedi", "Lautan", "Rajpati",
           "Sonmati", "Parbatiya", "Jagrani", "Bitto", "Dhanno", "Kesar", "Hemlata", "Urmila", "Kaushalya",
           "Ramsakhi", "Tejpal", "Harkesh", "Omvir", "Satbir", "Dharamvir", "Kanwarpal", "Balkishan", "Gopichand",
           "Motilal", "Panchu", "Sukhlal", "Kunjbihari", "Nandkishore", "Bhaiyalal", "Shivmurat", "Rampyari",
           "Gulabo", "Ajmeri", "Mehrunnisa", "Jumman", "Allarakha", "Nooruddin", "Ramanamma", "Venkatamma",
           "Chinnasamy", "Valliammal", "Karuppasamy", "Sabitri", "Jharna", "Putul", "Nilmoni", "Tukaram",
           "Savitribai", "Limbaji", "Dagdu", "Hiramani", "Chandrakala", "Bindeshwari", "Phekan", "Jugnu", "Sukhiya"),
    middle=("Prasad", "Kumar", "Devi", "Bai", "Lal", "Singh", "Ram", "Kumari"),
    last=("Kori", "Lonia", "Bind", "Mallah", "Gaderia", "Pal", "Teli", "Kurmi", "Koeri", "Ahirwar", "Jatav",
          "Valmiki", "Khatik", "Sonkar", "Raikwar", "Dohare", "Katiyar", "Sachan", "Niranjan", "Tomar", "Bhadoria",
          "Sikarwar", "Gurjar", "Bairwa", "Regar", "Saini", "Dahiya", "Hooda", "Mansuri", "Rangrez", "Halwai",
          "Kasaudhan", "Modanwal", "Barnwal", "Sahni", "Rishidev", "Tudu", "Soren", "Marandi", "Munda", "Lakra",
          "Ekka", "Tirkey", "Kujur", "Majhi", "Kolte", "Wankhede", "Dongre", "Ingle", "Murugesan", "Palanisamy",
          "Ghoshal", "Mondal", "Bagdi", "Kanojia", "Dhuriya", "Chamar", "Baiga", "Bhuria", "Damor", "Kharadi"),
    deva_first=("रामकली", "सुखदेई", "बेचन", "लालमनी", "जगरानी", "सोनमती", "भगीरथी", "इतवारी", "छेदी", "लौटन",
                "रामप्यारी", "नन्हे", "कल्लू", "शिवमूरत", "बिंदेश्वरी", "फेकन", "हीरामनी", "चंद्रकला"),
    deva_last=("कोरी", "लोनिया", "पाल", "तेली", "कुर्मी", "कटियार", "सचान", "जाटव", "सोनकर", "रैकवार", "दोहरे",
               "मल्लाह", "बिंद", "अहिरवार"),
    hospitals=("CHC Bidhuna", "District Women Hospital Etawah", "RBM Hospital Bharatpur", "Zonal Hospital Mandi",
               "Sadar Hospital Madhubani", "Jeevan Jyoti Nursing Home", "Shri Balaji Hospital & Trauma Centre",
               "Maa Vaishno Multispeciality Hospital", "PHC Nadbai", "CHC Sarkaghat", "Sanjeevani Clinic",
               "Lok Nayak Sewa Sadan", "Jan Kalyan Chikitsalaya", "Civil Hospital Ghumarwin",
               "Mata Kaushalya Eye Hospital", "Anand Niketan Maternity Home"),
    hosp_codes=("DWHE", "RBM", "ZHM", "SHM", "JJNH"),
    cities=("Lakhimpur Kheri", "Pilibhit", "Shahjahanpur", "Farrukhabad", "Etah", "Kasganj", "Mainpuri", "Auraiya",
            "Etawah", "Firozabad", "Bharatpur", "Dausa", "Tonk", "Sawai Madhopur", "Karauli", "Sehore",
            "Hoshangabad", "Narsinghpur", "Madhubani", "Darbhanga", "Supaul", "Mandi", "Hamirpur", "Kangra",
            "Chamba", "Sheopur", "Morena", "Bhind", "Datia", "Araria", "Kishanganj", "Jalaun", "Lalitpur"),
    states=("U.P.", "Raj.", "M.P.", "H.P.", "Bihar", "Uttar Pradesh", "Rajasthan", "Himachal", "UP", "MP"),
    localities=("Kasaibara", "Mohalla Chaudharana", "Bagh Nazar Ali", "Tamoli Tola", "Lohar Gali", "Gwaltoli",
                "Chamrauti", "Bhatiyari Sarai", "Katra Bazar", "Naya Ganj", "Saraswati Vihar", "Shanti Kunj Colony",
                "Awas Vikas Colony", "Adarsh Nagar", "Subhash Chowk", "Mohalla Khatikana", "Rangrez Tola",
                "Purani Mandi", "Kumhar Tola", "Pathan Tola", "Nai Basti Chungi", "Sainik Colony", "Malviya Nagar Ext."),
    drugs=("Rantac", "Cifran", "Metrogyl", "Sporlac", "Okacet", "Liv 52", "Chymoral Forte", "Becosules",
           "Dolo 650", "Taxim-O", "Meftal Spas", "Glycomet"),
    eponyms=("Widal test", "Mantoux test", "Koplik spots", "Hansen's disease", "Sheehan syndrome",
             "Wernicke encephalopathy", "Bell's palsy", "Fallot's tetralogy", "Tinel's sign"),
)

VILLAGES = ("Atrauli", "Kachhauna", "Pihani", "Nighasan", "Dhaurahra", "Mitauli", "Bisalpur", "Puranpur", "Tilhar",
            "Powayan", "Kaimganj", "Aliganj", "Patiyali", "Sahawar", "Jalesar", "Karhal", "Bewar", "Bharthana",
            "Chakarnagar", "Jaswantnagar", "Sirsaganj", "Nadbai", "Weir", "Bayana", "Roopwas", "Kaman", "Lalsot",
            "Chaksu", "Phagi", "Sironj", "Lateri", "Kurwai", "Berasia", "Ichhawar", "Nasrullaganj", "Pipariya",
            "Sohagpur", "Bankhedi", "Rosera", "Bibhutipur", "Mohiuddinagar", "Warisnagar", "Benipatti", "Laukaha",
            "Jogindernagar", "Sarkaghat", "Jhandutta", "Nadaun", "Bhawarna", "Tissa", "Salooni", "Pokhrayan",
            "Madhogarh", "Kalpi", "Talbehat", "Mahroni", "Ambah", "Porsa", "Gohad", "Mehgaon")
TEHSILS = ("Bidhuna", "Nighasan", "Kaimganj", "Sironj", "Lalsot", "Bayana", "Rosera", "Sarkaghat", "Kalpi",
           "Mehgaon", "Ambah", "Talbehat", "Nadaun", "Benipatti", "Jaswantnagar")
LANDMARKS = ("Bade Hanuman Ji Mandir", "Chungi Chauki", "Tehsil Office", "Pani ki Tanki", "Gramin Bank",
             "Sabzi Mandi", "Kotwali", "Kanya Inter College", "Budhwari Bazar", "Kali Mata Mandir", "Bijli Ghar",
             "Purana Thana", "Madarsa", "Dak Bangla", "Ration Dukan")
STATE_AB = ("U.P.", "Raj.", "M.P.", "H.P.", "Bihar")
DIST_WORD = ("Dist.", "Distt.", "Dt.", "Dist-", "Jila", "Zila", "District", "Dist:")

D_VILL = ("अटरिया", "कमलापुर", "हरगांव", "खैराबाद", "मिश्रिख", "पिसावां", "सिधौली", "रेउसा", "बेहटा",
          "तम्बौर", "मानपुर", "गोंदलामऊ", "सकरन", "महोली", "भदफर", "ककराली", "पहला", "बिलौली")
D_DIST = ("सीतापुर", "हरदोई", "लखीमपुर खीरी", "बहराइच", "गोंडा", "बस्ती", "बलरामपुर", "श्रावस्ती", "भरतपुर",
          "धौलपुर", "मुरैना", "भिंड", "दरभंगा", "मधुबनी", "मंडी", "चंबा")
D_TEH = ("महमूदाबाद", "बिसवां", "लहरपुर", "मिसरिख", "सिधौली", "नानपारा", "कैसरगंज", "तरबगंज", "हर्रैया", "गोहद")
D_STATE = ("उत्तर प्रदेश", "उ.प्र.", "बिहार", "राजस्थान", "म.प्र.", "मध्य प्रदेश", "हिमाचल प्रदेश")
D_MOH = ("मोहल्ला काजीटोला", "मोहल्ला तेलियाना", "कटरा बाजार", "पुरानी बस्ती", "नई बस्ती", "मोहल्ला कसाईबाड़ा",
         "आवास विकास कॉलोनी", "शास्त्री नगर", "गांधी चौक", "मोहल्ला पठानटोला")
D_LANDMARK = ("हनुमान मंदिर", "पानी की टंकी", "प्राथमिक विद्यालय", "पुराना थाना", "सब्जी मंडी", "ग्रामीण बैंक")
D_HOSP = ("जिला चिकित्सालय सीतापुर", "सामुदायिक स्वास्थ्य केंद्र महमूदाबाद", "प्राथमिक स्वास्थ्य केंद्र हरगांव",
          "राजकीय मेडिकल कॉलेज बहराइच", "जिला महिला चिकित्सालय गोंडा", "सरदार वल्लभभाई पटेल चिकित्सालय")
D_MONTHS = ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर")
_DEV_DIGITS = str.maketrans("0123456789", "०१२३४५६७८९")
UNITS = ("Unit I", "Unit-II", "Medicine Unit 3", "Surgery Unit-IV", "Ortho Unit B", "OBG Unit 2")
DEGREES = ("MBBS, MD", "MS (Gen Surg)", "MBBS, DGO", "MD (Paed)", "MBBS", "DNB (Medicine)", "MS (Ortho)")


def deva(s: str) -> str:
    return s.translate(_DEV_DIGITS)


class Dev4cGen(Gen):
    """The corpus generator's slots plus Devanagari, Hinglish and form-style address slots."""

    def _ddate(self) -> tuple[str, str]:
        r, d = self.r, self.date()
        m = D_MONTHS[d.month - 1]
        return r.choice([deva(d.strftime("%d/%m/%Y")), deva(d.strftime("%d-%m-%Y")), f"{d.day} {m} {d.year}",
                         deva(f"{d.day} {m} {d.year}"), d.strftime("%d/%m/%Y"), deva(d.strftime("%d.%m.%y"))]), "DATE"

    def _dphone(self) -> tuple[str, str]:
        r = self.r
        n = f"{r.choice('6789')}{r.randint(10**8, 10**9 - 1)}"
        return r.choice([deva(n), deva(f"{n[:5]} {n[5:]}"), deva(f"+91-{n}"), n]), "PHONE"

    def _indate(self) -> tuple[str, str]:
        r, d = self.r, self.date()
        return r.choice([d.strftime("%d.%m.%Y"), f"{d.day}/{d.month}/{d.strftime('%y')}", d.strftime("%d-%m-%Y"),
                         d.strftime("%d/%m/%Y"), f"{d.day}-{d.strftime('%b')}-{d.strftime('%y')}",
                         d.strftime("%d %b %Y")]), "DATE"

    def slot(self, name: str) -> tuple[str, str | None]:
        r = self.r
        extra = {
            "VILL": lambda: (self.pick(VILLAGES), "LOCATION"),
            "TEHSIL": lambda: (self.pick(TEHSILS), "LOCATION"),
            "STATEAB": lambda: (self.pick(STATE_AB), "LOCATION"),
            "DISTW": lambda: (self.pick(DIST_WORD), None),
            "LANDMARK": lambda: (self.pick(LANDMARKS), "ADDRESS"),
            "HNO": lambda: (r.choice([f"H.No.- {r.randint(1, 999)}", f"House No. {r.randint(1, 60)}/{r.randint(1, 300)}",
                                      f"#{r.randint(1, 99)}-{r.choice('ABC')}", f"Door No. {r.randint(1, 9)}-{r.randint(1, 9)}-{r.randint(10, 300)}",
                                      f"Qr. No. {r.randint(1, 99)}/{r.choice('ABCD')}", f"Flat No. {r.randint(101, 904)}",
                                      f"Makan No. {r.randint(1, 400)}", f"H-{r.randint(1, 400)}"]), "ADDRESS"),
            "GALI": lambda: (r.choice([f"Gali No. {r.randint(1, 20)}", f"Lane-{r.randint(1, 9)}", f"Road No. {r.randint(1, 12)}",
                                       "Station Road", "Jail Road", "Kutchery Road", "Tonk Phatak Road", "Bajaria Marg",
                                       r.choice(["1st Cross", "2nd Cross", "3rd Main", "5th Cross"])]), "ADDRESS"),
            "WARDNO": lambda: (r.choice([f"Ward No. {r.randint(1, 40)}", f"Ward No.-{r.randint(1, 40)}", f"Wd {r.randint(1, 30)}"]), "ADDRESS"),
            "MIDDLE": lambda: (self.pick(self.p.middle), "NAME"),
            "DFIRST": lambda: (self.pick(self.p.deva_first), "NAME"),
            "DLAST": lambda: (self.pick(self.p.deva_last), "NAME"),
            "DVILL": lambda: (self.pick(D_VILL), "LOCATION"),
            "DDIST": lambda: (self.pick(D_DIST), "LOCATION"),
            "DTEH": lambda: (self.pick(D_TEH), "LOCATION"),
            "DSTATE": lambda: (self.pick(D_STATE), "LOCATION"),
            "DMOH": lambda: (self.pick(D_MOH), "ADDRESS"),
            "DLANDMARK": lambda: (self.pick(D_LANDMARK), "ADDRESS"),
            "DHNO": lambda: (r.choice([f"मकान नं. {deva(str(r.randint(1, 300)))}", f"म.नं. {r.randint(1, 300)}",
                                       f"मकान संख्या {deva(str(r.randint(1, 90)))}/{deva(str(r.randint(1, 9)))}"]), "ADDRESS"),
            "DHOSP": lambda: (self.pick(D_HOSP), "HOSPITAL"),
            "DDATE": self._ddate,
            "DPHONE": self._dphone,
            "DPIN": lambda: (deva(str(r.choice([261, 241, 262, 271, 321, 476, 847, 175])) + f"{r.randint(1, 99):03d}"), "PIN"),
            "INDATE": self._indate,
            "WADATE": lambda: (self.date().strftime(r.choice(["%d/%m/%y", "%d/%m/%Y"])), "DATE"),
            "CRNO": lambda: (r.choice([f"{self.date().year}{r.randint(10**6, 10**7 - 1)}", f"OPD/{r.randint(1, 99999):05d}/{self.date().strftime('%y')}",
                                       f"IPD-{r.randint(10**5, 10**6 - 1)}"]), "MRN"),
            "PIN": lambda: (r.choice([str(r.choice([206, 207, 209, 262, 285, 321, 322, 466, 473, 847, 175, 176])) + f"{r.randint(1, 99):03d}",
                                      f"{r.choice([206, 285, 321, 847])} {r.randint(1, 99):03d}"]), "PIN"),
            "HON": lambda: (self.pick(("Smt.", "Shri", "Sri", "Km.", "Mr.", "Mrs.", "Smt", "Mohd.")), None),
            "DEVI": lambda: (f"{self.pick(self.p.first)} {r.choice(['Devi', 'devi', 'Bai'])}", "NAME"),
            "DDEVI": lambda: (f"{self.pick(self.p.deva_first)} {r.choice(['देवी', 'बाई'])}", "NAME"),
            "DWARD": lambda: (f"वार्ड नं. {deva(str(r.randint(1, 20)))}", "ADDRESS"),
            "BIHAR": lambda: ("Bihar", "LOCATION"),
            "UNIT": lambda: (self.pick(UNITS), None),
            "DEG": lambda: (self.pick(DEGREES), None),
            "BED": lambda: (r.choice([str(r.randint(1, 60)), f"{r.choice('ABCM')}-{r.randint(1, 40)}"]), None),
            "TIME": lambda: (f"{r.randint(1, 12)}:{r.randint(0, 59):02d} {r.choice(['am', 'pm'])}", None),
            "HB": lambda: (f"{r.randint(60, 140) / 10}", None),
            "WT": lambda: (str(r.randint(30, 90)), None),
        }
        if name in extra:
            return extra[name]()
        return super().slot(name)


TEMPLATES = [
    # --- Devanagari notes (names/places in Devanagari and Latin, Devanagari digits) ---
    ("deva", "रोगी का नाम: श्रीमती {DFIRST} {DLAST}\nपत्नी श्री {DFIRST} {DLAST}\nग्राम {DVILL}, पोस्ट {DVILL}, थाना {DTEH},\n"
             "तहसील {DTEH}, जिला {DDIST} ({DSTATE})\nमोबाइल: {DPHONE}\nभर्ती दिनांक: {DDATE}\nनिदान: टाइफाइड, {EPONYM} पॉजिटिव"),
    ("deva", "मरीज {FULL} पुत्र श्री {FULL}, उम्र {AGE} वर्ष, निवासी ग्राम {VILL}, जिला {CITY}। "
             "{DDATE} को {HOSP} से रेफर। {DRUG} दी गई।"),
    ("deva", "डॉ. {DFIRST} {DLAST} द्वारा देखा गया। पुत्री {DFIRST}, ग्राम {DVILL} थाना {DTEH} जिला {DDIST}। "
             "संपर्क सूत्र {DPHONE}। आधार {AADHAAR}।"),
    ("deva", "पर्ची सं. {CRNO}\nनाम - {DFIRST} {DLAST}    आयु - {AGE}\nपता - {DHNO}, {DMOH}, {DLANDMARK} के पास, {DDIST} - {DPIN}\n"
             "दिनांक {DDATE}   बी.पी. {BP}"),
    ("deva", "श्रीमती {FIRST} {LAST} पत्नी श्री {FIRST} {LAST}, {LOCALITY}, {CITY} ({STATEAB}). "
             "{DHOSP} में {DDATE} को भर्ती। Hb {HB} g/dl, वजन {WT} किग्रा।"),
    ("deva", "रेफरल पत्र\nप्रति, चिकित्सा अधिकारी, {DHOSP}\nमरीज {DFIRST} {DLAST} (पुत्र {DFIRST}) निवासी {DVILL}, तहसील {DTEH}, "
             "जिला {DDIST} को {EPONYM} हेतु रेफर किया जाता है।\nडॉ. {FULL}, {DEG}\nदिनांक {DDATE}"),
    ("deva", "नाम: {DDEVI}, पत्नी स्व. श्री {DFIRST} {DLAST}, उम्र {AGE90} वर्ष\nग्राम व पोस्ट {DVILL}, {DWARD}\n"
             "ABHA: {ABHA_NUM}  फोन {DPHONE}"),
    # --- Hinglish and romanised regional phrasing ---
    ("hing", "Mareez ke pati {FIRST} ji ne bataya ki {DATE} se bukhar hai. Gaon {VILL}, thana {TEHSIL}, zila {CITY} "
             "ke rehne wale. Beti ka naam {FIRST}, uska mob. {PHONE_IN}. {DRUG} shuru kiya."),
    ("hing", "Pt {FULL} ki saas {DEVI} saath aayi hain. Sasural {VILL} ({CITY}) mein, maika {VILL}. "
             "Pehle {HOSP} mein dikhaya tha, wahan {EPONYM} bola."),
    ("hing", "History by bhai {FIRST} {LAST}: mareez {FIRST} {AGE} saal, kheti karta hai, ghar {HNO}, {LOCALITY}, "
             "{CITY}. Pichhle {DATE} ko girne se chot lagi. Dr. {LAST} sahab ko dikhaya tha."),
    ("hing", "Rugna {FIRST} {LAST}, gaon {VILL} taluka {TEHSIL} zilha {CITY} yethil rahnar. Navryache naav {FIRST}. "
             "Sampark {PHONE_IN}. Dakhal {INDATE}."),
    ("hing", "Rogi {FIRST} {LAST}, gram {VILL}, thana {TEHSIL}, jela {CITY}. Babar naam {FIRST} {LAST}. "
             "Bhorti {INDATE}, {DRUG} deoa holo."),
    ("hing", "Patient {FIRST} {LAST}, ooru {VILL}, taluk {TEHSIL}, {CITY} maavattam. Appa peru {FIRST}, amma {FIRST}. "
             "Cell {PHONE_IN}. {EPONYM} negative."),
    ("hing", "Mareez ki maa {FIRST} ne bataya bachhe ko {DATE} se dast. Papa {FIRST} {LAST} bahar kaam karte hain "
             "(mob {PHONE_IN}). Ghar {LOCALITY}, near {LANDMARK}, {VILL}. Wt {WT} kg."),
    # --- semi-structured forms with odd separators ---
    ("form", "Name :- {FIRST} {LAST}\nS/O :- {FIRST} {LAST}\nAge/Sex :- {AGE}/M\nAddress:- {HNO},\n{GALI},\n{LOCALITY},\n"
             "{CITY} ({STATEAB})\nMob No :- {PHONE_IN}\nUHID :- {UHID}"),
    ("form", "Pt Name- {HON} {FULL}\nHusband Name- {FULL}\nAddr.- Vill- {VILL}, Post- {VILL}, PS- {TEHSIL},\n{DISTW} {CITY} "
             "({STATEAB}) - {PIN}\nDOA- {INDATE}\nRef. by- Dr. {FULL}"),
    ("form", "NAME={FIRST} {LAST}\nFATHER={FIRST} {LAST}\nADD={VILL}, {DISTW} {CITY}\nPH={PHONE_IN}\nCR NO={CRNO}\nDATE={INDATE}"),
    ("form", "Patient Name | {FULL}\nGuardian | {FULL} (Husband)\nResi: | {HNO}, {LOCALITY}, {CITY}\nAadhaar | {AADHAAR}\n"
             "ABHA No | {ABHA_NUM}\nDiagnosis | {EPONYM}"),
    ("form", "Reg No\tName\tAge\tVillage\tMobile\n{CRNO}\t{FULL}\t{AGE}\t{VILL}\t{PHONE_IN}\n{CRNO}\t{FULL}\t{AGE}\t{VILL}\t{PHONE_IN}"),
    ("form", "| S.No | Name | Relation | Address | Contact |\n| 1 | {FULL} | W/o {FULL} | {VILL}, {CITY} | {PHONE_IN} |\n"
             "| 2 | {FULL} | S/o {FIRST} | {WARDNO}, {VILL} | {PHONE_IN} |"),
    ("form", "Permanent Add. :\n{HNO}, {GALI}\nNear {LANDMARK}\nTeh. {TEHSIL}\n{DISTW} {CITY}\n({STATEAB})\nPin- {PIN}\n"
             "Emergency contact: {FULL} ({PHONE_IN})"),
    ("form", "Add: Vill {VILL} Po {VILL} Ps {TEHSIL} Dist {CITY} ({BIHAR}) {PIN}. Name of informant: {FIRST} {LAST} (bhai). "
             "Email {EMAIL}."),
    ("form", "REGISTRATION CARD\nCR No.: {CRNO}    Date: {INDATE}\nName: {HON} {FULL3}\nF/H Name: {HON} {FULL}\n"
             "Address: {HNO}\n         {LOCALITY}\n         {CITY}-{PIN}\nDept: Medicine  {UNIT}  Room 12"),
    ("form", "OPD CARD / ओपीडी कार्ड\nनाम/Name: {FULL}\nपिता/पति का नाम: {FULL}\nपता/Address: ग्राम {VILL}, {DISTW} {CITY}\n"
             "मोबाइल/Mobile: {PHONE_IN}\nदिनांक/Date: {DDATE}"),
    # --- discharge summary headers ---
    ("disc", "DISCHARGE SUMMARY\nName: {FULL}    Age: {AGE} Yrs   Sex: F\nIP No.: {CRNO}   Bed No.: {BED}   Unit: {UNIT}\n"
             "Consultant: Dr. {FULL}, {DEG}\nDOA: {INDATE}   DOD: {INDATE}\nAddress: {WARDNO}, {LOCALITY}, {CITY} ({STATEAB})"),
    ("disc", "{HOSP}\nDept. of Surgery, {UNIT}\nPatient: {HON} {FULL}   Bed No./Unit/Consultant: {BED}/{UNIT}/Dr. {LAST}\n"
             "Diagnosis: {EPONYM}; discharged on {DRUG} {FRACTION} tab."),
    ("disc", "Discharge Summary | Pt Name: {FULL} | UHID: {UHID} | Ward 7, Bed {BED} | Consultant: Dr. {INIT_NAME} "
             "({DEG}) | Attendant: {FULL} ({PHONE_IN})"),
    # --- WhatsApp-style referral messages ---
    ("wa", "[{WADATE}, {TIME}] Dr {FIRST}: Sir ek pt bhej raha hoon - {FULL}, {AGE}F, {VILL} se, Hb {HB}. "
           "Attendant {FIRST} ka no {PHONE_IN}\n[{WADATE}, {TIME}] Dr {LAST}: ok send to {HOSP}"),
    ("wa", "{WADATE}, {TIME} - {FULL}: Referral - Pt {FULL} s/o {FIRST}, r/o {VILL} teh {TEHSIL} {CITY}. "
           "BP {BP}, {EPONYM}?. Kindly admit under Dr. {LAST}."),
    ("wa", "Good morning sir 🙏 Patient {FIRST} {LAST} ({AGE}/M) from {HOSP}, UHID {UHID}, address {HNO} {LOCALITY} "
           "{CITY}. Son {FIRST} {PHONE_IN}. Thank you - Dr. {FIRST}"),
    # --- always capitals ---
    ("caps", "PT NAME- {FULL} AGE {AGE} W/O {FULL} ADD:- VILL {VILL} POST {VILL} THANA {TEHSIL} {DISTW} {CITY} ({STATEAB}) "
             "MOB {PHONE_IN}"),
    ("caps", "NAME :- {FULL}\nADDRESS :- {HNO}, {GALI},\n{LOCALITY}, NEAR {LANDMARK},\n{CITY} ({STATEAB}) {PIN}\nCONSULTANT :- DR {FULL} {DEG}"),
    ("caps", "REF TO {HOSP} | PT {FULL} | D/O {FIRST} {LAST} | R/O {WARDNO} {VILL} TEH {TEHSIL} | DT {INDATE} | HB {HB}"),
    ("caps", "MAREEZ {FULL} KE PATI {FIRST} JI, GAON {VILL}, THANA {TEHSIL}, ZILA {CITY}. {DRUG} CHALU. AADHAAR {AADHAAR}"),
    ("caps", "RESI: {HNO} {LOCALITY} {CITY}-{PIN}\tPH: {PHONE_IN}\tUHID: {UHID}\tCONS: DR {INIT_NAME}"),
]


def build(n: int, seed: int) -> list[dict[str, object]]:
    r = random.Random(seed)
    return cycle_notes(TEMPLATES, Dev4cGen(r, POOLS), n, "dev4c", "-dev4c", lambda family: family == "caps" or (family != "deva" and r.random() < 0.3))


def main() -> None:
    write_gold(OUT / "textdeid_dev4c.jsonl", build(300, 73))


if __name__ == "__main__":
    main()

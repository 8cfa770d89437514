"""Word lists behind the name, place and hospital recognizers, loaded once per process.

Gazetteers (first names, surnames, Devanagari names, places, common English words) are built by
data/build_lexicons.py from open offline sources and shipped gzipped; the medical vocabulary and
the cue words below are curated by hand. Everything is lower case (Devanagari as written).
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from importlib import resources


def _read_gz(name: str) -> frozenset[str]:
    data = resources.files("medkosh.deid.text.data").joinpath(name).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split("\n")) - {""}


def _read_curated(name: str) -> frozenset[str]:
    words: set[str] = set()
    text = resources.files("medkosh.deid.text.data").joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        words.update(line.split("#", 1)[0].lower().split())
    return frozenset(words)


def _read_curated_lines(name: str) -> set[str]:
    """One entry (possibly several words) a line, lower case; '#' starts a comment."""
    text = resources.files("medkosh.deid.text.data").joinpath(name).read_text(encoding="utf-8")
    return {" ".join(line.split("#", 1)[0].lower().split()) for line in text.splitlines()} - {""}


# Function words: never part of a name or a place, whatever a gazetteer says ("Will", "May", "Do").
STOP = frozenset("""
a an the and or but if of to in on at by for with from into onto upon over under about above below
after before during since until till than then as is are was were be been being am has have had do does
did done not no nor so too very can could may might must shall should will would this that these those
there here where when which who whom whose what why how all any both each few more most other some such
only own same just also again once he she it they we you i me him her his hers its our ours their theirs
them us my your yours per via pt pts patient patients re s t y yes ok
mr mrs ms dr smt shri sri kum km prof
ko ka ki ke ne se hai hain mein bhi aur nahi nahin tha thi diya kiya liya gaya raha rahi rahe wale wali wala
naam din bataya ghar chalu bete beta beti maa papa rehne abhi aaj kal
ek bhej raha hoon hun saath sath aayi aaye aaya aayin kaam karte karta karti kheti bahar gaye gayi hoga
jab tab sab kuch koi apna apni apne unka unki unke uska uski uske mera meri mere hamara hamari
saathe aavya aala aali yethil rahnar saal varsh umar umr mahine mahina
age yrs adm doa dod
""".split())
# (The last lines: Hindi function words and common nouns of Hinglish notes, "Bete Ramu ka no.", and
# field words of capitals notes that follow a name or an address: "... MAURYA AGE 66", "... ADM 3/5".)

TITLES = frozenset("""
dr doctor mr mrs ms miss mx smt shri sri shrimati srimati kumari kum km prof professor sir madam
master baby sr sister nurse mstr late lt shree sushri fr rev father sh
""".split())
DEVANAGARI_TITLES = frozenset(["श्री", "श्रीमती", "डॉ", "डॉक्टर", "कुमारी", "सुश्री", "स्व", "स्वर्गीय", "बेबी"])
# Cues after which the next words are a person's name (Indian forms and registers).
STRONG_CUES = frozenset(["s/o", "w/o", "d/o", "h/o.", "son of", "wife of", "daughter of", "husband of",
                         "father of", "mother of", "name", "patient name", "pt name", "named", "patient's name",
                         "guardian", "father's name", "mother's name", "husband's name", "attendant name",
                         "nok", "next of kin", "signed", "sign", "consultant", "referred by", "ref by",
                         "treating doctor", "surgeon", "anaesthetist", "anesthetist", "physician", "attending",
                         "resident", "intern", "nurse", "pcp", "seen by", "examined by",
                         "reported by", "verified by", "dictated by", "transcribed by", "b/o"])
DEVANAGARI_CUES = frozenset(["पुत्र", "पुत्री", "पत्नी", "पति", "पिता", "माता", "नाम", "पुत्रवधू", "सुपुत्र", "मरीज", "मरीज़",
                             "रोगी", "बेटा", "बेटी", "भाई", "बहन", "सास", "ससुर", "बहू", "मां", "माँ", "गवाह"])
# Relatives and carers: the next word is very likely a name, even one that is also a word (WIFE ROSE).
KIN_CUES = frozenset("""
wife husband son daughter father mother brother sister bro sis uncle aunt nephew niece grandson
granddaughter grandmother grandfather grandma grandpa cousin friend neighbor neighbour attendant
relative informant caregiver guardian escort spouse fiance fiancee girlfriend boyfriend partner dtr dau brother-in-law
sister-in-law father-in-law mother-in-law son-in-law daughter-in-law mareez mariz marij
""".split())
# Weaker cues: the next word is a name only if it looks like one (capitalised, not a word).
WEAK_CUES = frozenset("""
wife husband son daughter father mother brother sister bro sis uncle aunt nephew niece grandson
granddaughter grandmother grandfather grandma grandpa cousin friend neighbor neighbour attendant
relative informant caregiver spouse fiance fiancee girlfriend boyfriend partner pt patient by with
to from per cc called paged notified informed spoke discussed d/w w/ c/o dear hi hello mrs mr bhai
didi bhaiya beta ji colleague sahab np rn lpn cna sw brother-in-law sister-in-law
father-in-law mother-in-law son-in-law daughter-in-law dtr dau
""".split())
# Staff and officials named by their role ("SN Dolly", "HC Kalicharan Sihag", "ASHA: Kamli",
# "108 EMT X PILOT Y", "SDM Sh. X"). The role word is no part of the name. Acronyms count only
# written in capitals; "Ct." only with its dot (CT is a scan).
ROLE_ACRONYMS = frozenset("""
sn gda anm asha aww emt cho mpw lhv hc si asi sho sdm sdo bdo io ssi psi dsp ncc mo rmo vhn fhw mphw mlhp
""".split())
ROLE_WORDS = frozenset("""
pilot constable inspector magistrate tehsildar witness caller donor informant sarpanch ayah warden
compounder dresser driver attender bystander
""".split())
# Two-word roles and field labels, written "first second": the cue ends at the second word.
ROLE_PHRASES = frozenset(["ward boy", "ward girl", "ward attendant", "staff nurse", "nursing officer",
                          "head constable", "lady constable", "sub inspector", "emergency contact",
                          "contact person", "nurse i/c", "sister i/c", "ward sister", "mahila constable"])
# Field labels that name a person only before a colon or a dash: "Child: X", "OPD: X", "Witness 2 - X".
ROLE_FIELDS = frozenset(["child", "opd", "ipd", "patient", "pt", "baby", "mother", "father"])
# Relatives and "name" in romanised Hindi, Marathi, Bengali and Tamil ("Mareez ki maa X", "Beti ka
# naam X", "Rugna X", "Navryache naav X", "Appa peru X"): the next capitalised word is a name.
HINGLISH_KIN = frozenset("""
pati patni beta beti baap behen bahen saas sasur devar nanad bahu chachi mausi mausa bua fufa
rogi rugna mareez mariz marij naam naav peru navra navryache bayko mulga mulgi chele meye
thambi akka magan magal kanavan manaivi bete papa mummy mareej babar mayer swamir baper bhaiyer
""".split())
# Kin words that are also names ("Anna Thomas", "Baba Ramdev"): cues only in lower case.
LOWER_KIN = frozenset("amma appa anna baba mama nana nani dada dadi ma maa bhai didi bhaiya chacha tai".split())
# Written before a name and part of it: "Md. Kaneez", "Mohd. Alam", "Sk. Ishtiyaq".
NAME_PREFIXES = frozenset(["md", "mohd", "mohammad", "mohammed", "muhammad", "sk", "syed", "sheikh", "shaikh",
                           "mir", "mirza", "kh"])
# Lower-case particles inside a name: "Rosy de Menezes", "Salim bin Omer", "Zia ul Haq".
NAME_PARTICLES = frozenset(["da", "de", "del", "della", "do", "dos", "das", "di", "du", "bin", "binti", "bint",
                            "ibn", "van", "von", "der", "ul", "ud", "ur", "al", "el", "le", "la"])
# Nickname links: "Badri Markam @ Chintu", "Karuppasamy urf Kalua", "Chhotu alias Ramphal".
NICK_LINKS = frozenset(["urf", "alias", "alias-", "aka"])
# Gazetteer first names that notes use for something else (the drug "Liv 52").
NOT_NAMES = frozenset(["liv", "vit"])
# Words written after a name: "Sharma ji", "A. Rao, RN", "Dr. Khan MD".
SUFFIX_CUES = frozenset(["ji", "jee", "rn", "md", "m.d", "sahab", "saheb", "bhai", "ben", "bai", "mbbs", "lpn",
                         "do", "phd", "frcs", "dnb", "family"])

EPONYM_HEADS = frozenset("""
disease syndrome sign signs palsy phenomenon test reflex law triad ulcer sarcoma lymphoma tumour tumor
node nodes fracture criteria score scale classification maneuver manoeuvre operation procedure repair
tube catheter solution position method stain cyst diverticulum hernia contracture space area point cell
cells bodies body angina encephalopathy anemia anaemia thyroiditis gangrene aneurysm chorea mask forceps
needle drain bag line shunt index formula equation rule type grade stage approach incision canal duct
gland ligament membrane plexus nerve artery vein ring nodule nodules lesion lesions esophagus oesophagus
tear tears sump dementia dystrophy dysplasia neuralgia neuroma cocktail regimen protocol staging coma
pouch bundle fibres fibers granules granulomatosis dressing splint traction valve loop cell's disease's
""".split())

HOSPITAL_HEADS = frozenset("""
hospital hospitals clinic clinics college institute centre center dispensary polyclinic infirmary
sanatorium diagnostics labs laboratory laboratories phc chc uphc sdh hospice healthcare medicare
nursinghome sciences
""".split())
# Words that alone do not identify a hospital ("the district hospital", "a private clinic").
HOSPITAL_GENERIC = frozenset("""
the a an this that our same other another any local outside nearest nearby private government govt
general district civil city community primary public rural referral sub tertiary care health medical
multispeciality multispecialty multi speciality specialty super cancer eye dental children's women's
childrens womens maternity teaching state central regional zonal new old main mental memorial rehab
rehabilitation de addiction day trauma heart kidney to at from in of his her their previous prior
referring treating home nursing
""".split())
# Hospitals known by an acronym or a single word (matched when written in capitals).
HOSPITAL_NAMES = frozenset("""
aiims pgimer jipmer nimhans kem sgpgi sgpgims kgmu cmc lnjp gtb rml ggmc bjmc sassoon safdarjung
jaslok lilavati hinduja kokilaben medanta fortis apollo narayana manipal kims yashoda amrita nims
igims rims ims bhu amu mgm dmch pmch scb
""".split())
LOCALITY_HEADS = frozenset("""
nagar colony road rd marg street st lane ln gali chowk layout vihar enclave puram bagh society apartments
apartment apts apt residency towers tower heights complex sector phase block extension extn cross mohalla
basti village vill taluka taluk tehsil mandal bazar bazaar market camp cantonment park garden gardens
avenue ave nagari pada wadi para gully peth wada halli palya ganj mohalla salai galli chawl
toli tola chariali tiniali maidan bypass lines abadi
""".split())
# Endings of Indian place names (Kalyanpur, Jayanagar, Aurangabad, Ramgarh, Yelahanka-halli).
PLACE_ENDINGS = ("pur", "pura", "puram", "nagar", "abad", "garh", "ganj", "halli", "palli", "palle", "wadi",
                 "wada", "gaon", "peth", "kheda", "khera", "bagh", "khand", "ghat", "kot", "pet", "palayam")
INDIAN_STATES = ("andhra pradesh", "arunachal pradesh", "assam", "bihar", "chhattisgarh", "goa", "gujarat",
                 "haryana", "himachal pradesh", "jharkhand", "karnataka", "kerala", "madhya pradesh",
                 "maharashtra", "manipur", "meghalaya", "mizoram", "nagaland", "odisha", "orissa", "punjab",
                 "rajasthan", "sikkim", "tamil nadu", "telangana", "tripura", "uttar pradesh", "uttarakhand",
                 "west bengal", "delhi", "new delhi", "jammu", "kashmir", "ladakh", "puducherry",
                 "pondicherry", "chandigarh", "lakshadweep", "andaman", "nicobar", "dadra", "daman", "diu")
ADDRESS_CUES = frozenset(["address", "addr", "r/o", "resident of", "residing at", "resides at", "lives at",
                          "residence", "residential address", "res", "home address", "native place",
                          "lives in", "native of", "hailing from", "permanent address", "correspondence address",
                          "village", "vill", "post", "p.o", "dist", "district", "tehsil", "taluka",
                          "staying at", "stays at", "staying near", "near", "opp", "opposite", "behind",
                          "mohalla", "distt", "thana"])
# Address cues written in lower case in prose ("lives near Chutia Toli"): they count only before a
# capitalised, place-shaped word (a lower-case "near syncope" is no address).
PROSE_ADDRESS_CUES = frozenset(["near", "opp", "opposite", "behind"])
# Devanagari address words: पता (address), ग्राम/गांव (village), जिला (district), तहसील, मोहल्ला.
DEVANAGARI_ADDRESS_CUES = frozenset(["पता", "ग्राम", "गांव", "गाँव", "जिला", "ज़िला", "तहसील", "मोहल्ला", "निवासी", "पोस्ट"])
# Common Hindi words that can stand next to a Devanagari name without being part of it.
HINDI_COMMON = frozenset(["है", "हैं", "और", "का", "की", "के", "में", "से", "को", "पर", "नहीं", "दर्द", "बुखार",
                          "खांसी", "पेट", "सिर", "सांस", "उल्टी", "दस्त", "कमजोरी", "चक्कर", "मरीज", "रोगी", "दिन",
                          "साल", "वर्ष", "उम्र", "था", "थी", "थे", "हुआ", "हुई", "एक", "दो", "तीन", "लिए", "साथ",
                          "भर्ती", "अस्पताल", "जांच", "दवा", "डॉक्टर", "श्री", "श्रीमती", "गांव", "जिला", "पता"])
# Hindi words never part of a person's name (the name rules only; the place rules keep HINDI_COMMON):
# function words, verbs, relation and office words that stand next to names.
HINDI_NOT_NAME = HINDI_COMMON | frozenset(["द्वारा", "देखा", "गया", "गयी", "गई", "किया", "किये", "दिया", "लिया", "हुए", "रहा", "रही",
                          "व", "एवं", "तथा", "या", "भी", "ने", "तक", "बाद", "पहले", "अब", "आज", "कल", "यह", "वह",
                          "पत्नी", "पुत्र", "पुत्री", "पति", "पिता", "माता", "स्व", "स्वर्गीय", "निवासी", "थाना",
                          "ग्राम", "तहसील", "पोस्ट", "चिकित्सा", "अधिकारी", "चिकित्सक", "प्रति", "संपर्क", "सूत्र",
                          "वार्ड", "नं", "उम्र", "वर्ष", "बेटा", "बेटी", "भाई", "बहन", "सास", "ससुर", "बहू",
                          "मां", "माँ", "मरीज़", "गवाह", "रेफरल", "पत्र", "साथ", "लाया", "लायी", "लाए"])


# Bits of Lexicon.word_class: every list a lower-case word belongs to, in one dictionary lookup.
STOP_BIT, MEDICAL, COMMON, NAME, PLACE, DEVANAGARI_WORD, CUE, HEAD, PHRASE_START = (1 << k for k in range(9))


@dataclass(frozen=True)
class Lexicon:
    first: frozenset[str]
    surnames: frozenset[str]
    devanagari: frozenset[str]
    places: frozenset[str]          # single-token places
    place_phrases: dict[str, tuple[tuple[str, ...], ...]]  # first token → longer places, longest first
    common: frozenset[str]
    medical: frozenset[str]
    word_class: dict[str, int]
    # (first word, second word) → the place_phrases starting with them, longest first.
    place_phrases_by_two: dict[tuple[str, str], tuple[tuple[str, ...], ...]]

    def is_name(self, key: str) -> bool:
        return key in self.first or key in self.surnames


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    places_all = set(_read_gz("places.txt.gz")) | set(INDIAN_STATES) | _read_curated_lines("indian_places.txt")
    single: set[str] = set()
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for place in places_all:
        parts = tuple(place.split())
        if len(parts) == 1:
            single.add(parts[0])
        elif parts:
            phrases.setdefault(parts[0], []).append(parts)
    first = _read_gz("first_names.txt.gz") | _read_curated("indian_names.txt")
    surnames = _read_gz("surnames.txt.gz")
    devanagari = _read_gz("devanagari_names.txt.gz")
    common = _read_gz("common_words.txt.gz")
    medical = _read_curated("medical.txt")
    classes: dict[str, int] = {}

    def mark(words: frozenset[str] | set[str] | tuple[str, ...], bit: int) -> None:
        for w in words:
            classes[w] = classes.get(w, 0) | bit

    mark(STOP, STOP_BIT)
    mark(medical, MEDICAL)
    mark(common, COMMON)
    mark(first | surnames, NAME)
    # Curated Indian names win over the English word list (SHAIKH, KHAN, ANIL are names in notes).
    for w in _read_curated("indian_names.txt"):
        classes[w] = (classes.get(w, 0) | NAME) & ~COMMON
    mark(devanagari, NAME | DEVANAGARI_WORD)
    mark(frozenset(single), PLACE)
    mark(tuple(phrases), PHRASE_START)
    for w in NOT_NAMES:
        classes[w] = classes.get(w, 0) & ~NAME
    cue_words = set(TITLES) | set(WEAK_CUES) | {c.split()[-1] for c in STRONG_CUES} | set(SUFFIX_CUES)
    cue_words |= set(KIN_CUES) | set(ROLE_ACRONYMS) | set(ROLE_WORDS) | set(HINGLISH_KIN) | set(LOWER_KIN)
    cue_words |= {c.split()[-1] for c in ROLE_PHRASES} | set(ROLE_FIELDS) | set(NICK_LINKS) | {"ct"}
    cue_words |= set(DEVANAGARI_TITLES) | set(DEVANAGARI_CUES) | set(DEVANAGARI_ADDRESS_CUES) | set("sdwbcrh")  # S/o W/o D/o B/o C/o R/o H/o
    mark(cue_words, CUE)
    heads = set(EPONYM_HEADS) | set(HOSPITAL_HEADS) | set(HOSPITAL_NAMES) | set(LOCALITY_HEADS)
    heads |= {c.split()[0] for c in ADDRESS_CUES} | {c.split()[-1] for c in ADDRESS_CUES}
    heads |= {"no", "near", "opp", "behind", "post", "po", "dist", "the", "of", "and"}  # inside addresses
    heads |= {"gaon", "gram", "village", "zila", "zilla", "distt", "thana"}  # "Dumaria gaon", "zila Sitapur"
    mark(heads, HEAD)
    by_two: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    longest_first = {k: tuple(sorted(v, key=len, reverse=True)) for k, v in phrases.items()}
    for parts_list in longest_first.values():
        for parts in parts_list:
            by_two.setdefault((parts[0], parts[1]), []).append(parts)
    return Lexicon(
        first=first,
        surnames=surnames,
        devanagari=devanagari,
        places=frozenset(single),
        place_phrases=longest_first,
        place_phrases_by_two={k: tuple(v) for k, v in by_two.items()},
        common=common,
        medical=medical,
        word_class=classes,
    )

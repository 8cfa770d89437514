"""Places, addresses and hospitals: a gazetteer of cities and states, Indian locality words
(Nagar, Colony, Marg, Sector 15), Indian place-name endings (-pur, -abad, -halli), address cues
(R/o, Address:, Village), and hospital names ending in a head word (Hospital, Clinic, PHC)."""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from operator import attrgetter

from medkosh.deid.text.lexicon import (
    ADDRESS_CUES,
    DEVANAGARI_ADDRESS_CUES,
    HINDI_COMMON,
    HOSPITAL_GENERIC,
    HOSPITAL_HEADS,
    HOSPITAL_NAMES,
    INDIAN_STATES,
    LOCALITY_HEADS,
    PHRASE_START,
    PLACE,
    PLACE_ENDINGS,
    PROSE_ADDRESS_CUES,
    Lexicon,
)
from medkosh.deid.text.names import eponym
from medkosh.deid.text.tokens import Token, joined
from medkosh.deid.text.types import Label, Span

# Label strings read once (an enum's .value is a descriptor call on every read).
_ADDRESS = Label.ADDRESS.value
_HOSPITAL = Label.HOSPITAL.value
_LOCATION = Label.LOCATION.value
_PIN = Label.PIN.value
_NUMBER_BEFORE = re.compile(r"(?:\b(?:no\.?|#)\s*)?\b\d{1,5}[A-Za-z]?(?:[/\-]\d{1,5}[A-Za-z]?)*\s*,?\s*$", re.IGNORECASE)
_CUE_PUNCT = re.compile(r"[\s:\-.=]*")
_NUMBER_TAIL = re.compile(r"[\s,\-]*\d{1,5}[A-Za-z]?(?:[/\-]\d{1,5})*")
# No "^": Pattern.match(text, pos) anchors at pos already, and "^" would only match at index 0.
_NUMBER_AFTER = re.compile(r"\s*[-:]?\s*\d{1,4}[A-Za-z]?\b")


def _placeish(tok: Token) -> bool:
    if tok.devanagari:
        return False
    if tok.upper_line:
        return not tok.stop and not tok.medical
    return (tok.capitalised or tok.text[:1].isdigit()) and not tok.stop


def _phrase_at(text: str, tokens: list[Token], i: int, phrase: tuple[str, ...]) -> bool:
    """tokens[i:] start with the words of `phrase`, each joined to the one before."""
    for m in range(1, len(phrase)):
        if tokens[i + m].key != phrase[m]:
            return False
    return all(joined(text, tokens[i + m - 1], tokens[i + m]) for m in range(1, len(phrase)))


def _gazetteer_start(tok: Token) -> bool:
    """A gazetteer place or phrase can start at tok (kept in step with _TRIGGER_FLAGS in find_places)."""
    return bool(tok.flags & (PLACE | PHRASE_START) or (tok.unknown and len(tok.key) >= 6))


def _gazetteer_places(text: str, tokens: list[Token], lex: Lexicon, starts: list[int] | None = None) -> list[Span]:
    """Gazetteer places and phrases; `starts` (ascending) holds every token where one can start (found here
    when not given)."""
    spans: list[Span] = []
    n = len(tokens)
    if starts is None:
        starts = [i for i, t in enumerate(tokens) if _gazetteer_start(t)]
    after = 0  # tokens before this index are inside a place already taken
    for i in starts:
        if i < after:
            continue
        tok = tokens[i]
        matched = 0
        if (tok.capitalised or tok.upper_line) and not tok.devanagari:
            if tok.flags & PHRASE_START and i + 1 < n:
                for phrase in lex.place_phrases_by_two.get((tok.key, tokens[i + 1].key), ()):
                    k = len(phrase)
                    if i + k <= n and _phrase_at(text, tokens, i, phrase):
                        matched = k
                        break
            if not matched and tok.place and not tok.common and not tok.medical and not tok.stop \
                    and len(tok.key) >= 3 and not (tok.name and not tok.upper_line and not tok.capitalised):
                matched = 1
            if not matched and tok.unknown and tok.capitalised and len(tok.key) >= 6 \
                    and tok.key.endswith(PLACE_ENDINGS):
                matched = 1
        if matched and i + matched < n and tokens[i + matched].key in _VILLAGE_SUFFIXES \
                and joined(text, tokens[i + matched - 1], tokens[i + matched]) \
                and (tokens[i + matched].capitalised or tokens[i + matched].upper_line):
            matched += 1  # "Rampur Khas", "Bhawanipur Kalan", "Sarai Khurd"
        if matched and not eponym(tokens, i + matched - 1):  # Wilson's disease, not Wilson (NC)
            spans.append(Span(tok.start, tokens[i + matched - 1].end, _LOCATION, 0.7, "places"))
            after = i + matched
    return spans


_STREET_HEADS = frozenset({"road", "rd", "marg", "street", "nagar", "layout", "colony", "vihar", "enclave", "lane",
                           "chowk", "bazar", "bazaar", "ganj", "puram", "gali", "salai", "extension", "extn"})
# Words after a village name that belong to it: Khas (proper), Kalan (big), Khurd (small), Buzurg (old).
_VILLAGE_SUFFIXES = frozenset({"khas", "kalan", "khurd", "buzurg", "bujurg"})
# Lower-case words after a village name in Hinglish and Indian English: "Dumaria gaon", "Pipri village".
_LOWER_VILLAGE_HEADS = frozenset({"gaon", "gram", "village"})
# Regional words for a hamlet, a street or a house, written after its name: Kerala house names
# ("Padinjarethil Veettil", "Kunnumpurath Veedu"), Telugu streets and hamlets ("Kummari Veedhi",
# "Chakali Peta", "Gugulothu Thanda"), Odia hamlets ("Harijan Sahi"), Rajasthani and Gujarati
# hamlets and quarters ("Rebari Dhani", "Jaton ki Dhani", "Dhal ni Pol", "Mota Suthar Vas"), Manipuri
# lanes ("Moirang Leirak"), Tamil and Telugu hamlets ("-palem", "-gudem", "Pudur", "Patti") and
# "House" after a Kerala house name no word list knows ("MANNANAL HOUSE", not "Guest House").
_REGIONAL_HEADS = frozenset({"veedu", "veettil", "vettil", "veedhi", "vidhi", "sahi", "tanda", "thanda", "dhani",
                             "peta", "pol", "vas", "bas", "leirak", "palem", "guda", "gudem", "kuppam", "pudur", "patti",
                             "cheruvu", "tandya", "faliya", "falia", "pada", "tekri", "majra", "dera", "dhaani",
                             "khera", "bigha", "tola", "toli", "mohalla", "nagar", "house"})
_LOCALITY_WORDS = LOCALITY_HEADS | _LOWER_VILLAGE_HEADS | _REGIONAL_HEADS
_ALL_HEADS = LOCALITY_HEADS | _REGIONAL_HEADS
# Field words written after the place they label ("Kasaba Hobli", "Tiptur Taluk").
_TRAILING_FIELDS = frozenset({"village", "vill", "mandal", "tehsil", "taluka", "taluk", "hobli", "tahsil"})
# Hindi, Gujarati and Marathi genitive words inside a hamlet's name: "Jaton ki Dhani", "Dhal ni Pol".
_GENITIVE_GAPS = frozenset({" ki ", " ka ", " ke ", " ni ", " no ", " na ", " chi ", " cha ", " KI ", " KA ", " NI "})
_AREA_HEADS = frozenset({"mohalla", "basti", "tola", "toli", "abadi", "colony"})
_PLACE_INTRO = re.compile(r"(?:\bfrom|\bat|\bin|\bnear|\bopp\.?|\bof)[ \t]+$", re.IGNORECASE)


def _common_locality_word(text: str, tokens: list[Token], k: int, head: int) -> bool:
    """Token k is a capitalised ordinary word right before a locality head, and a place-introducing
    word (from, at, in, near, opp., of) stands right before it."""
    t = tokens[k]
    if t.key in LOCALITY_HEADS or not joined(text, t, tokens[head]):
        return False
    if t.upper_line:
        # "AT RAILWAY COLONY", "RAILWAY COLONY, ALMORA": in capitals the same rule, word lists only.
        if not (t.common and not t.stop and not t.medical):
            return False
    elif t.text.isupper():
        # "from MG Road", "near JP Nagar": initials before a street or area word (not "ICU Block").
        word = t.common or t.medical or t.unknown or t.name
        if not (2 <= len(t.text) <= 3 and word and tokens[head].key in _STREET_HEADS):
            return False
    elif not (t.common and t.capitalised and not t.stop and not t.medical):
        return False
    return _PLACE_INTRO.search(text, max(0, t.start - 8), t.start) is not None or _place_follows(text, tokens, head)


def _place_follows(text: str, tokens: list[Token], head: int) -> bool:
    """A town follows the locality after a comma or a space ("Railway Colony, Almora")."""
    k = head + 1
    if k >= len(tokens) or not joined(text, tokens[head], tokens[k], allow_comma=True):
        return False
    t = tokens[k]
    return t.place and not t.common and not t.medical and (t.capitalised or t.upper_line)


def _localities(text: str, tokens: list[Token], starts: list[int] | None = None) -> list[Span]:
    """'Shivaji Nagar', 'MG Road', '12, Gandhi Marg', 'Sector 15', 'Vill. Rampur'. `starts`: the
    tokens whose key is a locality word, ascending (found here when not given)."""
    spans: list[Span] = []
    if starts is None:
        starts = [i for i, t in enumerate(tokens) if t.key in _LOCALITY_WORDS]
    for i in starts:
        tok = tokens[i]
        if tok.key in _LOWER_VILLAGE_HEADS and not tok.capitalised and i > 0 and joined(text, tokens[i - 1], tok):
            prev = tokens[i - 1]
            if prev.capitalised and not prev.upper_line and (prev.unknown or prev.place) and not prev.common \
                    and not prev.medical and not prev.name:
                spans.append(Span(prev.start, prev.end, _LOCATION, 0.7, "locality"))
            continue
        if tok.key not in _ALL_HEADS or not (tok.capitalised or tok.upper_line):
            continue
        regional = tok.key in _REGIONAL_HEADS and tok.key not in LOCALITY_HEADS
        j = i
        while j - 1 >= 0 and i - j < 3 and (joined(text, tokens[j - 1], tokens[j])
                                            or (regional and text[tokens[j - 1].end:tokens[j].start] in _GENITIVE_GAPS)) \
                and _placeish(tokens[j - 1]) and tokens[j - 1].key not in _ALL_HEADS and not tokens[j - 1].common \
                and tokens[j - 1].key not in _PLACE_FIELDS \
                and not (tokens[j - 1].medical and tokens[j - 1].text.isupper() and not tokens[j - 1].upper_line):
            # A clinical acronym in mixed case names a part of the hospital: "ICU Block", "OT Complex".
            j -= 1
        if regional and j < i and tok.key == "house" and not all(tokens[k].unknown for k in range(j, i)):
            continue  # "MANNANAL HOUSE", not "Guest House" or "Tata House"
        if regional and j == i and tok.key == "dhani" and i + 1 < len(tokens) and joined(text, tok, tokens[i + 1]) \
                and tokens[i + 1].unknown and (tokens[i + 1].capitalised or tokens[i + 1].upper_line):
            spans.append(Span(tok.start, tokens[i + 1].end, _ADDRESS, 0.75, "locality"))  # "Dhani Bishnoiyan"
            continue
        if regional and j == i:
            continue
        if j < i and tok.key in _TRAILING_FIELDS:
            # "Hiriyur Village", "Jangaon Mandal", "SARAIRANJAN TEHSIL": the field word is no part of the place.
            spans.append(Span(tokens[j].start, tokens[i - 1].end, _LOCATION, 0.75, "locality"))
            continue
        if j == i and i > 0 and tok.key in _AREA_HEADS and tokens[i - 1].key in LOCALITY_HEADS \
                and tokens[i - 1].key not in _AREA_HEADS and joined(text, tokens[i - 1], tok) \
                and (tokens[i - 1].capitalised or tokens[i - 1].upper_line):
            # "Ganj Mohalla", "Bazaar Mohalla", "Camp Basti": a street or market word names the quarter.
            j = i - 1
        if j == i and i > 0 and _common_locality_word(text, tokens, i - 1, i):
            # "from Station Road", "in Civil Lines": one capitalised English word before the head,
            # after a word that introduces a place ("Station Road" alone is left alone).
            j = i - 1
        start = tokens[j].start
        end = tok.end
        number_after = _NUMBER_AFTER.match(text, end)
        if j == i:
            # A bare head word is a place only with a number ("Sector 15", "Block C-4").
            if tok.key not in ("sector", "block", "phase", "ward", "vill", "village") or number_after is None:
                continue
        if number_after is not None and tok.key in ("sector", "block", "phase", "cross", "main", "road", "street", "lane"):
            end = number_after.end()
        before = None if regional else _NUMBER_BEFORE.search(text, max(0, start - 16), start)
        if before is not None:
            start = before.start() + (len(before.group()) - len(before.group().lstrip()))
        if end == tok.end and i + 1 < len(tokens) and tokens[i + 1].key in ("extension", "extn") \
                and joined(text, tok, tokens[i + 1]):
            end = tokens[i + 1].end  # "Gomti Nagar Extension"
        spans.append(Span(start, end, _ADDRESS, 0.75, "locality"))
    return spans


# Landmarks Indian addresses are given by ("near Hanuman Mandir", "behind Bus Stand", "opp. Petrol Pump").
_LANDMARK_HEADS = frozenset({"mandir", "masjid", "gurudwara", "gurdwara", "church", "temple", "mosque", "idgah",
                             "dargah", "stand", "school", "bhawan", "bhavan", "tanki", "pump", "crossing", "kendra",
                             "office", "bank", "branch", "godown", "mill", "factory", "talab", "pokhar", "chauraha",
                             "tiraha", "bari", "maidan", "ghat", "bridge", "pul", "college"})
_CUE_FIRST_WORDS = frozenset(c.split()[0] for c in ADDRESS_CUES if " " in c)
_ADDRESS_FIELDS = frozenset({"dist", "distt", "district", "pin", "pincode", "tehsil", "taluka", "taluk", "state", "ps", "po",
                             "thana", "block", "zila", "zilla", "firka", "hobli", "mouza", "jilha", "jila", "tal", "teh",
                             "mandal", "via", "vill", "village", "gram"})
# Words that end an address run: what a note says next ("... DIST BUXAR REF FROM", "Dist., TS. Brought by",
# "Bystander: ...", "... MORENA ALLEGED H/O ASSAULT", the "Mobile" column of a table).
_RUN_STOPS = frozenset({"ref", "referred", "brought", "bystander", "alleged", "mobile", "mob", "ph", "phone", "relative",
                        "attendant", "informant", "admitted", "adm", "seen", "cell", "contact", "aadhaar", "abha",
                        "uhid", "mrn", "ipd", "opd", "dept", "consultant", "age", "sex", "dob", "hereby", "asha", "anm",
                        "aww", "sub-centre", "subcentre", "sub-center", "phc", "chc", "hwc", "sc"})


def _prose_cue_target(tok: Token) -> bool:
    """The word after "near"/"opp." starts a place: capitalised (or in a capitals line), not a
    clinical term, and in mixed case not an acronym ("near ICU")."""
    if tok.devanagari or tok.medical or tok.stop:
        return False
    if tok.upper_line:
        return True
    return tok.capitalised and not (tok.text.isupper() and len(tok.text) > 1 and not tok.place)


def _acronym_landmark(text: str, tokens: list[Token], k: int) -> bool:
    """"near SBI Branch", "opp. LIC Office": an acronym naming the landmark's owner before a landmark word."""
    t = tokens[k]
    return t.text.isupper() and 2 <= len(t.text) <= 5 and not t.devanagari and k + 1 < len(tokens) \
        and tokens[k + 1].key in _LANDMARK_HEADS and tokens[k + 1].capitalised and joined(text, t, tokens[k + 1])


def _names_a_place(tokens: list[Token], first: int, last: int | None) -> bool:
    """Some word of the run is a place word: a gazetteer place or name, an unknown word, or a
    locality head (Road, Chowk, Sector)."""
    if last is None:
        return False
    # A landmark word counts after another word ("Primary School", "Bus Stand"), not alone ("near Office").
    return any((t.place or t.unknown or t.name or t.key in LOCALITY_HEADS or (t.key in _LANDMARK_HEADS and k > first))
               and not (t.medical and t.key not in _LANDMARK_HEADS) for k, t in enumerate(tokens[first:last + 1], first))


def _after_cue(text: str, cue_end: int) -> int:
    """Where an address starts after its cue: past ':', '-', '.' and spaces, so numbers after the cue
    ("Address: 12/4, ...") are part of the address."""
    m = _CUE_PUNCT.match(text[cue_end:cue_end + 8])
    return cue_end + (m.end() if m else 0)


def _before_hospital_head(text: str, tokens: list[Token], i: int) -> bool:
    """Token i ("District", "Village") starts a kind of hospital ("District Hospital ICU",
    "Village Health Centre"): there it is no address field word."""
    for j in (i + 1, i + 2):
        if j >= len(tokens) or not joined(text, tokens[j - 1], tokens[j]) or tokens[j - 1].possessive:
            return False
        if tokens[j].key in HOSPITAL_HEADS:
            return True
        if tokens[j].key not in HOSPITAL_GENERIC:
            return False
    return False


# Address parts written with a number ("Ward No. 5", "Gali 3", "H.No. 12"): a place-shaped word
# after the number and a comma or space ("Ward No. 5, Rampur") continues the address.
_NUMBERED_PARTS = frozenset({"ward", "gali", "lane", "street", "sector", "plot", "khasra", "makan", "qtr", "house",
                             "h", "flat", "block"})
_NUMBERED = re.compile(r"(?:[ \t]*(?:no|number)\b\.?)?[ \t]*[:#\-]?[ \t]*(?:[A-Za-z]-?)?\d{1,5}[A-Za-z]?(?:[/\-]\d{1,5})*,?[ \t]+",
                       re.IGNORECASE)
# Field words that also count in lower case, before a capitalised word no word list knows as English.
_LOWER_FIELD_CUES = frozenset({"tehsil", "taluka", "taluk", "zila", "zilla", "distt", "mohalla", "thana"})


# Every word that can start an address cue, for one set look-up per token.
_SHORT_ADDRESS_CUES = frozenset({"add", "resi", "res", "addr", "adr"})  # "ADD=Jhandutta", "RESI: #87-B", "Add. :"
_ANY_CUE = frozenset({"r"}) | _SHORT_ADDRESS_CUES | PROSE_ADDRESS_CUES | ADDRESS_CUES | _CUE_FIRST_WORDS | _LOWER_FIELD_CUES | _NUMBERED_PARTS


def _lower_cue_target(tok: Token) -> bool:
    if tok.capitalised and not tok.upper_line and not tok.text.isupper() and tok.common and not tok.medical \
            and not tok.stop and not tok.devanagari and len(tok.key) >= 3:
        return True  # "tehsil Salon", "zila Mau": after a lower-case field word capitals are the signal
    return (tok.capitalised or tok.upper_line) and not tok.common and not tok.medical and not tok.stop \
        and not tok.devanagari and (tok.unknown or tok.place)


def _after_numbered_part(text: str, tokens: list[Token], i: int) -> int | None:
    """The index of the token after "Ward No. 5, " when it is a place-shaped word, else None."""
    k = i + 1
    if tokens[i].key == "h":
        if k >= len(tokens) or tokens[k].key != "no":
            return None
        k += 1  # "H.No. 12": the number follows "No"
    m = _NUMBERED.match(text, tokens[k - 1].end)
    if m is None:
        return None
    while k < len(tokens) and tokens[k].end <= m.end():
        k += 1
    if k >= len(tokens) or tokens[k].start != m.end():
        return None
    return k if _lower_cue_target(tokens[k]) else None


_GAP_BREAK = re.compile(r"[;()|\x00A-Za-z]")


def _address_cues(text: str, tokens: list[Token], starts: list[int] | None = None) -> list[Span]:
    """After 'Address:' / 'R/o' take the following address-shaped words up to the line's end.
    `starts`: the tokens whose key is in _ANY_CUE, ascending (found here when not given)."""
    spans: list[Span] = []
    n = len(tokens)
    if starts is None:
        starts = [i for i, t in enumerate(tokens) if t.key in _ANY_CUE]
    for i in starts:
        tok = tokens[i]
        cue_end = None
        if tok.key == "r" and i + 1 < n and text[tok.end:tokens[i + 1].start] == "/" and tokens[i + 1].key == "o":
            cue_end = i + 2
        elif tok.key in PROSE_ADDRESS_CUES:
            if i + 1 < n and (_prose_cue_target(tokens[i + 1]) or _acronym_landmark(text, tokens, i + 1)):
                cue_end = i + 1
        elif tok.key in _SHORT_ADDRESS_CUES and tok.capitalised and text[tok.end:tok.end + 1] in (":", "=", ".") \
                and i + 1 < n and not tokens[i + 1].medical:
            cue_end = i + 1
        elif tok.key in ADDRESS_CUES and (tok.capitalised or tok.upper_line or text[tok.end:tok.end + 1] in ":-") \
                and not _before_hospital_head(text, tokens, i):
            cue_end = i + 1
        elif tok.key in _CUE_FIRST_WORDS and i + 1 < n and f"{tok.key} {tokens[i + 1].key}" in ADDRESS_CUES:
            cue_end = i + 2
        elif tok.key in _LOWER_FIELD_CUES and i + 1 < n and _lower_cue_target(tokens[i + 1]):
            cue_end = i + 1  # "tehsil Tiloi, zila Raisen" in Hinglish and hurried English
        lead = None  # where the address starts when the cue is itself part of it ("Ward 22, Rampur")
        if cue_end is None and tok.key in _NUMBERED_PARTS and (tok.capitalised or tok.upper_line):
            cue_end = _after_numbered_part(text, tokens, i)
            lead = tok.start
        if cue_end is None or cue_end >= n:
            continue
        last = None
        j = cue_end
        pieces: list[tuple[int, int]] = []  # address runs between field words ("Dist.", "PIN")
        run_start = cue_end
        while j < n and j - cue_end < 14:
            t = tokens[j]
            if t.key in _ADDRESS_FIELDS or (t.key in ("p", "o") and text[t.end:t.end + 1] == "."):  # P.O.
                # "Dist.", "PIN" label the next part of the address; they are not part of it.
                if last is not None:
                    pieces.append((run_start, last))
                last = None
                run_start = j + 1
                j += 1
                continue
            between = text[(tokens[j - 1].end if j > cue_end else tokens[cue_end - 1].end):t.start]
            if "\n" in between and (last is not None or pieces):
                break
            if "  " in between and "," not in between and last is not None:
                break  # two spaces between form fields: "Village: Purul  Sub-centre: ..."
            # A letter or one of ";()|" in the gap ends the run: one regex search for an ASCII gap (there
            # isalpha() is exactly [A-Za-z]), the character tests otherwise.
            if (_GAP_BREAK.search(between) is not None if between.isascii()
                    else any(c in between for c in ";()|\x00") or any(c.isalpha() for c in between)) or (". " in between and t.capitalised and last is not None
                                                     and not tokens[j - 1].initial and len(tokens[j - 1].key) > 3):
                break
            if t.key in _RUN_STOPS or not (_placeish(t) or t.key in LOCALITY_HEADS
                                           or t.key in ("no", "near", "opp", "behind", "post", "po", "dist", "the")):
                break
            if t.common and not t.place and not t.name and t.key not in LOCALITY_HEADS and not t.upper_line and not t.capitalised:
                break
            last = j
            j += 1
        if tok.key in PROSE_ADDRESS_CUES and not _names_a_place(tokens, cue_end, last):
            continue  # "near Nurses Station": ordinary words after "near" are no address
        for a, b in pieces:
            # The first piece starts right after the cue, so a house number before the first word
            # ("Residence: 64/1, Model Town, ..., Dist.") belongs to it.
            piece_start = (lead if lead is not None else _after_cue(text, tokens[cue_end - 1].end)) if a == cue_end \
                else tokens[a].start
            spans.append(Span(piece_start, tokens[b].end, _ADDRESS, 0.7, "address_cue"))
        if pieces and last is None:
            continue
        if pieces:
            start = tokens[run_start].start
        else:
            start = lead if lead is not None else _after_cue(text, tokens[cue_end - 1].end)
        end = tokens[last].end if last is not None else start
        tail = _NUMBER_TAIL.match(text[end:end + 12])
        if last is None and tail is None:
            # "Address: 12/4" — numbers only.
            continue
        if tail is not None:
            end += tail.end()
        if end > start:
            spans.append(Span(start, end, _ADDRESS, 0.7, "address_cue"))
    return spans


_CENTRE_CODES = frozenset({"phc", "chc", "uphc", "sdh"})
# Codes of public hospitals typed in capitals before their town ("GH Malur", "GMC Mehsana",
# "APHC Saswad", "ESIC Hospital Boduppal"): a place after them must be no English word.
_SUB_CENTRES = frozenset({"sub-centre", "subcentre", "sub-center", "subcenter"})
_STRICT_CODES = frozenset({"aphc", "gh", "gmc", "esic", "rh", "sdh", "uchc", "hwc", "bphc", "cphc", "dh"})
# Indian-language hospital heads: "Swasthya Chikitsalaya", "Amrutha Hrudayalaya", "Sri Kanaka Durga
# Nethralaya", "Kamdhenu Seva Sadan", "Arogya Path Lab", "Jan Kalyan Aspatal".
_INDIC_HEADS = frozenset({"chikitsalaya", "chikitsalay", "chikitshalaya", "aspatal", "aspataal", "hrudayalaya",
                          "hridayalaya", "nethralaya", "netralaya", "arogyalaya", "aushadhalaya", "sadan", "lab",
                          "kendra", "kendr"})
_HEADS = HOSPITAL_HEADS | _INDIC_HEADS
# Words that alone name no hospital, beyond the lexicon's list: "Path Lab", "Seva Sadan", "Arogya Kendra".
_GENERIC = HOSPITAL_GENERIC | frozenset({"path", "pathology", "diagnostic", "seva", "sewa",
                                         "prathmik", "samudayik", "up", "railway", "esic", "model", "area",
                                         "anganwadi", "aanganwadi", "zila", "jila", "mahila", "zonal", "divisional"})
# Words before a hospital's name that belong to it: "Shri Balaji Hospital", "Maa Vaishno Clinic", "Sant Kabir ...".
_HOSPITAL_PREFIXES = frozenset({"sri", "shri", "shree", "sree", "maa", "jai", "jay", "sant", "st", "new", "om",
                                "mata", "baba", "swami", "guru"})


def _next_head(text: str, tokens: list[Token], i: int) -> int:
    """"College & Hospital", "Maternity & Nursing Home", "Hospital and Research Centre": the index of the
    last head word of a name joined by '&' or 'and' (i when there is none)."""
    k = i + 1
    if k < len(tokens) and text[tokens[i].end:tokens[k].start] in (" & ", " and ", " AND ") \
            and (tokens[k].capitalised or tokens[k].upper_line):
        for m in (k, k + 1):
            if m < len(tokens) and tokens[m].key in _HEADS and (m == k or joined(text, tokens[m - 1], tokens[m])):
                return m
            if m < len(tokens) and not (tokens[m].key in _GENERIC or tokens[m].key in ("nursing", "research", "trauma")):
                return i
    return i


def _trailing_place(tok: Token) -> bool:
    """A capitalised unknown word or gazetteer place, not an English or clinical word."""
    if tok.devanagari or tok.stop or tok.medical or tok.common or tok.key in HOSPITAL_HEADS:
        return False
    return (tok.capitalised or tok.upper_line) and (tok.unknown or tok.place) and len(tok.key) >= 3 \
        and not (tok.text.isupper() and not tok.upper_line)


# Words after "PHC"/"CHC" that name a part or a person of the centre, not its village.
_CENTRE_NOT_PLACE = frozenset({"staff", "doctor", "doctors", "level", "visit", "records", "register", "team", "ward",
                               "building", "campus", "premises", "officer", "incharge", "in-charge", "nurse", "ambulance"})


def _centre_place(tok: Token) -> bool:
    """The word after "PHC"/"CHC": a capitalised word in mixed case (the village the centre serves,
    "CHC Salon", "PHC Kunda") even when it is also English, unless it names the centre's staff or parts."""
    return tok.capitalised and not tok.upper_line and not tok.text.isupper() and not tok.stop \
        and not tok.medical and not tok.devanagari and tok.key not in _CENTRE_NOT_PLACE and len(tok.key) >= 3


def _hospital_word(tok: Token) -> bool:
    """A word of a hospital's name: place-shaped, or in a capitals line a clinical word too
    ("HOLY FAMILY HOSPITAL", "LIFELINE EYE CLINIC"), which mixed case already lets through."""
    return _placeish(tok) or (tok.upper_line and tok.medical and not tok.stop and not tok.devanagari)


def _code_place(tok: Token) -> bool:
    """The town after a centre code, also typed in capitals on a line that is not ("P.H.C. ARSIKERE")."""
    if _trailing_place(tok):
        return True
    return tok.text.isupper() and len(tok.key) >= 4 and (tok.unknown or tok.place) and not tok.common \
        and not tok.medical and not tok.stop and not tok.devanagari and tok.key not in _HEADS


def _dotted_code(text: str, tokens: list[Token], i: int) -> int | None:
    """"P.H.C. Chandrakona", "C.H.C. Shopian": the index of the first letter of a dotted centre code
    ending at token i, else None."""
    if tokens[i].key != "c" or i < 2 or tokens[i - 1].key != "h" or tokens[i - 2].key not in ("p", "c"):
        return None
    if text[tokens[i - 2].start:tokens[i].end + 1].upper() not in ("P.H.C.", "C.H.C."):
        return None
    return i - 2


def _trailing_run(text: str, tokens: list[Token], k: int) -> int:
    """The end of a town after a hospital: up to three place words ("Uruli Kanchan", "Vadgaon Budruk")
    and a part of the town in brackets ("Kurla (W)")."""
    last = k
    while last + 1 < len(tokens) and last - k < 2 and joined(text, tokens[last], tokens[last + 1]) \
            and _trailing_place(tokens[last + 1]):
        last += 1
    end = tokens[last].end
    m = _TOWN_PART.match(text, end)
    return m.end() if m else end


_TOWN_PART = re.compile(r" ?\((?:[EWNS]|East|West|North|South)\)")


@functools.cache
def _hospital_triggers() -> frozenset[str]:
    """Every word a rule of _hospitals starts at."""
    return frozenset(HOSPITAL_NAMES) | _SUB_CENTRES | _STRICT_CODES | _HEADS | {"c", "home"}


def _hospitals(text: str, tokens: list[Token], starts: list[int] | None = None) -> list[Span]:
    """Hospitals and health centres. `starts`: the tokens whose key is in _hospital_triggers(),
    ascending (found here when not given): no rule below starts at any other word."""
    spans: list[Span] = []
    n = len(tokens)
    if starts is None:
        triggers = _hospital_triggers()
        starts = [i for i, t in enumerate(tokens) if t.key in triggers]
    for i in starts:
        tok = tokens[i]
        if tok.key in HOSPITAL_NAMES and tok.text.isupper() and len(tok.key) >= 3:
            spans.append(Span(tok.start, tok.end, _HOSPITAL, 0.8, "hospital_name"))
            continue
        dotted = _dotted_code(text, tokens, i) if tok.key == "c" else None
        if dotted is not None:
            # "P.H.C. Chandrakona": the dotted code and the village after it.
            k = i + 1
            if k < n and joined(text, tok, tokens[k]) and (_code_place(tokens[k]) or _centre_place(tokens[k])):
                spans.append(Span(tokens[dotted].start, _trailing_run(text, tokens, k), _HOSPITAL, 0.8,
                                  "hospital"))
            continue
        if tok.key in _SUB_CENTRES and (tok.capitalised or tok.upper_line) and i + 1 < n \
                and joined(text, tok, tokens[i + 1]) and _code_place(tokens[i + 1]):
            # "Sub-centre Ratanpura", "SUB-CENTRE BABHANGAMA": the village the sub-centre serves.
            spans.append(Span(tok.start, _trailing_run(text, tokens, i + 1), _HOSPITAL, 0.8, "hospital"))
            continue
        if tok.key in _STRICT_CODES and tok.text.isupper() and i + 1 < n:
            # "GH Malur", "APHC URULI KANCHAN", "GMC Jagatsinghpur".
            k = i + 1
            if joined(text, tok, tokens[k]) and _code_place(tokens[k]) and tokens[k].key not in _HEADS:
                spans.append(Span(tok.start, _trailing_run(text, tokens, k), _HOSPITAL, 0.8, "hospital"))
                continue
        head = tok.key in _HEADS or (tok.key == "home" and i > 0 and tokens[i - 1].key in ("nursing", "maternity"))
        if not head or not (tok.capitalised or tok.upper_line):
            continue
        j = i
        # Possessives belong to hospital names (Nizam's Institute, St. Elizabeth's Medical Center).
        while j - 1 >= 0 and i - j < 5 and _hospital_word(tokens[j - 1]) and tokens[j - 1].key not in _HEADS \
                and (joined(text, tokens[j - 1], tokens[j]) or (tokens[j - 1].possessive and tokens[j].start - tokens[j - 1].end <= 3)
                     or (text[tokens[j - 1].end:tokens[j].start] == " & " and tokens[j].key in _GENERIC | {"nursing"})):
            j -= 1
        while j < i and tokens[j].key in ("the", "a", "an", "to", "at", "from", "in", "of", "pehle", "ab", "phir"):
            j += 1
        if j > 0 and tokens[j - 1].key in _HOSPITAL_PREFIXES and joined(text, tokens[j - 1], tokens[j]) and j < i \
                and (tokens[j - 1].capitalised or tokens[j - 1].upper_line):
            j -= 1  # "Sri Kanaka Durga Nethralaya", "Shri Balaji Hospital"
        govt = j > 0 and tokens[j - 1].key in ("govt", "government", "distt", "dist") \
            and text[tokens[j - 1].end:tokens[j].start] in (". ", " ", ".")
        generic_only = j == i or all(tokens[k].key in _GENERIC or tokens[k].key in _HOSPITAL_PREFIXES
                                     for k in range(j, i))
        if tok.key in _INDIC_HEADS and tok.key in ("sadan", "lab", "kendra", "kendr") and j == i:
            continue  # "Sadan", "Lab", "Kendra" alone are no hospital heads
        last_head = _next_head(text, tokens, i)
        named_by_place = last_head + 1 < n and joined(text, tokens[last_head], tokens[last_head + 1], allow_comma=True) \
            and tokens[last_head + 1].place and (tokens[last_head + 1].capitalised or tokens[last_head + 1].upper_line)
        # "the hospital", "a private clinic", "District Hospital" are no names; "District Hospital
        # Kolkata" and "City Care Clinic" (two capitalised words in mixed case) are.
        proper = i - j >= 2 and not tok.upper_line and all(tokens[k].capitalised for k in range(j, i))
        # "Synod Hospital Durtlang", "CHC Reasi": a place name no gazetteer knows written after the head.
        nxt = last_head + 1
        trailing = nxt < n and joined(text, tokens[last_head], tokens[nxt]) and (
            _trailing_place(tokens[nxt]) or (tok.key in _CENTRE_CODES and _centre_place(tokens[nxt])))
        if not trailing and nxt < n and (j < i or govt) and joined(text, tokens[last_head], tokens[nxt], allow_comma=True) \
                and _trailing_place(tokens[nxt]):
            trailing = True  # "Govt. Medical College & Hospital, Idukki", "ESIC Model Hospital, Kathriguppe"
        # "District Hospital Barabanki", "Civil Hospital Sadar", "ZONAL HOSPITAL JEJURI", "Govt. Hospital
        # Jaitu": a kind of hospital named by the place after it.
        kind_then_place = trailing and ((j < i and (tokens[j].capitalised or tok.upper_line)) or govt)
        if generic_only and not ((named_by_place and j < i) or proper or (trailing and tok.key in _CENTRE_CODES)
                                 or kind_then_place):
            continue
        end = _trailing_run(text, tokens, nxt) if trailing else tokens[last_head].end
        if govt:
            j -= 1  # "Govt. Rajaji Hospital"
        # "Institute of Medical Sciences", "Hospital & Research Centre"
        k = last_head + 1
        while k + 1 < n and tokens[k].key in ("of", "and") and joined(text, tokens[k - 1], tokens[k]) \
                and _placeish(tokens[k + 1]) and joined(text, tokens[k], tokens[k + 1]) \
                and not (tokens[k].key == "and" and (tokens[k + 1].key in _GENERIC or tokens[k + 1].key in _STRICT_CODES)):
            # "Nursing Home and Civil Hospital Wadgaon" are two hospitals; "Hospital and Research Centre" one.
            end = max(end, tokens[k + 1].end)
            k += 2
            while k < n and _placeish(tokens[k]) and joined(text, tokens[k - 1], tokens[k]) and k - i < 8:
                end = max(end, tokens[k].end)
                k += 1
        spans.append(Span(tokens[j].start, end, _HOSPITAL, 0.8, "hospital"))
    return spans

# Field words of Indian rural addresses that name the place right after them, written with a dot,
# a colon or a hyphen ("Ta. Velhe", "Teh. Ghudda", "Mu. Po. Theur", "Ji. Mehsana", "Jilha Beed",
# "Mouza Kismat Bajkul", "Firka: Melattur", "gram Kamdara", "Vill-Ghaghra, PO-Parsa, PS-Bharno, Dist-Gumla").
_PLACE_FIELDS = frozenset({"vill", "village", "gram", "gaon", "po", "ps", "dist", "distt", "district", "via", "ta",
                           "tal", "taluka", "taluk", "teh", "tah", "tehsil", "mu", "ji", "jilha", "jila", "jilla",
                           "zila", "zilla", "mouza", "mauza", "firka", "thana", "post", "mandal", "block", "hobli",
                           "at", "town", "city", "p.o", "p.s"})
# Short field words that count only with a dot, colon or hyphen, or when typed in capitals ("PO BELSAND").
# Form fields that name a place after a colon ("Pick-up: Kadaba", "Anganwadi: Jogiya-2", "AWC: ...").
_COLON_FIELDS = frozenset({"pick-up", "pickup", "drop", "drop-off", "anganwadi", "aanganwadi", "awc", "sub-centre",
                           "subcentre", "sub-center", "hsc", "gaon", "basti", "locality", "area", "town", "city"})
_SHORT_FIELDS = frozenset({"po", "ps", "ta", "tal", "teh", "tah", "mu", "ji", "at", "via"})
# Field words that count in lower case too (Hinglish): "gram Kamdara", "thana Maner".
_LOWER_PLACE_FIELDS = frozenset({"gram", "gaon", "thana", "zila", "zilla", "jila", "tehsil", "taluka", "mouza"})
_FIELD_GAP = re.compile(r"[ \t]*[.:\-][ \t]*|[ \t]+")


def _field_target(tok: Token) -> bool:
    """A place name after a field word: capitalised or in capitals, no function or clinical word,
    and no English word unless a gazetteer knows it as a place."""
    if tok.devanagari or tok.stop or tok.medical or not (tok.capitalised or tok.upper_line):
        return False
    if tok.key in _PLACE_FIELDS or tok.key in _ADDRESS_FIELDS or tok.key in _RUN_STOPS:
        return False
    return tok.unknown or tok.place or tok.name or bool(tok.flags & PHRASE_START) or tok.key.endswith(PLACE_ENDINGS)


def _extend_place(text: str, tokens: list[Token], k: int, limit: int = 3) -> int:
    """The last index of a place name of up to `limit` words starting at k ("Uruli Kanchan")."""
    last = k
    while last + 1 < len(tokens) and last - k + 1 < limit and tokens[last + 1].start - tokens[last].end == 1 \
            and text[tokens[last].end] == " " and _field_target(tokens[last + 1]):
        last += 1
    return last


def _field_places(text: str, tokens: list[Token], candidates: list[int]) -> list[Span]:
    spans: list[Span] = []
    n = len(tokens)
    for i in candidates:
        tok = tokens[i]
        key = tok.key
        if key in _COLON_FIELDS:
            # "Pick-up: Kadaba, near ...", "Anganwadi: Jogiya-2": the place after a form's field.
            if i + 1 < n and text[tok.end:tokens[i + 1].start].strip(" \t") == ":" and _field_target(tokens[i + 1]) \
                    and not (tokens[i + 1].common and not tokens[i + 1].place and not tokens[i + 1].upper_line):
                last = _extend_place(text, tokens, i + 1)
                spans.append(Span(tokens[i + 1].start, tokens[last].end, _LOCATION, 0.7, "field_place"))
            continue
        if "-" in key and (tok.unknown or tok.place or tok.name):
            # "Dist-Kaimur", "PO-Parsa", "VILL-GHAGHRA": the tokenizer keeps inner hyphens in a word.
            head, _, rest = tok.text.partition("-")
            if head.lower() in _PLACE_FIELDS and rest[:1].isupper() and len(rest) >= 3 and (head[:1].isupper()):
                last = _extend_place(text, tokens, i)
                spans.append(Span(tok.start + len(head) + 1, tokens[last].end, _LOCATION, 0.7, "field_place"))
            continue
        if key not in _PLACE_FIELDS or i + 1 >= n:
            continue
        if not (tok.capitalised or key in _LOWER_PLACE_FIELDS):
            continue
        nxt = tokens[i + 1]
        gap = text[tok.end:nxt.start]
        m = _FIELD_GAP.fullmatch(gap)
        if m is None or "\n" in gap:
            continue
        punct = any(c in gap for c in ".:-")
        if key in _SHORT_FIELDS and not punct and not (tok.text.isupper() and (tok.upper_line or nxt.text.isupper()
                                                                               or key in ("ps", "po"))):
            continue
        if key in ("p.o", "p.s"):
            continue
        if not _field_target(nxt) or (nxt.common and not nxt.place and not nxt.upper_line):
            continue
        if nxt.text.isupper() and not tok.upper_line and len(nxt.text) <= 3:
            continue  # "PS ICU": an acronym after a short field word is no place
        last = _extend_place(text, tokens, i + 1)
        spans.append(Span(nxt.start, tokens[last].end, _LOCATION, 0.7, "field_place"))
    return spans


# Indian states by their abbreviations, after a place ("Zila Jalore (RJ)", "Dist: Tiruvarur, T.N.",
# "Ji. Mehsana, Guj.") and the word "State" after a state ("Kerala State").
_STATE_ABBR = re.compile(
    r"[ \t]*(?:,[ \t]*|\([ \t]*|(?:Dist|Distt|DIST|DISTT)\.?,?[ \t]*,?[ \t]*)"
    r"((?:A\.P|T\.N|T\.S|U\.P|M\.P|H\.P|W\.B|M\.S|J\.K|J&K|Pb|Guj|Raj|Maha|Kar|Ker|Bih|Jhar|Chh|Utt|Odi)\.?"
    r"|(?:AP|TN|TS|UP|MP|HP|WB|RJ|PB|MH|KA|KL|GJ|BR|JH|OD|CG|UK|HR|AS|ML|MN|MZ|NL|TR|SK|GA)\b)(?!\w)")
_STATE_LEAD = frozenset(" \t,(")
_STATE_WORD = re.compile(r"[ \t]+(?:State|STATE)\b")


def _state_abbreviations(text: str, spans: list[Span]) -> list[Span]:
    found = []
    for span in spans:
        if span.label not in _CHAIN_LABELS or text[span.end:span.end + 1] not in _STATE_LEAD:
            continue
        m = _STATE_ABBR.match(text, span.end)
        if m is not None:
            found.append(Span(m.start(1), m.end(1), _LOCATION, 0.7, "state_abbreviation"))
        w = _STATE_WORD.match(text, span.end)
        if w is not None and span.end - span.start >= 3 and text[span.start:span.end].lower() in _STATE_NAMES:
            found.append(Span(span.start, w.end(), _LOCATION, 0.7, "state_abbreviation"))
    return found


_STATE_NAMES = frozenset(INDIAN_STATES)


# Bangalore-style street parts with an ordinal ("12th Main", "2nd 'A' Cross", "8th Main Road",
# "Rajajinagar 3rd Block", "BTM 2nd Stage") and building parts ("Wing C", "C Wing", "Pocket 7").
# Bangalore-style street parts with an ordinal ("12th Main", "2nd 'A' Cross", "8th Main Road",
# "Rajajinagar 3rd Block", "BTM 2nd Stage"), matched back from the street word.
_ORDINAL_HEADS = frozenset({"main", "cross", "block", "stage", "phase", "sector", "street", "lane"})
_ORDINAL_BEFORE = re.compile(r"(?<![\w/])\d{1,3}(?:st|nd|rd|th|ST|ND|RD|TH)[ \t]+(?:'[A-Za-z]'[ \t]+)?$")
_ROAD_AFTER = re.compile(r"[ \t]+(?:Road|ROAD|Rd|RD)\b")
# Building parts: "Wing C", "C Wing", "Pocket 7".
_PART_AFTER = re.compile(r"[ \t]+(?:[A-Z]|\d{1,3})\b(?![/\-])")
# House numbers after an address cue or at the start of an address line: "residing at #64-37",
# "Address: 55/A,", "R/O A-420", "RZ-29/A, Street No. 1", and with a house word: "Kothi No.42-B",
# "Jhuggi No.78/A", "Old No. 22, New No. 123".
_HOUSE_NUMBER = (r"(?:#[ \t]?\d{1,5}[A-Za-z]?(?:[/\-](?:\d{1,5}[A-Za-z]?|[A-Za-z]\b))*"
                 r"|[A-Z]{1,3}-\d{1,5}[A-Za-z]?(?:/\d{1,4}[A-Za-z]?)?|\d{1,5}/[A-Z0-9]{1,4}|\d{1,5}-[A-Z]\b)")
_HOUSE_AFTER_CUE = re.compile(r"[ \t]*[:=\-]?[ \t]*(" + _HOUSE_NUMBER + r")(?=[ ,;]|$)", re.MULTILINE)
_HOUSE_AT_LINE_START = re.compile(r"^[ \t]*(" + _HOUSE_NUMBER + r")(?=, )", re.MULTILINE)
_HOUSE_CUES = frozenset({"at", "address", "addr", "o", "resi", "res", "add"})
_HOUSE_WORDS = frozenset({"kothi", "jhuggi", "qr", "qtr", "kholi", "door", "old", "new", "makan", "bungalow", "khasra",
                          "gala", "shop"})
_HOUSE_WORD_NUMBER = re.compile(r"[A-Za-z]+\.?[ \t]*(?:No|NO|no|Number)\.?[ \t]*[:\-]?[ \t]*"
                                r"(?:[A-Z]-?)?\d{1,5}[A-Za-z]?(?:[/\-][0-9A-Za-z]{1,5})*")
_SHAPE_KEYS = _ORDINAL_HEADS | frozenset({"wing", "pocket", "near", "nr", "behind", "opp", "opposite", "lane", "gali",
                                          "wd"}) | _HOUSE_CUES | _HOUSE_WORDS


# A landmark after "near"/"behind"/"opp." that ends at a comma, a bar or a line's end: "near cold
# storage, Kukdeshwar", "near Govt. Girls School, Tehsil ...", "NEAR CHURCH OF ST. THOMAS, SONBARSA".
_LANDMARK_WORDS = ("storage|dairy|tank|tanki|school|mandir|masjid|temple|church|office|station|stand|pump|chowk|market"
                   "|bazaar|bazar|godown|mill|factory|bridge|ghat|well|pond|tower|panchayat|crossing|depot|dargah|sharif"
                   "|gurudwara|gurdwara|mosque|idgah|college|bank|post office|thana|chauki|ghar|dukan|madarsa|mandap"
                   "|talab|pokhar|maidan|park|hall|bhawan|bhavan|kendra|railway line|petrol pump|bus stop|phatak")
_NEAR_LANDMARK = re.compile(
    r"(?:near|Near|NEAR|Nr\.|NR\.|nr\.|behind|Behind|BEHIND|opp\.|Opp\.|OPP\.|opposite|Opposite|OPPOSITE)[ \t]+"
    r"((?!(?:the|a|an|his|her|their|my|our|THE)\b)(?:(?:Govt\.|GOVT\.|[A-Za-z]+)[ \t]+){0,3}?"
    r"(?i:" + _LANDMARK_WORDS + r")(?:[ \t]+(?i:of)[ \t]+(?:St\.|ST\.)?[ \t]*[A-Z][A-Za-z]+)?)(?=[ \t]*(?:[,|)\n]|$))",
    re.MULTILINE)
# Hinglish and Indian-language words for one's village or home town before it: "Sasural Roopwas",
# "maika Pipariya", "ooru Salooni" (Kannada, Telugu), "Ghar Gwaltoli", "gaon Salooni", "peehar ...".
_HOME_WORDS = re.compile(r"\b(?:[Ss]asural|SASURAL|[Mm]aika|MAIKA|[Mm]ayka|MAYKA|[Mm]aayka|[Oo]oru|OORU"
                         r"|[Gg]har|GHAR|[Gg]aon|GAON|[Pp]eehar|[Nn]aihar|PEEHAR|NAIHAR)[ \t]+(?=[A-Z#])")
# Lanes and ward numbers in forms: "Lane-9", "LANE-7", "Wd 4, Puranpur", "Gali 3".
_LANE = re.compile(r"\b(?:Lane|LANE|Gali|GALI)[ \t]*-[ \t]*\d{1,3}\b|\b(?:Wd|WD|Wd\.)[ \t]*\d{1,3}(?=,[ \t]*[A-Z](?!ed\b|ED\b))")


def _address_shapes(text: str, tokens: list[Token], candidates: list[int]) -> list[Span]:
    spans: list[Span] = []
    add = spans.append
    address = _ADDRESS
    for k in candidates:
        tok = tokens[k]
        key = tok.key
        if key not in _SHAPE_KEYS:
            continue
        if key in _ORDINAL_HEADS and (tok.capitalised or tok.upper_line):
            m = _ORDINAL_BEFORE.search(text, max(0, tok.start - 12), tok.start)
            if m is not None:
                r = _ROAD_AFTER.match(text, tok.end)
                add(Span(m.start(), r.end() if r else tok.end, address, 0.7, "address_shape"))
                continue
        if key in ("near", "nr", "behind", "opp", "opposite"):
            m = _NEAR_LANDMARK.match(text, tok.start)
            if m is not None:
                add(Span(m.start(1), m.end(1), address, 0.7, "address_shape"))
        elif key in ("wing", "pocket"):
            if tok.capitalised:
                m = _PART_AFTER.match(text, tok.end)
                if m is not None:
                    add(Span(tok.start, m.end(), address, 0.7, "address_shape"))
                if key == "wing" and k > 0 and tokens[k - 1].initial and joined(text, tokens[k - 1], tok) \
                        and text[tokens[k - 1].start - 1:tokens[k - 1].start] != ".":
                    add(Span(tokens[k - 1].start, tok.end, address, 0.7, "address_shape"))
        elif key in ("lane", "gali", "wd"):
            m = _LANE.match(text, tok.start)
            if m is not None:
                add(Span(m.start(), m.end(), address, 0.7, "address_shape"))
        if key in _HOUSE_CUES and (key != "o" or text[tok.start - 2:tok.start].lower() == "r/"):
            m = _HOUSE_AFTER_CUE.match(text, tok.end)
            if m is not None:
                add(Span(m.start(1), m.end(1), address, 0.7, "address_shape"))
        elif key in _HOUSE_WORDS and tok.capitalised:
            m = _HOUSE_WORD_NUMBER.match(text, tok.start)
            if m is not None:
                add(Span(m.start(), m.end(), address, 0.7, "address_shape"))
    p = 0
    while p != -1:  # house numbers at a line's start: one anchored match per line, no scan of the note
        if p < len(text) and (text[p] in " \t#" or text[p].isdigit() or text[p].isupper()):
            m = _HOUSE_AT_LINE_START.match(text, p)
            if m is not None:
                add(Span(m.start(1), m.end(1), address, 0.7, "address_shape"))
        p = text.find("\n", p)
        if p != -1:
            p += 1
    return spans


_TOKEN_START = attrgetter("start")
_TOKEN_END = attrgetter("end")


def _starting_at(tokens: list[Token], pos: int) -> int | None:
    """The index of the token starting at pos (a binary search: no index is built per note)."""
    k = bisect_left(tokens, pos, key=_TOKEN_START)
    return k if k < len(tokens) and tokens[k].start == pos else None


def _ending_at(tokens: list[Token], pos: int) -> int | None:
    k = bisect_left(tokens, pos, key=_TOKEN_END)
    return k if k < len(tokens) and tokens[k].end == pos else None


def _chain_places(text: str, tokens: list[Token], spans: list[Span]) -> list[Span]:
    """Inside an address written as parts between commas, a part no word list knows is a locality
    too: "12th Main, Kathriguppe, Tumakuru", "Nr. Bus Depot, Naroda, Gandhinagar", "(E)" after a town."""
    found: list[Span] = []
    if not spans:
        return found
    ends = sorted({s.end for s in spans if s.label in _CHAIN_LABELS and text[s.end:s.end + 1] in _CHAIN_LEAD})
    if not ends:
        return found
    starts = {s.start for s in spans}
    for end in ends:
        m = _TOWN_PART.match(text, end) if text[end:end + 2] == " (" else None
        if m is not None:
            found.append(Span(end, m.end(), _ADDRESS, 0.7, "address_chain"))
            end = m.end()
        for _ in range(3):
            sep = _CHAIN_GAP.match(text, end)
            if sep is None:
                break
            k = _starting_at(tokens, sep.end())
            if k is None or sep.end() in starts:
                break
            t = tokens[k]
            if "-" in t.key and t.key.partition("-")[0] in _PLACE_FIELDS:
                end = t.end  # "PO-Parsa": the field rule takes the place, the chain goes on after it
                continue
            if not (_field_target(t) and (t.unknown or t.place) and not t.common) \
                    or (len(t.key) <= 3 and text[t.end:t.end + 1] == "."):
                break  # "Nr. Bus Depot": an abbreviation is no place
            last = _extend_place(text, tokens, k)
            after = text[tokens[last].end:tokens[last].end + 2]
            if not (after[:1] in (",", "\n", "", "|", "\t") or after in (" -", " (", " |", ". ", "  ")
                    or after[:1] == "-" or after[1:2].isdigit()):
                break
            found.append(Span(t.start, tokens[last].end, _LOCATION, 0.7, "address_chain"))
            end = tokens[last].end
    return found


_CHAIN_LABELS = frozenset({_ADDRESS, _LOCATION})
_CHAIN_LEAD = frozenset(", \n\t")
# Between the parts of an address: a comma, or a line break with a comma before it or an indented next line.
_CHAIN_GAP = re.compile(r", (?! )|,?[ \t]*\n[ \t]{2,}|,[ \t]*\n")
# Before a place that starts an address in a table cell or a form field: "| Benipatti, Araria |".
_CELL_START = re.compile(r"(?:^|[|\t=]|: |\b[Oo][Ff] |\bOF )[ \t]*$")
# Field words written after the place they label: "Kanjirappally P.O.", "Prakasam Dist.", "KOTHAMANGALAM P.O.".
_FIELD_SUFFIXES = (" P.O.", " Dist.", " DIST.", " P.O ", " Distt.", " District,", " DISTRICT,")


def _places_before_fields(text: str, tokens: list[Token]) -> list[Span]:
    found: list[Span] = []
    for suffix in _FIELD_SUFFIXES:
        p = text.find(suffix)
        while p != -1:
            k = _ending_at(tokens, p)
            if k is not None:
                t = tokens[k]
                if _field_target(t) and not t.common and (t.unknown or t.place) and len(t.key) >= 3:
                    found.append(Span(t.start, t.end, _LOCATION, 0.7, "address_chain"))
            p = text.find(suffix, p + 1)
    return found


def _cell_places(text: str, tokens: list[Token], spans: list[Span]) -> list[Span]:
    """"| Benipatti, Araria |", "ADD=Jhandutta, Jila Kangra": a word no list knows, at the start of a
    table cell or a field and followed by a comma and a known place, is a place too."""
    found: list[Span] = []
    for span in spans:
        if span.label not in _CHAIN_LABELS or text[span.start - 2:span.start] != ", ":
            continue
        k = _ending_at(tokens, span.start - 2)
        if k is None:
            continue
        t = tokens[k]
        first = k
        if k > 0 and joined(text, tokens[k - 1], t) and _field_target(tokens[k - 1]):
            first = k - 1
        if not all(_field_target(tokens[m]) and not tokens[m].common for m in range(first, k + 1)):
            continue
        line_start = text.rfind("\n", 0, tokens[first].start) + 1
        if _CELL_START.search(text, max(line_start, tokens[first].start - 6), tokens[first].start):
            found.append(Span(tokens[first].start, t.end, _LOCATION, 0.7, "address_chain"))
    return found


def _cued_places(text: str, tokens: list[Token], candidates: list[int]) -> list[Span]:
    """Home-town words ("Sasural Roopwas", "maika Pipariya", "ooru Salooni"), a place after "at"/"from"
    that ends a clause ("fall from roof at Mawphlang |"), "FROM X Y TO" in capitals, "X se," in Hinglish."""
    found: list[Span] = []
    home = "sural" in text or "aika" in text or "ooru" in text or "ayka" in text or "Ghar " in text \
        or "aon " in text or "SURAL" in text or "AIKA" in text or "OORU" in text or "GHAR " in text or "AON " in text
    for m in _HOME_WORDS.finditer(text) if home else ():
        k = _starting_at(tokens, m.end())
        if k is not None and _field_target(tokens[k]) and not tokens[k].common and not tokens[k].name:
            found.append(Span(tokens[k].start, tokens[_extend_place(text, tokens, k, 2)].end, _LOCATION,
                              0.7, "home_place"))
    n = len(tokens)
    for i in candidates:
        tok = tokens[i]
        if tok.key not in ("at", "from") or i + 1 >= n:
            continue
        t = tokens[i + 1]
        if not joined(text, tok, t) or not (t.unknown or t.place) or t.common or t.medical or len(t.key) < 4:
            continue
        if tok.upper_line:
            if tok.text != "FROM":
                continue
            last = _extend_place(text, tokens, i + 1, 2)
            if text[tokens[last].end:tokens[last].end + 4] == " TO ":
                found.append(Span(t.start, tokens[last].end, _LOCATION, 0.7, "motion_place"))
            continue
        if tok.text not in ("at", "from") or not t.capitalised or t.text.isupper():
            continue
        last = _extend_place(text, tokens, i + 1, 2)
        after = text[tokens[last].end:tokens[last].end + 2]
        if after[:1] in ("|", "\n", "") or after in (" |", ", "):
            found.append(Span(t.start, tokens[last].end, _LOCATION, 0.7, "motion_place"))
    return found


def _hyphen_tokens(text: str, tokens: list[Token]) -> list[int]:
    """Tokens holding a hyphen before a capital ("PO-Parsa"), found by str.find, not by a test per token."""
    out: list[int] = []
    p = text.find("-")
    while p != -1:
        if p > 0 and text[p + 1:p + 2].isupper() and text[p - 1].isalpha():
            k = bisect_right(tokens, p, key=_TOKEN_START) - 1
            if k >= 0 and tokens[k].end > p and tokens[k].unknown:
                out.append(k)
        p = text.find("-", p + 1)
    return out


_ROUND4_KEYS = _PLACE_FIELDS | _COLON_FIELDS | _SHAPE_KEYS | frozenset({"at", "from"})
# Token flags a gazetteer place or phrase can start at (see _gazetteer_start).
_TRIGGER_FLAGS = PLACE | PHRASE_START


@functools.cache
def _trigger_keys() -> frozenset[str]:
    """Every key some key-triggered rule below starts at: one set look-up per token finds them all."""
    return _ROUND4_KEYS | _LOCALITY_WORDS | _ANY_CUE | _hospital_triggers()


def find_places(text: str, tokens: list[Token], lex: Lexicon, profile: str) -> list[Span]:
    # One pass over the tokens picks every token any rule below can start at (a key in one of their
    # trigger sets, or a gazetteer start); each rule then visits only its own share of that short list
    # instead of walking every token again. Lists stay ascending, so each rule sees its tokens in order.
    keys = _trigger_keys()
    flags = _TRIGGER_FLAGS
    hits = [i for i, t in enumerate(tokens)
            if t.key in keys or t.flags & flags or (t.unknown and len(t.key) >= 6)]
    candidates = [i for i in hits if tokens[i].key in _ROUND4_KEYS]
    hyphened = _hyphen_tokens(text, tokens)
    if hyphened:
        candidates = sorted(set(candidates).union(hyphened))
    hospital_keys = _hospital_triggers()
    # A gazetteer start matches only when capitalised (or in a capitals line) and not Devanagari.
    gazetteer = [i for i in hits if ((t := tokens[i]).flags & flags or (t.unknown and len(t.key) >= 6))
                 and (t.capitalised or t.upper_line) and not t.devanagari]
    spans = (_gazetteer_places(text, tokens, lex, gazetteer)
             + _localities(text, tokens, [i for i in hits if tokens[i].key in _LOCALITY_WORDS])
             + _address_cues(text, tokens, [i for i in hits if tokens[i].key in _ANY_CUE])
             + _field_places(text, tokens, candidates)
             + _hospitals(text, tokens, [i for i in hits if tokens[i].key in hospital_keys])
             + find_devanagari_addresses(text, tokens) + _address_shapes(text, tokens, candidates))
    spans += _cued_places(text, tokens, candidates)
    if "P.O" in text or "Dist" in text or "DIST" in text:
        spans += _places_before_fields(text, tokens)
    spans += _chain_places(text, tokens, spans)
    spans += _cell_places(text, tokens, spans)
    return spans + _state_abbreviations(text, spans)


# Devanagari address words beyond the lexicon's: police station, ward, block, town.
_DEVA_CUES = DEVANAGARI_ADDRESS_CUES | frozenset({"थाना", "वार्ड", "ब्लॉक", "ब्लाक", "कस्बा", "मौजा", "तह", "जनपद"})
_DEVA_LOCATION_CUES = frozenset({"जिला", "ज़िला", "तहसील", "थाना", "जनपद", "ब्लॉक", "ब्लाक"})
# Cues that are part of the place they introduce: "मोहल्ला काजीटोला".
_DEVA_CUE_INSIDE = frozenset({"मोहल्ला", "वार्ड"})
# Devanagari function words that end a place: postpositions and "near".
_DEVA_STOP = frozenset({"में", "से", "को", "पर", "के", "की", "का", "पास", "द्वारा", "तक", "व", "एवं", "और", "हेतु"})
# Devanagari locality heads after a name: "शास्त्री नगर", "गांधी चौक", "सब्जी मंडी".
_DEVA_LOCALITY = frozenset({"नगर", "चौक", "कॉलोनी", "कालोनी", "मार्ग", "रोड", "बाजार", "बाज़ार", "मंडी", "गली", "टोला",
                            "विहार", "पुरम", "पुरा", "गंज", "बस्ती", "मोहल्ला"})
# Devanagari hospital heads and the words that alone name no hospital.
_DEVA_HOSPITAL_HEADS = frozenset({"चिकित्सालय", "अस्पताल", "केंद्र", "केन्द्र", "कॉलेज", "कालेज", "औषधालय", "होम",
                                  "हॉस्पिटल", "क्लिनिक", "संस्थान"})
_DEVA_HOSPITAL_GENERIC = frozenset({"जिला", "ज़िला", "राजकीय", "सरकारी", "प्राथमिक", "सामुदायिक", "स्वास्थ्य", "मेडिकल",
                                    "महिला", "सिविल", "सामान्य", "उप", "संयुक्त", "नर्सिंग", "चिकित्सा", "आयुर्वेदिक",
                                    "रेफरल", "उपकेंद्र", "शासकीय", "निजी", "बाल", "मातृ", "शिशु", "विज्ञान"})
# House and ward numbers: "म.नं. 29", "मकान संख्या ५५/६", "मकान नं. ३००", "वार्ड नं. १९".
_DEVA_NUMBER = re.compile(r"(?:म\.[ \t]?नं|मकान[ \t]+(?:नं|संख्या|नंबर)|वार्ड[ \t]+(?:नं|संख्या|नंबर)|मकान|वार्ड)"
                          r"\.?[ \t]*[-:]?[ \t]*[0-9०-९]{1,5}(?:[/\-][0-9०-९]{1,5})*")
_DEVA_PIN = re.compile(r"[ \t,\-–:]*([१-९][०-९]{5})(?![०-९0-9])")


def _deva_word(tok: Token) -> bool:
    return tok.devanagari and tok.text not in HINDI_COMMON and tok.text not in _DEVA_STOP \
        and not ("\u0966" <= tok.text[:1] <= "\u096f")


def _deva_joined(text: str, left: Token, right: Token) -> bool:
    return text[left.end:right.start] == " "


def _devanagari_extras(text: str, tokens: list[Token]) -> list[Span]:
    """Landmarks before "के पास" and the district after them, localities, hospitals, house numbers."""
    spans = [Span(m.start(), m.end(), _ADDRESS, 0.75, "devanagari_address") for m in _DEVA_NUMBER.finditer(text)]
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if not tok.devanagari:
            continue
        t = tok.text
        if t == "के" and i + 1 < n and tokens[i + 1].text == "पास" and _deva_joined(text, tok, tokens[i + 1]):
            # "हनुमान मंदिर के पास", "पानी की टंकी के पास": up to three words back to a comma or a line's start.
            j = i
            while j - 1 >= 0 and i - j < 3 and tokens[j - 1].devanagari and tokens[j - 1].text not in HINDI_COMMON - {"की", "का"} \
                    and not ("\u0966" <= tokens[j - 1].text[:1] <= "\u096f") and _deva_joined(text, tokens[j - 1], tokens[j]) \
                    and tokens[j - 1].text not in _DEVA_CUES:
                j -= 1
            while j < i and tokens[j].text in ("की", "का", "के"):
                j += 1
            if j < i:
                spans.append(Span(tokens[j].start, tokens[i - 1].end, _ADDRESS, 0.7, "devanagari_address"))
            # "के पास, लखीमपुर खीरी - ४७६०५३": the town after the landmark.
            k = i + 2
            if k < n and text[tokens[i + 1].end:tokens[k].start] == ", " and _deva_word(tokens[k]):
                last = k
                while last + 1 < n and last - k < 2 and _deva_joined(text, tokens[last], tokens[last + 1]) \
                        and _deva_word(tokens[last + 1]):
                    last += 1
                spans.append(Span(tokens[k].start, tokens[last].end, _LOCATION, 0.7, "devanagari_address"))
            continue
        if t in _DEVA_LOCALITY and i > 0 and _deva_joined(text, tokens[i - 1], tok) and _deva_word(tokens[i - 1]) \
                and tokens[i - 1].text not in _DEVA_CUES:
            j = i - 1
            if j > 0 and _deva_joined(text, tokens[j - 1], tokens[j]) and _deva_word(tokens[j - 1]) \
                    and tokens[j - 1].text not in _DEVA_CUES:
                j -= 1
            spans.append(Span(tokens[j].start, tok.end, _ADDRESS, 0.7, "devanagari_address"))
            continue
        if t in _DEVA_HOSPITAL_HEADS:
            j = i
            while j - 1 >= 0 and i - j < 4 and _deva_joined(text, tokens[j - 1], tokens[j]) \
                    and (_deva_word(tokens[j - 1]) or tokens[j - 1].text in _DEVA_HOSPITAL_GENERIC):
                j -= 1
            last = i
            while last + 1 < n and last - i < 2 and _deva_joined(text, tokens[last], tokens[last + 1]) \
                    and _deva_word(tokens[last + 1]) and tokens[last + 1].text not in _DEVA_HOSPITAL_HEADS:
                last += 1
            named = last > i or any(tokens[k].text not in _DEVA_HOSPITAL_GENERIC for k in range(j, i))
            if named and j < i:
                spans.append(Span(tokens[j].start, tokens[last].end, _HOSPITAL, 0.75, "devanagari_hospital"))
    found = []
    for span in spans:
        if span.label == _LOCATION:
            m = _DEVA_PIN.match(text, span.end)
            if m is not None:
                found.append(Span(m.start(1), m.end(1), _PIN, 0.75, "devanagari_address"))
    return spans + found


def find_devanagari_addresses(text: str, tokens: list[Token]) -> list[Span]:
    """पता: ..., ग्राम बरहरा, जिला भोजपुर — Devanagari words after an address word."""
    spans: list[Span] = []
    if text.isascii():
        return spans
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if not tok.devanagari or tok.text not in _DEVA_CUES:
            continue
        j = i + 1
        last = None
        while j < n and j - i <= 4 and tokens[j].devanagari and tokens[j].text not in HINDI_COMMON \
                and tokens[j].text not in _DEVA_CUES and tokens[j].text not in _DEVA_STOP and "\n" not in text[tokens[j - 1].end:tokens[j].start] \
                and not any(c in ",।;|" or c.isalpha() for c in text[tokens[j - 1].end:tokens[j].start]):
            last = j
            j += 1
        if last is None:
            # "ग्राम Bairia": a place written in Latin letters after a Devanagari address word.
            while j < n and j - i <= 3 and not tokens[j].devanagari and (tokens[j].capitalised or tokens[j].upper_line) \
                    and not tokens[j].stop and not tokens[j].medical and not (tokens[j].common and not tokens[j].place) \
                    and "\n" not in text[tokens[j - 1].end:tokens[j].start] \
                    and not any(c in ",।;|" or c.isalpha() for c in text[tokens[j - 1].end:tokens[j].start]):
                last = j
                j += 1
        if last is not None:
            label = Label.LOCATION if tok.text in _DEVA_LOCATION_CUES else Label.ADDRESS
            start = tok.start if tok.text in _DEVA_CUE_INSIDE else tokens[i + 1].start
            spans.append(Span(start, tokens[last].end, label.value, 0.75, "devanagari_address"))
    return spans + _devanagari_extras(text, tokens)

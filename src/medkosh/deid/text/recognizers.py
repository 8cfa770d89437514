"""Pattern recognizers declared as data, in the style of Presidio's: a pattern (RE2 syntax, so
matching is linear in the text whatever the input), the words that confirm it when found just
before, and a validator (checksum or plausibility) that must accept the matched text.

`context_required` applies to the default profile; the scan profile (a release gate, where a
missed identifier costs more than a false alarm) drops the context requirement for recognizers
marked `scan_without_context`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import re2

from medkosh.deid.text import validators as v
from medkosh.deid.text.types import Label, Span

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_MONTH_NUM = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
              "sep": 9, "oct": 10, "nov": 11, "dec": 12}
# Month words that are also ordinary English ("may", "mar", "march") need a year or a capital letter.
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "march", "jun", "sept", "dec"})


@dataclass(frozen=True)
class PatternRecognizer:
    name: str
    label: Label
    pattern: str
    score: float
    group: int = 0
    context: tuple[str, ...] = ()
    context_required: bool = False
    scan_without_context: bool = True
    validator: Callable[[str, str, int, int], bool] | None = None  # (value, text, start, end)
    # "Reg. No. TN-1176": a state council's code names a state, not a person; only the number is kept.
    strip_state_prefix: bool = False
    compiled: re2._Regexp = field(init=False, repr=False, compare=False)
    compiled_bytes: re2._Regexp = field(init=False, repr=False, compare=False)
    context_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    label_value: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label_value", self.label.value)
        object.__setattr__(self, "compiled", re2.compile(self.pattern))
        object.__setattr__(self, "compiled_bytes", re2.compile(self.pattern.encode()))
        ctx = None
        if self.context:
            # Word-bounded, so "uid" does not fire inside "fluid". The window is short: cheap.
            alternation = "|".join(re.escape(c) for c in sorted(self.context, key=len, reverse=True))
            ctx = re.compile(rf"(?<![a-z0-9])(?:{alternation})(?![a-z])")
        object.__setattr__(self, "context_re", ctx)

    def has_context(self, text: str, start: int, window: int = 48) -> bool:
        if self.context_re is None:
            return False
        return self.context_re.search(text[max(0, start - window):start].lower()) is not None

    def find(self, text: str, profile: str, data: str | bytes | None = None) -> list[Span]:
        """Matches in `text`. `data` may be the text's ASCII bytes: RE2's Python binding is ~3x
        cheaper per match on bytes, and for ASCII text byte offsets are character offsets."""
        out: list[Span] = []
        found: Iterable[tuple[int, int]]
        if isinstance(data, bytes):
            found = _byte_spans(self.compiled_bytes, data, self.group)
            if len(data) != len(text):  # UTF-8 of a non-ASCII note: byte offsets → code points
                found = _char_spans(iter(found), data)
        else:
            found = (m.span(self.group) for m in self.compiled.finditer(data if data is not None else text))
        validator = self.validator
        # A UUID needs four dashes: most notes have fewer, and then no match can be inside one.
        uuid_check = self.label_value not in ("EMAIL", "URL") and text.count("-") >= 4
        for start, end in found:
            if start < 0 or start == end:
                continue
            if validator is not None and not validator(text[start:end], text, start, end):
                continue
            if uuid_check and _inside_uuid(text, start, end):
                continue
            if self.strip_state_prefix and end - start > 3 and text[start + 2] == "-" and text[start:start + 2].isupper() \
                    and text[start + 3].isdigit() and v.state_code_valid(text[start:start + 2]):
                start += 3
            score = self.score
            if self.context:
                if self.has_context(text, start):
                    score = min(1.0, score + 0.15)
                elif self.context_required and not (profile == "scan" and self.scan_without_context):
                    continue
            out.append(Span(start, end, self.label_value, score, self.name))
        return out


_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = (-1, -1)


def _byte_spans(compiled: re2._Regexp, data: bytes, group: int) -> list[tuple[int, int]]:
    """finditer() over bytes without a Match object per hit: the binding's generator builds one
    (and its offset table) for every match, which cost more than the matching itself on short notes.
    Same semantics: leftmost matches, left to right, an empty match advances one byte."""
    regexp = getattr(compiled, "_regexp", None)
    if regexp is None:  # another binding version: its public API
        return [m.span(group) for m in compiled.finditer(data)]
    match = regexp.Match
    found: list[tuple[int, int]] = []
    pos = 0
    n = len(data)
    while True:
        spans = match(_UNANCHORED, data, pos, n)
        whole = spans[0]
        if whole == _NO_MATCH:
            return found
        found.append(spans[group])
        if pos == n:
            return found
        pos = whole[1] if whole[1] != pos else pos + 1


def _char_spans(spans: Iterator[tuple[int, int]], data: bytes) -> Iterator[tuple[int, int]]:
    """Byte offsets into UTF-8 `data` as code-point offsets. RE2 in UTF-8 mode matches whole
    characters, and one recognizer's offsets never go back past its previous match, so each byte is
    decoded about once: linear in the note."""
    last_byte = last_char = 0
    for start, end in spans:
        if start < 0:
            yield start, end
            continue
        out = []
        for off in (start, end):
            if off < last_byte:  # cannot happen for RE2's left-to-right matches; stay correct anyway
                last_byte = last_char = 0
            last_char += len(data[last_byte:off].decode("utf-8"))
            last_byte = off
            out.append(last_char)
        yield out[0], out[1]


# ---- validators with access to the surrounding text -------------------------------------------

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _inside_uuid(text: str, start: int, end: int) -> bool:
    """A random UUID (a record id minted by software) names nobody; its pieces are not identifiers."""
    lo = max(0, start - 36)
    window = text[lo:end + 36]
    if window.count("-") < 4:
        return False
    return any(m.start() + lo <= start and end <= m.end() + lo for m in _UUID.finditer(window))


def _is_alnum_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isalnum()


def _isolated(text: str, start: int, end: int) -> bool:
    """Not glued to other digits/letters or to a decimal point, slash or dash continuing a number."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isalnum() or after.isalnum():
        return False
    if before in "./-" and start > 1 and text[start - 2].isdigit():
        return False
    return not (after in "./-" and end + 1 < len(text) and text[end + 1].isdigit())


def _aadhaar(value: str, text: str, start: int, end: int) -> bool:
    return _isolated(text, start, end) and v.aadhaar_valid(value)


def _aadhaar_plain(value: str, text: str, start: int, end: int) -> bool:
    return _aadhaar(value, text, start, end) and value.isdigit()


def _aadhaar_separated(value: str, text: str, start: int, end: int) -> bool:
    return _aadhaar(value, text, start, end) and not value.isdigit()


def _isolated_only(value: str, text: str, start: int, end: int) -> bool:
    return _isolated(text, start, end)


def _has_digit(value: str, text: str, start: int, end: int) -> bool:
    return any(ch.isdigit() for ch in value)


def _pan(value: str, text: str, start: int, end: int) -> bool:
    return v.pan_valid(value)


def _state_code(value: str, text: str, start: int, end: int) -> bool:
    return v.state_code_valid(value) and _isolated(text, start, end)


def _ipv4(value: str, text: str, start: int, end: int) -> bool:
    return v.ipv4_valid(value) and _isolated(text, start, end)


def _pin(value: str, text: str, start: int, end: int) -> bool:
    return _isolated(text, start, end) and v.pin_plausible(value.replace(" ", ""))


def _age(value: str, text: str, start: int, end: int) -> bool:
    return value.isdigit() and 90 <= int(value) <= 125


def _numeric_date(value: str, text: str, start: int, end: int) -> bool:
    if not _isolated(text, start, end):
        return False
    seps = [ch for ch in value if not ch.isdigit()]
    if len(set(seps)) != 1:
        return False
    parts = [int(p) for p in _DATE_SEPARATORS.split(value)]
    if len(parts) != 3:
        return False
    if len(value.split(seps[0])[0]) == 4:  # ISO-like: year first
        return v.plausible_date(parts[2], parts[1], parts[0]) and 1900 <= parts[0] <= 2099
    year = v.expand_year(parts[2])
    if not 1900 <= year <= 2099:
        return False
    if seps[0] == "." and len(value.split(".")[2]) == 2 and parts[0] <= 12 and parts[1] <= 12:
        # 1.2.10 could be a version or a dose series; day.month.yy with both ≤ 12 is still a
        # date in Indian notes, but only when not part of a longer dotted run (checked by _isolated).
        pass
    return v.plausible_date(parts[0], parts[1], year) or v.plausible_date(parts[1], parts[0], year)


# Compiled once: these run for every candidate date.
_DATE_SEPARATORS = re.compile(r"[/.\-]")
_SCORE_WORDS = re.compile(r"pain|apgar|gcs|score|power|grade|ratio|reflex")
_VALUE_AFTER = re.compile(r"[=:]\s*$")
_LATIN_RUNS = re.compile(r"[A-Za-z]+")
_YEAR_END = re.compile(r"(?:\d{4}|'\d{2})\s*$")
_FOUR_DIGITS = re.compile(r"\d{4}")
_DIGIT_RUNS = re.compile(r"\d+")

_DATE_CUE = re.compile(r"(?:\b(?:on|since|from|till|until|dated?|dt|d/o|admitted|discharged|seen|"
                       r"doa|dod|dos|by|before|after|दिनांक|दि|तारीख|तिथि)\s*[:.]?\s*)$")
_MD_STOP_AFTER = re.compile(r"^\s*(?:ns|normal saline|strength|str|tab|tablet|cup|pain|mg|ml|units?|"
                            r"times|sessions?|doses?|full|scale)\b", re.IGNORECASE)


def _month_day(value: str, text: str, start: int, end: int) -> bool:
    """M/D or D/M without a year (nursing notes are full of them), but not a fraction or a score."""
    if not _isolated(text, start, end):
        return False
    a, b = (int(p) for p in value.split("/"))
    if not (v.plausible_date(b, a, None) or v.plausible_date(a, b, None)):
        return False
    before = text[max(0, start - 24):start].lower()
    if _DATE_CUE.search(before):
        return True
    after = text[end:end + 24]
    if _MD_STOP_AFTER.match(after) or _SCORE_WORDS.search(before[-14:]):
        return False
    if b in (2, 3, 4) and a < b:  # 1/2, 2/3, 3/4: fractions
        return False
    if b in (5, 10) and a <= b:  # 4/5 power, 3/10 pain
        return False
    if a == b and a <= 5:
        return False
    # After a colon or "=" the number is a value (BP: 12/8 is rare, but "ratio: 1/6" is not a date).
    return not _VALUE_AFTER.search(text[max(0, start - 3):start])


def _month_year(value: str, text: str, start: int, end: int) -> bool:
    if not _isolated(text, start, end):
        return False
    month, year = value.replace("-", "/").split("/")
    return 1 <= int(month) <= 12 and 1900 <= int(year) <= 2099


def _word_date(value: str, text: str, start: int, end: int) -> bool:
    """Dates written with a month word: refuse "may"/"mar" in running text unless a year follows."""
    if _is_alnum_at(text, start - 1) or _is_alnum_at(text, end):
        return False
    if start > 1 and text[start - 1] in "./-" and text[start - 2].isdigit():
        return False  # the tail of another number (12.03.24 March ...), not a day
    words = _LATIN_RUNS.findall(value)
    month_words = [w for w in words if w[:3].lower() in _MONTH_NUM and w.lower() not in ("st", "nd", "rd", "th", "of")]
    if not month_words:
        return False
    month = month_words[0]
    has_year = _YEAR_END.search(value) is not None or _FOUR_DIGITS.search(value) is not None
    if month.lower() in _AMBIGUOUS_MONTHS and month.islower() and not has_year:
        return False
    # "12 mar" in lower case can be "12 mar(gin)"; accept lower-case short months only with a year.
    digits = _DIGIT_RUNS.findall(value)
    if digits:
        day = int(digits[0]) if len(digits[0]) <= 2 else None
        if day is not None and day > 31:
            return False
    return True


_CTX_AADHAAR = ("aadhaar", "aadhar", "adhaar", "adhar", "uid", "uidai", "आधार", "aadhaar no", "e-kyc")
_CTX_ABHA = ("abha", "health id", "healthid", "hid", "phr", "abdm", "ndhm", "आभा")
_CTX_PHONE = ("phone", "ph", "mob", "mobile", "cell", "tel", "telephone", "contact", "call", "called",
              "pager", "beeper", "beep", "page", "paged", "ext", "number", "no", "whatsapp", "फोन", "फ़ोन", "मोबाइल", "मो", "संपर्क", "दूरभाष")
_CTX_PIN = ("pin", "pincode", "pin code", "postal", "post", "address", "addr", "dist", "district", "city",
            "state", "road", "rd", "nagar", "colony", "village", "vill", "taluk", "taluka", "tehsil", "po",
            "ps", "sector", "street", "marg", "lane", "r/o", "resident", "residing", "near", "opp",
            "chowk", "layout", "pin-", "पिन", "india", "पिनकोड", "पिन कोड", "के पास", "जिला", "ज़िला", "ग्राम",
            "गांव", "गाँव", "पोस्ट", "डाकघर", "तहसील", "थाना", "मोहल्ला", "नगर", "निवासी", "पता")
_CTX_MRN = ("uhid", "mrn", "mr no", "ip no", "op no", "reg no")

# Hindi month names (both common spellings). RE2's \b is ASCII-only, so a validator checks that the
# month word is not the head of a longer Devanagari word.
_HI_MONTH = (r"(?:जनवरी|फ़रवरी|फरवरी|मार्च|अप्रैल|अप्रेल|मई|जून|जुलाई|अगस्त|सितंबर|सितम्बर|अक्टूबर|अक्तूबर|अक्तुबर"
             r"|नवंबर|नवम्बर|दिसंबर|दिसम्बर)")
# "No." in its English and Hindi writings, and the separators notes put before a value ("UHID :- X").
_NO = r"(?:nos|no|number|num|#|संख्या|सं|नंबर|नं|क्रमांक)"
_SEP = r"[ \t]*(?::-|:|#|-|=|–)?[ \t]*"
_VALUE = r"([A-Z0-9][A-Z0-9/\-]{2,24})"


def _devanagari_word_end(value: str, text: str, start: int, end: int) -> bool:
    """The match does not stop inside a longer word (letters or vowel signs follow) nor start inside a number."""
    after = text[end] if end < len(text) else " "
    if after.isalnum() or "\u0900" <= after <= "\u097f":
        return False
    before = text[start - 1] if start > 0 else " "
    return not before.isalnum() and not (before in "./-" and start > 1 and text[start - 2].isdigit())


def _hi_date(value: str, text: str, start: int, end: int) -> bool:
    if not _devanagari_word_end(value, text, start, end):
        return False
    digits = _DIGIT_RUNS.findall(value)
    return not digits or len(digits[0]) > 2 or 1 <= int(digits[0]) <= 31


def _hi_age(value: str, text: str, start: int, end: int) -> bool:
    return _age(value, text, start, end) and _isolated(text, start, end)


_HOSPITAL_WARD_BEFORE = re.compile(r"(?:\b(?:in|to|into|from|admitted|shifted|transferred)\s+(?:the\s+)?)$", re.IGNORECASE)


def _house_number(value: str, text: str, start: int, end: int) -> bool:
    """"Ward No. 12" after "admitted in"/"shifted to" is a hospital ward, not part of an address."""
    if value[:4].lower() == "ward" and _HOSPITAL_WARD_BEFORE.search(text[max(0, start - 24):start]):
        return False
    return _has_digit(value, text, start, end)


def _id_value(value: str, text: str, start: int, end: int) -> bool:
    """A keyed value holds a digit and is not the start of a decimal (a lab value "No. 4.5")."""
    return _has_digit(value, text, start, end) and not (end + 1 < len(text) and text[end] == "." and text[end + 1].isdigit())

_PATTERNS: list[PatternRecognizer] = [
    # Identifiers with an @ or a scheme first: they contain digits the number recognizers would split.
    PatternRecognizer("abha_address", Label.ABHA_ADDRESS,
                      r"(?i)\b[a-z0-9][a-z0-9._]{1,31}@(?:abdm|sbx|ndhm|phr)\b", 0.95),
    PatternRecognizer("email", Label.EMAIL, r"(?i)\b[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}\b", 0.95),
    PatternRecognizer("url", Label.URL, r"(?i)\b(?:https?://|www\.)[^\s<>\"')\]]+", 0.85),
    PatternRecognizer("ipv4", Label.IP, r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", 0.7, validator=_ipv4),
    # ABHA number: 14 digits, written 91-1234-5678-9012 on the card.
    PatternRecognizer("abha_number_dashed", Label.ABHA_NUMBER, r"\b\d{2}-\d{4}-\d{4}-\d{4}\b", 0.95,
                      validator=_isolated_only),
    PatternRecognizer("abha_number_spaced", Label.ABHA_NUMBER, r"\b\d{2} \d{4} \d{4} \d{4}\b", 0.85,
                      context=_CTX_ABHA, validator=_isolated_only),
    PatternRecognizer("abha_number_plain", Label.ABHA_NUMBER, r"\b\d{14}\b", 0.6, context=_CTX_ABHA,
                      context_required=True, validator=_isolated_only),
    # Aadhaar: Verhoeff-valid 12 digits. Written 2345 6789 0123 it is unmistakable; as a plain run
    # of 12 digits it might be a lab accession number, so it needs the word "Aadhaar" nearby.
    PatternRecognizer("aadhaar_separated", Label.AADHAAR, r"\b[2-9]\d{3}[ \-]\d{4}[ \-]\d{4}\b", 0.85,
                      context=_CTX_AADHAAR, validator=_aadhaar_separated),
    PatternRecognizer("aadhaar_plain", Label.AADHAAR, r"\b[2-9]\d{11}\b", 0.6, context=_CTX_AADHAAR,
                      context_required=True, validator=_aadhaar_plain),
    PatternRecognizer("aadhaar_masked", Label.AADHAAR, r"(?i)\b[x*]{4}[ \-]?[x*]{4}[ \-]?\d{4}\b", 0.9),
    PatternRecognizer("pan", Label.PAN, r"\b[A-Z]{3}[PCHFATBLJGK][A-Z]\d{4}[A-Z]\b", 0.85, validator=_pan),
    PatternRecognizer("pan_any_case", Label.PAN, r"(?i)\b[a-z]{3}[pchfatbljgk][a-z]\d{4}[a-z]\b", 0.6,
                      context=("pan", "pan card", "pan no", "income tax"), context_required=True, validator=_pan),
    PatternRecognizer("voter_id", Label.VOTER_ID, r"\b[A-Z]{3}\d{7}\b", 0.6,
                      context=("voter", "epic", "election", "voter id")),
    PatternRecognizer("passport", Label.PASSPORT, r"(?i)\b[a-z][1-9]\d{5}[1-9]\b", 0.5,
                      context=("passport", "passport no", "pp no"), context_required=True),
    PatternRecognizer("driving_licence", Label.DRIVING_LICENCE,
                      r"(?i)\b[a-z]{2}[ \-]?\d{2}[ \-]?(?:19|20)\d{2}[ \-]?\d{7}\b", 0.8, validator=_state_code,
                      context=("dl", "licence", "license", "driving")),
    PatternRecognizer("vehicle", Label.VEHICLE, r"\b[A-Z]{2}[ \-]?\d{1,2}[ \-]?[A-Z]{1,3}[ \-]?\d{4}\b", 0.7,
                      validator=_state_code, context=("vehicle", "car", "bike", "scooter", "registration", "reg")),
    # Phones: Indian mobiles (6-9 then 9 digits) in the common writings, landlines with STD codes.
    PatternRecognizer("phone_in_intl", Label.PHONE, r"(?:\+|\b00)91[ \-]?(?:\(0\)[ \-]?)?\d{2,5}[ \-]?\d{3,5}[ \-]?\d{3,5}\b",
                      0.9, validator=_has_digit),
    PatternRecognizer("phone_in_mobile", Label.PHONE, r"\b(?:(?:91|0)[ \-]?)?[6-9]\d{4}[ \-]?\d{5}\b", 0.75,
                      context=_CTX_PHONE, validator=_isolated_only),
    PatternRecognizer("phone_in_mobile_334", Label.PHONE, r"\b[6-9]\d{2}[ \-]\d{3}[ \-]\d{4}\b", 0.7,
                      context=_CTX_PHONE, validator=_isolated_only),
    PatternRecognizer("phone_landline", Label.PHONE, r"\b0\d{2,4}[ \-](?:\d{6,8}|\d{3,4}[ \-]\d{4})\b", 0.7, context=_CTX_PHONE,
                      validator=_isolated_only),
    PatternRecognizer("phone_landline_paren", Label.PHONE, r"\(0?\d{2,4}\)[ \-]?\d{3,4}[ \-]?\d{4}\b", 0.8),
    PatternRecognizer("phone_us", Label.PHONE, r"\b\d{3}[\-.]\d{3}[\-.]\d{4}\b", 0.7, context=_CTX_PHONE,
                      validator=_isolated_only),
    # 555-1234: a local number. Clinical values are not written 3 digits, dash, 4 digits.
    PatternRecognizer("phone_short", Label.PHONE, r"\b\d{3}-\d{4}\b", 0.5, context=_CTX_PHONE,
                      validator=_isolated_only),
    PatternRecognizer("phone_ext", Label.PHONE, r"(?i)\b(?:ext|x)\.? ?(\d{3,5})\b", 0.5, group=1,
                      context=_CTX_PHONE, context_required=True),
    # Hospital numbers: the keyword names the field; only the value is the identifier.
    PatternRecognizer("mrn", Label.MRN,
                      r"(?i)\b(?:uhid|mrn|crn|regn|regd|m\.r\.n)\.?[ \t]*(?:" + _NO + r"|id)?\.?" + _SEP + _VALUE,
                      0.85, group=1, validator=_has_digit),
    PatternRecognizer("mrn_keyed", Label.MRN,
                      r"(?i)\b(?:mr|mrd|m\.r|ipd?|opd?|i\.p|o\.p|cr|c\.r|reg(?:istration|d|n)?|hosp(?:ital)?|patient|pt"
                      r"|unit|admission|adm|case|record|chart|file|uid|inpatient|outpatient|mlc|m\.l\.c|pm|p\.m"
                      r"|post[ \-]?mortem|autopsy|bht|bed head ticket|donor|rch|mcts|rch/mcts|mcts/rch|referral|ref)\.?"
                      r"[ \t]*(?:" + _NO + r"|id)\.?" + _SEP + _VALUE, 0.8, group=1, validator=_id_value,
                      strip_state_prefix=True),
    # Medico-legal case numbers are written without "No." as often as with it: "MLC 397/2018", "MLC MLC/2018/0445".
    PatternRecognizer("mlc_bare", Label.MRN, r"\b(?:MLC|Mlc|mlc)[ \t]*(?::-|:|-|#)?[ \t]*([A-Z]{0,4}/?\d[0-9A-Z/\-]{1,24})",
                      0.8, group=1, validator=_id_value),
    # Police papers: FIR / GD / DD numbers, and a constable's belt or badge number.
    PatternRecognizer("police_case", Label.ID,
                      r"(?i)\b(?:fir|f\.i\.r|g\.?d|d\.?d|crime|cr\. ?case|ps case|p\.s\. case)\.?[ \t]*"
                      r"(?:no\.?|number|#)?" + _SEP + r"(\d{1,6}(?:[/\-]\d{2,4})?)\b", 0.75, group=1, validator=_isolated_only),
    PatternRecognizer("police_number", Label.ID,
                      r"(?i)\b(?:belt|badge|buckle|pis|constable|const|c/no)\.?[ \t]*(?:no\.?|number|#)" + _SEP
                      + r"(\d{2,7})\b", 0.75, group=1, validator=_isolated_only),
    # A rank, one to three name words, then "No. 2724": the policeman's number ("HC Ram Lal No. 2724, PS X").
    PatternRecognizer("police_rank_number", Label.ID,
                      r"\b(?:HC|H\.C\.|Hc|Head Constable|HEAD CONSTABLE|Constable|CONSTABLE|Ct\.|CT\.|L/Ct\.?|L/CT\.?"
                      r"|SI|S\.I\.|ASI|A\.S\.I\.|SHO|S\.H\.O\.|Inspector|INSPECTOR|Insp\.|INSP\.|HC/|PC|Sub-Inspector)"
                      r"[ \t]+(?:[A-Za-z][A-Za-z.]*[ \t]+){1,3}(?:No|NO|no)\.?[ \t]*(\d{2,7})\b", 0.75, group=1,
                      validator=_isolated_only),
    PatternRecognizer("police_number_ps", Label.ID, r"(?i)\bno\.?[ \t]*(\d{2,7}),?[ \t]+p\.?s\.?[ \t]", 0.7, group=1,
                      validator=_isolated_only),
    # Hospital numbers shaped like IPD-488611 or OPD/60589/23 need no field word.
    PatternRecognizer("mrn_shaped", Label.MRN, r"\b(?:IPD|OPD|IP|OP|MRD|UHID|CR)(?:[\-/]|No\.?)?\d{4,12}(?:[/\-]\d{2,4})?\b",
                      0.75, validator=_isolated_only),
    # Hindi field words: "पर्ची सं. OPD/60589/23", "पंजीकरण संख्या: 4521".
    PatternRecognizer("mrn_hindi", Label.MRN,
                      r"(?:पर्ची|पंजीकरण|पंजीयन|रजिस्ट्रेशन|भर्ती|ओपीडी|आईपीडी|यूएचआईडी|एमएलसी|केस|मरीज़|मरीज)[ \t]*"
                      r"(?:सं|संख्या|नं|नंबर|क्रमांक)\.?" + _SEP + r"([A-Za-z0-9][A-Za-z0-9/\-]{2,24})", 0.8, group=1,
                      validator=_id_value),
    # House, flat and plot numbers: the keyword belongs to the address ("House No. 967", "Flat 1211").
    PatternRecognizer("house_number", Label.ADDRESS,
                      r"(?i)\b(?:h\.? ?no|house ?no|flat(?: ?no)?|plot(?: ?no)?|door ?no|d\. ?no|qtr\.? ?no|quarter ?no"
                      r"|shop ?no|bungalow ?no|khasra ?no|ward ?no|gali ?no|street ?no|lane ?no|makan ?no|block ?no)\.?[ \t]*[:#\-]?[ \t]*"
                      r"((?:[A-Za-z]-?)?\d[0-9A-Za-z/\-]{0,14})",
                      0.75, validator=_house_number),
    PatternRecognizer("id_keyed", Label.ID,
                      r"(?i)\b(?:accession|acc|specimen|sample|lab|policy|card|account|a/c|ration|insurance"
                      r"|claim|employee|emp|member|beneficiary|pmjay|cghs|esic|ticket|ref|reference|id|ayushman"
                      r"|bag|blood bag|segment|enrolment|enrollment|abha|nikshay|rch|mcts)"
                      r"\.?[ \t]*(?:no\.?|number|num|id|#|:)[ \t]*[:#\-=]?[ \t]*([A-Z]{0,5}\d[0-9A-Z/\-]{3,24})",
                      0.6, group=1, validator=_has_digit),
    # State abbreviations (U.P., M.P., J&K) after a place or in brackets: "Doda (H.P.)", "Agra, U.P.".
    # Dotted forms only, and only in that position: "AP view" and "UP" in capitals are no places.
    PatternRecognizer("state_abbreviation", Label.LOCATION,
                      r"(?:,|\()[ \t]*((?:U\.[ \t]?P|M\.[ \t]?P|A\.[ \t]?P|H\.[ \t]?P|T\.[ \t]?N|W\.[ \t]?B|J\.?[ \t]?&[ \t]?K)\.?)"
                      r"(?:[ \t]*[),;\n\-]|[ \t]+\d|$)", 0.7, group=1),
    PatternRecognizer("state_jk", Label.LOCATION, r"\bJ[ \t]?&[ \t]?K\b", 0.7),
    PatternRecognizer("digits_long", Label.ID, r"\b\d{9,}\b", 0.5, validator=_isolated_only),
    PatternRecognizer("pin", Label.PIN, r"\b[1-9]\d{2} ?\d{3}\b", 0.6, context=_CTX_PIN, context_required=True,
                      scan_without_context=False, validator=_pin),
    # Dates in every common writing.
    PatternRecognizer("date_numeric", Label.DATE, r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b", 0.85,
                      validator=_numeric_date),
    PatternRecognizer("date_iso", Label.DATE,
                      r"\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?\b",
                      0.9, validator=lambda value, text, s, e: _numeric_date(value[:10].rstrip("T "), text, s, s + len(value[:10].rstrip("T ")))),
    PatternRecognizer("date_day_month", Label.DATE,
                      rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?(?:[ \t]+of)?[ \t\-./]*{_MONTH}\.?(?:,?[ \t\-./']*(?:\d{{4}}|\d{{2}}))?\b",
                      0.85, validator=_word_date),
    PatternRecognizer("date_month_day", Label.DATE,
                      rf"(?i)\b{_MONTH}\.?[ \t\-]+\d{{1,2}}(?:st|nd|rd|th)?(?:,?[ \t]+\d{{4}})?\b", 0.8, validator=_word_date),
    PatternRecognizer("date_month_year", Label.DATE, rf"(?i)\b{_MONTH}\.?,?[ \t\-']*(?:\d{{4}}|'\d{{2}})\b", 0.8,
                      validator=_word_date),
    PatternRecognizer("date_hindi_month", Label.DATE,
                      r"\b\d{1,2}[ \t\-./]*" + _HI_MONTH + r"(?:,?[ \t\-./]*(?:\d{4}|\d{2}))?", 0.85, validator=_hi_date),
    PatternRecognizer("date_hindi_month_year", Label.DATE, _HI_MONTH + r",?[ \t\-]*\d{4}\b", 0.8, validator=_hi_date),
    PatternRecognizer("date_mm_yyyy", Label.DATE, r"\b\d{1,2}[/\-]\d{4}\b", 0.6, validator=_month_year),
    PatternRecognizer("date_month_day_numeric", Label.DATE, r"\b\d{1,2}/\d{1,2}\b", 0.5, validator=_month_day),
    # Ages over 89 are identifying under HIPAA Safe Harbor; younger ages are clinical content.
    PatternRecognizer("age_over_89", Label.AGE,
                      r"(?i)\b(9\d|1[0-2]\d)[ \t]*-?[ \t]*(?:years?|yrs?|yo|y/o|y\.o\.?|year-old|yr-old|y|yrs-old)\b",
                      0.85, group=1, validator=_age),
    PatternRecognizer("age_over_89_keyed", Label.AGE, r"(?i)\bage[d:]?[ \t]*(?:of[ \t]*)?[:=\-]?[ \t]*(9\d|1[0-2]\d)\b",
                      0.85, group=1, validator=_age),
    # Hindi: "उम्र 92 वर्ष", "आयु: 95", "97 वर्ष की" (digits already ASCII: see engine.ascii_digits).
    PatternRecognizer("age_over_89_hindi", Label.AGE, r"(?:उम्र|उमर|आयु)[ \t]*(?:[:=\-–][ \t]*)?(9\d|1[0-2]\d)",
                      0.85, group=1, validator=_hi_age),
    PatternRecognizer("age_over_89_hindi_years", Label.AGE, r"\b(9\d|1[0-2]\d)[ \t]*(?:वर्ष|साल|yrs|years)", 0.85,
                      group=1, validator=_hi_age),
    PatternRecognizer("age_over_89_sex", Label.AGE, r"\b(9\d|1[0-2]\d)[ \t]?/?[ \t]?(?:M|F|yo[MF]|yoM|yoF)\b", 0.7, group=1,
                      validator=_age),
]


def pattern_recognizers() -> list[PatternRecognizer]:
    return list(_PATTERNS)


_SETS: dict[bool, re2.Set] = {}


def _pattern_set(as_bytes: bool) -> re2.Set:
    """All patterns in one RE2 set: one linear pass says which recognizers can match at all, so a
    short note pays for a handful of regex passes instead of forty."""
    if as_bytes not in _SETS:
        built = re2.Set.SearchSet(re2.Options())
        for recognizer in _PATTERNS:
            built.Add(recognizer.pattern.encode() if as_bytes else recognizer.pattern)
        built.Compile()
        _SETS[as_bytes] = built
    return _SETS[as_bytes]


def find_patterns(text: str, profile: str) -> list[Span]:
    spans: list[Span] = []
    # Bytes for every note: RE2's binding converts offsets of str input in Python per match (slow);
    # for non-ASCII notes find() converts the few matched byte offsets itself.
    data = text.encode("utf-8")
    for index in _pattern_set(True).Match(data) or ():
        spans.extend(_PATTERNS[index].find(text, profile, data))
    return spans

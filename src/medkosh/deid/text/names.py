"""Person names: cue words (titles, Indian relation markers S/o W/o D/o, "wife", "seen by"),
gazetteers of first names and surnames, a safe-list of English and clinical words (Philter's
idea), eponym heads ("Parkinson's disease" is not a person), and expansion over adjacent
name-shaped words so "Dr. R. K. Sharma" and "RAMESH KUMAR YADAV" come out whole.

All rules walk the token list a bounded number of times: linear in the note's length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from operator import attrgetter

from medkosh.deid.text.lexicon import (
    CUE,
    DEVANAGARI_CUES,
    DEVANAGARI_TITLES,
    EPONYM_HEADS,
    HINDI_NOT_NAME,
    HINGLISH_KIN,
    KIN_CUES,
    LOWER_KIN,
    NAME_PARTICLES,
    NAME_PREFIXES,
    NICK_LINKS,
    ROLE_ACRONYMS,
    ROLE_FIELDS,
    ROLE_PHRASES,
    ROLE_WORDS,
    STRONG_CUES,
    SUFFIX_CUES,
    TITLES,
    WEAK_CUES,
)
from medkosh.deid.text.tokens import Token, joined
from medkosh.deid.text.types import Label, Span

_MAX_NAME_TOKENS = 5
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A comma before a bare age: "On Glycomet 5 yrs" is a duration, "Etwa Ekka, 45 yrs" a person.
# "Chandrasekhar, a 52-year-old male": the appositive age of case histories.
_AGE_AFTER = re.compile(r"(?:,?[ \t]+aged?[ \t]*:?[ \t]*\d|,[ \t]*\d{1,3}[ \t]*(?:y|yr|yrs|years?|yo)\b"
                        r"|,[ \t]*an?[ \t]+\d{1,3}[ \t]*-?[ \t]*(?:years?|yrs?|yr)[ \t]*-?[ \t]*old\b)", re.IGNORECASE)
# Compact age and sex after a name: "Temjen/62/F", "Kunhiraman 63Y/M", "Putul (60M)", "Bagdi (35/F)",
# "X, 67F", "Mewalal Dhaka  32/M". Sex in capitals (or after a slash): "45 m" may be metres.
_AGE_SEX_AFTER = re.compile(r"(?:[ \t]*/[ \t]*\d{1,3}[ \t]*/[ \t]*[MFmf]\b"
                            r"|[ \t]{1,3}\d{1,3}[ \t]*(?:[Yy](?:rs?|ears?)?[ \t]*)?/[ \t]*[MFmf]\b"
                            r"|[ \t]{1,3}\d{1,3}[ \t]*[Yy](?:rs?)?[ \t]*[MF]\b"
                            r"|[ \t]*\([ \t]*\d{1,3}[ \t]*(?:[Yy](?:rs?)?)?[ \t]*/?[ \t]*[MFmf][ \t]*[),]"
                            r"|,[ \t]*\d{1,3}[ \t]*(?:[Yy](?:rs?)?)?[ \t]*/?[ \t]*[MF]\b"
                            r"|\t\d{1,3}\t)")  # a table row: name cell, then the age cell
_BARE_AGE = re.compile(r",[ \t]*\d{1,3}[ \t]*,")
_HOUSE_LINE = re.compile(r"[ \t]*\n[A-Za-z][A-Za-z \t]{2,40}[ \t](?:House|Veedu|Veettil|Bhavan|Bhawan|Nivas|Niwas|Villa|Illam"
                         r"|HOUSE|VEEDU|VEETTIL|BHAVAN|BHAWAN|NIVAS|NIWAS|VILLA|ILLAM)[ \t]*(?:\n|,|$)")
# Either shape in one regex call (the first part ignores case, the second does not); a cheap test of the
# next character first: most words are followed by something else.
_AGE_ANY = re.compile(f"(?i:{_AGE_AFTER.pattern})|{_AGE_SEX_AFTER.pattern}")
_AGE_FIRST = frozenset(" \t,/(")
_NICK_WORD = re.compile(r"\b(?:urf|alias|aka)\b", re.IGNORECASE)
_TOKEN_END = attrgetter("end")


def _nick_word_in(text: str) -> bool:
    """_NICK_WORD.search(text), without its scan of the whole note in most notes: a case-insensitive
    word regex has no literal to skip ahead by, while substring tests of the lower-cased text run at C
    speed. Only for ASCII text is lower() exactly the regex's IGNORECASE ("K", the Kelvin sign, and
    "ſ", the long s, match k and s there): other text goes to the regex directly."""
    if text.isascii():
        low = text.lower()
        if "urf" not in low and "alias" not in low and "aka" not in low:
            return False
    return _NICK_WORD.search(text) is not None


_LIST_ITEM = re.compile(r"(?:^|\n)[ \t]*\d{1,3}[.)][ \t]*$")
# A chat export's message header: "11/02/2018, 3:39 pm - Sabitri Barnwal: Referral".
_CHAT_HEADER = re.compile(r"\d{1,2}:\d{2}(?:[ \t\u202f]?[AaPp]\.?[Mm]\.?)?[ \t]+-[ \t]+$")


def eponym(tokens: list[Token], i: int, text: str | None = None) -> bool:
    """Parkinson's disease, Bell's palsy, Hodgkin lymphoma, Babinski sign, Foley catheter. Given the
    text, a comma or a full stop between ends the phrase ("son Arumugam, Cell 98…", "amma X. Cell")."""
    # Called for most name-shaped words: the length and the token before are read once per step.
    n = len(tokens)
    prev = tokens[i]
    for j in (i + 1, i + 2):
        if j >= n:
            break
        t = tokens[j]
        if t.key in EPONYM_HEADS and t.start - prev.end <= (4 if prev.possessive else 2):
            if text is not None and any(c in ",.;" for c in text[prev.end:t.start]) and not prev.initial:
                return False
            return True
        if t.stop or not t.key or t.start - prev.end > 2:
            break  # "Morse fall score", "Glasgow Coma Scale": one word may sit between
        prev = t
    return False


def _sentence_initial(text: str, tok: Token) -> bool:
    k = tok.start - 1
    while k >= 0 and text[k] in " \t\"'(":
        k -= 1
    return k < 0 or text[k] in ".!?:;\n-*•>)"


def _in_prose(text: str, tok: Token) -> bool:
    """Inside running text: a lower-case word or a comma just before, and not a field label after."""
    k = tok.start - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k >= 0 and (text[k].islower() or text[k] == ",") and text[tok.end:tok.end + 1] != ":"


def _line_start(text: str, pos: int) -> bool:
    """Only spaces stand between the last line break (or the note's start) and pos."""
    k = text.rfind("\n", max(0, pos - 40), pos)
    if k < 0 and pos > 40:
        return False
    return not text[k + 1:pos].strip(" \t")


_ROLE_KEYS = ROLE_ACRONYMS | ROLE_WORDS | {"ct"}
_PHRASE_LAST = frozenset(p.split()[-1] for p in ROLE_PHRASES)
# The last words of two-word strong cues ("son of", "wife of"): a key outside it ends no such cue, so
# the two-word string is built only for these.
_STRONG_LAST = frozenset(c.rsplit(" ", 1)[-1] for c in STRONG_CUES if " " in c)
_AMBIGUOUS_ROLES = frozenset(["asha", "si", "asi", "mo"])  # also first names or words in capitals


def _role_word(text: str, tok: Token) -> bool:
    """A staff or police role written before a name ("SN", "ASHA:", "HC", "Pilot"): never part of it."""
    key = tok.key
    if key not in _ROLE_KEYS:
        return False
    if key in ROLE_ACRONYMS:
        if not (tok.text.isupper() and len(tok.text) > 1):
            return False
        if key in _AMBIGUOUS_ROLES and tok.upper_line:
            # "ASHA KUMARI" in a capitals line is a woman; "ASHA: KAMLI", "ASHA - X" a health worker.
            return text[tok.end:tok.end + 3].lstrip(" \t")[:1] in (":", "-")
        return True
    if key == "ct":
        # "Ct. Gurnam", "L/CT. DHAPU": a constable, not a CT scan (a clinical word after it stops the cue)
        return tok.text in ("Ct", "CT") and text[tok.end:tok.end + 1] == "."
    return key in ROLE_WORDS and not tok.possessive


def _cue_at(text: str, tokens: list[Token], i: int) -> tuple[str, int] | None:
    """If a cue ends at token i, return (kind, index of the first token after the cue)."""
    tok = tokens[i]
    nxt = i + 1
    if tok.devanagari:
        if tok.text in DEVANAGARI_TITLES:
            return "title", nxt
        if tok.text in DEVANAGARI_CUES:
            return "strong", nxt
        return None
    key = tok.key
    # Relation markers written with a slash: S/o, W/o, D/o, B/o (baby of), C/o (care of, or
    # "complaints of" in clinical shorthand: a weak cue only).
    if len(key) == 1 and nxt < len(tokens) and text[tok.end:tokens[nxt].start] == "/" and tokens[nxt].key == "o":
        rel = key + "/o"
        if rel in ("s/o", "w/o", "d/o", "b/o"):
            return "strong", nxt + 1
        if rel in ("c/o", "h/o"):
            # "care of" / "husband of" a person, or (far more often) "complaints of" / "history of":
            # only a gazetteer name or two unknown name-shaped words count after it.
            return "complaint", nxt + 1
        return None
    if key in _ROLE_KEYS and _role_word(text, tok):
        return "role", nxt
    if key in _PHRASE_LAST and i > 0 and f"{tokens[i - 1].key} {key}" in ROLE_PHRASES:
        return "role", nxt  # "Ward boy Kalua", "Nursing Officer X", "Emergency contact: X"
    if key in ROLE_FIELDS and (tok.capitalised or tok.upper_line) and text[tok.end:tok.end + 2].lstrip(" ")[:1] in (":", "-", "|"):
        return "role", nxt  # field labels: "Child: X", "OPD: X", "Pt: X"
    if key == "baby" and nxt < len(tokens) and tokens[nxt].key in ("girl", "boy", "of"):
        return None  # "Baby Girl" is no name; "Baby of X" is a cue at "of"
    if key == "of" and i > 0 and tokens[i - 1].key in ("baby", "boy", "girl") and tokens[i - 1].capitalised:
        return "strong", nxt  # "Baby of X", "Baby Boy of Md. X"
    if key in HINGLISH_KIN or (key in LOWER_KIN and ((not tok.capitalised and not tok.upper_line)
                                                       or text[max(0, tok.start - 3):tok.start].lower() in ("ki ", "ka ", "ke "))):
        return "kin", nxt  # "Rugna X", "Beti ka naam X", "ki maa X", "Appa peru X"
    if key == "ms" and tok.text == "MS" and not tok.upper_line:
        return None  # in mixed case "MS" is a degree (MS Ortho) or multiple sclerosis, not the title Ms
    if key in TITLES and not tok.possessive:
        # "Dr", "Dr.", "DR" — but not "sister" or "baby" used as ordinary nouns in lower case.
        if key in ("sister", "nurse", "baby", "master", "late", "sir", "madam", "doctor") and not tok.capitalised:
            return None
        return "title", nxt
    if key in ("of",) and i > 0:
        two = f"{tokens[i - 1].key} of"
        if two in STRONG_CUES:
            return "strong", nxt
    if key in _STRONG_LAST and i > 0 and f"{tokens[i - 1].key} {key}" in STRONG_CUES:
        return "strong", nxt
    if key in STRONG_CUES:
        after = text[tok.end:tok.end + 3]
        if key in ("name", "guardian", "signed", "sign", "consultant", "surgeon", "physician", "nok"):
            # Field labels: "Name: ...", "Consultant - Dr ..."; a bare noun in prose is not a cue.
            if after[:1] in ("|", "\t") or after[:2] == " |":
                return "role", nxt  # a table cell: "| Name | Relation |" is a header, not a name
            if after[:1] in (":", "-", "=") or after[:2] in (" :", " -"):
                return "strong", nxt
            if key == "name" and tok.capitalised and _line_start(text, tok.start):
                return "strong", nxt  # a form field without a colon: "Name Rajkali Kuriakose" on its own line
            # In prose "Guardian Dukhni Baxla signed" is a carer (a kin cue); "signed" is no cue.
            return ("kin", nxt) if key in KIN_CUES else None
        return "strong", nxt
    if key in KIN_CUES:
        return "kin", nxt
    if key in ("pt", "patient") and tok.upper_line:
        # "PT SANJUKTA MOMIN, 90 YEARS": in a capitals line "PT" names the patient as a relative
        # word names a relative (a gazetteer name, or a first word no word list knows).
        return "kin", nxt
    if key in WEAK_CUES:
        return "weak", nxt
    return None


def _two_unknown(text: str, tokens: list[Token], j: int) -> bool:
    """Tokens j and j+1 are a first name and surname no word list knows: both unknown (not English,
    not clinical), joined by a space, at least 4 letters each ("C/o Budhu Ekka", "WITH SONAMATI
    EKKA"). Two unknown words in a row after a cue are far more often a name than a complaint."""
    if j + 1 >= len(tokens):
        return False
    a, b = tokens[j], tokens[j + 1]
    if (a.flags | b.flags) & CUE:  # "BY BROTHER-IN-LAW GURMAIL": a cue word is no name
        return False
    return (a.unknown or a.strong_name) and (b.unknown or b.strong_name) and not a.devanagari \
        and not b.devanagari and len(a.key) >= 4 and len(b.key) >= 4 and (a.capitalised or a.upper_line) \
        and (b.capitalised or b.upper_line) and joined(text, a, b) and not _slashed(text, a) \
        and not _slashed(text, b) and not eponym(tokens, j + 1, text)


def _slashed(text: str, tok: Token) -> bool:
    """Part of a slash abbreviation (D/C, S/P, S/O, Age/Sex): never a name word."""
    return text[tok.end:tok.end + 1] == "/" or (tok.start > 0 and text[tok.start - 1] == "/")


def _accept_after_cue(tok: Token, kind: str, first: bool) -> bool:
    if tok.devanagari:
        return tok.text not in HINDI_NOT_NAME
    if tok.initial:
        return True
    if tok.stop and not (first and kind == "title" and tok.capitalised and not tok.upper_line and tok.name):
        return False
    if tok.upper_line:
        if kind == "title":
            return tok.name or tok.unknown or (first and not tok.common and not tok.medical)
        if kind == "strong":
            return tok.name or tok.unknown
        # After "with", "to", "by" in capitals, a word that is also English ("WITH GOOD UO") is not a name.
        if kind == "kin":
            return tok.strong_name or (first and (tok.weak_name or (tok.unknown and len(tok.key) >= 3)))
        # After "BY", "WITH", "TO" in capitals only a gazetteer name: "BY HPLC", "WITH GOOD UO" are not.
        return tok.strong_name
    if not tok.capitalised:
        return False
    if kind in ("title", "strong"):
        # Mixed case: after "Dr."/"Name:" a capitalised word continues the name even when it is also
        # an English word (Salim Shaikh, Anil Date); clinical terms still stop it.
        return not (tok.medical and not first)
    if kind == "complaint":
        return tok.strong_name
    # Weak cue in mixed case: a capitalised word that is a name or is not an English/clinical word;
    # an all-capitals word in mixed-case text is an acronym ("by HPLC"), not a name.
    if tok.text.isupper() and len(tok.text) > 1 and not tok.strong_name:
        return False
    return (tok.name and not tok.medical) or tok.unknown


def _grows(text: str, tokens: list[Token], i: int, j: int) -> bool:
    """Token j may join the name grown from token i (a module-level function, not a closure
    made anew on every call of _extend)."""
    t = tokens[j]
    if t.devanagari:
        return t.text not in HINDI_NOT_NAME and t.text not in DEVANAGARI_TITLES and t.text not in DEVANAGARI_CUES
    if _slashed(text, t):  # the S of "S/o", the D of "D/C": not initials
        return False
    if t.key in ("bai", "devi", "begum", "khatun", "bibi") and j > i and (t.capitalised or t.upper_line):
        return True  # "Omwati Bai", "Parbatiya Devi": part of the name after it
    if t.key in NAME_PARTICLES and 0 < j < len(tokens) - 1:  # "AHMED BIN SALEH" in capitals
        return (tokens[j - 1].name or tokens[j - 1].unknown) and (tokens[j + 1].name or tokens[j + 1].unknown) \
            and joined(text, t, tokens[j + 1]) and joined(text, tokens[j - 1], t) and t.text.isupper()
    if t.key in TITLES:  # "Master", "Kumari", "Shri" stand before names, not inside them ...
        # ... except "Kumari" as a middle name between two name words (Nilima Kumari Minz).
        return t.key == "kumari" and 0 < j < len(tokens) - 1 and (tokens[j - 1].name or tokens[j - 1].unknown) \
            and (tokens[j + 1].name or tokens[j + 1].unknown) and joined(text, t, tokens[j + 1]) \
            and joined(text, tokens[j - 1], t)
    if t.initial:
        return True
    if t.key in KIN_CUES or t.key in WEAK_CUES or t.key in HINGLISH_KIN:  # "BROTHER-IN-LAW GURMAIL": the cue is no name
        return False
    if t.key in _ROLE_KEYS and _role_word(text, t):  # "HC KALICHARAN", "EMT X PILOT Y": the role is no name
        return False
    if t.key in NAME_PREFIXES and t.key not in ("syed", "mirza", "mir", "sheikh", "shaikh"):
        return j < i and (t.capitalised or t.upper_line)  # "Md. Kaneez": part of the name, before it
    if t.stop or t.medical or eponym(tokens, j, text):
        return False
    if t.upper_line:
        return t.name or t.unknown
    return t.capitalised and (t.name or t.unknown)


def _extend(text: str, tokens: list[Token], flagged: list[float], i: int, score: float) -> None:
    """Grow a name left and right over adjacent name-shaped tokens (initials, gazetteer names,
    capitalised unknown words), stopping at words and clinical terms."""
    # _grows() is False for a lower-case Latin word other than "kumari", and joined() is False across
    # a gap of more than three characters: tested first, they end most walks at their first step
    # without the cost of calling joined() and _grows().
    n = len(tokens)
    j = i + 1
    while j < n and j - i <= _MAX_NAME_TOKENS:
        t = tokens[j]
        if t.start - tokens[j - 1].end > 3 or not (t.capitalised or t.upper_line or t.devanagari or t.key == "kumari") \
                or not joined(text, tokens[j - 1], t) or not _grows(text, tokens, i, j):
            break
        flagged[j] = max(flagged[j], score)
        j += 1
    j = i - 1
    while j >= 0 and i - j <= _MAX_NAME_TOKENS:
        t = tokens[j]
        if tokens[j + 1].start - t.end > 3 or not (t.capitalised or t.upper_line or t.devanagari or t.key == "kumari") \
                or not joined(text, t, tokens[j + 1]) or not _grows(text, tokens, i, j):
            break
        flagged[j] = max(flagged[j], score)
        j -= 1


def find_names(text: str, tokens: list[Token], profile: str) -> list[Span]:
    n = len(tokens)
    flagged = [0.0] * n  # score per token, 0 = not a name

    # 1. Cues: titles, relation markers, field labels (only a token with the CUE flag can be one).
    for i in [k for k, t in enumerate(tokens) if t.flags & CUE]:
        cue = _cue_at(text, tokens, i)
        if cue is None:
            continue
        kind, j = cue
        count = 0
        skipped = 0
        prev = i if j == i + 1 else j - 1
        role = kind == "role"
        if role:
            kind = "strong"
        if kind == "strong" and len(tokens[i].key) == 1 and i > 0 and not flagged[i - 1]:
            # "Badri Markam, S/o …", "I, Ramesh Kumar, S/o …", "| Venkatamma Kasaudhan | S/o": the
            # name-shaped word just before a relation marker is the person it describes.
            b = tokens[i - 1]
            k = i - 1
            if b.key in ("bai", "devi", "kumari", "begum", "khatun", "ben", "bibi") and i > 1 and joined(text, tokens[i - 2], b):
                k = i - 2  # "Omwati Bai W/o …": the name word before the female suffix
            gap = text[b.end:tokens[i].start]
            b = tokens[k]
            if (b.unknown or b.strong_name) and (b.capitalised or b.upper_line) and not b.devanagari \
                    and gap.strip(" ,|\t") == "" and "\n" not in gap \
                    and not _slashed(text, b) and not b.flags & CUE and not eponym(tokens, k, text):
                flagged[k] = 0.7
        if kind == "kin":
            kind = "weak" if not tokens[i].upper_line else "kin"
        if kind in ("complaint", "weak", "kin") and _two_unknown(text, tokens, j) \
                and not any(c not in " .:-,\t" for c in text[tokens[j - 1].end:tokens[j].start]):
            kind = "title"  # a two-word unknown name right after the cue: take it whole
        while j < n and count < (_MAX_NAME_TOKENS if kind not in ("weak", "kin", "complaint") else 3):
            tok = tokens[j]
            gap_text = text[tokens[prev].end:tok.start]
            if count == 0 and tok.key == "i" and j + 1 < n and tokens[j + 1].key == "c" \
                    and text[tok.end:tokens[j + 1].start] == "/":
                prev = j + 1  # "Nurse i/c: X"
                j += 2
                continue
            if "\n" in gap_text or len(gap_text) > 4 or (gap_text.strip(" .:-,=\t") \
                    and not (count == 0 and kind != "title" and gap_text.strip(" .:-,=\t") in ("(", "|"))):
                break
            if "." in gap_text and not (count == 0 or tokens[prev].initial or tokens[prev].key in NAME_PREFIXES):
                break  # "... informed. Aadhaar": a sentence ended
            if ("," in gap_text or ":" in gap_text) and count > 0:
                break  # "Dr Parbatiya: Sir ek …": a colon after a name ends it
            if count == 0 and tok.key in TITLES and not tok.devanagari and skipped < 2 \
                    and not (tok.key == "baby" and kind == "title"):  # "Dr. Baby Varghese": Baby is her name
                # "Name: Master Khan", "W/o Late Shri Ram": titles are not part of the name. At most
                # two are skipped, so "Dr. Dr. Dr. …" stays linear.
                prev = j
                skipped += 1
                j += 1
                kind = "title"
                continue
            if count == 0 and tok.key in NAME_PREFIXES and (tok.capitalised or tok.upper_line) and j + 1 < n \
                    and text[tok.end:tokens[j + 1].start].strip(" ") in ("", ".") and tokens[j + 1].capitalised \
                    and not tokens[j + 1].stop and not tokens[j + 1].medical:
                pass  # "Name: Md. Kaneez", "donor Sk. Ishtiyaq": the prefix belongs to the name
            elif (count > 0 and tok.key in ("ji", "jee", "sahab", "saheb", "sahib")) or (role and count == 0 and not (tok.name or tok.unknown or tok.initial)
                  and not (tok.capitalised and not tok.stop and not tok.medical and j + 1 < n
                           and (tokens[j + 1].strong_name or tokens[j + 1].unknown) and joined(text, tok, tokens[j + 1]))) \
                    or (tok.key in _ROLE_KEYS and _role_word(text, tok)) \
                    or tok.key in HINGLISH_KIN:
                break  # after a role word a name, not "ASHA Worker"
            elif not _accept_after_cue(tok, kind, count == 0) or _slashed(text, tok):
                break
            if count > 0 and "  " in gap_text:
                break  # two spaces separate form fields ("Name: A B   Age/Sex")
            if count == 0 and kind != "title" and eponym(tokens, j, text):
                break
            flagged[j] = max(flagged[j], 0.9 if kind not in ("weak", "kin", "complaint") else 0.7)
            count += 1
            prev = j
            j += 1
            if kind in ("weak", "kin", "complaint") and not (j < n and (tokens[j].name or tokens[j].initial or tokens[j].devanagari)):
                break

    # Steps 2, 2b-2g and 3 in one pass, in this order. Every rule needs a capital, a capitals line or
    # Devanagari, and (2b, 2c, 2f, 2g, 3) a gazetteer name or an unknown word, or else a suffix cue
    # next (2), a name prefix (2e) or a comma right after (2d). Two comprehensions pick those tokens
    # (about a third of the capitalised ones): the loop visits them in order and skips only tokens at
    # which no rule can fire, so every flag is read and written as in a walk over all tokens.
    before_suffix = {i - 1 for i, t in enumerate(tokens) if t.key in SUFFIX_CUES}
    starts = [i for i, t in enumerate(tokens)
              if (t.capitalised or t.upper_line or t.devanagari)
              and (t.unknown or t.name or i in before_suffix or t.key in NAME_PREFIXES or text[t.end:t.end + 1] == ",")]
    for i in starts:
        tok = tokens[i]
        # 2. Suffix cues: "Sharma ji", "J. Smith, RN" (the cue is the next token).
        if i + 1 < n:
            suffix = tokens[i + 1]
            if suffix.key in SUFFIX_CUES and (suffix.key not in ("do", "ben", "bai") or suffix.text.isupper() or suffix.key == "ben"):
                between = text[tok.end:suffix.start]
                if between.strip(" ,-") == "" and "\n" not in between and (tok.capitalised or tok.devanagari) \
                        and not tok.stop and not tok.medical and not (tok.common and not tok.name):
                    flagged[i] = max(flagged[i], 0.8)

        nc = text[tok.end:tok.end + 1]  # the characters around the word: most rules below need one
        pc = text[tok.start - 1] if tok.start else "\n"
        # 2b. "Birsa Dungdung aged 70", "Etwa Ekka, 45 yrs": name-shaped words right before an age.
        if not flagged[i] and (tok.unknown or tok.strong_name) and (tok.capitalised or tok.upper_line) \
                and not tok.devanagari and len(tok.key) >= 3 \
                and nc in _AGE_FIRST and _AGE_ANY.match(text, tok.end) \
                and not eponym(tokens, i, text) and not (tok.key in _ROLE_KEYS and _role_word(text, tok)):
            flagged[i] = 0.7

        # 2e. "MD. SAJIDA SHAH", "Mohd. Alam": a name prefix with its dot before a name-shaped word.
        if nc == "." and i + 1 < n and tok.key in NAME_PREFIXES and tok.key not in ("mir", "kh") and (tok.capitalised or tok.upper_line) \
                and text[tok.end:tokens[i + 1].start] == ". " and (tokens[i + 1].strong_name or tokens[i + 1].unknown) \
                and (tokens[i + 1].capitalised or tokens[i + 1].upper_line) and len(tokens[i + 1].key) >= 3:
            flagged[i] = max(flagged[i], 0.7)
            flagged[i + 1] = max(flagged[i + 1], 0.7)

        # 2f. South Indian initial glued after a dot: "Sengottaiyan.S, 27 yrs", "RAMASAMY.A,".
        if nc == "." and not flagged[i] and i + 1 < n and tokens[i + 1].initial \
                and tokens[i + 1].start == tok.end + 1 and (tok.unknown or tok.strong_name) and len(tok.key) >= 4 \
                and (tok.capitalised or tok.upper_line) and not tok.devanagari \
                and text[tokens[i + 1].end:tokens[i + 1].end + 1] in (",", ".", ")", " ", "\n", ""):
            flagged[i] = 0.7

        # 2g. Address-label blocks: "Leelamma Eapen, 42, Padinjarethil Veedu" and a name line over a
        #     house-name line ("Kunjumon Eapen\nKunnumpurath House").
        if pc == "\n" and not flagged[i] and i + 1 < n \
                and (tok.unknown or tok.strong_name) and (tok.capitalised or tok.upper_line) \
                and not tok.devanagari and joined(text, tok, tokens[i + 1]):
            nx = tokens[i + 1]
            if (nx.unknown or nx.strong_name) and (nx.capitalised or nx.upper_line) and not nx.devanagari \
                    and (_BARE_AGE.match(text, nx.end) or _HOUSE_LINE.match(text, nx.end)):
                flagged[i] = 0.7
                flagged[i + 1] = max(flagged[i + 1], 0.7)

        # 2c. A chat export's header names the sender: "3:39 pm - Sabitri Barnwal: Referral".
        if pc == " " and tok.start >= 8 and text[tok.start - 2] == "-" and not flagged[i] and tok.capitalised \
                and (tok.unknown or tok.name) and not tok.medical and text[tok.start - 3:tok.start] == " - " and _CHAT_HEADER.search(text, max(0, tok.start - 16), tok.start):
            flagged[i] = 0.8

        # 2d. Surname first: "2. HIREMATH, LINGAPPA - BED 20", "Pt: DHURVE, Lalti", "for KAMBOJ, Kaushalya".
        if nc == "," and i + 1 < n and tok.text.isupper() and len(tok.key) >= 3 \
                and not tok.stop and not tok.medical and not tok.devanagari and text[tok.end:tokens[i + 1].start] == ", ":
            nx = tokens[i + 1]
            listed = _LIST_ITEM.search(text, max(0, tok.start - 12), tok.start) is not None
            if (nx.unknown or nx.strong_name) and len(nx.key) >= 3 and not nx.devanagari \
                    and not eponym(tokens, i + 1, text) and (listed or (len(tok.key) >= 4 and (tok.unknown or tok.strong_name))):
                if nx.capitalised and not nx.text.isupper() and not tok.upper_line:
                    flagged[i] = max(flagged[i], 0.7)
                    flagged[i + 1] = max(flagged[i + 1], 0.7)
                elif listed and (tok.unknown or tok.strong_name):
                    flagged[i] = max(flagged[i], 0.7)
                    flagged[i + 1] = max(flagged[i + 1], 0.7)

        # 3. Gazetteer: a name that is not also an ordinary word or clinical term.
        if flagged[i] or not tok.name or (tok.key in _ROLE_KEYS and _role_word(text, tok)) or tok.key in HINGLISH_KIN:
            continue
        if tok.devanagari:
            if tok.text not in DEVANAGARI_TITLES and tok.text not in DEVANAGARI_CUES and tok.text not in HINDI_NOT_NAME:
                flagged[i] = 0.8
            continue
        if eponym(tokens, i, text):
            continue
        if tok.strong_name and (tok.upper_line or tok.capitalised):
            flagged[i] = 0.75
        elif tok.weak_name and tok.capitalised and not tok.upper_line and not _sentence_initial(text, tok) \
                and not tok.text.isupper() and _in_prose(text, tok):
            # "spoke with Will" — a capitalised word mid-sentence that a name list knows.
            flagged[i] = 0.55

    # 4. Devanagari words in a Latin-script note are almost always names; in a Hindi note a
    #    Devanagari word needs a cue or the gazetteer (handled above).
    deva = 0 if text.isascii() else sum(1 for t in tokens if t.devanagari)
    # Counted from the text (lower-case words are not tokens), and only when there is Devanagari.
    if deva and len(_LATIN_WORD.findall(text)) > 2 * deva:
        for i, tok in enumerate(tokens):
            if tok.devanagari and not flagged[i] and tok.text not in HINDI_NOT_NAME \
                    and tok.text not in DEVANAGARI_TITLES and tok.text not in DEVANAGARI_CUES:
                flagged[i] = 0.6

    # 4b. Scan profile (the release gate, where a miss costs more than a false alarm): Philter's
    #     rule — a capitalised word in running prose that no word list knows is suspect.
    if profile == "scan":
        for i, tok in enumerate(tokens):
            if not flagged[i] and tok.unknown and not tok.devanagari and not tok.upper_line \
                    and len(tok.key) >= 4 and tok.capitalised and not tok.text.isupper() \
                    and _in_prose(text, tok) and not eponym(tokens, i, text):
                flagged[i] = 0.5

    # 4c. Nicknames: "Badri Markam @ Chintu", "Karuppasamy urf Kalua", "Chhotu alias Ramphal".
    #     Only a token before a link word or before an "@" can start one (the loop re-tests both): those
    #     are found by one set look-up per token and a str.find per "@", not by a walk over every token.
    nick_starts: list[int] = []
    if "@" in text or _nick_word_in(text):
        marks = {k - 1 for k, t in enumerate(tokens) if k and t.key in NICK_LINKS}
        p = text.find("@")
        while p != -1:
            k = bisect_right(tokens, p, key=_TOKEN_END) - 1  # the last token ending at or before the "@"
            if 0 <= k < n - 1:
                marks.add(k)
            p = text.find("@", p + 1)
        nick_starts = sorted(marks)
    for i in nick_starts:
        a = tokens[i]
        k = i + 1
        if tokens[k].key in NICK_LINKS:
            if k + 1 >= n or text[a.end:tokens[k].start].strip() not in ("", "("):
                continue
            k += 1
            link = text[tokens[k - 1].end:tokens[k].start]
            if link.strip(" (") or "\n" in link:
                continue
        elif not (3 <= tokens[k].start - a.end <= 5) or text.find("@", a.end, tokens[k].start) < 0:
            continue
        else:
            link = text[a.end:tokens[k].start]
            if link.strip() != "@" or "\n" in link or not link.startswith(" "):
                continue
        b = tokens[k]
        if a.devanagari or b.devanagari or not (a.capitalised or a.upper_line) or not (b.capitalised or b.upper_line) \
                or a.stop or b.stop or a.medical or b.medical:
            continue
        if flagged[i] or flagged[k] or ((a.unknown or a.strong_name or (a.place and not a.common))
                                        and (b.unknown or b.strong_name)):
            if flagged[k] or b.name or b.unknown:
                flagged[i] = max(flagged[i], 0.7)
            if flagged[i] and (b.name or b.unknown or flagged[k]):
                flagged[k] = max(flagged[k], 0.7)

    # 5. Grow every flagged token over its name-shaped neighbours.
    #    Only the ends of a run of flagged, joined tokens can reach past it, and an end reaches at
    #    least as far as any token inside (the walk is bounded by its distance from the start).
    for i in range(n):
        if flagged[i] and (i == 0 or i == n - 1 or not flagged[i - 1] or not flagged[i + 1]
                           or not joined(text, tokens[i - 1], tokens[i]) or not joined(text, tokens[i], tokens[i + 1])):
            _extend(text, tokens, flagged, i, min(flagged[i], 0.7))

    # 5b. A trailing initial after a dot ("Dr. Arumugam.T", "RAMASAMY.A,") and lower-case particles
    #     inside a name ("Rosy de Menezes", "Salim bin Omer", "Zia ul Haq") join the name.
    bridge = [False] * n
    for i in range(n - 1):
        if not (flagged[i] or flagged[i + 1]):
            continue
        a, b = tokens[i], tokens[i + 1]
        gap = text[a.end:b.start]
        if flagged[i] and b.initial and gap == "." and not a.initial and not _slashed(text, b):
            flagged[i + 1] = max(flagged[i + 1], flagged[i])
            bridge[i] = True
        elif 4 <= len(gap) <= 8 and gap[0] == " " and gap[-1] == " " and gap.strip() in NAME_PARTICLES \
                and (flagged[i] or flagged[i + 1]):
            other = b if flagged[i] else a
            short = len(other.key) <= 3 and other.text[1:].islower()  # "Fatima de Sa": SA is also a node
            if (other.capitalised or other.upper_line) and not other.stop and (not other.medical or short) \
                    and (other.name or other.unknown or short) and not other.devanagari:
                flagged[i] = flagged[i] or 0.7
                flagged[i + 1] = flagged[i + 1] or 0.7
                bridge[i] = True
                _extend(text, tokens, flagged, i + 1, 0.7)

    # Runs of flagged, joined tokens become spans: the walk starts only at flagged tokens (found by one
    # comprehension) and skips those a run before has taken.
    spans: list[Span] = []
    after = 0
    for i in [k for k, f in enumerate(flagged) if f]:
        if i < after:
            continue
        j = i
        score = flagged[i]
        while j + 1 < n and flagged[j + 1] and (bridge[j] or joined(text, tokens[j], tokens[j + 1], allow_comma=True)):
            j += 1
            score = max(score, flagged[j])
        end = tokens[j].end
        if tokens[j].initial and end < len(text) and text[end] == ".":
            end += 1
        spans.append(Span(tokens[i].start, end, Label.NAME.value, score, "names"))
        after = j + 1
    return spans

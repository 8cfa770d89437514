"""detect(): every recognizer over one note, then overlapping findings merged into spans."""

from __future__ import annotations

import re
from operator import attrgetter

from medkosh.deid.text.lexicon import lexicon
from medkosh.deid.text.names import find_names
from medkosh.deid.text.places import find_places
from medkosh.deid.text.recognizers import find_patterns
from medkosh.deid.text.tokens import tokenize
from medkosh.deid.text.types import PROFILES, Label, Span
from medkosh.deid.text.validators import pin_plausible

# Indic digits (Devanagari ०-९, Bengali, Gurmukhi, Gujarati, Odia, Tamil, Telugu, Kannada, Malayalam)
# as ASCII: one code point for one, so the pattern recognizers read "२१/०१/२०२०" with offsets intact.
_INDIC_DIGITS = {base + d: ord("0") + d for base in (0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
                                                     0x0CE6, 0x0D66) for d in range(10)}
_INDIC_DIGIT_RE = re.compile("[" + "".join(f"{chr(b)}-{chr(b + 9)}" for b in (0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66,
                                                                             0x0BE6, 0x0C66, 0x0CE6, 0x0D66)) + "]")


def ascii_digits(text: str) -> str:
    """`text` with every Indic digit replaced by its ASCII digit (same length, same offsets)."""
    if text.isascii() or _INDIC_DIGIT_RE.search(text) is None:
        return text
    return text.translate(_INDIC_DIGITS)


_PIN_AFTER = re.compile(r"[ \t,\-–:]*(?:pin(?:code)?[ \t:.\-]*)?([1-9]\d{2} ?\d{3})(?!\d)", re.IGNORECASE)
_PLACE_LABELS = frozenset({Label.LOCATION.value, Label.ADDRESS.value, Label.HOSPITAL.value, Label.PIN.value})
# When two findings overlap, the more specific label names the merged span.
_LABEL_RANK = {label.value: rank for rank, label in enumerate([
    Label.ABHA_ADDRESS, Label.EMAIL, Label.URL, Label.AADHAAR, Label.ABHA_NUMBER, Label.PAN, Label.PASSPORT,
    Label.DRIVING_LICENCE, Label.VOTER_ID, Label.VEHICLE, Label.PHONE, Label.MRN, Label.DATE, Label.AGE,
    Label.PIN, Label.IP, Label.HOSPITAL, Label.ADDRESS, Label.NAME, Label.LOCATION, Label.ID,
])}


def _pins_after_places(text: str, spans: list[Span]) -> list[Span]:
    """A 6-digit number right after a place ("Pune - 411001") is a PIN code without other context."""
    found = []
    for span in spans:
        if span.label in _PLACE_LABELS:
            m = _PIN_AFTER.match(text, span.end)
            if m and pin_plausible(m.group(1).replace(" ", "")) and not text[m.end(1):m.end(1) + 1].isalnum():
                found.append(Span(m.start(1), m.end(1), Label.PIN.value, 0.8, "pin_after_place"))
    return found


def merge(spans: list[Span]) -> list[Span]:
    """Overlapping findings become one span covering all of them (privacy first), labelled by the
    longest finding (an address that ends in a PIN stays an ADDRESS), then the most confident."""
    if not spans:
        return []
    # Two stable C-speed sorts give the order of sorted(key=(start, -end)).
    ordered = sorted(spans, key=_END, reverse=True)
    ordered.sort(key=_START)
    out: list[Span] = []
    cur = ordered[0]
    for k in range(1, len(ordered)):
        span = ordered[k]
        if span.start < cur.end:
            best = span if _merge_rank(span) > _merge_rank(cur) else cur  # max(): the first of equals
            cur = Span(cur.start, max(cur.end, span.end), best.label, max(cur.score, span.score), best.source)
        else:
            out.append(cur)
            cur = span
    out.append(cur)
    return out


_START = attrgetter("start")
_END = attrgetter("end")


def _merge_rank(s: Span) -> tuple[int, float, int]:
    return s.end - s.start, s.score, -_LABEL_RANK.get(s.label, 99)


# medkosh's own tags ("[NAME]", "[ABHA_ADDRESS]") in already de-identified text are not identifiers.
_OWN_TAGS = re.compile(r"\[(?:" + "|".join(label.value for label in Label) + r")\]")


def detect(text: str, *, profile: str = "default") -> list[Span]:
    """All identifiers found in `text`, as non-overlapping spans sorted by start (code-point offsets)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
    if not text:
        return []
    if "[" in text:
        # Our own tags become NUL characters of the same length: offsets stay valid, and NUL is
        # neither a word nor a space, so no name or address runs across a removed identifier.
        text = _OWN_TAGS.sub(lambda m: "\x00" * len(m.group()), text)
    lex = lexicon()
    digits = ascii_digits(text)
    spans = find_patterns(digits, profile)
    tokens = tokenize(text, lex)
    spans.extend(find_names(text, tokens, profile))
    spans.extend(find_places(text, tokens, lex, profile))
    spans.extend(_pins_after_places(digits, spans))
    return merge(spans)

"""deidentify(): detect, then replace each span by a tag, a consistent surrogate or a redaction.

Offsets in the returned spans point into the INPUT text (the CLI contract); `Replacement` also
carries where the replacement sits in the output, for the review view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from medkosh.deid.dates import shift_days
from medkosh.deid.text.dateshift import shift_date_text
from medkosh.deid.text.engine import detect
from medkosh.deid.text.lexicon import lexicon
from medkosh.deid.text.surrogates import Surrogates
from medkosh.deid.text.types import Label, Mode, Span

REDACTION = "***"


@dataclass(frozen=True, slots=True)
class Replacement:
    span: Span
    out_start: int
    out_end: int


def _secret_for(secret: bytes | None) -> bytes:
    if secret is not None:
        return secret
    from medkosh.deid.pseudonym import dataset_secret

    return dataset_secret("notes")


def _name_surrogate(sur: Surrogates, original: str) -> str:
    lex = lexicon()
    words = original.split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        if not word:
            out.append(word)
            continue
        core = word.rstrip(",.")
        tail = word[len(core):]
        if len(core) == 1 and tail.startswith("."):
            out.append(sur.name(core + ".", False) + tail[1:])
            continue
        key = core.lower()
        if len(words) > 1:
            surname_like = i == len(words) - 1
        else:
            surname_like = key in lex.surnames and key not in lex.first
        out.append(sur.name(core, surname_like) + tail)
    return " ".join(out)


def surrogate_for(span: Span, original: str, sur: Surrogates, days: int) -> str:
    label = span.label
    if label == Label.NAME:
        return _name_surrogate(sur, original)
    if label == Label.DATE:
        shifted = shift_date_text(original, days)
        return shifted if shifted is not None else f"[{label}]"
    if label == Label.AGE:
        return "90+"  # HIPAA Safe Harbor: ages over 89 fold into one group
    if label == Label.AADHAAR:
        return sur.aadhaar(original)
    if label == Label.PHONE:
        return sur.phone(original)
    if label in (Label.EMAIL, Label.ABHA_ADDRESS):
        return sur.handle(original)
    if label == Label.LOCATION:
        return sur.city(original)
    if label == Label.ADDRESS:
        return sur.address(original)
    if label == Label.HOSPITAL:
        return sur.hospital(original)
    if label in (Label.URL, Label.IP):
        return f"[{label}]"
    return sur.digits_like(label, original)


def apply(text: str, spans: list[Span], *, mode: Mode | str, secret: bytes | None = None,
          patient_key: str | None = None, date_shift_days: int | None = None) -> tuple[str, list[Replacement]]:
    """Replace `spans` (sorted, non-overlapping) in `text`."""
    mode = Mode(mode)
    sur: Surrogates | None = None
    days = 0
    if mode is Mode.SURROGATE:
        key = _secret_for(secret)
        sur = Surrogates(key)
        if date_shift_days is not None:
            days = date_shift_days
        else:
            # The same per-patient shift the tabular and DICOM steps use; without a patient, one
            # dataset-wide shift (intervals within the dataset still hold).
            days = shift_days(key, patient_key if patient_key is not None else "__dataset__")
    pieces: list[str] = []
    replacements: list[Replacement] = []
    pos = 0
    out_len = 0
    for span in spans:
        pieces.append(text[pos:span.start])
        out_len += span.start - pos
        original = text[span.start:span.end]
        if mode is Mode.TAG:
            new = f"[{span.label}]"
        elif mode is Mode.REDACT:
            new = REDACTION
        else:
            assert sur is not None
            new = surrogate_for(span, original, sur, days)
        pieces.append(new)
        replacements.append(Replacement(span, out_len, out_len + len(new)))
        out_len += len(new)
        pos = span.end
    pieces.append(text[pos:])
    return "".join(pieces), replacements


class DeidResult(NamedTuple):
    """(text, spans): unpacks as a pair, and callers may also read .text and .spans."""

    text: str
    spans: list[Span]


def deidentify(text: str, *, mode: Mode | str = Mode.TAG, secret: bytes | None = None,
               patient_key: str | None = None, date_shift_days: int | None = None,
               profile: str = "default") -> DeidResult:
    """De-identify one note. Returns the new text and the spans found (offsets into `text`)."""
    spans = detect(text, profile=profile)
    new_text, _ = apply(text, spans, mode=mode, secret=secret, patient_key=patient_key,
                        date_shift_days=date_shift_days)
    return DeidResult(new_text, spans)

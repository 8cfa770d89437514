"""Clinical notes as Indian hospitals write them (OPD notes, discharge summaries, lab reports), with
the PHI real notes carry and exact gold spans for every planted identifier.

A note is assembled from pieces: literal text, and PHI values appended through `NoteBuilder.phi`,
which records `(start, end, label)` in Python code points as it goes — so spans are exact by
construction, including for all-capitals notes (each piece is upper-cased before it is measured).
Titles such as "Dr.", "Shri", "Smt.", "S/o" are not part of a NAME span; eponyms and drug names are
not PHI and carry no span.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from medkosh.synth.chart import Chart, Encounter, Measurement
from medkosh.synth.clinical import EPONYMS
from medkosh.synth.identity import DATE_STYLES, Doctor, Patient, aadhaar_forms, date_form, phone_forms
from medkosh.synth.population import Hospital


class NoteBuilder:
    """Appends text and PHI pieces, keeping exact spans."""

    def __init__(self, upper: bool = False) -> None:
        self.upper = upper
        self.parts: list[str] = []
        self.spans: list[dict[str, Any]] = []
        self.pos = 0
        self.values: list[tuple[str, str]] = []  # (label, value as written) for canary bookkeeping

    def t(self, text: str) -> NoteBuilder:
        text = text.upper() if self.upper else text
        self.parts.append(text)
        self.pos += len(text)
        return self

    def phi(self, value: str, label: str) -> NoteBuilder:
        value = value.upper() if self.upper else value
        self.spans.append({"start": self.pos, "end": self.pos + len(value), "label": label})
        self.values.append((label, value))
        self.parts.append(value)
        self.pos += len(value)
        return self

    def text(self) -> str:
        return "".join(self.parts)


class _Writer:
    """Shared pieces of every note type, drawing writing styles from the patient's RNG."""

    def __init__(self, r: random.Random, b: NoteBuilder, p: Patient, h: Hospital, doctors: list[Doctor]) -> None:
        self.r, self.b, self.p, self.h, self.doctors = r, b, p, h, doctors

    def date(self, d: dt.date) -> None:
        self.b.phi(date_form(d, self.r.randrange(DATE_STYLES)), "DATE")

    def age(self, e: Encounter) -> None:
        days = (e.start - self.p.birth_date).days
        years = max(0, days // 365)
        style = self.r.randrange(4)
        if years == 0:  # infants are aged in months
            self.b.phi(str(max(1, days // 30)), "AGE").t(" months")
            return
        if style == 0:
            self.b.phi(str(years), "AGE").t(" yrs")
        elif style == 1:
            self.b.phi(str(years), "AGE").t("Y")
        elif style == 2:
            self.b.phi(str(years), "AGE").t(" years")
        else:
            self.b.phi(f"{years} years", "AGE")

    def name(self) -> None:
        p = self.p.person
        if p.devanagari and self.r.random() < 0.5:
            self.b.phi(p.full, "NAME").t(" (").phi(p.devanagari, "NAME").t(")")
        else:
            self.b.phi(p.full if self.r.random() < 0.8 else f"{p.family.upper()} {p.given}", "NAME")

    def doctor(self, doc: Doctor) -> None:
        self.b.t("Dr. ").phi(doc.short if self.r.random() < 0.7 else doc.person.full, "NAME")

    def phone(self, number: str) -> None:
        self.b.phi(self.r.choice(phone_forms(number)), "PHONE")

    def address(self) -> None:
        p = self.p
        self.b.phi(f"{p.house}, {p.locality}", "ADDRESS").t(", ").phi(p.district.city, "LOCATION")
        if p.district.city != p.district.name and self.r.random() < 0.5:
            self.b.t(", Dist. ").phi(p.district.name, "LOCATION")
        self.b.t(", ").phi(p.district.state, "LOCATION").t(self.r.choice((" - ", " ", ", PIN "))).phi(p.pin, "PIN")

    def ids(self) -> None:
        p, b, r = self.p, self.b, self.r
        b.t("ABHA No: ").phi(p.abha_number if r.random() < 0.8 else p.abha_number.replace("-", ""), "ABHA_NUMBER")
        b.t("  ABHA Address: ").phi(p.abha_address, "ABHA_ADDRESS").t("\n")
        if r.random() < 0.6 or p.canary:
            forms = aadhaar_forms(p.aadhaar)
            # A canary's Aadhaar is never masked: the full number must be there to leak.
            b.t(r.choice(("Aadhaar: ", "Aadhaar No. ", "UID: "))).phi(r.choice(forms[:3] if p.canary else forms),
                                                                      "AADHAAR")
            if p.pan_on_file and (r.random() < 0.5 or p.canary):
                b.t("  PAN: ").phi(p.pan, "PAN")
            b.t("\n")

    def header(self, title: str, e: Encounter) -> None:
        b, p, r = self.b, self.p, self.r
        b.phi(self.h.name, "HOSPITAL").t("\n")
        b.phi(self.h.district.city, "LOCATION").t(", ").phi(self.h.district.state, "LOCATION").t("\n")
        b.t(f"{title}\n\n")
        # Hospitals label the same fields differently; vary the labels so position is no giveaway.
        b.t(r.choice(("UHID: ", "UHID No. ", "CR No: ", "MRD No: ", "MR No. "))).phi(p.uhid, "MRN")
        b.t(r.choice(("    Date: ", "    Dt. ", "    Visit date: ")))
        self.date(e.start)
        b.t(r.choice(("\nName: ", "\nPatient Name: ", "\nPt. Name: "))).t(p.honorific + " ")
        self.name()
        b.t(r.choice(("    Age/Sex: ", "    Age/Gender: ", "    Age & Sex: ")))
        self.age(e)
        b.t(f" / {p.person.sex}\n")
        b.t(f"{p.relation} ").phi(p.relative.full, "NAME").t(r.choice(("\nAddress: ", "\nAddr: ", "\nResidence: ")))
        self.address()
        b.t(r.choice(("\nMobile: ", "\nMob: ", "\nPh: ", "\nContact No: ")))
        self.phone(p.phone)
        if r.random() < 0.5 or p.canary:
            b.t("   Email: ").phi(p.email, "EMAIL")
        b.t("\n")
        self.ids()


def _measurements_text(ms: list[Measurement]) -> str:
    out = []
    for m in ms:
        if m.key == "bp":
            out.append(f"BP {m.value:.0f}/{m.value2:.0f} mmHg")
        elif m.key == "weight":
            out.append(f"Wt {m.value} kg")
        elif m.key == "hba1c":
            out.append(f"HbA1c {m.value}%")
        elif m.key == "glucose":
            out.append(f"FBS {m.value:.0f} mg/dL")
        elif m.key == "hb":
            out.append(f"Hb {m.value} g/dL")
        elif m.key == "creatinine":
            out.append(f"S. creatinine {m.value} mg/dL")
        elif m.key == "platelets":
            out.append(f"Platelets {int(m.value) * 1000:,}/cumm")
        else:
            out.append(str(m.value))
    return ", ".join(out)


def _eponym(r: random.Random) -> str:
    """A named sign or disease in a sentence (eponyms look like names but are not PHI)."""
    x = r.choice(EPONYMS)
    if any(w in x for w in ("disease", "syndrome", "palsy", "lymphoma")):
        return f"No h/o {x}."
    return f"{x} negative."


CLINICS = ("Shree Ganesh", "Jeevan Raksha", "City Care", "Sai Krupa", "Arogya Sadan", "Om Sai", "Lifeline Family")


def _referrer(r: random.Random, p: Patient) -> str:
    """A private practitioner outside the hospital roster (initial and surname)."""
    from medkosh.synth.refdata import names

    family = r.choice(names().surnames[p.district.region]).latin
    return f"{r.choice('ABCDGHJKMNPRSV')}. {family}"


COMPLAINTS = {
    "diabetes": "increased thirst, frequent urination, tingling in feet", "hypertension": "occipital headache, giddiness",
    "anaemia": "easy fatigability, breathlessness on exertion", "copd": "chronic cough with expectoration, breathlessness",
    "ckd": "swelling of feet, reduced urine output", "tb": "cough for more than 2 weeks, evening rise of temperature, weight loss",
    "dengue": "high-grade fever with chills, retro-orbital pain, myalgia", "malaria": "fever with chills and rigors, headache",
    "diarrhoea": "loose stools 6-8 episodes/day, vomiting", "general": "fever and body ache",
}


def _opd(w: _Writer, e: Encounter, chart: Chart) -> None:
    b, r, p = w.b, w.r, w.p
    w.header("OPD CONSULTATION NOTE", e)
    b.t("Consultant: ")
    w.doctor(w.doctors[e.doctor])
    b.t("    OPD No: ").phi(f"OPD/{e.start.year}/{r.randint(10000, 99999)}", "ID").t("\n\n")
    b.t(f"C/o: {COMPLAINTS.get(e.reason, COMPLAINTS['general'])} x {r.randint(2, 14)} days.\n")
    if r.random() < 0.3:  # a referral names another doctor and facility in running text
        b.t("Referred by ").t("Dr. ").phi(_referrer(r, p), "NAME").t(" from ")
        b.phi(f"{r.choice(CLINICS)} Clinic, {p.district.city}", "HOSPITAL").t(" with outside reports dated ")
        w.date(e.start - dt.timedelta(days=r.randint(3, 30)))
        b.t(".\n")
    chronic = [d for d in chart.diagnoses if d.chronic and d.recorded <= e.start and d.key != "complication"]
    if chronic:
        b.t("K/c/o ")
        for i, d in enumerate(chronic):
            b.t(("" if i == 0 else ", ") + d.display + " since ")
            w.date(d.onset)
        b.t(".\n")
    b.t(f"O/E: {_measurements_text([m for m in e.measurements if m.key in ('bp', 'weight')]) or 'Afebrile, vitals stable'}."
        f" {_eponym(r)} Chest clear, CVS S1S2 normal.\n")
    labs = [m for m in e.measurements if m.key not in ("bp", "weight")]
    if labs:
        b.t(f"Investigations: {_measurements_text(labs)}.\n")
    if e.diagnoses:
        b.t("Impression: " + "; ".join(f"{d.display} ({d.code})" for d in e.diagnoses) + "\n")
    if e.drugs:
        b.t("Rx:\n" + "".join(f"  {i + 1}. Tab/Inj. {d.name} ({d.brand}) {d.dose}\n" for i, d in enumerate(e.drugs)))
    b.t("Review after 4 weeks or SOS. Next visit: ")
    w.date(e.start + dt.timedelta(days=28))
    b.t("\nAttendant: ").phi(p.relative.full, "NAME").t(f" ({p.relative_role}), contact ")
    w.phone(p.relative_phone)
    b.t("\n\n")
    w.doctor(w.doctors[e.doctor])
    b.t(f", {w.doctors[e.doctor].specialty}  Reg. No. ").phi(w.doctors[e.doctor].registration, "ID").t("\n")


def _discharge(w: _Writer, e: Encounter, chart: Chart) -> None:
    b, r, p = w.b, w.r, w.p
    w.header("DISCHARGE SUMMARY", e)
    b.t("IP No: ").phi(f"IP{e.start.year % 100:02d}{r.randint(100000, 999999)}", "ID")
    years = max(0, (e.start - p.birth_date).days // 365)
    if years < 14:
        ward = "Paediatric Ward"
    else:
        ward = r.choice(("Medicine Ward", "Female Medical Ward" if p.person.sex == "F" else "Male Medical Ward", "HDU"))
    b.t(f"    Ward: {ward}  Bed {r.randint(1, 40)}\n")
    b.t("Date of Admission: ")
    w.date(e.start)
    b.t("    Date of Discharge: ")
    w.date(e.end)
    b.t("\nConsultant: ")
    w.doctor(w.doctors[e.doctor])
    b.t(f"  (Unit {r.choice(('I', 'II', 'III'))})\n\n")
    dx = e.diagnoses[0] if e.diagnoses else None
    b.t(f"Final diagnosis: {dx.display if dx else 'Fever under evaluation'} ({dx.code if dx else 'R50.9'})\n\n")
    b.t("History: ")
    b.phi(p.person.given, "NAME")
    b.t(", a ")
    days = (e.start - p.birth_date).days
    b.phi(f"{years}-year-old" if years else f"{max(1, days // 30)}-month-old", "AGE")
    b.t(f" {'female' if p.person.sex == 'F' else 'male'} from ")
    b.phi(p.locality, "ADDRESS").t(", ").phi(p.district.city, "LOCATION")
    b.t(f", presented with {COMPLAINTS.get(e.reason, COMPLAINTS['general'])} since ")
    w.date(e.start - dt.timedelta(days=r.randint(2, 6)))
    b.t(".\n")
    labs = [m for m in e.measurements if m.key not in ("bp", "weight")]
    b.t(f"Course in hospital: Managed with IV fluids and supportive care. {_eponym(r)} ")
    if labs:
        b.t(f"Investigations: {_measurements_text(labs)}. ")
    b.t("Patient improved and is being discharged in a stable condition.\n")
    if e.drugs:
        b.t("Advice on discharge:\n" + "".join(f"  - {d.name} ({d.brand}) {d.dose}\n" for d in e.drugs))
    b.t(f"Follow-up in {'Paediatrics' if years < 14 else 'Medicine'} OPD on ")
    w.date(e.end + dt.timedelta(days=7))
    b.t(" with ")
    w.doctor(w.doctors[(e.doctor + 1) % max(1, len(w.doctors) - 2)])
    b.t(". In case of emergency call ")
    w.phone(r.choice((p.phone, p.relative_phone)))
    b.t(".\nInformant: ").t(p.relative_honorific + " ").phi(p.relative.full, "NAME").t("\n")


def _lab(w: _Writer, e: Encounter, chart: Chart) -> None:
    b, r, p = w.b, w.r, w.p
    pathologist = w.doctors[len(w.doctors) - 2]
    b.phi(w.h.name, "HOSPITAL").t("\nDEPARTMENT OF LABORATORY MEDICINE\n\n")
    b.t("Patient Name: ")
    w.name()
    b.t("   Age: ")
    w.age(e)
    b.t(f"   Sex: {p.person.sex}\nUHID: ").phi(p.uhid, "MRN").t("   Sample ID: ")
    b.phi(f"LAB{e.start.strftime('%y%m%d')}{r.randint(1000, 9999)}", "ID")
    b.t("\nReferred by: ")
    w.doctor(w.doctors[e.doctor])
    b.t("\nCollected: ")
    w.date(e.start)
    b.t("   Reported: ")
    w.date(e.start + dt.timedelta(days=r.randint(0, 1)))
    if p.canary or r.random() < 0.3:
        b.t("\nMobile: ")
        w.phone(p.phone)
        b.t("   ABHA: ")
        b.phi(p.abha_number, "ABHA_NUMBER")
    b.t("\n\nTest                 Result\n")
    for m in e.measurements:
        b.t(f"{_measurements_text([m])}\n")
    b.t("\nRemarks: Values to be correlated clinically.")
    if any(m.key == "hba1c" for m in e.measurements):
        b.t(" Method: HbA1c by HPLC (NGSP certified).")
    b.t("\n")
    b.t("Verified by: ")
    w.doctor(pathologist)
    b.t(f", {pathologist.specialty}\n")


WRITERS = {"opd": _opd, "discharge": _discharge, "lab": _lab}


def notes_for(r: random.Random, p: Patient, h: Hospital, doctors: list[Doctor], chart: Chart,
              new_id: Any) -> list[dict[str, Any]]:
    """The patient's notes.jsonl records, in encounter order. Canary patients' notes are never
    upper-cased, so their canary values appear verbatim."""
    out = []
    for e in chart.encounters:
        if e.note is None:
            continue
        b = NoteBuilder(upper=(not p.canary and r.random() < 0.12))
        WRITERS[e.note](_Writer(r, b, p, h, doctors), e, chart)
        out.append({"id": new_id(), "hospital_id": h.id, "patient_id": p.id, "encounter_id": e.id,
                    "date": e.end.isoformat(), "note_type": e.note, "text": b.text(), "phi": b.spans})
    return out

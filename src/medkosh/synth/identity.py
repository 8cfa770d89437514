"""Who a synthetic patient or doctor is: names, relatives, addresses and Indian identifiers in the
formats real records carry (ABHA number and address, Aadhaar with its Verhoeff digit, PAN, +91 phones,
hospital UHIDs), and the several ways clinicians write them in notes."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from medkosh.synth import refdata
from medkosh.synth.verhoeff import check_digit


def rng_for(*parts: object) -> random.Random:
    """An independent, reproducible stream per (seed, purpose, index): results do not depend on the
    order in which patients are generated or on how they are split across processes."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def new_uuid(r: random.Random) -> str:
    """A random (version 4) UUID string from the RNG; same result as str(uuid.UUID(int=n, version=4))
    without building UUID objects (tens of thousands per run)."""
    h = f"{(r.getrandbits(128) & _V4_CLEAR) | _V4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_dicom_uid(r: random.Random) -> str:
    """A UUID-derived DICOM UID under the 2.25 root (ISO/IEC 9834-8), at most 64 characters."""
    return f"2.25.{(r.getrandbits(128) & _V4_CLEAR) | _V4_SET}"


def aadhaar(r: random.Random) -> str:
    body = f"{r.randint(2, 9)}{r.randrange(10**10):010d}"
    return body + str(check_digit(body))


def abha_number(r: random.Random) -> str:
    digits = f"91{r.randrange(10**12):012d}"
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


def pan(r: random.Random, family: str) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    head = "".join(r.choice(letters) for _ in range(3)) + "P" + family[0].upper()
    return head + f"{r.randint(1, 9999):04d}" + r.choice(letters)


def mobile(r: random.Random) -> str:
    return f"{r.choice('6789')}{r.randrange(10**9):09d}"


def phone_forms(number: str) -> tuple[str, ...]:
    """How a 10-digit Indian mobile number is written in records."""
    return (f"+91 {number[:5]} {number[5:]}", f"+91-{number}", f"0{number}", number, f"{number[:5]}-{number[5:]}",
            f"+91{number}")


def aadhaar_forms(number: str) -> tuple[str, ...]:
    return (f"{number[:4]} {number[4:8]} {number[8:]}", f"{number[:4]}-{number[4:8]}-{number[8:]}", number,
            f"XXXX XXXX {number[8:]}")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


DATE_STYLES = 6


def date_form(d: dt.date, style: int) -> str:
    """One Indian way of writing a date: 12/03/2024, 12-Mar-2024, 12th March 2024, 12.03.24, 12-03-2024, 2024-03-12."""
    if style == 0:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == 1:
        return f"{d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year}"
    if style == 2:
        return f"{_ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}"
    if style == 3:
        return f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}"
    if style == 4:
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    return d.isoformat()


def date_forms(d: dt.date) -> tuple[str, ...]:
    """Every writing of a date that notes use (see date_form)."""
    return tuple(date_form(d, i) for i in range(DATE_STYLES))


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    sex: str  # "M" / "F"
    devanagari: str | None  # the full name in Devanagari, for some patients in Hindi/Marathi states

    @property
    def full(self) -> str:
        return f"{self.given} {self.family}"


@dataclass(frozen=True)
class Patient:
    index: int
    id: str
    hospital_id: str
    person: Person
    birth_date: dt.date
    age: int  # at the end of history
    relation: str  # "S/o", "W/o", "D/o", "C/o"
    relative: Person
    phone: str
    relative_phone: str
    email: str
    abha_number: str
    abha_address: str
    aadhaar: str
    pan: str
    uhid: str
    house: str
    locality: str
    district: refdata.District
    pin: str
    canary: bool
    pan_on_file: bool  # the hospital recorded the PAN (insurance/TPA paperwork): ~20%, and every canary

    @property
    def relative_role(self) -> str:
        """The relative's role in words, as an attendant line writes it."""
        if self.relation == "W/o":
            return "husband"
        return "mother" if self.relative.sex == "F" else "father"

    @property
    def honorific(self) -> str:
        """Shri/Smt. for adults; Master/Kumari for children, as Indian registers write them."""
        if self.age < 18:
            return "Kumari" if self.person.sex == "F" else "Master"
        return "Smt." if self.person.sex == "F" else "Shri"

    @property
    def relative_honorific(self) -> str:
        return "Smt." if self.relative.sex == "F" else "Shri"


def _pick_name(r: random.Random, sex: str, region: str, deva: bool) -> Person:
    """A name from the region's pool (or, for about one person in eight, the Muslim name pool)."""
    lists = refdata.names()
    given = r.choice(lists.given[(sex, region)])
    family = r.choice(lists.surnames[region])
    dv = f"{given.devanagari} {family.devanagari}" if deva and given.devanagari and family.devanagari else None
    return Person(given.latin, family.latin, sex, dv)


CANARY_GIVEN = ("Oriyash", "Vemulika", "Zarvinder", "Qasimbir", "Yuvalekha", "Xaviranjan", "Ilavrisha")
CANARY_FAMILY = ("Kanarivala", "Thekkumkanary", "Kanarikar", "Sonkanary", "Mirkanaryani", "Kanaripally")


def make_patient(r: random.Random, index: int, pid: str, hospital_id: str, uhid: str, female: bool, age: int,
                 district: refdata.District, end: dt.date, canary: bool) -> Patient:
    sex = "F" if female else "M"
    deva = district.devanagari_state and r.random() < 0.3
    community = "muslim" if r.random() < 0.12 else district.region
    if canary:
        person = Person(r.choice(CANARY_GIVEN), r.choice(CANARY_FAMILY), sex, None)
    else:
        person = _pick_name(r, sex, community, deva)
    if age < 18:
        relation, rel_sex = ("S/o" if sex == "M" else "D/o", "M") if r.random() < 0.8 else ("C/o", "F")
    elif sex == "F" and r.random() < 0.7:
        relation, rel_sex = "W/o", "M"
    else:
        relation, rel_sex = ("S/o" if sex == "M" else "D/o"), "M"
    relative = _pick_name(r, rel_sex, community, deva)
    if relation in ("W/o", "S/o", "D/o") and not canary and r.random() < 0.6:
        relative = Person(relative.given, person.family, relative.sex,
                          None if not (relative.devanagari and person.devanagari)
                          else f"{relative.devanagari.split(' ')[0]} {person.devanagari.split(' ')[-1]}")
    birth = end - dt.timedelta(days=int(age * 365.25) + r.randint(0, 364))
    number = mobile(r)
    handle = f"{person.given.lower()}.{person.family.lower()}"
    email = f"{handle}{r.randint(1, 99)}@{r.choice(('gmail.com', 'yahoo.co.in', 'rediffmail.com', 'outlook.com'))}"
    abha_addr = f"{person.given.lower()}{person.family.lower()[:4]}{birth.year % 100:02d}{r.randint(10, 999)}@abdm"
    house = r.choice((f"H.No. {r.randint(1, 40)}-{r.randint(1, 9)}-{r.randint(1, 999)}",
                      f"Flat {r.randint(1, 20)}{r.randint(0, 1)}{r.randint(1, 9)}",
                      f"House No. {r.randint(1, 999)}", f"Plot {r.randint(1, 300)}", f"{r.randint(1, 99)}/{r.randint(1, 9)}"))
    return Patient(
        index=index, id=pid, hospital_id=hospital_id, person=person, birth_date=birth, age=age, relation=relation,
        relative=relative, phone=number, relative_phone=mobile(r), email=email, abha_number=abha_number(r),
        abha_address=abha_addr, aadhaar=aadhaar(r), pan=pan(r, person.family), uhid=uhid, house=house,
        locality=r.choice(refdata.localities()), district=district, pin=district.pin(r.getrandbits(20)),
        canary=canary, pan_on_file=canary or r.random() < 0.2,
    )


def uhid_for(style: int, hospital_index: int, patient_index: int, r: random.Random, year: int) -> str:
    """Hospital-specific UHID formats; the patient index inside keeps them unique per hospital."""
    serial = 100000 + patient_index * 11 + r.randint(0, 10)
    if style == 0:
        return f"H{hospital_index + 1}{serial:08d}"
    if style == 1:
        return f"{year}/{serial:07d}"
    if style == 2:
        return f"UHID{serial:09d}"
    return f"MRN-{serial:08d}"


@dataclass(frozen=True)
class Doctor:
    id: str
    person: Person
    initials: str  # "R. K."
    registration: str  # state medical council registration number
    specialty: str

    @property
    def short(self) -> str:
        """How notes sign: "R. K. Sharma"."""
        return f"{self.initials} {self.person.family}"


SPECIALTIES = ("MD (Medicine)", "MD (General Medicine)", "MD (Paediatrics)", "MD (Pulmonary Medicine)",
               "DNB (Family Medicine)", "MD (Pathology)", "MD (Radiodiagnosis)")


def roster(seed: int, hospital_index: int, district: refdata.District, size: int = 8) -> list[Doctor]:
    """The hospital's doctors, fixed per (seed, hospital) so every patient's records agree on them."""
    r = rng_for(seed, "roster", hospital_index)
    letters = "ABCDGHJKLMNPRSTV"
    doctors = []
    for i in range(size):
        person = _pick_name(r, r.choice("MF"), district.region, False)
        initials = f"{person.given[0]}." if r.random() < 0.5 else f"{person.given[0]}. {r.choice(letters)}."
        reg = f"{district.state_code}/{r.randint(1995, 2020)}/{r.randint(1000, 99999)}"
        specialty = SPECIALTIES[5] if i == size - 2 else SPECIALTIES[6] if i == size - 1 else r.choice(SPECIALTIES[:5])
        doctors.append(Doctor(new_uuid(r), person, initials, reg, specialty))
    return doctors

"""Small DICOM studies (CR/CT chest, US abdomen, secondary-capture scans) carrying PHI where real
ones do: patient name/ID/birth date/address/phone, referring and reading physicians, institution,
dates, UIDs, other patient IDs (the ABHA number), and a private tag group holding the UHID — plus
BurnedInAnnotation=YES instances (US, scanned documents) whose pixels carry a text band.

Images are 48-64 px so a study is a few KB. Files are encoded by `dicomwrite` (explicit VR little
endian, full file meta) — see there for why not pydicom's writer; tests read them with pydicom 3.
No wall-clock values and UIDs from the patient's RNG, so files are byte-identical for a seed.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from pathlib import Path

import numpy as np

from medkosh import __version__
from medkosh.synth.chart import Chart
from medkosh.synth.dicomwrite import Elements, part10
from medkosh.synth.identity import Doctor, Patient, new_dicom_uid
from medkosh.synth.population import Hospital

SOP_CLASS = {"CR": "1.2.840.10008.5.1.4.1.1.1", "CT": "1.2.840.10008.5.1.4.1.1.2",
             "US": "1.2.840.10008.5.1.4.1.1.6.1", "OT": "1.2.840.10008.5.1.4.1.1.7"}
IMPLEMENTATION_UID = "2.25.229137436170716425862417146548232157329"  # fixed: identifies this generator
IMPLEMENTATION_NAME = f"MEDKOSH_{__version__}"[:16]
PRIVATE_GROUP = 0x0011
PRIVATE_CREATOR = "MEDKOSH SYNTH"  # at (0011,0010); its elements are (0011,10xx)


def _pn(family: str, given: str, prefix: str = "") -> str:
    return f"{family}^{given}^^{prefix}".rstrip("^")


def _doctor_pn(doc: Doctor) -> str:
    return _pn(doc.person.family, doc.person.given, "Dr.")


@functools.cache
def _chest_base(size: int) -> np.ndarray:
    """A noiseless chest-like frame: brighter towards the bottom, two darker lung fields."""
    y, x = np.mgrid[0:size, 0:size] / size
    img = 0.55 + 0.25 * y
    for cx in (0.3, 0.7):
        img -= 0.35 * (((x - cx) / 0.17) ** 2 + ((y - 0.5) / 0.3) ** 2 < 1)
    img.setflags(write=False)
    return img


def _chest(g: np.random.Generator, size: int, bits: int) -> np.ndarray:
    img = _chest_base(size) + g.normal(0, 0.03, (size, size))
    return (np.clip(img, 0, 1) * ((1 << bits) - 1)).astype("<u2")


def _burn_text(img: np.ndarray, text: str, value: int) -> None:
    """A crude burned-in annotation: each character's bits as a column pattern in the top rows."""
    for i, ch in enumerate(text[: img.shape[1] // 2]):
        code = ord(ch)
        for bit in range(7):
            if code >> bit & 1:
                img[1 + bit, 2 * i] = value


def _base(p: Patient, h: Hospital, study_uid: str, when: dt.date, referring: Doctor, reader: Doctor,
          accession: str, description: str, burned: bool) -> Elements:
    day = when.strftime("%Y%m%d")
    other = Elements().add(0x00100020, "LO", p.abha_number).add(0x00100021, "LO", "ABDM")
    years = max(0, (when - p.birth_date).days // 365)
    return (Elements()
            .add(0x00080005, "CS", "ISO_IR 192")
            .add(0x00080020, "DA", day).add(0x00080021, "DA", day).add(0x00080023, "DA", day)
            .add(0x00080030, "TM", "103000").add(0x00080031, "TM", "103000").add(0x00080033, "TM", "103000")
            .add(0x00080050, "SH", accession)
            .add(0x00080070, "LO", "MEDKOSH SYNTH")
            .add(0x00080080, "LO", h.name[:64])
            .add(0x00080081, "ST", f"{h.district.city}, {h.district.state} {h.manifest()['pin']}")
            .add(0x00080090, "PN", _doctor_pn(referring))
            .add(0x00081010, "SH", f"{h.id.upper()}-XR1")
            .add(0x00081030, "LO", description)
            .add(0x00081060, "PN", _doctor_pn(reader))
            .add(0x00100010, "PN", _pn(p.person.family, p.person.given))
            .add(0x00100020, "LO", p.uhid)
            .add(0x00100021, "LO", h.id)
            .add(0x00101002, "SQ", [other])
            .add(0x00100030, "DA", p.birth_date.strftime("%Y%m%d"))
            .add(0x00100040, "CS", p.person.sex)
            .add(0x00101010, "AS", f"{min(years, 999):03d}Y")
            .add(0x00101040, "LO", f"{p.house}, {p.locality}, {p.district.city} {p.pin}"[:64])
            .add(0x00102154, "SH", f"+91{p.phone}")
            .add(0x00280301, "CS", "YES" if burned else "NO")
            .add(0x0020000D, "UI", study_uid)
            .add(0x00200010, "SH", accession[-8:])
            .add((PRIVATE_GROUP << 16) | 0x0010, "LO", PRIVATE_CREATOR)
            .add((PRIVATE_GROUP << 16) | 0x1010, "LO", p.uhid)
            .add((PRIVATE_GROUP << 16) | 0x1011, "LO", p.abha_number)
            .add((PRIVATE_GROUP << 16) | 0x1012, "DA", day))


def _finish(ds: Elements, modality: str, sop_uid: str, series_uid: str, instance: int, pixels: np.ndarray,
            rgb: bool = False) -> bytes:
    ds.add(0x00080016, "UI", SOP_CLASS[modality]).add(0x00080018, "UI", sop_uid).add(0x00080060, "CS", modality)
    ds.add(0x0020000E, "UI", series_uid).add(0x00200011, "IS", 1).add(0x00200013, "IS", instance)
    ds.add(0x00280010, "US", int(pixels.shape[0])).add(0x00280011, "US", int(pixels.shape[1]))
    if rgb:
        ds.add(0x00280002, "US", 3).add(0x00280004, "CS", "RGB").add(0x00280006, "US", 0)
        bits_alloc, bits_stored = 8, 8
    else:
        ds.add(0x00280002, "US", 1).add(0x00280004, "CS", "MONOCHROME2")
        bits_alloc = 8 if pixels.dtype == np.uint8 else 16
        bits_stored = 8 if bits_alloc == 8 else 12
    ds.add(0x00280100, "US", bits_alloc).add(0x00280101, "US", bits_stored).add(0x00280102, "US", bits_stored - 1)
    ds.add(0x00280103, "US", 0)
    ds.add(0x7FE00010, "OB" if bits_alloc == 8 else "OW", pixels.tobytes())
    return part10((), ds, SOP_CLASS[modality], sop_uid, IMPLEMENTATION_UID, IMPLEMENTATION_NAME)


def write_study(r: random.Random, p: Patient, h: Hospital, doctors: list[Doctor], chart: Chart,
                chronic: tuple[str, ...], out_dir: Path) -> tuple[int, int]:
    """Write one study for the patient under out_dir/<hospital>/<study uid>/; returns (studies, instances)."""
    g = np.random.default_rng(r.getrandbits(64))
    anchor = next((e for e in chart.encounters if e.kind in ("opd", "ipd")), chart.encounters[0])
    when = anchor.start
    referring = doctors[anchor.doctor]
    reader = doctors[-1]
    lung = "tb" in chronic or "copd" in chronic
    choice = r.random()
    if lung and choice < 0.3:
        modality, description, count = "CT", "CT CHEST PLAIN", 3
    elif choice < 0.65 or lung:
        modality, description, count = "CR", "XR CHEST PA VIEW", r.choice((1, 1, 2))
    elif choice < 0.85:
        modality, description, count = "US", "USG WHOLE ABDOMEN", 2
    else:
        modality, description, count = "OT", "SCANNED REPORT", 1
    burned = modality in ("US", "OT")
    study_uid, series_uid = new_dicom_uid(r), new_dicom_uid(r)
    accession = f"ACC{when.strftime('%y%m%d')}{r.randint(10000, 99999)}"
    study_dir = out_dir / h.id / study_uid
    study_dir.mkdir(parents=True)
    for i in range(count):
        ds = _base(p, h, study_uid, when, referring, reader, accession, description, burned)
        sop_uid = new_dicom_uid(r)
        rgb = False
        if modality in ("CR", "CT"):
            ds.add(0x00180015, "CS", "CHEST")
            pixels = _chest(g, 64, 12)
            if modality == "CR":
                ds.add(0x00080008, "CS", ["ORIGINAL", "PRIMARY"]).add(0x00185101, "CS", "PA" if i == 0 else "LL")
            else:
                ds.add(0x00080008, "CS", ["ORIGINAL", "PRIMARY", "AXIAL"])
                ds.add(0x00281052, "DS", "-1024").add(0x00281053, "DS", "1").add(0x00180060, "DS", "120")
                ds.add(0x00180050, "DS", "5").add(0x00280030, "DS", ["6", "6"])
                ds.add(0x00200037, "DS", [1, 0, 0, 0, 1, 0]).add(0x00200032, "DS", [-192, -192, -5 * i])
        elif modality == "US":
            ds.add(0x00180015, "CS", "ABDOMEN").add(0x00080008, "CS", ["ORIGINAL", "PRIMARY"])
            grey = (np.clip(g.normal(0.35, 0.15, (48, 48)), 0, 1) * 255).astype(np.uint8)
            _burn_text(grey, f"{p.person.full} {p.uhid} {when:%d/%m/%Y}", 255)
            pixels = np.repeat(grey[:, :, None], 3, axis=2)
            rgb = True
        else:
            ds.add(0x00080064, "CS", "DI").add(0x00080008, "CS", ["DERIVED", "SECONDARY"])
            pixels = (np.full((64, 48), 235) - g.integers(0, 20, (64, 48))).astype(np.uint8)
            _burn_text(pixels, f"{h.name} {p.person.full} {p.uhid}", 0)
        (study_dir / f"{sop_uid}.dcm").write_bytes(_finish(ds, modality, sop_uid, series_uid, i + 1, pixels, rgb))
    return 1, count

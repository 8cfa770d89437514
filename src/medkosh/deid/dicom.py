"""DICOM header de-identification: PS3.15 Annex E Basic Application Level Confidentiality Profile
with the options Retain Longitudinal Temporal Information with Modified Dates and Clean Descriptors.

The action per attribute comes from dicom_actions.csv (Table E.1-1 as data). Private attributes
are removed; UIDs become deterministic keyed UIDs (same UID → same UID under one secret); dates
move by the patient's shift (medkosh.deid.dates, keyed on the patient's pseudonym, so a patient's
studies and FHIR records move together); PatientID and PatientName become the pseudonym; pixel
data is never touched. Images that may carry burned-in text are flagged for review.

Used by `medkosh deid dicom` (standalone) and `medkosh ingest dicom` (into the platform).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import struct
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydicom import Dataset, config, dcmread
from pydicom.charset import default_encoding
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.errors import BytesLengthException, InvalidDicomError
from pydicom.filebase import DicomFile
from pydicom.filewriter import write_data_element, write_file_meta_info
from pydicom.filewriter import write_dataset as write_body
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.uid import DeflatedExplicitVRLittleEndian
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

try:  # pydicom 3's rule for the encoding save_as uses (transfer syntax first), so output is the same
    from pydicom.filewriter import _determine_encoding
except ImportError:  # pragma: no cover - another pydicom: save_as does it all
    _determine_encoding = None  # type: ignore[assignment]

from medkosh.deid.dates import shift_days
from medkosh.deid.dicom_actions import action_for
from medkosh.deid.pseudonym import keyed_uid

PROFILE_CODES = (  # DeidentificationMethodCodeSequence (CID 7050)
    ("113100", "Basic Application Confidentiality Profile"),
    ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    ("113105", "Clean Descriptors Option"),
)
METHOD = ("PS3.15 E.1-1 Basic Profile", "Retain Longitudinal Modified Dates", "Clean Descriptors")
# Modalities whose images often carry burned-in patient text (ultrasound, secondary capture,
# photographs, endoscopy, slide microscopy, "other"): never published without a human look.
BURNED_IN_MODALITIES = frozenset({"US", "SC", "XC", "OT", "ES", "SM", "GM", "IVUS", "DOC"})
SECONDARY_CAPTURE_PREFIX = "1.2.840.10008.5.1.4.1.1.7"
DUMMY = "ANONYMIZED"
_TEXT_VRS = frozenset({"LO", "SH", "ST", "LT", "UT", "UC", "PN", "CS", "AE"})
_NUMERIC_VRS = frozenset({"US", "UL", "SS", "SL", "FL", "FD", "SV", "UV", "IS", "DS", "AT"})
_DATE_LIKE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_LONG_NUMBER = re.compile(r"\d[\d\s-]{4,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)*")


@contextlib.contextmanager
def _no_validation() -> Iterator[None]:
    """pydicom validates every assigned value; ours are generated (UIDs, dummies, shifted dates) and
    the originals were read as they were, so validation only costs time (a third of the run)."""
    settings = config.settings
    saved = (settings.reading_validation_mode, settings.writing_validation_mode)
    settings.reading_validation_mode = settings.writing_validation_mode = config.IGNORE
    try:
        yield
    finally:
        settings.reading_validation_mode, settings.writing_validation_mode = saved


class DicomReadError(ValueError):
    """A file that is not DICOM, or is corrupt or cut off: reported and skipped."""


@dataclass
class DeidResult:
    patient_key: str
    shift_days: int
    study_uid: str | None
    series_uid: str | None
    sop_uid: str | None
    sop_class_uid: str | None
    modality: str | None
    study_date: dt.date | None  # shifted
    flagged: bool
    review_reason: str | None
    body_part: str | None = None
    rows: int | None = None
    columns: int | None = None


def read_dicom(path: Path) -> Dataset:
    """Read a whole DICOM file, refusing what is not DICOM or is truncated.

    pydicom reports some truncations only as warnings ("End of file reached before delimiter");
    those are errors here, and other reader warnings are not echoed to the user."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = _read(path)
    for warning in caught:
        text = str(warning.message)
        if "End of file" in text or "truncat" in text.lower():
            raise DicomReadError(f"corrupt or truncated DICOM ({' '.join(text.split())[:200]})")
    return ds


def _read(path: Path) -> Dataset:
    try:
        ds = dcmread(path)
    except InvalidDicomError:
        try:
            ds = dcmread(path, force=True)  # DICOM without the 128-byte preamble is still DICOM
        except Exception as exc:
            raise DicomReadError(f"not a DICOM file ({type(exc).__name__})") from exc
        if "SOPInstanceUID" not in ds or "SOPClassUID" not in ds:
            raise DicomReadError("not a DICOM file (no DICM preamble and no SOP Class/Instance UID)") from None
    except (EOFError, OSError, ValueError, KeyError, TypeError, OverflowError) as exc:
        raise DicomReadError(f"corrupt or truncated DICOM ({type(exc).__name__}: {_one_line(exc)})") from exc
    try:
        # Elements stay raw (undecoded) unless the profile touches them: decoding every value would
        # cost more than the de-identification itself, and raw values are written back byte for byte.
        # Except when the file lies about its encoding (implicit VR under an explicit transfer
        # syntax): raw values then cannot be written as they are, so decode them all now.
        tags = list(ds.keys())
        if tags and getattr(ds.get_item(tags[-1]), "is_implicit_VR", ds.is_implicit_VR) != ds.is_implicit_VR:
            ds.walk(lambda _ds, _elem: None)
        if "PixelData" in ds:
            _check_pixel_length(ds)
        elif _is_image_storage(ds) and not ({"FloatPixelData", "DoubleFloatPixelData"} & set(ds.dir())):
            # pydicom stops quietly at end of file between elements: an image without pixels was cut off
            raise ValueError("image storage object without pixel data (file cut off?)")
    except (EOFError, ValueError, KeyError, TypeError, OverflowError) as exc:
        raise DicomReadError(f"corrupt or truncated DICOM ({type(exc).__name__}: {_one_line(exc)})") from exc
    return ds


def _is_image_storage(ds: Dataset) -> bool:
    sop_class = ds.get("SOPClassUID")
    name = getattr(sop_class, "name", "") or ""
    return "Image Storage" in name and "Presentation" not in name


def _check_pixel_length(ds: Dataset) -> None:
    """A file cut inside its pixel data still parses; compare the bytes present with the header."""
    elem = ds["PixelData"]
    syntax = getattr(ds, "file_meta", Dataset()).get("TransferSyntaxUID", None)
    if getattr(elem, "is_undefined_length", False) or syntax is None or syntax.is_compressed:
        return
    needed = int(ds.get("Rows", 0)) * int(ds.get("Columns", 0)) * int(ds.get("SamplesPerPixel", 1)) \
        * int(ds.get("NumberOfFrames", 1) or 1) * int(ds.get("BitsAllocated", 8)) // 8
    if str(ds.get("PhotometricInterpretation", "")) in ("YBR_FULL_422", "YBR_PARTIAL_422"):
        needed = needed * 2 // 3  # 4:2:2 chroma subsampling stores two samples per pixel, not three
    if needed and len(elem.value or b"") < needed:
        raise ValueError(f"pixel data has {len(elem.value or b'')} of {needed} bytes")


# Errors a corrupt file can raise after read_dicom accepted it (values are decoded lazily).
CORRUPT_ERRORS = (TypeError, ValueError, KeyError, AttributeError, OverflowError, IndexError, struct.error, UnicodeError,
            NotImplementedError, BytesLengthException)


def first_line(exc: BaseException) -> str:
    """The first line of an error (pydicom appends the inner traceback to some messages)."""
    lines = str(exc).strip().splitlines()
    return " ".join(((lines[0] if lines else "") or type(exc).__name__).split())[:160]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


class DicomDeidentifier:
    """One engine per dataset: the secret keys UIDs and date shifts; `patient_key` maps the original
    PatientID to the pseudonym (so DICOM links with FHIR and CSV of the same source)."""

    def __init__(self, secret: bytes, patient_key: Callable[[str], str]) -> None:
        self.secret = secret
        self.patient_key = patient_key
        self._uids: dict[str, str] = {}

    def uid(self, value: str) -> str:
        new = self._uids.get(value)
        if new is None:
            new = keyed_uid(self.secret, value)
            self._uids[value] = new
        return new

    def deidentify(self, ds: Dataset) -> DeidResult:
        """De-identify a dataset in place and return what the index needs."""
        with warnings.catch_warnings(), _no_validation():
            warnings.simplefilter("ignore")  # pydicom's VR-length notes on odd inputs are not user errors
            return self._deidentify(ds)

    def _deidentify(self, ds: Dataset) -> DeidResult:
        # No PatientID: key on the study, so unrelated anonymous studies are not merged into one patient.
        original_id = str(ds.get("PatientID", "") or "").strip() or f"STUDY:{ds.get('StudyInstanceUID', '')}"
        key = self.patient_key(original_id)
        days = shift_days(self.secret, key)
        modality = str(ds.get("Modality", "") or "") or None
        burned = str(ds.get("BurnedInAnnotation", "") or "").upper()
        sop_class = str(ds.get("SOPClassUID", "") or "") or None
        secrets_in_text = Scrubber(_identifying_strings(ds))
        self._apply(ds, days, secrets_in_text)
        self._stamp(ds, key)
        meta = getattr(ds, "file_meta", None)
        if meta is not None and "SOPInstanceUID" in ds:
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID  # (0002,0003) must name the new instance
        reason = None
        if burned == "YES":
            reason = "BurnedInAnnotation is YES"
        elif modality in BURNED_IN_MODALITIES:
            reason = f"modality {modality} often carries burned-in text"
        elif sop_class and sop_class.startswith(SECONDARY_CAPTURE_PREFIX):
            reason = "secondary capture images often carry burned-in text"
        study_date = _parse_da(str(ds.get("StudyDate", "") or ""))
        return DeidResult(
            patient_key=key, shift_days=days, study_uid=_str(ds.get("StudyInstanceUID")),
            series_uid=_str(ds.get("SeriesInstanceUID")), sop_uid=_str(ds.get("SOPInstanceUID")),
            sop_class_uid=sop_class, modality=modality, study_date=study_date, flagged=reason is not None,
            review_reason=reason, body_part=_str(ds.get("BodyPartExamined")),
            rows=_int(ds.get("Rows")), columns=_int(ds.get("Columns")),
        )

    # -------------------------------------------------------------- the profile, element by element

    def _apply(self, ds: Dataset, days: int, secrets: Scrubber | None) -> None:
        for tag in list(ds.keys()):
            if tag.is_private:
                del ds[tag]
                continue
            action = action_for(int(tag))
            if action is None or action == "K":
                raw = ds.get_item(tag)
                if _vr_of(raw, tag) == "SQ":  # only sequences are decoded: the profile applies inside
                    self._each_item(ds[tag], days, secrets)
                continue
            if action == "X":
                del ds[tag]  # removed without decoding the old value
                continue
            vr = _vr_of(ds.get_item(tag), tag)
            if action in ("Z", "D") and vr and vr not in ("SQ", "UI") and " or " not in vr:
                # The old value is not needed: build the replacement element without decoding it.
                new = DataElement(tag, vr, None)
                if action == "Z":
                    _empty(new)
                else:
                    self._dummy(new)
                ds[tag] = new
                continue
            elem = ds[tag]
            if action == "Z":
                _empty(elem)
            elif action == "D":
                self._dummy(elem)
            elif action == "U":
                self._replace_uids(elem)
            elif action == "U*":
                self._each_item(elem, days, secrets)
            elif action == "C":
                self._clean(elem, days, secrets)

    def _each_item(self, elem: DataElement, days: int, secrets: Scrubber | None) -> None:
        for item in elem.value or []:
            self._apply(item, days, secrets)

    def _replace_uids(self, elem: DataElement) -> None:
        if elem.VR != "UI":
            _empty(elem)  # not a UID at all (a malformed header): drop the value
            return
        if elem.value in (None, ""):
            return
        if isinstance(elem.value, MultiValue | list):
            elem.value = [self.uid(str(v)) for v in elem.value]
        else:
            elem.value = self.uid(str(elem.value))

    def _dummy(self, elem: DataElement) -> None:
        vr = elem.VR
        if vr == "SQ":
            elem.value = Sequence([])  # a dummy sequence is an empty one: items could hold anything
        elif vr == "UI":
            self._replace_uids(elem)
        elif vr == "DA":
            elem.value = "19000101"
        elif vr == "DT":
            elem.value = "19000101000000"
        elif vr == "TM":
            elem.value = "000000"
        elif vr in ("IS", "DS"):
            elem.value = "0"
        elif vr in _NUMERIC_VRS:
            elem.value = 0
        elif vr in _TEXT_VRS:
            elem.value = DUMMY
        else:
            _empty(elem)

    def _clean(self, elem: DataElement, days: int, secrets: Scrubber | None) -> None:
        vr = elem.VR
        if vr == "SQ":
            for item in elem.value or []:
                self._apply(item, days, secrets)
                for sub in item:  # text inside coded items (CodeMeaning, …) is a descriptor too
                    if sub.VR in _TEXT_VRS - {"CS", "AE"} and not sub.tag.is_private:
                        sub.value = clean_text(str(sub.value or ""), secrets) if sub.value else sub.value
        elif vr == "DA":
            elem.value = _shift_values(elem.value, days, _shift_da)
        elif vr == "DT":
            elem.value = _shift_values(elem.value, days, _shift_dt)
        elif vr == "TM" or (vr == "SH" and "Timezone" in elem.name):
            return  # whole-day shifts keep times of day (and the UTC offset) as they were
        elif vr in _TEXT_VRS - {"CS", "AE"}:
            if elem.value:
                elem.value = _map_values(elem.value, lambda v: clean_text(v, secrets))
        elif vr in ("OB", "OW", "UN"):
            _empty(elem)

    def _stamp(self, ds: Dataset, key: str) -> None:
        # By tag, as `ds.PatientID = key` would set them, without the keyword look-ups.
        _set(ds, 0x00100020, key)  # PatientID
        _set(ds, 0x00100010, key)  # PatientName
        _set(ds, 0x00120062, "YES")  # PatientIdentityRemoved
        _set(ds, 0x00120063, list(METHOD))  # DeidentificationMethod
        items = []
        for code, meaning in PROFILE_CODES:
            item = Dataset()
            _set(item, 0x00080100, code)  # CodeValue
            _set(item, 0x00080102, "DCM")  # CodingSchemeDesignator
            _set(item, 0x00080104, meaning)  # CodeMeaning
            items.append(item)
        _set(ds, 0x00120064, Sequence(items))  # DeidentificationMethodCodeSequence
        _set(ds, 0x00280303, "MODIFIED")  # LongitudinalTemporalInformationModified


def _set(ds: Dataset, tag: int, value: Any) -> None:
    """Dataset.__setattr__ for a keyword, by tag: an existing element keeps its VR and gets the value,
    a new one takes the dictionary VR."""
    if tag in ds:
        elem = ds[tag]  # now stored converted in the dataset
        elem.value = value
        if elem.VR != "SQ":
            return  # storing it again would change nothing
    else:
        elem = DataElement(tag, dictionary_VR(tag), value)
    ds[tag] = elem


def _vr_of(raw: Any, tag: Any) -> str | None:
    vr = getattr(raw, "VR", None)
    if vr is None or vr == "UN":  # implicit VR (or UN-encoded) elements: the data dictionary knows
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            return None
    return str(vr)


def secrets_pattern(secrets: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation of the patient's identifiers (longest first)."""
    if not secrets:
        return None
    return re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)), re.IGNORECASE)


class Scrubber:
    """Replaces the patient's identifiers in a descriptor with '*', as secrets_pattern(secrets).sub
    would, without compiling a regular expression per file (compiling one alternation per patient
    was about a tenth of the whole run): ASCII text is searched literally on its lower-case form,
    which matches exactly what the case-insensitive pattern matches there (leftmost match, the
    longest identifier at that position, non-overlapping); other text still goes through the
    pattern, compiled on first use."""

    __slots__ = ("_lowered", "_pattern", "_secrets")

    def __init__(self, secrets: list[str]) -> None:
        self._secrets = sorted(secrets, key=len, reverse=True)
        self._lowered = [x.lower() for x in self._secrets] if all(x.isascii() for x in self._secrets) else None
        self._pattern: re.Pattern[str] | None = None

    def sub(self, value: str) -> str:
        if not self._secrets:
            return value
        if self._lowered is not None and value.isascii():
            return _replace_literals(value, self._lowered)
        if self._pattern is None:
            self._pattern = secrets_pattern(self._secrets)
        assert self._pattern is not None
        return self._pattern.sub("*", value)


def _replace_literals(value: str, lowered: list[str]) -> str:
    low = value.lower()
    out: list[str] = []
    pos = 0
    while True:
        best, best_len = -1, 0
        for secret in lowered:
            at = low.find(secret, pos)
            if at != -1 and (best == -1 or at < best or (at == best and len(secret) > best_len)):
                best, best_len = at, len(secret)
        if best == -1:
            break
        out.append(value[pos:best])
        out.append("*")
        pos = best + best_len
    if not out:
        return value
    out.append(value[pos:])
    return "".join(out)


def clean_text(value: str, secrets: list[str] | re.Pattern[str] | Scrubber | None) -> str:
    """Clean a descriptor: the patient's own identifiers, dates, long numbers and e-mail addresses
    become '*'; the clinical words stay (Clean Descriptors keeps what describes the image)."""
    if isinstance(secrets, Scrubber):
        out = secrets.sub(value)
    else:
        pattern = secrets_pattern(secrets) if isinstance(secrets, list) else secrets
        out = pattern.sub("*", value) if pattern is not None else value
    out = _EMAIL.sub("*", out)
    out = _DATE_LIKE.sub("*", out)
    return _LONG_NUMBER.sub("*", out)


def _identifying_strings(ds: Dataset) -> list[str]:
    """The patient's identifiers in this header, to strip from free text before they are removed."""
    found: list[str] = []
    for keyword in ("PatientID", "OtherPatientIDs", "AccessionNumber", "PatientName", "OtherPatientNames",
                    "PatientBirthName", "PatientMotherBirthName", "ReferringPhysicianName", "InstitutionName"):
        value = ds.get(keyword)
        if not value:
            continue
        for v in value if isinstance(value, MultiValue | list) else [value]:
            text = str(v)
            found.append(text)
            found.extend(p for p in re.split(r"[\^\s,]+", text) if len(p) >= 3)
    return sorted({f for f in found if len(f.strip()) >= 3}, key=len, reverse=True)


def _empty(elem: DataElement) -> None:
    if elem.VR == "SQ":
        elem.value = Sequence([])
    elif elem.VR in _NUMERIC_VRS - {"IS", "DS"} or elem.VR in ("OB", "OW", "OF", "OD", "OL", "OV", "UN"):
        elem.value = None
    else:
        elem.value = ""


def _map_values(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, MultiValue | list):
        return [fn(str(v)) for v in value]
    return fn(str(value))


def _shift_values(value: Any, days: int, fn: Callable[[str, int], str | None]) -> Any:
    if value in (None, ""):
        return value
    values = [str(v) for v in value] if isinstance(value, MultiValue | list) else [str(value)]
    shifted = [fn(v, days) for v in values]
    if any(s is None for s in shifted):
        return ""  # a date we cannot read cannot be shifted safely: drop it
    return shifted if len(shifted) > 1 else shifted[0]


def _parse_da(value: str) -> dt.date | None:
    value = value.strip()
    if len(value) < 8 or not value[:8].isdigit():
        return None
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return None


def _shift_da(value: str, days: int) -> str | None:
    if "-" in value.strip()[1:]:  # a range (query syntax) has no place in stored headers
        return None
    parsed = _parse_da(value)
    return (parsed + dt.timedelta(days=days)).strftime("%Y%m%d") if parsed else None


def _shift_dt(value: str, days: int) -> str | None:
    parsed = _parse_da(value[:8])
    if parsed is None:
        return None
    return (parsed + dt.timedelta(days=days)).strftime("%Y%m%d") + value[8:]


def _str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def write_dataset(ds: Dataset, dest: Path, atomic: bool = True, made: set[Path] | None = None) -> None:
    """Write a dataset; with atomic=True via a temporary name and a rename, so a reader never sees
    half a file (atomic=False only inside a private staging folder that is published as a whole).
    `made`: folders this run already created (a mkdir per file is not free on a busy disk)."""
    if made is None or dest.parent not in made:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(dest.parent)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp") if atomic else dest
    try:
        with warnings.catch_warnings(), _no_validation():
            warnings.simplefilter("ignore")
            save(ds, tmp)
        if atomic:
            os.replace(tmp, dest)
    finally:
        if atomic:
            tmp.unlink(missing_ok=True)


def save(ds: Dataset, path: Path) -> None:
    """What ds.save_as(path, enforce_file_format=False) writes, byte for byte, without the deep copy
    of the file meta that pydicom makes first (a few per cent of the whole run): the meta is written
    as it is, so there is nothing to protect. Deflated files and odd datasets go through save_as."""
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID", None) if meta is not None else None
    preamble = getattr(ds, "preamble", None)
    if (_determine_encoding is None or syntax == DeflatedExplicitVRLittleEndian
            or (preamble and len(preamble) != 128) or any(t >> 16 in (0, 2) for t in ds._dict)):
        ds.save_as(path, enforce_file_format=False)
        return
    encoding = _determine_encoding(ds, syntax, None, None, False)
    if encoding == (True, False):
        ds.save_as(path, enforce_file_format=False)  # raises pydicom's own error for this combination
        return
    if syntax and not syntax.is_private and syntax.is_transfer_syntax and "PixelData" in ds:
        ds["PixelData"].is_undefined_length = syntax.is_compressed
    with DicomFile(path, "wb") as fp:
        fp.is_implicit_VR, fp.is_little_endian = encoding
        if preamble:
            fp.write(preamble)
            fp.write(b"DICM")
        if meta:
            write_file_meta_info(fp, meta, enforce_standard=False)
        _write_top_level(fp, ds)


_SHORT_HEADER = struct.Struct("<HH2sH")  # explicit VR, 16-bit length
_LONG_HEADER = struct.Struct("<HH2sHL")  # explicit VR with reserved bytes and 32-bit length
_IMPLICIT_HEADER = struct.Struct("<HHL")
_LONG_VRS = frozenset(str(vr) for vr in EXPLICIT_VR_LENGTH_32)
_ASCII_VRS = frozenset({"AE", "AS", "CS", "DA", "DT", "TM", "UR", "UI"})  # pydicom's write_string
_TEXT_VRS_WRITTEN = frozenset({"LO", "LT", "SH", "ST", "UC", "UT"})  # pydicom's write_text
_PLAIN_CHARSETS = frozenset({"iso8859", "ISO_IR 6", "ISO_IR 100", "ISO_IR 192", ""})  # ASCII text as is
_UINT_FORMATS = {"US": struct.Struct("<H"), "UL": struct.Struct("<L")}


def _plain_value(elem: Any, plain_text: bool) -> bytes | None:
    """The encoded value of a changed element whose encoding is trivial (one non-empty ASCII string
    of a string VR, one unsigned integer), as pydicom's writer would encode it; None otherwise."""
    if elem.is_undefined_length:
        return None
    value, vr = elem.value, elem.VR
    if type(value) is str:
        if not value or not value.isascii():
            return None
        if vr in _ASCII_VRS or (plain_text and vr in _TEXT_VRS_WRITTEN):
            data = value.encode("ascii")
            if len(data) % 2:
                data += b"\0" if vr == "UI" else b" "
            return data
        return None
    if type(value) is int and vr in _UINT_FORMATS:
        try:
            return _UINT_FORMATS[vr].pack(value)
        except struct.error:
            return None
    return None


def _write_top_level(fp: Any, ds: Dataset) -> None:
    """pydicom's write_dataset for the top level, byte for byte, with a short cut for most elements:
    untouched (raw) elements are copied straight after their header, and changed elements holding one
    ASCII string or one unsigned integer are encoded here (pydicom spends more per element than on
    anything else in the run). Everything else (names, multi-values, sequences, other character sets,
    re-encoding) is written by pydicom itself."""
    encoding = (fp.is_implicit_VR, fp.is_little_endian)
    if (encoding != ds.original_encoding or not fp.is_little_endian
            or ds.original_character_set != ds._character_set):
        write_body(fp, ds)  # re-encoding (or big endian): pydicom converts every element
        return
    implicit = fp.is_implicit_VR
    charset = ds.get("SpecificCharacterSet", default_encoding)
    plain_text = type(charset) is str and charset in _PLAIN_CHARSETS
    get_item = ds.get_item
    write = fp.write
    for tag in sorted(ds.keys()):
        if tag.element == 0 and tag.group > 6:
            continue  # retired group lengths are not written
        elem = get_item(tag)
        value: Any = None
        if isinstance(elem, RawDataElement):  # untouched: its bytes as read
            value = elem.value if elem.length != 0xFFFFFFFF else None
        elif type(elem) is DataElement:
            value = _plain_value(elem, plain_text)
        if type(value) is bytes:
            vr = elem.VR
            if implicit or (type(vr) is str and len(vr) == 2):
                n = len(value)
                if implicit:
                    write(_IMPLICIT_HEADER.pack(tag >> 16, tag & 0xFFFF, n))
                    write(value)
                    continue
                if vr in _LONG_VRS:
                    write(_LONG_HEADER.pack(tag >> 16, tag & 0xFFFF, vr.encode(), 0, n))
                    write(value)
                    continue
                if n <= 0xFFFF:
                    write(_SHORT_HEADER.pack(tag >> 16, tag & 0xFFFF, vr.encode(), n))
                    write(value)
                    continue
        write_data_element(fp, elem, charset)


def _publish_tree(staging: Path, out_dir: Path) -> None:
    """Make a finished staging folder visible as OUT: one rename when OUT is new or empty, else one
    rename per study folder (a study appears whole or not at all)."""
    if not out_dir.exists() or (out_dir.is_dir() and not any(out_dir.iterdir())):
        if out_dir.exists():
            out_dir.rmdir()
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, out_dir)
        return
    for study_parent in (staging, staging / "_review"):
        if not study_parent.is_dir():
            continue
        for study in study_parent.iterdir():
            if study.name == "_review":
                continue
            dest = out_dir / study.relative_to(staging)
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(study, dest)
                continue
            for path in study.rglob("*.dcm"):  # an existing study gains files one by one
                target = dest / path.relative_to(study)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
    shutil.rmtree(staging, ignore_errors=True)


# ------------------------------------------------------------------ a folder, standalone

@dataclass
class FolderReport:
    files_total: int = 0
    written: int = 0
    flagged: list[dict[str, str]] | None = None
    skipped: list[dict[str, str]] | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"files": {"total": self.files_total, "written": self.written,
                          "flagged_for_review": len(self.flagged or []), "skipped": len(self.skipped or [])},
                "flagged": self.flagged or [], "skipped": self.skipped or [], "seconds": round(self.seconds, 3)}


def iter_files(folder: Path) -> list[Path]:
    """Every regular file under a folder (DICOM files often have no extension), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def output_path(out_dir: Path, result: DeidResult, review: bool) -> Path:
    """OUT/<study>/<sop>.dcm with keyed UIDs (original file names may carry identifiers; the series is
    in each header, and one folder level fewer halves the file-system work for small studies);
    images flagged for review go under OUT/_review/ so that OUT itself holds only publishable files."""
    base = out_dir / "_review" if review else out_dir
    return base / (result.study_uid or "unknown-study") / f"{result.sop_uid or 'unknown-instance'}.dcm"


def deidentify_folder(in_dir: Path, out_dir: Path, engine: DicomDeidentifier,
                      progress: Callable[[int, int], None] | None = None, workers: int = 1) -> FolderReport:
    """De-identify every file under IN into OUT; with workers > 1 the files are shared among processes
    (the engine, and so its patient-key function, must then be picklable: medkosh.ingest.linkage.UhidKey)."""
    started = time.perf_counter()
    files = iter_files(in_dir)
    report = FolderReport(files_total=len(files), flagged=[], skipped=[])
    assert report.flagged is not None and report.skipped is not None
    # Everything is written into a private staging folder next to OUT and published at the end
    # (cheaper than a rename per file, and a run that dies leaves OUT as it was).
    staging = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        if workers > 1 and len(files) >= 4 * workers:
            from concurrent.futures import ProcessPoolExecutor

            chunks = [(engine, files[i::workers], staging, out_dir) for i in range(workers)]
            with ProcessPoolExecutor(workers) as pool:
                for part in pool.map(_chunk, chunks):
                    report.written += part.written
                    report.flagged.extend(part.flagged or [])
                    report.skipped.extend(part.skipped or [])
            report.flagged.sort(key=lambda f: f["path"])
            report.skipped.sort(key=lambda f: f["path"])
        else:
            _deidentify_into(files, staging, out_dir, engine, report, progress)
        _publish_tree(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _chunk(args: tuple[DicomDeidentifier, list[Path], Path, Path]) -> FolderReport:
    engine, files, staging, out_dir = args
    part = FolderReport(files_total=len(files), flagged=[], skipped=[])
    _deidentify_into(files, staging, out_dir, engine, part, None)
    return part


def _deidentify_into(files: list[Path], staging: Path, out_dir: Path, engine: DicomDeidentifier,
                     report: FolderReport, progress: Callable[[int, int], None] | None) -> None:
    assert report.flagged is not None and report.skipped is not None
    made: set[Path] = set()
    for n, path in enumerate(files, start=1):
        if progress:
            progress(n, len(files))
        try:
            ds = read_dicom(path)
            result = engine.deidentify(ds)
            dest = output_path(staging, result, result.flagged)
        except DicomReadError as exc:
            report.skipped.append({"path": str(path), "reason": str(exc)})
            continue
        except CORRUPT_ERRORS as exc:  # a corrupt element that parsed lazily: this file is skipped, the run goes on
            report.skipped.append({"path": str(path), "reason": f"corrupt DICOM element ({first_line(exc)})"})
            continue
        # A second copy of an instance (same keyed UIDs) is written via a temporary name, so a failing
        # write cannot truncate the first copy; a new name is written in place (staging is private).
        again = dest.parent in made and dest.exists()
        try:
            write_dataset(ds, dest, atomic=again, made=made)
        except CORRUPT_ERRORS as exc:  # a value pydicom cannot encode back: no half-written file may be published
            if not again:
                dest.unlink(missing_ok=True)
            report.skipped.append({"path": str(path), "reason": f"corrupt DICOM element, cannot be written "
                                                                f"({first_line(exc)})"})
            continue
        report.written += 1
        if result.flagged:
            final = out_dir / dest.relative_to(staging)
            report.flagged.append({"path": str(path), "output": str(final), "reason": result.review_reason or ""})


def rekey_bytes(data: bytes, *, secret: bytes, patient_id: str) -> bytes:
    """Re-key an already de-identified file for release in a dataset: every UID the profile replaces
    (action U, at any depth, and the file meta's instance UID) becomes keyed_uid(dataset secret, uid),
    and PatientID/PatientName become the dataset's person id; dates stay (already shifted in the zone).
    Index columns re-keyed with the same keyed_uid(secret, …) therefore match the files."""
    import io

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = dcmread(io.BytesIO(data), force=True)

    def visit(_ds: Dataset, elem: DataElement) -> None:
        if elem.VR == "UI" and action_for(int(elem.tag)) == "U" and elem.value:
            if isinstance(elem.value, MultiValue | list):
                elem.value = [keyed_uid(secret, str(v)) for v in elem.value]
            else:
                elem.value = keyed_uid(secret, str(elem.value))

    ds.walk(visit)
    ds.PatientID = patient_id
    ds.PatientName = patient_id
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "SOPInstanceUID" in ds:
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.save_as(out, enforce_file_format=False)
    return out.getvalue()

"""A minimal DICOM Part 10 writer (explicit VR little endian, defined lengths) for the generator.

Why not pydicom's writer: building and writing a pydicom Dataset costs ~10 ms of CPU per small
image, which made DICOM most of the generator's run time; encoding the ~50 elements we use takes
~0.1 ms. The format is simple for this subset (no compression, no undefined lengths). The tests
read every file back with pydicom 3 (`dcmread`, `pixel_array`) and require that pydicom's own
`save_as(enforce_file_format=True)` of the read dataset gives back the very same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

# VRs whose explicit-VR header has 2 reserved bytes and a 4-byte length (PS3.5 7.1.2).
_LONG_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"})
_TEXT_VRS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UT"})
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"

Value = str | int | float | bytes | Sequence[str | int | float] | list["Elements"]


class Elements:
    """A dataset being built: tag -> (VR, encoded value). Encoded in ascending tag order."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[str, bytes]] = {}

    def add(self, tag: int, vr: str, value: Value) -> Elements:
        self._items[tag] = (vr, _encode_value(vr, value))
        return self

    def encode(self) -> bytes:
        out = bytearray()
        for tag in sorted(self._items):
            vr, raw = self._items[tag]
            out += _header(tag, vr, len(raw)) + raw
        return bytes(out)


def _header(tag: int, vr: str, length: int) -> bytes:
    group, elem = tag >> 16, tag & 0xFFFF
    if vr in _LONG_VRS:
        return struct.pack("<HH2sHI", group, elem, vr.encode("ascii"), 0, length)
    if length > 0xFFFF:
        raise ValueError(f"value of ({group:04X},{elem:04X}) too long for VR {vr}")
    return struct.pack("<HH2sH", group, elem, vr.encode("ascii"), length)


def _encode_value(vr: str, value: Value) -> bytes:
    if vr == "SQ":
        items = bytearray()
        for item in value:  # type: ignore[union-attr]
            assert isinstance(item, Elements)
            body = item.encode()
            items += struct.pack("<HHI", 0xFFFE, 0xE000, len(body)) + body
        return bytes(items)
    if vr in ("OB", "OW", "UN"):
        raw = bytes(value)  # type: ignore[arg-type]
        return raw + b"\0" if len(raw) % 2 else raw
    if vr == "US":
        values = value if isinstance(value, list | tuple) else [value]
        return b"".join(struct.pack("<H", int(v)) for v in values)  # type: ignore[arg-type]
    if vr == "UL":
        return struct.pack("<I", int(value))  # type: ignore[arg-type]
    if vr == "UI":
        raw = str(value).encode("ascii")
        return raw + b"\0" if len(raw) % 2 else raw
    if vr in _TEXT_VRS:
        if isinstance(value, list | tuple):
            text = "\\".join(_fmt(v) for v in value)  # type: ignore[arg-type]
        else:
            text = _fmt(value)  # type: ignore[arg-type]
        raw = text.encode("utf-8")
        return raw + b" " if len(raw) % 2 else raw
    raise ValueError(f"unsupported VR {vr}")


def _fmt(v: str | int | float) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def part10(meta: Iterable[tuple[int, str, Value]], dataset: Elements, sop_class: str, sop_instance: str,
           implementation_uid: str, implementation_name: str) -> bytes:
    """A complete file: preamble, 'DICM', the file meta group (with its group length), the dataset."""
    group = Elements()
    group.add(0x00020001, "OB", b"\x00\x01")
    group.add(0x00020002, "UI", sop_class)
    group.add(0x00020003, "UI", sop_instance)
    group.add(0x00020010, "UI", EXPLICIT_VR_LITTLE_ENDIAN)
    group.add(0x00020012, "UI", implementation_uid)
    group.add(0x00020013, "SH", implementation_name)
    for tag, vr, value in meta:
        group.add(tag, vr, value)
    body = group.encode()
    length = _header(0x00020000, "UL", 4) + struct.pack("<I", len(body))
    return b"\0" * 128 + b"DICM" + length + body + dataset.encode()

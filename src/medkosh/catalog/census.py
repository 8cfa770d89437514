"""Reference shares of India's population that data cards compare a dataset against.

Source: Census of India 2011 (Office of the Registrar General & Census Commissioner), Primary Census
Abstract (state totals, final figures) and Table C-13 (population by five-year age group). Telangana
and Andhra Pradesh are the 2011 district totals of the two states formed in 2014. C-13 gives persons
by age; the sex split within a band uses the national sex ratio of 2011 (943 females per 1000 males),
which the card states as an approximation.
"""

from __future__ import annotations

CITATION = ("Census of India 2011: Primary Census Abstract (state populations) and Table C-13 "
            "(age groups); sex within age bands approximated by the 2011 national sex ratio (943/1000)")

# ISO 3166-2:IN code -> (name, population 2011)
STATES: dict[str, tuple[str, int]] = {
    "UP": ("Uttar Pradesh", 199_812_341), "MH": ("Maharashtra", 112_374_333), "BR": ("Bihar", 104_099_452),
    "WB": ("West Bengal", 91_276_115), "MP": ("Madhya Pradesh", 72_626_809), "TN": ("Tamil Nadu", 72_147_030),
    "RJ": ("Rajasthan", 68_548_437), "KA": ("Karnataka", 61_095_297), "GJ": ("Gujarat", 60_439_692),
    "AP": ("Andhra Pradesh", 49_577_103), "TG": ("Telangana", 35_003_674), "OD": ("Odisha", 41_974_218),
    "KL": ("Kerala", 33_406_061), "JH": ("Jharkhand", 32_988_134), "AS": ("Assam", 31_205_576),
    "PB": ("Punjab", 27_743_338), "CT": ("Chhattisgarh", 25_545_198), "HR": ("Haryana", 25_351_462),
    "DL": ("Delhi", 16_787_941), "JK": ("Jammu and Kashmir", 12_541_302), "UT": ("Uttarakhand", 10_086_292),
    "HP": ("Himachal Pradesh", 6_864_602), "TR": ("Tripura", 3_673_917), "ML": ("Meghalaya", 2_966_889),
    "MN": ("Manipur", 2_855_794), "NL": ("Nagaland", 1_978_502), "GA": ("Goa", 1_458_545),
    "AR": ("Arunachal Pradesh", 1_383_727), "PY": ("Puducherry", 1_247_953), "MZ": ("Mizoram", 1_097_206),
    "CH": ("Chandigarh", 1_055_450), "SK": ("Sikkim", 610_577), "AN": ("Andaman and Nicobar Islands", 380_581),
    "DN": ("Dadra and Nagar Haveli", 343_709), "DD": ("Daman and Diu", 243_247), "LD": ("Lakshadweep", 64_473),
}
TOTAL = sum(pop for _, pop in STATES.values())

# Persons (millions) by age band, Table C-13 aggregated to ten-year bands; 'age not stated' left out.
AGE_BANDS: tuple[str, ...] = ("0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+")
_AGE_MILLIONS: dict[str, float] = {
    "0-9": 241.1, "10-19": 253.2, "20-29": 212.8, "30-39": 173.7, "40-49": 134.7,
    "50-59": 90.9, "60-69": 65.6, "70-79": 28.0, "80+": 9.9,
}
_FEMALE_PER_MALE = 0.943

_NAME_TO_CODE = {name.lower(): code for code, (name, _) in STATES.items()}
_NAME_TO_CODE.update({"orissa": "OD", "pondicherry": "PY", "nct of delhi": "DL", "uttaranchal": "UT"})


def state_code(value: str | None) -> str | None:
    """ISO code for a state given as a code or a name (as FHIR addresses carry it)."""
    if not value:
        return None
    text = value.strip()
    if text.upper() in STATES:
        return text.upper()
    return _NAME_TO_CODE.get(text.lower())


def state_shares() -> dict[str, float]:
    return {code: pop / TOTAL for code, (_, pop) in STATES.items()}


def age_sex_shares() -> dict[str, tuple[float, float]]:
    """band -> (male share, female share) of the whole population."""
    total = sum(_AGE_MILLIONS.values())
    male_part = 1.0 / (1.0 + _FEMALE_PER_MALE)
    return {band: (m / total * male_part, m / total * (1.0 - male_part)) for band, m in _AGE_MILLIONS.items()}


def age_band(age: float) -> str:
    if age >= 80:
        return "80+"
    low = int(max(age, 0) // 10) * 10
    return f"{low}-{low + 9}"

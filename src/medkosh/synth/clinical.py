"""Clinical vocabulary and rough epidemiology for the synthetic population.

Prevalences are *approximate hospital-cohort rates*, shaped after published Indian surveys so that
the data behave plausibly (age gradients, sex differences, state contrasts, seasons); they are not
estimates and must not be quoted as such:

- Type 2 diabetes: ICMR-INDIAB (Lancet Diabetes Endocrinol 2023): ~11% of adults, rising steeply
  after 40; highest in Kerala, Tamil Nadu, Punjab, Delhi; lowest in Uttar Pradesh, Bihar, Jharkhand.
- Hypertension: ICMR-INDIAB (~35% of adults) and NFHS-5 (2019-21; ~24% men, ~21% women 15+).
- Anaemia: NFHS-5 (~57% of women 15-49, ~25% of men, ~67% of children 6-59 months; highest in
  West Bengal, Bihar, Jharkhand, Odisha, Assam, Gujarat). Coded anaemia in hospitals is far lower.
- Tuberculosis: National TB Prevalence Survey 2019-21 (~312 per 100,000; men ~2x women; highest in
  Uttar Pradesh, Bihar, Madhya Pradesh, Jharkhand; lowest in Kerala).
- COPD: meta-analyses of Indian studies (~5-7% of adults over 40; more in men and in the north).
- CKD: SEEK-India and the Uddanam cluster in coastal Andhra Pradesh; strongly linked to diabetes.
- Dengue and malaria: NCVBDC (National Center for Vector Borne Diseases Control) monthly reports:
  dengue peaks August-November, malaria July-October; malaria concentrated in Odisha,
  Chhattisgarh, Jharkhand, Madhya Pradesh and the north-east.
- Acute diarrhoeal disease: IDSP weekly reports: peaks with summer and monsoon, children most.

Rates are inflated relative to population incidence so that a few thousand synthetic patients give
a usable weekly surveillance baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

ICD10 = "http://hl7.org/fhir/sid/icd-10"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str


# Chronic conditions: key -> ICD-10 codes (WHO ICD-10, the edition India reports in) and weights.
CHRONIC: dict[str, tuple[tuple[str, str, float], ...]] = {
    "diabetes": (("E11.9", "Type 2 diabetes mellitus without complications", 1.0),),
    "hypertension": (("I10", "Essential (primary) hypertension", 1.0),),
    "anaemia": (("D50.9", "Iron deficiency anaemia, unspecified", 0.7), ("D64.9", "Anaemia, unspecified", 0.3)),
    "tb": (("A15.0", "Tuberculosis of lung, confirmed by sputum microscopy", 0.6),
           ("A16.2", "Tuberculosis of lung, without mention of bacteriological or histological confirmation", 0.3),
           ("A18.0", "Tuberculosis of bones and joints", 0.05),
           ("A19.9", "Miliary tuberculosis, unspecified", 0.05)),
    "copd": (("J44.9", "Chronic obstructive pulmonary disease, unspecified", 0.8),
             ("J44.1", "Chronic obstructive pulmonary disease with acute exacerbation, unspecified", 0.2)),
    "ckd": (("N18.3", "Chronic kidney disease, stage 3", 0.6), ("N18.9", "Chronic kidney disease, unspecified", 0.4)),
}
CHRONIC_KEYS = tuple(CHRONIC)

ACUTE: dict[str, tuple[tuple[str, str, float], ...]] = {
    "dengue": (("A90", "Dengue fever [classical dengue]", 0.85), ("A91", "Dengue haemorrhagic fever", 0.15)),
    "malaria": (("B50.9", "Plasmodium falciparum malaria, unspecified", 0.4),
                ("B51.9", "Plasmodium vivax malaria without complication", 0.5),
                ("B54", "Unspecified malaria", 0.1)),
    "diarrhoea": (("A09", "Diarrhoea and gastroenteritis of presumed infectious origin", 1.0),),
}
ACUTE_KEYS = tuple(ACUTE)
ACUTE_ALIASES = {"dengue": "dengue", "malaria": "malaria", "diarrhoea": "diarrhoea", "diarrhea": "diarrhoea",
                 "add": "diarrhoea", "acute-diarrhoeal-disease": "diarrhoea"}

# Outcome task: progression of type 2 diabetes to a complication within a year of the index visit.
COMPLICATIONS = (
    ("E11.2", "Type 2 diabetes mellitus with renal complications", "N18.3", "Chronic kidney disease, stage 3"),
    ("E11.3", "Type 2 diabetes mellitus with ophthalmic complications", "H36.0", "Diabetic retinopathy"),
)

# Relative multipliers by state code (1.0 = national average), see the module docstring.
STATE_MULT: dict[str, dict[str, float]] = {
    "diabetes": {"KL": 1.6, "TN": 1.4, "PB": 1.4, "DL": 1.3, "HR": 1.1, "KA": 1.1, "TG": 1.1, "AP": 1.1, "MH": 1.0,
                 "GJ": 1.0, "WB": 1.0, "OD": 0.8, "AS": 0.8, "RJ": 0.8, "MP": 0.7, "CT": 0.7, "UP": 0.6, "BR": 0.6,
                 "JH": 0.6},
    "hypertension": {"KL": 1.3, "PB": 1.3, "DL": 1.1, "HR": 1.1, "TN": 1.1, "AP": 1.1, "TG": 1.1, "UP": 0.8,
                     "BR": 0.8, "JH": 0.9, "RJ": 0.9},
    "anaemia": {"WB": 1.4, "BR": 1.3, "JH": 1.4, "OD": 1.3, "AS": 1.4, "GJ": 1.3, "CT": 1.2, "KL": 0.6, "PB": 0.9},
    "tb": {"UP": 1.6, "BR": 1.4, "MP": 1.5, "JH": 1.4, "CT": 1.2, "RJ": 1.2, "DL": 1.3, "KL": 0.4, "TN": 0.8,
           "AS": 1.1},
    "copd": {"UP": 1.3, "BR": 1.3, "RJ": 1.3, "HR": 1.2, "PB": 1.2, "DL": 1.3, "KL": 0.8, "TN": 0.8},
    "ckd": {"AP": 1.8, "OD": 1.3, "TG": 1.2, "TN": 1.1},
    "dengue": {"DL": 1.5, "KL": 1.6, "KA": 1.4, "TN": 1.3, "MH": 1.3, "WB": 1.4, "UP": 1.2, "RJ": 1.0, "GJ": 1.1,
               "PB": 1.1, "HR": 1.1, "TG": 1.2, "AP": 1.0, "BR": 0.8, "JH": 0.6, "OD": 0.8, "MP": 0.8, "CT": 0.6,
               "AS": 0.6},
    "malaria": {"OD": 3.5, "CT": 3.0, "JH": 2.5, "MP": 1.6, "AS": 1.8, "MH": 0.6, "GJ": 0.7, "RJ": 0.6, "UP": 0.7,
                "BR": 0.5, "WB": 0.9, "DL": 0.15, "HR": 0.2, "PB": 0.15, "KL": 0.1, "TN": 0.2, "KA": 0.3, "TG": 0.4,
                "AP": 0.6},
    "diarrhoea": {"BR": 1.3, "UP": 1.3, "JH": 1.2, "OD": 1.2, "WB": 1.2, "KL": 0.7},
}

# Acute-disease hospital attendance per person-year (before the state multiplier).
ACUTE_RATE = {"dengue": 0.010, "malaria": 0.008, "diarrhoea": 0.035}
# Monthly seasonal weights, January..December (NCVBDC/IDSP seasonality, see the module docstring).
SEASON = {
    "dengue": (0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 3.5, 2.5, 0.8),
    "malaria": (0.3, 0.3, 0.3, 0.4, 0.5, 1.0, 2.0, 2.5, 2.5, 2.0, 1.2, 0.5),
    "diarrhoea": (0.6, 0.6, 0.8, 1.2, 1.6, 1.8, 2.0, 1.6, 1.1, 0.8, 0.6, 0.6),
}

# Laboratory and vital-sign codes (LOINC) with UCUM units.
OBS = {
    "hba1c": Code(LOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"),
    "glucose": Code(LOINC, "1558-6", "Fasting glucose [Mass/volume] in Serum or Plasma"),
    "bp": Code(LOINC, "85354-9", "Blood pressure panel with all children optional"),
    "sbp": Code(LOINC, "8480-6", "Systolic blood pressure"),
    "dbp": Code(LOINC, "8462-4", "Diastolic blood pressure"),
    "hb": Code(LOINC, "718-7", "Hemoglobin [Mass/volume] in Blood"),
    "creatinine": Code(LOINC, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
    "platelets": Code(LOINC, "777-3", "Platelets [#/volume] in Blood by Automated count"),
    "malaria_smear": Code(LOINC, "32700-7", "Microscopic observation [Identifier] in Blood by Malaria smear"),
    "afb": Code(LOINC, "11545-1", "Microscopic observation [Identifier] in Sputum by Acid fast stain"),
    "weight": Code(LOINC, "29463-7", "Body weight"),
}
OBS_UNITS = {"hba1c": ("%", "%"), "glucose": ("mg/dL", "mg/dL"), "sbp": ("mm[Hg]", "mmHg"),
             "dbp": ("mm[Hg]", "mmHg"), "hb": ("g/dL", "g/dL"), "creatinine": ("mg/dL", "mg/dL"),
             "platelets": ("10*3/uL", "10^3/µL"), "weight": ("kg", "kg")}


@dataclass(frozen=True)
class Drug:
    name: str  # generic name as Indian prescriptions write it
    rxnorm: str | None  # RxNorm ingredient code; None where no code is given (text-only coding)
    dose: str
    brand: str  # a common Indian brand, as notes mention them (drug names are not PHI)


DRUGS: dict[str, tuple[Drug, ...]] = {
    "diabetes": (Drug("Metformin", "6809", "500 mg twice daily after food", "Glycomet"),
                 Drug("Glimepiride", "25789", "1 mg once daily before breakfast", "Amaryl")),
    "diabetes_insulin": (Drug("Insulin glargine", "274783", "10 units subcutaneously at bedtime", "Basalog"),),
    "hypertension": (Drug("Amlodipine", "17767", "5 mg once daily", "Amlokind"),
                     Drug("Telmisartan", "73494", "40 mg once daily", "Telma")),
    "anaemia": (Drug("Ferrous sulphate", None, "200 mg once daily", "Fefol"),
                Drug("Folic acid", "4511", "5 mg once daily", "Folvite")),
    "tb": (Drug("Isoniazid", "6038", "300 mg once daily (FDC, weight band)", "Isokin"),
           Drug("Rifampicin", "9384", "450 mg once daily (FDC, weight band)", "R-Cin"),
           Drug("Pyrazinamide", "8987", "1200 mg once daily (FDC, weight band)", "Pyzina"),
           Drug("Ethambutol", "4110", "800 mg once daily (FDC, weight band)", "Combutol")),
    "copd": (Drug("Tiotropium", "69120", "18 mcg inhaled once daily", "Tiova"),
             Drug("Salbutamol", "435", "100 mcg 2 puffs as needed", "Asthalin")),
    "ckd": (Drug("Atorvastatin", "83367", "10 mg once daily at night", "Atorva"),),
    "dengue": (Drug("Paracetamol", "161", "650 mg thrice daily as needed for fever", "Dolo 650"),),
    "malaria": (Drug("Artesunate", None, "as per weight, ACT for 3 days", "Falcigo"),
                Drug("Chloroquine", "2393", "600 mg then 300 mg, 3 days", "Lariago"),
                Drug("Primaquine", "8687", "15 mg once daily for 14 days", "Malirid")),
    "diarrhoea": (Drug("Oral rehydration salts", None, "1 sachet in 1 litre water, sip frequently", "Electral"),
                  Drug("Zinc sulphate", None, "20 mg once daily for 14 days", "Zinconia"),
                  Drug("Ondansetron", "26225", "4 mg as needed for vomiting", "Emeset")),
}

VACCINES = {
    "bcg": Code(CVX, "19", "BCG"),
    "opv": Code(CVX, "02", "OPV"),
    "penta": Code(CVX, "102", "DTP-Hib-Hep B (pentavalent)"),
    "rota": Code(CVX, "122", "Rotavirus, unspecified formulation"),
    "mr": Code(CVX, "04", "Measles-rubella (MR)"),
    "td": Code(CVX, "09", "Td (adult), adsorbed"),
    "hepb": Code(CVX, "45", "Hep B, unspecified formulation"),
    "covid": Code(CVX, "210", "COVID-19 vaccine, ChAdOx1 (Covishield)"),
    "flu": Code(CVX, "141", "Influenza, seasonal, injectable"),
    "typhoid": Code(CVX, "91", "Typhoid, unspecified formulation"),
}
CHILD_SCHEDULE = (  # (vaccine, age in days) — Universal Immunization Programme, simplified
    ("bcg", 0), ("opv", 0), ("hepb", 0), ("penta", 42), ("rota", 42), ("penta", 70), ("penta", 98),
    ("mr", 273), ("mr", 487),
)

# Eponyms and named signs that appear in notes and are *not* PHI (a de-identifier must leave them).
EPONYMS = ("Kernig's sign", "Murphy's sign", "Glasgow Coma Scale", "Bell's palsy", "Parkinson's disease",
           "Addison's disease", "Cushing's syndrome", "Graves' disease", "Hodgkin's lymphoma",
           "Babinski sign", "Koplik's spots", "Trendelenburg test", "Romberg's test", "Homans' sign")

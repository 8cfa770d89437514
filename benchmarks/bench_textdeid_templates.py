"""Sentence templates and name/place pools for bench_textdeid_corpus.py (two disjoint sets).

Slots in braces are filled by the generator; PHI slots become gold spans. The HELDOUT set was
written separately from DEV, with other phrasings, other hospitals and hand-typed names (many
rare surnames that no gazetteer of the project contains); it is not used for tuning.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pools:
    first: tuple[str, ...]
    middle: tuple[str, ...]
    last: tuple[str, ...]
    deva_first: tuple[str, ...]
    deva_last: tuple[str, ...]
    hospitals: tuple[str, ...]
    hosp_codes: tuple[str, ...]
    cities: tuple[str, ...]
    states: tuple[str, ...]
    localities: tuple[str, ...]
    drugs: tuple[str, ...]
    eponyms: tuple[str, ...]


_DRUGS = ("Lasix", "metoprolol", "Ceftriaxone", "Augmentin", "Pantoprazole", "heparin", "insulin", "Dolo 650",
          "Levophed", "vancomycin", "Zosyn", "Tylenol", "Ativan", "Haldol", "Telma 40", "Ecosprin")
_EPONYMS = ("Parkinson's disease", "Bell's palsy", "Hodgkin lymphoma", "Babinski sign", "Foley catheter",
            "Crohn's disease", "Cushing's syndrome", "Alzheimer's dementia", "Graves' disease", "Ryle's tube",
            "Glasgow Coma Scale", "Murphy's sign", "Wilson's disease", "Guillain-Barre syndrome")

DEV_POOLS = Pools(
    first=("Ramesh", "Sunita", "Anil", "Priya", "Mary", "John", "Robert", "Patricia", "Vikram", "Kavita", "Suresh",
           "Lakshmi", "James", "Linda", "Arjun", "Meena", "David", "Susan", "Rahul", "Pooja", "Michael", "Deepa"),
    middle=("Kumar", "Prasad", "Lal", "Ann", "Lee", "Marie", "Chandra", "Nath"),
    last=("Sharma", "Patel", "Reddy", "Nair", "Gupta", "Smith", "Johnson", "Williams", "Iyer", "Kulkarni", "Brown",
          "Singh", "Yadav", "Das", "Menon", "Davis", "Miller", "Joshi", "Chatterjee", "Pillai"),
    deva_first=("रमेश", "सुनीता", "अनिल", "प्रिया", "विकास", "कविता"),
    deva_last=("शर्मा", "वर्मा", "गुप्ता", "यादव", "सिंह"),
    hospitals=("KEM Hospital", "Sassoon General Hospital", "Ruby Hall Clinic", "Apollo Hospitals",
               "Beth Israel Hospital", "Mount Auburn Hospital", "Fortis Hospital", "Lilavati Hospital"),
    hosp_codes=("KEM", "SGH", "RHC", "APL"),
    cities=("Pune", "Mumbai", "Nagpur", "Bengaluru", "Chennai", "Boston", "Lucknow", "Jaipur", "Kolkata", "Indore"),
    states=("Maharashtra", "Karnataka", "Tamil Nadu", "Uttar Pradesh", "Rajasthan"),
    localities=("Shivaji Nagar", "MG Road", "Kothrud", "Andheri East", "Sector 15", "Gandhi Colony", "Baner Road"),
    drugs=_DRUGS, eponyms=_EPONYMS,
)

HELDOUT_POOLS = Pools(
    first=("Thirunavukkarasu", "Lalrinpuii", "Gurmeet", "Bhavna", "Zothanpuia", "Farida", "Ignatius", "Shreyas",
           "Hmingthanzuali", "Kunjamma", "Beatrice", "Orville", "Winifred", "Dashrath", "Yashoda", "Tsering",
           "Margaret", "Harold", "Nilofer", "Chinmayi", "Bartholomew", "Eulalia"),
    middle=("Raghunath", "Bai", "Mohan", "Jean", "Rao", "Devi"),
    last=("Kharkongor", "Syiemlieh", "Bhattacharjee", "Vaz", "Okonkwo", "Kowalczyk", "Fitzgerald", "O'Donnell",
          "Abernathy", "Thekkumkattil", "Lalthlamuana", "Nongrum", "Deshmukh", "Rajagopalan", "Banerjee",
          "Gundappa", "Nguyen", "McAllister", "Venkataraman", "Dsouza"),
    deva_first=("हरप्रीत", "ज्योत्सना", "दशरथ", "निर्मला", "गिरीश", "उर्मिला"),
    deva_last=("देशमुख", "चौधरी", "त्रिपाठी", "भट्टाचार्य", "खन्ना"),
    hospitals=("Jehangir Hospital", "Deenanath Mangeshkar Hospital", "Christian Medical College",
               "Nizam's Institute of Medical Sciences", "St. Elizabeth's Medical Center", "Carney Hospital",
               "Bhagwan Mahaveer Jain Hospital", "Manipal Hospital"),
    hosp_codes=("JH", "DMH", "CMCV", "NIMS"),
    cities=("Shillong", "Aizawl", "Thrissur", "Kolhapur", "Vellore", "Dibrugarh", "Worcester", "Hubballi",
            "Bhubaneswar", "Jalgaon"),
    states=("Meghalaya", "Mizoram", "Kerala", "Odisha", "Assam"),
    localities=("Laitumkhrah", "Dawrpui Vengthar", "Punkunnam", "Rajarampuri 5th Lane", "Sector 21",
                "Nehru Nagar", "Vidyanagar"),
    drugs=_DRUGS, eponyms=_EPONYMS,
)

DEV_TEMPLATES = [
    ("en", "Nursing progress note 0700-1900. Neuro: pt alert and oriented x3, MAE, follows commands. CV: NSR {HR}, "
           "BP {BP}. Resp: LS clear, ABG wnl. GI: abd soft, +BS, tolerating clears. GU: {EPONYM} draining clear yellow urine. "
           "Social: wife {FIRST} and son {FIRST} in to visit, updated by Dr. {LAST}. Plan: cont {DRUG}, monitor."),
    ("en", "{AGE90} yo woman admitted {DATE_MD} from {HOSP} with CHF exacerbation. Hx of {EPONYM}. Daughter {FULL} "
           "(phone {PHONE_US}) is health care proxy. Received {DRUG} with good UO. Motor {POWER} bilat. Pain {PAIN}."),
    ("en", "Pt seen by Dr. {LAST} and Dr. {LAST} this am. Plan to d/c to {HOSP} on {DATE_MD}. Family meeting with "
           "husband {FIRST} {LAST} at 2pm. Call his cell {PHONE_US} with updates. {FRACTION} NS infusing at 75cc/hr."),
    ("en", "MRN {MRN}. Admitted {DATE_US}. Pt is a {AGE} y/o male from {CITY} with hx of {EPONYM}, s/p CABG. "
           "Nephew {FIRST} called asking about plan, referred to attending Dr. {LAST}. Plt {PLT}."),
    ("en", "Events: SBP to 80s overnight, bolus x2. Wife {FIRST} at bedside, very anxious, pastor {FULL} visited. "
           "{DRUG} weaned. Will follow up with Dr. {LAST} re: {EPONYM} workup. Lab accession {LABNUM} sent."),
    ("in", "DISCHARGE SUMMARY\nName: {FULL3}   Age/Sex: {AGE}/M   UHID: {UHID}\nS/o {FULL}, R/o {HOUSE}, {LOCALITY}, "
           "{DISTRICT}, {STATE} - {PIN}.\nMobile: {PHONE_IN}   Aadhaar: {AADHAAR}\nDOA: {DATE}  DOD: {DATE}\n"
           "Consultant: Dr. {INIT_NAME}\nDiagnosis: {EPONYM}. Treated with {DRUG} and {DRUG}. BP {BP} at discharge."),
    ("in", "OPD Note - {HOSP}\nPt: Smt. {FULL} W/o {FULL}, {AGE} yrs, ABHA No. {ABHA_NUM}, ABHA address {ABHA_ADDR}\n"
           "c/o fever x 3 days. Seen on {DATE}. Adv: {DRUG} 1 tab BD, review after 5 days. Contact {PHONE_IN}."),
    ("in", "Patient {DEVA} ({FULL}) was admitted on {DATE} at {HOSP}, {CITY}. Husband Shri {FULL} informed. "
           "PAN {PAN} given for insurance. Email {EMAIL}. Known case of {EPONYM}, on {DRUG}."),
    ("in", "REFERRAL LETTER\nTo, Dr. {LAST}, {HOSP}, {CITY}\nKindly see Mr. {FULL}, aged {AGE90} years, D/o late "
           "{FULL}, resident of {LOCALITY}, {CITY} {PIN}. Aadhaar {AADHAAR_MASKED}. Pain score {PAIN}. Sd/- Dr. {INIT_NAME}"),
    ("in", "श्री {DEVA}, पुत्र {DEVA}, उम्र {AGE} वर्ष, {CITY}. Patient admitted on {DATE} with {EPONYM}. "
           "Attendant {FIRST} ({PHONE_IN}). IP No: {UHID}. Started {DRUG}."),
]

HELDOUT_TEMPLATES = [
    ("en", "Resp care: pt remains on CPAP 5/5, sats 96%. Spoke with pt's sister {FIRST} {LAST} by phone {PHONE_US} "
           "who will come in tomorrow. Dr. {LAST} aware of increased secretions. {DRUG} given x1. GCS 15."),
    ("en", "Addendum {DATE_MD}: {AGE90} year old gentleman transferred from {HOSP}. His son, {FULL}, and friend "
           "{FIRST} at bedside. {EPONYM} noted on exam. Dilaudid {FRACTION} mg IV prn. Discussed with NP {FIRST}."),
    ("en", "Micu nursing admit note. Pt is a {AGE} y.o. F from {CITY} admitted {DATE_US} w/ sepsis. PCP Dr. {LAST} "
           "notified. Husband {FIRST} ({PHONE_US}). Contact precautions for MRSA. Strength {POWER} in BLE."),
    ("en", "Social work: Met with pt and daughter {FIRST}. Pt lives alone in {CITY}; neighbor {FULL} checks on her. "
           "Will arrange rehab at {HOSP}. Next appt with Dr. {LAST} on {DATE_US}. Hx {EPONYM}."),
    ("en", "T/SICU: {EPONYM} workup negative. Labs: Hct 28, plt {PLT}. Accession {LABNUM}. Wife {FIRST} updated by "
           "Dr. {LAST} at bedside; {FIRST} {LAST} from case management to see pt {DATE_MD}. Ativan for agitation."),
    ("in", "PATIENT DETAILS\nPatient name - {FULL}\nHusband's name - {FULL}\nAddress - {HOUSE}, {LOCALITY}, {CITY}, "
           "{STATE}, PIN {PIN}\nPh no. {PHONE_IN}\nAadhaar no. {AADHAAR}\nReg. No. {UHID}\nDate of admission {DATE}\n"
           "Treating doctor: Dr. {FULL}. Diagnosis {EPONYM}, advised {DRUG}."),
    ("in", "Case summary of Master {FIRST} {LAST}, {AGE} yrs, B/o {FULL}, brought to {HOSP} casualty on {DATE} by "
           "father {FULL} (mob {PHONE_IN}). ABHA {ABHA_NUM}. Rx {DRUG}. Platelets {PLT}."),
    ("in", "Kumari {DEVA} / {FULL} aged {AGE}, resident of {LOCALITY}, {CITY}. ABHA address {ABHA_ADDR}. Seen by "
           "Dr. {INIT_NAME} at {HOSP} on {DATE}; follow up on {DATE}. Hb 9.8. Email {EMAIL}."),
    ("in", "Death certificate draft: Shri {FULL3}, aged {AGE90} yrs, S/o {FULL}, r/o {HOUSE}, {CITY} - {PIN}, "
           "{STATE}, expired on {DATE} at {HOSP}. Cause: {EPONYM}. PAN {PAN}. Informant: {FULL} ({PHONE_IN})."),
    ("in", "मरीज़ {DEVA}, पत्नी {DEVA}, गाँव {LOCALITY}, जिला {CITY}। Pt admitted on {DATE} with {EPONYM}. "
           "Relative {FIRST} {LAST} mob. {PHONE_IN}. UHID {UHID}. Aadhaar {AADHAAR}."),
]

DEV = (DEV_TEMPLATES, DEV_POOLS)
HELDOUT = (HELDOUT_TEMPLATES, HELDOUT_POOLS)

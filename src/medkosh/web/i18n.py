"""English/Hindi strings for the portal. Keys are English phrases; missing Hindi falls back to English."""

from __future__ import annotations

from collections.abc import Callable

HI: dict[str, str] = {
    "medkosh": "मेडकोश",
    "Health-data and AI commons": "स्वास्थ्य-डेटा और एआई साझा संसाधन",
    "Home": "मुख्य पृष्ठ",
    "Catalog": "सूची",
    "Datasets": "डेटासेट",
    "Models": "मॉडल",
    "Surveillance": "निगरानी",
    "Sign in": "साइन इन करें",
    "Sign out": "साइन आउट",
    "Language": "भाषा",
    "Search": "खोजें",
    "Error": "त्रुटि",
    "Back to home": "मुख्य पृष्ठ पर वापस",
    "What medkosh holds": "मेडकोश में क्या है",
    "Anonymised, consent-governed datasets and validated AI models for health research in India.":
        "भारत में स्वास्थ्य अनुसंधान के लिए गुमनाम, सहमति-आधारित डेटासेट और सत्यापित एआई मॉडल।",
    "Every step is audited in a tamper-evident log.": "हर कदम एक छेड़छाड़-प्रमाणित लॉग में दर्ज होता है।",
    "Skip to content": "सामग्री पर जाएँ",
}


def translator(lang: str) -> Callable[[str], str]:
    if lang == "hi":
        return lambda text: HI.get(text, text)
    return lambda text: text

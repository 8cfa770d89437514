"""Consistent surrogates: under one dataset secret the same original always gives the same
realistic replacement (a name token maps to the same Indian name token wherever it appears, so
"Ramesh Yadav" and later "Mr. Yadav" stay linked), and another secret gives unrelated values.

Surrogate identifiers keep their format but are made so that they can never be real: an Aadhaar
surrogate fails the Verhoeff check, a mobile number starts with the unallocated series 5.
"""

from __future__ import annotations

import hashlib
import hmac

from medkosh.deid.text.validators import verhoeff_check_digit

FIRST = ("Aarav", "Aditi", "Akash", "Amit", "Ananya", "Anil", "Anjali", "Arjun", "Asha", "Deepak", "Divya",
         "Ganesh", "Geeta", "Harish", "Isha", "Jyoti", "Kavita", "Kiran", "Lakshmi", "Mahesh", "Manoj", "Meena",
         "Mohan", "Neha", "Nikhil", "Pooja", "Pradeep", "Priya", "Rahul", "Rajesh", "Rekha", "Rohit", "Sagar",
         "Sanjay", "Sarita", "Shalini", "Shankar", "Shweta", "Sneha", "Suman", "Sunil", "Swati", "Tarun",
         "Uma", "Usha", "Varun", "Vijay", "Vikram", "Vinod", "Yamini", "Farhan", "Imran", "Zoya", "Joseph",
         "Mary", "Gurpreet", "Harpreet", "Lalit", "Nandini", "Tenzin")
SURNAMES = ("Agarwal", "Bhat", "Chauhan", "Das", "Desai", "Dubey", "Gill", "Gupta", "Iyer", "Jain", "Joshi",
            "Kapoor", "Khan", "Kulkarni", "Kumar", "Menon", "Mishra", "Nair", "Pandey", "Patel", "Pillai",
            "Rao", "Reddy", "Saxena", "Sen", "Sethi", "Shah", "Sharma", "Shetty", "Singh", "Sinha", "Srivastava",
            "Thakur", "Tiwari", "Trivedi", "Varma", "Verma", "Yadav", "Naidu", "Bose", "Banerjee", "Chopra",
            "Deshpande", "Fernandes", "Ghosh", "Hegde", "Mehta", "Pawar", "Qureshi", "Sandhu")
FIRST_DEVA = ("अमित", "अनिल", "आशा", "दीपक", "गीता", "हरीश", "ज्योति", "कविता", "महेश", "मीना", "मोहन", "नेहा",
              "पूजा", "प्रदीप", "राहुल", "राजेश", "रेखा", "संजय", "सुनील", "उषा", "विजय", "विनोद")
SURNAMES_DEVA = ("अग्रवाल", "चौहान", "दुबे", "गुप्ता", "जोशी", "कुमार", "मिश्रा", "पांडे", "पटेल", "राव",
                 "सक्सेना", "शर्मा", "सिंह", "तिवारी", "त्रिवेदी", "वर्मा", "यादव", "ठाकुर")
CITIES = ("Nashik", "Solapur", "Kolhapur", "Mysuru", "Hubballi", "Madurai", "Salem", "Guntur", "Nellore",
          "Warangal", "Bhopal", "Indore", "Gwalior", "Jabalpur", "Ajmer", "Udaipur", "Bikaner", "Meerut",
          "Agra", "Bareilly", "Gaya", "Bhagalpur", "Cuttack", "Rourkela", "Siliguri", "Durgapur", "Guwahati",
          "Shillong", "Dehradun", "Shimla", "Jammu", "Patiala", "Ludhiana", "Rajkot", "Vadodara", "Thrissur",
          "Kozhikode", "Mangaluru", "Belagavi", "Nanded")
LOCALITIES = ("Gandhi Nagar", "Nehru Colony", "Shastri Marg", "Tilak Road", "Subhash Chowk", "Patel Nagar",
              "Ambedkar Colony", "Station Road", "Sector 12", "Rajiv Vihar", "Laxmi Nagar", "Model Town")
HOSPITAL_WORDS = ("Sanjeevani", "Arogya", "Jeevan", "Shanti", "Seva", "Kalyan", "Aastha", "Sparsh", "Prerna")


class Surrogates:
    """Surrogate maker bound to one secret (one dataset)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _int(self, kind: str, value: str) -> int:
        digest = hmac.new(self._secret, f"surrogate|{kind}|{value}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")

    def _pick(self, kind: str, value: str, choices: tuple[str, ...]) -> str:
        return choices[self._int(kind, value) % len(choices)]

    def name(self, original: str, surname_like: bool) -> str:
        """One name word → one surrogate word, in the original's script and case."""
        word = original.strip(".")
        if not word:
            return original
        if "\u0900" <= word[0] <= "\u097f":
            pool = SURNAMES_DEVA if surname_like else FIRST_DEVA
            return self._pick("name-deva", word, pool)
        key = word.lower()
        if len(word) == 1:  # an initial maps to another initial
            letter = chr(ord("A") + self._int("initial", key) % 26)
            out = letter if word.isupper() else letter.lower()
            return out + ("." if original.endswith(".") else "")
        out = self._pick("surname" if surname_like else "first", key, SURNAMES if surname_like else FIRST)
        if word.isupper():
            return out.upper()
        if word.islower():
            return out.lower()
        return out

    def city(self, original: str) -> str:
        out = self._pick("city", " ".join(original.lower().split()), CITIES)
        return out.upper() if original.isupper() else out

    def address(self, original: str) -> str:
        n = self._int("address", " ".join(original.lower().split()))
        out = f"{n % 200 + 1}, {LOCALITIES[(n >> 8) % len(LOCALITIES)]}, {CITIES[(n >> 16) % len(CITIES)]}"
        return out.upper() if original.isupper() else out

    def hospital(self, original: str) -> str:
        out = f"{self._pick('hospital', ' '.join(original.lower().split()), HOSPITAL_WORDS)} Hospital"
        return out.upper() if original.isupper() else out

    def digits_like(self, kind: str, original: str) -> str:
        """Keep the writing (spaces, dashes, letters' places); replace every digit and letter."""
        n = self._int(kind, "".join(ch for ch in original if ch.isalnum()).upper())
        out: list[str] = []
        for ch in original:
            n, r = divmod(n, 26) if n else (self._int(kind + "+", original + str(len(out))), 0)
            if ch.isdigit():
                out.append(str(r % 10))
            elif ch.isalpha() and ch.isascii():
                letter = chr(ord("A") + r % 26)
                out.append(letter if ch.isupper() else letter.lower())
            else:
                out.append(ch)
        return "".join(out)

    def aadhaar(self, original: str) -> str:
        out = self.digits_like("aadhaar", original)
        digits = [c for c in out if c.isdigit()]
        if len(digits) == 12 and "X" not in original.upper():
            # Choose the last digit so that the Verhoeff check FAILS: never a valid Aadhaar.
            good = verhoeff_check_digit("".join(digits[:11]))
            bad = str((int(good) + 1) % 10)
            idx = max(i for i, c in enumerate(out) if c.isdigit())
            out = out[:idx] + bad + out[idx + 1:]
            if out.lstrip()[0] in "01":
                first = next(i for i, c in enumerate(out) if c.isdigit())
                out = out[:first] + "2" + out[first + 1:]
                good = verhoeff_check_digit("".join(c for c in out if c.isdigit())[:11])
                out = out[:idx] + str((int(good) + 1) % 10) + out[idx + 1:]
        return out

    def phone(self, original: str) -> str:
        out = self.digits_like("phone", original)
        # Indian mobiles start 6-9; series 5 is not allocated, so the surrogate cannot ring anyone.
        digits_at = [i for i, c in enumerate(out) if c.isdigit()]
        if len(digits_at) >= 10:
            i = digits_at[-10]
            out = out[:i] + "5" + out[i + 1:]
        return out

    def handle(self, original: str) -> str:
        """user@abdm, user@example.com: a surrogate user, the domain kept (it says what kind of id)."""
        user, _, domain = original.partition("@")
        first = self._pick("first", user.lower(), FIRST).lower()
        last = self._pick("surname", user.lower(), SURNAMES).lower()
        return f"{first}.{last}{self._int('handle', user.lower()) % 100}@{domain}"

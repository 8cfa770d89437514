"""Word tokens with offsets and the per-token facts the name and place rules use.

Tokenising is one linear regex pass plus one dictionary lookup per word (every list a word can
belong to is folded into one bit mask, see lexicon.word_class). Case is judged per line: a line
typed in capitals gives no capitalisation signal, so the rules lean on the gazetteers there.
"""

from __future__ import annotations

import functools
import re

from medkosh.deid.text.lexicon import (
    COMMON,
    CUE,
    DEVANAGARI_WORD,
    HEAD,
    MEDICAL,
    NAME,
    PLACE,
    STOP_BIT,
    Lexicon,
)

# Latin (with accents) and Devanagari letters; apostrophes and inner hyphens stay inside a word
# (O'Brien, D'Souza, Al-Hassan). Devanagari vowel signs are marks, not letters: list the block.
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F\u0900-\u0963\u0966-\u097F]"
                   r"(?:[A-Za-z\u00C0-\u024F\u0900-\u0963\u0966-\u097F'’]|-(?=[A-Za-z]))*")


class Token:
    """One word. Flags are plain attributes (not properties): the rules read them millions of times."""

    __slots__ = ("capitalised", "common", "devanagari", "end", "flags", "initial", "key", "line", "medical",
                 "name", "place", "possessive", "start", "stop", "strong_name", "text", "unknown",
                 "upper_line", "weak_name")

    def __init__(self, start: int, end: int, text: str, key: str, line: int, flags: int, possessive: bool,
                 upper_line: bool = False) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.key = key
        self.line = line
        self.flags = flags
        self.possessive = possessive
        self.upper_line = upper_line
        (self.capitalised, self.initial, self.devanagari, self.stop, self.medical, self.common, self.name,
         self.place, self.strong_name, self.weak_name, self.unknown) = _facts(text, key, flags)


# Code identifiers written in CamelCase (GradientBoostingClassifier, XGBClassifier,
# LogisticRegression) are no names or places. Names with an inner capital (McDonald, MacArthur,
# DeSouza, FitzGerald, and joined Indian names such as MohammedAli or ShivKumar) have one inner
# capital, so one is only code before a programming word.
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
_ACRONYM_WORD = re.compile(r"[A-Z]{2,}[A-Z][a-z]")
_CODE_TAILS = ("Classifier", "Regressor", "Regression", "Scaler", "Encoder", "Decoder", "Transformer", "Frame",
               "Pipeline", "Model", "Network", "Layer", "Loader", "Dataset", "Config", "Error", "Exception",
               "Handler", "Factory", "Builder", "Client", "Server", "Parser", "Array", "Tensor", "Optimizer",
               "Search", "Vectorizer", "Imputer", "Selector", "Estimator", "Splitter", "Generator", "Iterator",
               "Writer", "Reader", "Buffer", "Session", "Engine", "Manager", "Service", "Request", "Response")


def code_identifier(text: str) -> bool:
    """A CamelCase programming identifier, not a word of natural language."""
    inner = len(_INNER_CAPITAL.findall(text))
    if inner >= 2 or _ACRONYM_WORD.search(text):
        return True
    return inner == 1 and text.endswith(_CODE_TAILS)


def _facts(text: str, key: str, flags: int) -> tuple[bool, ...]:
    """Everything a token's rules read that follows from its spelling and word lists."""
    first = text[:1]
    capitalised = first.isupper()
    if capitalised and len(text) > 3 and not text.isupper() and code_identifier(text):
        # A stop word to every rule: no name, place or address runs through it.
        return True, False, False, True, False, False, False, False, False, False, False
    deva = bool(flags & DEVANAGARI_WORD) or ("\u0900" <= first <= "\u097f")
    return (capitalised, capitalised and len(text) == 1, *_derived(flags, deva, min(len(key), 3)))


@functools.lru_cache(maxsize=4096)
def _derived(flags: int, deva: bool, length: int) -> tuple[bool, ...]:
    stop = bool(flags & STOP_BIT)
    medical = bool(flags & MEDICAL)
    common = bool(flags & COMMON)
    name = bool(flags & NAME)
    place = bool(flags & PLACE)
    if deva:
        return True, stop, medical, common, name, place, name, False, not name
    plain = not (common or medical or stop)
    strong = name and plain and length >= 3
    weak = name and not medical and not stop and not strong
    unknown = not (name or place) and plain and length >= 2
    return False, stop, medical, common, name, place, strong, weak, unknown




# \b[A-Z][A-Z]+\b and \b[A-Za-z][a-z]+\b, written to start with a character class (the regex
# engine then skips ahead to candidate characters); the look-behind checks the word boundary.
_UPPER_WORD = re.compile(r"[A-Z](?<!\w.)[A-Z]+\b")
_LOWER_WORD = re.compile(r"[A-Za-z](?<!\w.)[a-z]+\b")


def _trie_regex(words: list[str]) -> str:
    """An alternation of literal words factored into a trie (Python's re then compares about one
    character per level instead of trying every word at every position)."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return emit(trie)


_LETTER = r"A-Za-z\u00C0-\u024F\u0900-\u0963\u0966-\u097F"
_CANDIDATES: dict[int, re.Pattern[str]] = {}


def _candidate_regex(lex: Lexicon) -> re.Pattern[str]:
    """Words the rules can use: capitalised or Devanagari words, lower-case cue and head words
    (wife, s/o, disease, nagar, of …) and single letters next to a slash. Every other lower-case
    word is skipped inside the regex engine: the rules only ever stop at such words, and a gap
    holding letters already stops them."""
    key = id(lex)
    if key not in _CANDIDATES:
        keep = sorted(k for k, f in lex.word_class.items()
                      if f & (CUE | HEAD) and k.isascii() and k.replace("-", "").isalpha())
        word_tail = f"[{_LETTER}'’]*+(?:-(?=[A-Za-z])[{_LETTER}'’]*+)*+"
        # A letter must come next (a cheap test at blanks, digits and punctuation), then one shared
        # look-behind: inside a word (most positions) the engine fails at once instead of trying
        # four alternatives. Possessive repeats: a word is never given back.
        pattern = (
            f"(?=[{_LETTER}])(?<![{_LETTER}])(?:(?<!['’])[A-Z\u00C0-\u00D6\u00D8-\u00DE\u0900-\u0963\u0966-\u097F]{word_tail}"
            rf"|(?<!['’\-])(?:{_trie_regex(keep)})(?:['’]s)?(?![{_LETTER}'’]|-[A-Za-z])"
            f"|[a-z](?=/[a-z](?![{_LETTER}]))|(?<=[A-Za-z]/)[a-z](?![{_LETTER}]))"
        )
        _CANDIDATES[key] = re.compile(pattern)
    return _CANDIDATES[key]


# Per spelling of a matched word: everything a token holds but its offsets and its line.
_Facts = tuple[int, str, str, int, bool, bool, bool, bool, bool, bool, bool, bool, bool, bool, bool, bool]
_SEEN: dict[int, tuple[Lexicon, dict[str, _Facts]]] = {}
_SEEN_MAX = 200_000


def _spelling(raw: str, classes: dict[str, int]) -> _Facts:
    """(length trimmed off the end, text, key, flags, possessive, capitalised, initial, devanagari,
    stop, medical, common, name, place, strong_name, weak_name, unknown) of one matched word."""
    possessive = False
    word = raw
    if raw[-1] in "sS" and len(raw) > 2 and raw[-2] in "'’":
        word = raw[:-2]
        possessive = True
    elif raw[-1] in "'’-":
        word = raw.rstrip("'’-")
    if not word:
        return (len(raw), "", "", 0, False, False, False, False, False, False, False, False, False, False, False,
                False)
    key = word.lower()
    flags = classes.get(key, 0)
    if not flags and len(key) > 3 and key[-1] == "s":
        flags = classes.get(key[:-1], 0) & COMMON  # plurals of ordinary words are ordinary
    return (len(raw) - len(word), word, key, flags, possessive, *_facts(word, key, flags))  # type: ignore[return-value]


def tokenize(text: str, lex: Lexicon) -> list[Token]:
    """Tokens of the note in one regex pass; a line's case is judged once, by two C-speed regex
    counts (a line counts as typed in capitals when most of its cased multi-letter words are all caps)."""
    tokens: list[Token] = []
    append = tokens.append
    classes = lex.word_class
    # Per-spelling facts, cached across notes of one lexicon: notes share most of their
    # capitalised words (headings, drugs, common names). Bounded: cleared when it grows too big.
    # The entry holds the lexicon itself, so its id cannot be reused by another one.
    entry = _SEEN.get(id(lex))
    if entry is None or len(entry[1]) > _SEEN_MAX:
        entry = _SEEN[id(lex)] = (lex, {})
    seen = entry[1]
    new = Token.__new__
    n = len(text)
    # No run of two capitals anywhere: no line can be typed in capitals, skip the per-line counts.
    any_upper = _UPPER_WORD.search(text) is not None
    upper_findall = _UPPER_WORD.findall
    lower_findall = _LOWER_WORD.findall
    find = text.find
    # No candidate word spans a line break, and every look-around of the regex sees the same
    # characters in the whole text as in one line ("\n" is no letter): one pass over the note.
    line_no = 0
    line_end = -1  # index of the "\n" ending the current line (n for the last line); -1: none yet
    upper_line = False
    for m in _candidate_regex(lex).finditer(text):
        s, e = m.span()
        if s > line_end:
            if line_end >= 0:
                line_no += text.count("\n", line_end, s)
                line_start = text.rfind("\n", line_end, s) + 1
            else:
                line_no = text.count("\n", 0, s)
                line_start = text.rfind("\n", 0, s) + 1
            line_end = find("\n", s)
            if line_end < 0:
                line_end = n
            if any_upper:
                upper = len(upper_findall(text, line_start, line_end))
                upper_line = upper >= 2 and upper > 2 * len(lower_findall(text, line_start, line_end))
        raw = m.group()
        facts = seen.get(raw)
        if facts is None:
            facts = seen[raw] = _spelling(raw, classes)
        if not facts[1]:
            continue
        e -= facts[0]
        # Built without __init__: the facts were derived once per spelling above.
        tok = new(Token)
        tok.start = s
        tok.end = e
        tok.line = line_no
        tok.upper_line = upper_line
        (_, tok.text, tok.key, tok.flags, tok.possessive, tok.capitalised, tok.initial, tok.devanagari, tok.stop,
         tok.medical, tok.common, tok.name, tok.place, tok.strong_name, tok.weak_name, tok.unknown) = facts
        if tok.initial and text[e:e + 1].isdigit():
            tok.initial = False  # X2, T4, L5: a letter glued to a number is not an initial
            tok.stop = True
        append(tok)
    return tokens


def joined(text: str, left: Token, right: Token, allow_comma: bool = False) -> bool:
    """Two tokens belong to one phrase: only spaces, a dot after an initial, or (optionally) a comma."""
    if left.possessive or right.start - left.end > 3:
        return False
    between = text[left.end:right.start]
    if "\n" in between:
        return False
    stripped = between.strip(" \t")  # compared with "", "." and ",": the same as removing every blank
    if stripped == "":
        return between != ""
    if stripped == ".":
        return left.initial or left.key in ("dr", "mr", "mrs", "ms", "smt", "prof", "st", "sr", "jr", "md", "mohd", "sk",
                                            "sh")
    return allow_comma and stripped == ","

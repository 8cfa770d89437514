"""Shared helpers for the note de-identification tests: what detect() found, as text."""

from __future__ import annotations

from medkosh.deid.text import detect


def spans(text: str) -> list[tuple[str, str]]:
    """(label, covered text) of every detected span."""
    return [(s.label, text[s.start:s.end]) for s in detect(text)]


def names(text: str) -> list[str]:
    """The text of every span labelled NAME."""
    return [v for label, v in spans(text) if label == "NAME"]


def covered(text: str, word: str) -> bool:
    """Some detected span covers the first occurrence of `word`."""
    at = text.index(word)
    return any(s.start <= at and at + len(word) <= s.end for s in detect(text))

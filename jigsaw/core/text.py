"""Small helpers for the words Jigsaw puts on a page."""

from __future__ import annotations


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Date of birth" becomes "date of birth", but an
    initialism keeps its capitals ("NHS number", "A&E attendance", "UPN")."""
    if not label:
        return label
    first_word = label.split(" ", 1)[0]
    if len(first_word) > 1 and not first_word[1:2].islower():
        return label
    return label[0].lower() + label[1:]

"""How labels read inside a sentence (error messages, alert headlines)."""

from __future__ import annotations

import pytest

from jigsaw.core.text import in_sentence


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Date of birth", "date of birth"),
        ("NHS number", "NHS number"),
        ("A&E attendance", "A&E attendance"),
        ("UPN", "UPN"),
        ("Domestic abuse incident", "domestic abuse incident"),
        ("I", "i"),
        ("", ""),
    ],
)
def test_a_label_is_lowered_unless_it_starts_with_an_initialism(label: str, expected: str) -> None:
    assert in_sentence(label) == expected

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nhs_number.validate import calculate_checksum

from jigsaw.people.normalise import (
    format_nhs_number,
    name_key,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    phonetic_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" M1  1AE ", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
    ],
)
def test_real_postcodes_are_normalised(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "ZZ", "12345", "SW1A 1A", "QX1 1AA", "SW1A 1AAA", "M1 1CE"])
def test_malformed_postcodes_are_refused(raw: str) -> None:
    assert normalise_postcode(raw) is None


def test_nhs_number_check_digit() -> None:
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("943-476-5919") == "9434765919"
    assert normalise_nhs_number("9434765918") is None
    assert normalise_nhs_number("94347659") is None
    assert format_nhs_number("9434765919") == "943 476 5919"


# England and Wales issue 400 000 000 to 499 999 999; 999 ... is the synthetic test range.
@given(
    st.one_of(
        st.integers(min_value=400_000_000, max_value=499_999_999),
        st.integers(min_value=999_000_000, max_value=999_999_999),
    ).map(str)
)
def test_any_english_or_synthetic_number_with_its_check_digit_is_accepted(stem: str) -> None:
    check = calculate_checksum(stem)
    if check == 10:  # no valid check digit exists for this stem
        assert all(normalise_nhs_number(stem + str(d)) is None for d in range(10))
    else:
        assert normalise_nhs_number(stem + str(check)) == stem + str(check)


def test_upn() -> None:
    assert normalise_upn("b801200005001") == "B801200005001"
    assert normalise_upn("A801200005001") is None


def test_name_keys_ignore_case_accents_and_punctuation() -> None:
    assert name_key("O'Brien-Smith") == "OBRIENSMITH"
    assert name_key("Zoë") == "ZOE"
    assert phonetic_key("Mohammed") == phonetic_key("Muhammad")

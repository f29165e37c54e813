"""Validation and normalisation of the identifiers and names the person index keys on.

Checksums come from maintained packages (`nhs-number`, `python-stdnum`); the postcode
pattern is the one published for the UK's postcode format (outward code, space, inward code).
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish
from nhs_number.validate import is_valid as nhs_number_is_valid
from stdnum.gb import upn as stdnum_upn

_POSTCODE = re.compile(
    r"^(GIR0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_NON_LETTER = re.compile(r"[^A-Z]")


def normalise_postcode(value: str) -> str | None:
    """Return the postcode in its standard form ("SW1A 1AA"), or None if it is not one."""
    compact = re.sub(r"\s+", "", value).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_nhs_number(value: str) -> str | None:
    """Ten digits with a valid check digit, spaces and dashes allowed; else None."""
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{10}", digits) or not nhs_number_is_valid(digits):
        return None
    return digits


def format_nhs_number(value: str) -> str:
    return f"{value[:3]} {value[3:6]} {value[6:]}" if len(value) == 10 else value


def normalise_upn(value: str) -> str | None:
    """A unique pupil number (13 characters with a check letter); else None."""
    compact = stdnum_upn.compact(value)
    return compact if stdnum_upn.is_valid(compact) else None


def name_key(value: str) -> str:
    """Upper-case letters only, accents removed: "O'Brien-Smith" -> "OBRIENSMITH"."""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_LETTER.sub("", ascii_only.upper())


def first_name_key(given_names: str) -> str:
    """The key of the first given name only: middle names are often missing from a record."""
    parts = given_names.split()
    return name_key(parts[0]) if parts else ""


def phonetic_key(value: str) -> str:
    """A Metaphone code of the name, for finding names that sound alike."""
    key = name_key(value)
    return jellyfish.metaphone(key)[:12] if key else ""

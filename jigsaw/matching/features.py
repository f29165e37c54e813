"""A record turned into the values the comparisons look at, and the keys that block on them.

One function, `features`, serves every path: the person index (stored per person in
`MatchFeatures`), an incoming record at the front door, and the tables handed to Splink for
training and batch linkage. The comparisons' SQL (run by Splink in DuckDB) and their Python
twins (run by the single-record scorer) both read these values, so the two can only agree
if the values are the same: nothing is normalised anywhere else.

Missing values are None (never ""), lists are never None but may be empty, so "missing
counts as neither for nor against" is one rule in every comparison.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

import jellyfish

from jigsaw.matching.names import name_groups
from jigsaw.matching.records import MatchRecord

Features = dict[str, Any]

_NON_LETTER = re.compile(r"[^A-Z]")
_NON_ALNUM = re.compile(r"[^A-Z0-9]")
_PART_SEPARATOR = re.compile(r"[\s\-]+")
_EPOCH = datetime.date(1970, 1, 1)


def _ascii_upper(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def name_key(value: str) -> str:
    """Upper-case letters only, accents removed: "O'Brien" -> "OBRIEN"."""
    return _NON_LETTER.sub("", _ascii_upper(value))


def _phonetic(key: str | None) -> str | None:
    return jellyfish.metaphone(key)[:12] or None if key else None


def _family_parts(family_name: str) -> list[str]:
    """The whole family name and each part of a hyphenated or double-barrelled one:
    "Smith-Jones" -> [SMITHJONES, SMITH, JONES]."""
    whole = name_key(family_name)
    parts = [name_key(p) for p in _PART_SEPARATOR.split(family_name)]
    keys = [whole] + [p for p in parts if len(p) > 1 and p != whole]
    return [k for k in keys if k]


def _other_family_names(other_names: tuple[str, ...]) -> list[str]:
    keys: list[str] = []
    for name in other_names:
        words = name.split()
        if words:
            keys.extend(_family_parts(words[-1]))
    return keys


def postcode_key(value: str) -> str | None:
    return _NON_ALNUM.sub("", _ascii_upper(value)) or None


def address_key(value: str) -> str | None:
    return _NON_ALNUM.sub("", _ascii_upper(value)) or None


def digits(value: str) -> str | None:
    only = re.sub(r"\D", "", value)
    return only if len(only) >= 6 else None


def _swapped(day: datetime.date) -> datetime.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def _unique(values: list[str]) -> list[str]:
    return sorted(set(values))


def features(record: MatchRecord) -> Features:
    given_names = [name_key(n) for n in record.given_name.split()]
    given_names = [n for n in given_names if n]
    given = given_names[0] if given_names else None
    family_parts = _family_parts(record.family_name)
    family = family_parts[0] if family_parts else None
    groups = sorted(name_groups(given)) if given else []
    dob = record.dob
    swapped = _swapped(dob) if dob else None
    postcodes = [p for p in [postcode_key(record.postcode)] if p]
    previous_postcodes = [p for p in (postcode_key(v) for v in record.previous_postcodes) if p]
    address = address_key(record.address)
    previous_addresses = [a for a in (address_key(v) for v in record.previous_addresses) if a]
    places = _unique(
        [f"P{p}" for p in postcodes + previous_postcodes]
        + [f"A{a}" for a in [address, *previous_addresses] if a]
    )
    postcode = postcodes[0] if postcodes else None
    sex = record.sex.strip().upper()
    return {
        "record_id": record.record_id,
        "given": given,
        "given_all": _unique(given_names),
        "given_groups": groups,
        # The canonical form of the first given name: its variant group, else its sound.
        "given_canon": groups[0] if groups else _phonetic(given),
        "given_phon": _phonetic(given),
        "family": family,
        "family_all": _unique(family_parts + _other_family_names(record.other_names)),
        "family_phon": _phonetic(family),
        "dob": dob.isoformat() if dob else None,
        "dob_swapped": swapped.isoformat() if swapped else None,
        "dob_year": f"{dob.year:04d}" if dob else None,
        "dob_days": (dob - _EPOCH).days if dob else None,
        "dob_est": 1 if dob and record.dob_estimated else 0,
        "sex": sex if sex in {"M", "F"} else None,
        "postcode": postcode,
        "outward": postcode[:-3] if postcode and len(postcode) >= 5 else None,
        "address": address,
        "places": places,
        "nhs": digits(record.nhs_number),
        "upn": _NON_ALNUM.sub("", _ascii_upper(record.upn)) or None,
    }


def _dob_sorted(dob: str) -> str:
    """The date with day and month in order, so a swapped date gets the same key."""
    year, month, day = dob.split("-")
    low, high = sorted([month, day])
    return f"{year}{low}{high}"


def blocking_keys(f: Features) -> list[str]:
    """The keys under which a record is a candidate for another: two records are compared
    when they share at least one. Each key tolerates a different error: a wrong date of
    birth (names and place), a changed surname (date of birth and given name), a nickname
    (its variant group), a swapped day and month (the sorted date), names in the wrong
    order (the sorted pair of name sounds)."""
    keys: list[str] = []
    if f["nhs"]:
        keys.append(f"n:{f['nhs']}")
        # The digits in order: two of them swapped still give the same key.
        keys.append(f"nd:{''.join(sorted(f['nhs']))}")
    if f["upn"]:
        keys.append(f"u:{f['upn']}")
    dob = _dob_sorted(f["dob"]) if f["dob"] else None
    if dob:
        # Any of the name's sounds (family names past and present, the given name and its
        # variant group) with the date of birth: tolerates a changed surname, a nickname and
        # names written the wrong way round.
        sounds = {_phonetic(k) for k in f["family_all"]} | {f["given_canon"], f["given_phon"]}
        keys.extend(f"dn:{dob}|{sound}" for sound in sounds if sound)
        initials = "".join(sorted(name[0] for name in (f["given"], f["family"]) if name))
        if initials:
            keys.append(f"di:{dob}|{initials}")
    if f["given_phon"] and f["family_phon"]:
        pair = "|".join(sorted([f["given_phon"], f["family_phon"]]))
        keys.append(f"ns:{pair}")
    if f["postcode"] and f["given_canon"]:
        keys.append(f"pg:{f['postcode']}|{f['given_canon']}")
    if f["postcode"] and f["family_phon"]:
        keys.append(f"pf:{f['postcode']}|{f['family_phon']}")
    return [k[:64] for k in _unique(keys)]

"""Duplicates in the demo's person index, as real indexes have them.

A child already known is sometimes added again: a school's referral typed with a
nickname, a police record with the day and month of birth swapped, a health visitor's
with the surname misspelt and no NHS number. The demo plants a few such records (about
one child in two hundred), so that the nightly duplicate check has something to find and
the front door's review queue shows what reviewing looks like. Synthetic people only.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from jigsaw.matching.names import load_name_variants
from jigsaw.people.models import BirthDatePrecision, Person, Residence

SHARE = 0.005
_LETTERS = "aeilnorst"


def _nickname(rng: random.Random, given: str) -> str | None:
    groups = load_name_variants().get(given.upper())
    if not groups:
        return None
    group = sorted(groups)[0]
    others = sorted(n for n, g in load_name_variants().items() if group in g and n != given.upper())
    return rng.choice(others).title() if others else None


def _typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + rng.choice(_LETTERS) + name[i + 1 :]


def _swapped(day: datetime.date) -> datetime.date:
    if day.day > 12 or day.day == day.month:
        return day
    return day.replace(day=day.month, month=day.day)


@transaction.atomic
def plant_duplicates(*, seed: int, share: float = SHARE) -> int:
    """Add a second record for a share of the children; returns how many were added.
    The records go through the ORM, so the matcher's index picks them up."""
    rng = random.Random(f"duplicates-{seed}")  # noqa: S311  # synthetic demo data, not security  # nosec B311
    children = list(
        Person.objects.filter(
            birth_date_precision=BirthDatePrecision.EXACT,
            date_of_birth__gt=datetime.date(2008, 1, 1),
            merged_into__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = sorted(rng.sample(children, int(len(children) * share))) if children else []
    for pk in chosen:
        original = Person.objects.get(pk=pk)
        given = original.given_names.split()[0] if original.given_names else ""
        family = original.family_name
        dob = original.date_of_birth
        kind = rng.choice(["nickname", "typo", "swapped", "typo_and_swapped"])
        if kind == "nickname":
            given = _nickname(rng, given) or _typo(rng, given)
        if kind in {"typo", "typo_and_swapped"}:
            family = _typo(rng, family)
        if kind in {"swapped", "typo_and_swapped"} and dob is not None:
            dob = _swapped(dob)
        copy = Person.objects.create(
            given_names=given,
            family_name=family,
            date_of_birth=dob,
            sex=original.sex,
            ethnicity=original.ethnicity,
            first_language=original.first_language,
            # Partners often have no NHS number to give.
            nhs_number=original.nhs_number if rng.random() < 0.3 else "",
        )
        home = (
            Residence.objects.filter(person=original, moved_out__isnull=True)
            .select_related("address")
            .first()
        )
        if home is not None:
            Residence.objects.create(person=copy, address=home.address, moved_in=home.moved_in)
    return len(chosen)

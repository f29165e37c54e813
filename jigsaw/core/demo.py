"""A synthetic local authority for the demo and the benchmarks: Riverford City Council.

Two halves. `DemoGenerator` plans families as plain data from one `random.Random(seed)`
and a fixed reference date, touching no database, so the same seed always plans the same
people. `write_people` turns the plans into rows with `bulk_create` in batches (a handful
of INSERTs per batch, no per-row queries), so a million children load in minutes.

Everything here is made up. NHS numbers are in the range NHS England keeps for test
patients (9xx, starting at 999); postcodes use the area "RF", which the Royal Mail does
not issue; phone numbers are Ofcom's drama range (01632 960xxx); e-mail domains end in
`.example`. UPNs must name a real local authority number to pass validation, so they use
one (see `UPN_LA_NUMBER`).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import functools
import itertools
import json
import random
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from nhs_number.validate import calculate_checksum
from stdnum.gb import upn as stdnum_upn

from jigsaw.access.roles import Role
from jigsaw.partners.models import Agency, AgencyKind, ContactMethod, Practitioner
from jigsaw.people.models import (
    Address,
    BirthDatePrecision,
    Disability,
    Household,
    HouseholdMember,
    NameKind,
    Person,
    PersonName,
    Relationship,
    RelationshipKind,
    Residence,
    Sex,
)
from jigsaw.people.normalise import name_key, phonetic_key
from jigsaw.workforce.models import Team

DATA_FILE = Path(__file__).resolve().parent / "data" / "demo_names.json"

# The demo's "today". Dates of birth are fixed relative to it, so a seed gives the same
# people on any day; the real date is used instead only while it is earlier, so that no
# one is born in the future.
FIXED_REFERENCE_DATE = datetime.date(2026, 11, 1)

DEMO_PASSWORD = "jigsaw-demo-2009"  # noqa: S105 - published demo sign-ins, never a real system  # nosec B105
TOWN = "Riverford"
POSTCODE_AREA = "RF"
# stdnum checks the LA number against the DfE list, so a made-up one would not validate.
UPN_LA_NUMBER = "380"
EMAIL_DOMAIN = "riverford.example"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def reference_date(today: datetime.date | None = None) -> datetime.date:
    return min(today or datetime.date.today(), FIXED_REFERENCE_DATE)  # noqa: DTZ011 - a calendar date


@dataclasses.dataclass(frozen=True)
class NameGroup:
    key: str
    ethnicity: str
    language: str
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class NameData:
    groups: tuple[NameGroup, ...]
    mixed_ethnicity: dict[str, str]
    streets: tuple[str, ...]
    street_kinds: tuple[str, ...]
    districts: tuple[str, ...]


@functools.cache
def load_name_data() -> NameData:
    raw: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    groups = tuple(
        NameGroup(
            key=g["key"],
            ethnicity=g["ethnicity"],
            language=g["language"],
            weight=float(g["weight"]),
            male=tuple(g["male"]),
            female=tuple(g["female"]),
            family=tuple(g["family"]),
        )
        for g in raw["groups"]
    )
    return NameData(
        groups=groups,
        mixed_ethnicity=dict(raw["mixed_ethnicity"]),
        streets=tuple(raw["streets"]),
        street_kinds=tuple(raw["street_kinds"]),
        districts=tuple(raw["districts"]),
    )


# --- The plan: plain data, no database -------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PlannedAddress:
    line_1: str
    line_2: str
    town: str
    postcode: str


@dataclasses.dataclass(frozen=True)
class PlannedName:
    kind: str
    given_names: str
    family_name: str
    used_from: datetime.date | None
    used_to: datetime.date | None


@dataclasses.dataclass
class PlannedPerson:
    given_names: str
    family_name: str
    sex: str
    date_of_birth: datetime.date
    birth_date_precision: str
    ethnicity: str
    first_language: str
    disability: str
    is_child: bool
    lives_in_household: bool = True
    nhs_number: str = ""
    upn: str = ""
    other_names: list[PlannedName] = dataclasses.field(default_factory=list)

    @property
    def is_unborn(self) -> bool:
        return self.birth_date_precision == BirthDatePrecision.EXPECTED


@dataclasses.dataclass(frozen=True)
class PlannedRelationship:
    """Indexes into the family's people: `relative` is `kind` of `person`, as in the model."""

    person: int
    relative: int
    kind: str
    started: datetime.date | None = None


@dataclasses.dataclass
class PlannedFamily:
    address: PlannedAddress
    moved_in: datetime.date
    people: list[PlannedPerson]
    relationships: list[PlannedRelationship]
    previous_address: PlannedAddress | None = None
    previous_moved_in: datetime.date | None = None

    @property
    def children(self) -> int:
        return sum(1 for p in self.people if p.is_child)


def _days(years: float) -> int:
    return round(years * 365.25)


class DemoGenerator:
    """Plans an endless, reproducible stream of families for one seed."""

    def __init__(self, seed: int, *, today: datetime.date | None = None) -> None:
        self.rng = random.Random(seed)  # synthetic demo data, not security  # nosec B311
        self.reference = reference_date(today)
        self.data = load_name_data()
        self._group_cum = list(itertools.accumulate(g.weight for g in self.data.groups))
        self._white_british = next(g for g in self.data.groups if g.ethnicity == "WBRI")
        # NHS numbers: a permutation of each block of a million, so they look scattered but
        # never repeat; the first block is 999, the next 998, and so on down the 9 range.
        self._nhs_counter = 0
        self._nhs_multiplier = self.rng.choice([7, 11, 13, 17, 19, 23, 29, 31]) * 7919
        self._nhs_offset = self.rng.randrange(1_000_000)
        self._upn_counter = 0

    # identifiers

    def next_nhs_number(self) -> str:
        while True:
            n = self._nhs_counter
            self._nhs_counter += 1
            block, within = divmod(n, 1_000_000)
            scattered = (within * self._nhs_multiplier + self._nhs_offset) % 1_000_000
            base = f"{999 - block}{scattered:06d}"
            check = calculate_checksum(base)
            if check is not None and check != 10:
                return f"{base}{check}"

    def next_upn(self, entry_year: int) -> str:
        n = self._upn_counter
        self._upn_counter += 1
        establishment = 2000 + (n // 999) % 8000
        body = f"{UPN_LA_NUMBER}{establishment:04d}{entry_year % 100:02d}{n % 999 + 1:03d}"
        return f"{stdnum_upn.calc_check_digit(body)}{body}"

    # names and places

    def group(self) -> NameGroup:
        x = self.rng.random() * self._group_cum[-1]
        return self.data.groups[bisect.bisect_right(self._group_cum, x)]

    def given(self, group: NameGroup, sex: str, *, middle: bool = False) -> str:
        names = group.male if sex == Sex.MALE else group.female
        first = self.rng.choice(names)
        if middle and self.rng.random() < 0.35:
            second = self.rng.choice(names)
            if second != first:
                return f"{first} {second}"
        return first

    def family_name(self, group: NameGroup) -> str:
        return self.rng.choice(group.family)

    def address(self) -> PlannedAddress:
        rng = self.rng
        district = rng.randrange(len(self.data.districts))
        street = f"{rng.choice(self.data.streets)} {rng.choice(self.data.street_kinds)}"
        number = rng.randint(1, 180)
        flat = rng.random() < 0.15
        line_1 = f"Flat {rng.randint(1, 24)}, {number} {street}" if flat else f"{number} {street}"
        inward = f"{rng.randint(0, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
        return PlannedAddress(line_1, self.data.districts[district], TOWN, f"RF{district + 1} {inward}")

    # people

    def _age_on_reference(self, dob: datetime.date) -> int:
        ref = self.reference
        return ref.year - dob.year - ((ref.month, ref.day) < (dob.month, dob.day))

    def person(
        self,
        group: NameGroup,
        sex: str,
        dob: datetime.date,
        *,
        family_name: str,
        is_child: bool,
        ethnicity: str | None = None,
        language: str | None = None,
    ) -> PlannedPerson:
        rng = self.rng
        precision: str = BirthDatePrecision.EXACT
        if dob > self.reference:
            precision = BirthDatePrecision.EXPECTED
        elif rng.random() < (0.004 if is_child else 0.015):
            # An age given by the person or a professional, not a known date.
            precision = BirthDatePrecision.ESTIMATED
            dob = datetime.date(dob.year, 1, 1)
        unborn = precision == BirthDatePrecision.EXPECTED
        if unborn:
            given, sex = "", Sex.UNKNOWN
        else:
            given = self.given(group, sex, middle=is_child)
        if is_child:
            disability = rng.choices(
                [Disability.NONE, Disability.YES, Disability.NOT_KNOWN], weights=[70, 6, 24]
            )[0]
        else:
            disability = Disability.NOT_KNOWN
        person = PlannedPerson(
            given_names=given,
            family_name=family_name,
            sex=sex,
            date_of_birth=dob,
            birth_date_precision=precision,
            ethnicity=ethnicity or group.ethnicity,
            first_language=language or group.language,
            disability=disability,
            is_child=is_child,
            lives_in_household=not unborn,
        )
        if not unborn and rng.random() < 0.97:
            person.nhs_number = self.next_nhs_number()
        if is_child and not unborn and 4 <= self._age_on_reference(dob) <= 16 and rng.random() < 0.96:
            entry_year = dob.year + 4 + (1 if dob.month >= 9 else 0)
            person.upn = self.next_upn(entry_year)
        return person

    def _children_dobs(self, count: int, eldest_max_years: float) -> list[datetime.date]:
        rng, ref = self.rng, self.reference
        eldest = ref - datetime.timedelta(days=rng.randint(0, _days(eldest_max_years) - 1))
        dobs = [eldest]
        for _ in range(count - 1):
            nxt = dobs[-1] + datetime.timedelta(days=rng.randint(330, 2200))
            if nxt > ref:
                break
            dobs.append(nxt)
        return dobs

    def family(self) -> PlannedFamily:
        rng, ref = self.rng, self.reference
        data = self.data
        group = self.group()
        father_group = mother_group = group
        mixed = group is not self._white_british and rng.random() < 0.12
        if mixed:
            if rng.random() < 0.6:
                mother_group = self._white_british
            else:
                father_group = self._white_british
        child_ethnicity = (data.mixed_ethnicity.get(group.key, "MOTH")) if mixed else group.ethnicity
        child_language = "English" if mixed else group.language

        shape = rng.choices(["couple", "single_mother", "step", "single_father"], weights=[53, 31, 13, 3])[0]
        count = rng.choices([1, 2, 3, 4, 5, 6], weights=[34, 35, 19, 8, 3, 1])[0]
        dobs = self._children_dobs(count, 18 if shape != "step" else 16)
        eldest = dobs[0]
        mother_dob = eldest - datetime.timedelta(days=rng.randint(_days(17), _days(40)))
        father_dob = mother_dob + datetime.timedelta(days=rng.randint(-_days(3), _days(9)))
        father_dob = min(father_dob, eldest - datetime.timedelta(days=_days(17)))

        mother_birth_name = self.family_name(mother_group)
        father_name = self.family_name(father_group)
        people: list[PlannedPerson] = []
        rels: list[PlannedRelationship] = []

        mother_name = mother_birth_name
        mother = father = partner = None
        if shape in {"couple", "single_mother", "step"}:
            married = shape == "couple" and rng.random() < 0.7
            if married:
                mother_name = father_name
            mother = len(people)
            people.append(
                self.person(mother_group, Sex.FEMALE, mother_dob, family_name=mother_name, is_child=False)
            )
            if married and rng.random() < 0.6:
                people[mother].other_names.append(
                    PlannedName(NameKind.BIRTH, people[mother].given_names, mother_birth_name, None, None)
                )
        if shape in {"couple", "single_father"} or (
            shape in {"single_mother", "step"} and rng.random() < 0.4
        ):
            # In single-mother and step families this is the children's father living elsewhere.
            father = len(people)
            people.append(
                self.person(father_group, Sex.MALE, father_dob, family_name=father_name, is_child=False)
            )
            people[father].lives_in_household = shape in {"couple", "single_father"}

        if shape == "couple":
            child_surname = father_name if rng.random() < 0.85 else mother_birth_name
        elif shape == "single_father":
            child_surname = father_name
        else:
            child_surname = father_name if rng.random() < 0.5 else mother_birth_name

        first_children: list[int] = []
        for dob in dobs:
            sex = Sex.MALE if rng.random() < 0.51 else Sex.FEMALE
            child_group = father_group if rng.random() < 0.5 else mother_group
            first_children.append(len(people))
            people.append(
                self.person(
                    child_group,
                    sex,
                    dob,
                    family_name=child_surname,
                    is_child=True,
                    ethnicity=child_ethnicity,
                    language=child_language,
                )
            )

        # Children who came later: a half-sibling with a step-parent, or an unborn full sibling.
        later: list[tuple[int, bool]] = []  # (index, is a full sibling)
        together = min(ref, dobs[-1] + datetime.timedelta(days=rng.randint(60, _days(5))))
        if shape == "step":
            partner_group = group if rng.random() < 0.8 else self.group()
            partner_dob = mother_dob + datetime.timedelta(days=rng.randint(-_days(4), _days(10)))
            partner_name = self.family_name(partner_group)
            partner = len(people)
            people.append(
                self.person(partner_group, Sex.MALE, partner_dob, family_name=partner_name, is_child=False)
            )
            if rng.random() < 0.35:
                # The older children took the step-father's surname; the old one stays findable.
                for i in first_children:
                    child = people[i]
                    child.other_names.append(
                        PlannedName(
                            NameKind.PREVIOUS,
                            child.given_names,
                            child.family_name,
                            child.date_of_birth,
                            together,
                        )
                    )
                    child.family_name = partner_name
            half_dob = together + datetime.timedelta(days=rng.randint(280, 1500))
            if rng.random() < 0.5 and half_dob <= ref + datetime.timedelta(days=250):
                sex = Sex.MALE if rng.random() < 0.51 else Sex.FEMALE
                later.append((len(people), False))
                people.append(
                    self.person(
                        partner_group,
                        sex,
                        half_dob,
                        family_name=partner_name,
                        is_child=True,
                        ethnicity=partner_group.ethnicity if partner_group is group else "MOTH",
                        language=child_language,
                    )
                )
        elif rng.random() < 0.025:
            # Expecting: an unborn child with a due date after the reference date.
            due = ref + datetime.timedelta(days=rng.randint(14, 250))
            later.append((len(people), True))
            people.append(
                self.person(
                    group,
                    Sex.UNKNOWN,
                    due,
                    family_name=child_surname,
                    is_child=True,
                    ethnicity=child_ethnicity,
                    language=child_language,
                )
            )

        # A few children with a previous surname outside step-families (a change by deed poll).
        for i in first_children:
            child = people[i]
            if not child.other_names and child.family_name != mother_birth_name and rng.random() < 0.02:
                lived = max(31, (ref - child.date_of_birth).days)
                changed = min(ref, child.date_of_birth + datetime.timedelta(days=rng.randint(30, lived)))
                child.other_names.append(
                    PlannedName(
                        NameKind.PREVIOUS, child.given_names, mother_birth_name, child.date_of_birth, changed
                    )
                )

        # Relationships: `relative` is `kind` of `person`; siblings are recorded once per pair.
        for i in first_children:
            for parent in (mother, father):
                if parent is not None:
                    rels.append(
                        PlannedRelationship(i, parent, RelationshipKind.PARENT, people[i].date_of_birth)
                    )
            if partner is not None:
                kind = (
                    RelationshipKind.STEP_PARENT if rng.random() < 0.5 else RelationshipKind.PARTNER_OF_PARENT
                )
                rels.append(PlannedRelationship(i, partner, kind, together))
        for a, b in itertools.combinations(first_children, 2):
            rels.append(PlannedRelationship(b, a, RelationshipKind.SIBLING))
        for i, full in later:
            for parent in (mother, father if full else partner):
                if parent is not None:
                    rels.append(PlannedRelationship(i, parent, RelationshipKind.PARENT))
            kind = RelationshipKind.SIBLING if full else RelationshipKind.HALF_SIBLING
            rels.extend(PlannedRelationship(i, a, kind) for a in first_children)

        # Where they live now, and before.
        moved_in = ref - datetime.timedelta(days=rng.randint(30, _days(12)))
        previous_address = previous_moved_in = None
        if rng.random() < 0.22:
            moved_in = ref - datetime.timedelta(days=rng.randint(30, _days(4)))
            previous_address = self.address()
            previous_moved_in = moved_in - datetime.timedelta(days=rng.randint(180, _days(8)))
        return PlannedFamily(
            address=self.address(),
            moved_in=moved_in,
            people=people,
            relationships=rels,
            previous_address=previous_address,
            previous_moved_in=previous_moved_in,
        )

    def families(self) -> Iterator[PlannedFamily]:
        while True:
            yield self.family()

    def practitioner_name(self) -> str:
        group = self.group()
        sex = Sex.FEMALE if self.rng.random() < 0.7 else Sex.MALE
        return f"{self.given(group, sex)} {self.family_name(group)}"


# --- The agencies and staff -----------------------------------------------------------

CSC = "Riverford Children's Social Care"
PARTNERSHIP = "Riverford Safeguarding Children Partnership"
FIRST_SCHOOL = "Riverside Primary School"

# name, kind, short name for e-mail
AGENCIES: list[tuple[str, str, str]] = [
    (CSC, AgencyKind.CHILDRENS_SOCIAL_CARE, "csc"),
    (PARTNERSHIP, AgencyKind.SAFEGUARDING_PARTNERSHIP, "partnership"),
    ("Riverdale Police (Riverford District)", AgencyKind.POLICE, "police"),
    ("Riverford Royal Infirmary", AgencyKind.ACUTE_HEALTH, "rri"),
    ("Riverford Health Visiting Service", AgencyKind.HEALTH_VISITING, "healthvisiting"),
    ("Canal Street Surgery", AgencyKind.GP_PRACTICE, "canalstreet"),
    ("Millbrook Medical Centre", AgencyKind.GP_PRACTICE, "millbrookmc"),
    ("Eastbank Health Centre", AgencyKind.GP_PRACTICE, "eastbankhc"),
    ("Northgate Family Practice", AgencyKind.GP_PRACTICE, "northgatefp"),
    ("Westholme Group Practice", AgencyKind.GP_PRACTICE, "westholmegp"),
    (FIRST_SCHOOL, AgencyKind.SCHOOL, "riverside"),
    ("St Anne's Catholic Primary School", AgencyKind.SCHOOL, "stannes"),
    ("Millbrook Primary School", AgencyKind.SCHOOL, "millbrook"),
    ("Eastbank Primary Academy", AgencyKind.SCHOOL, "eastbank"),
    ("Canal Side Nursery and Infant School", AgencyKind.SCHOOL, "canalside"),
    ("Thornhill Junior School", AgencyKind.SCHOOL, "thornhill"),
    ("Westholme CE Primary School", AgencyKind.SCHOOL, "westholme"),
    ("Oakwood Primary School", AgencyKind.SCHOOL, "oakwood"),
    ("Riverford Academy", AgencyKind.SCHOOL, "academy"),
    ("Northgate High School", AgencyKind.SCHOOL, "northgate"),
    ("Stonebridge Community College", AgencyKind.SCHOOL, "stonebridge"),
    ("Kingsmead School", AgencyKind.SCHOOL, "kingsmead"),
    ("Hillcrest Special School", AgencyKind.SCHOOL, "hillcrest"),
    ("Little Acorns Day Nursery", AgencyKind.EARLY_YEARS, "littleacorns"),
    ("Riverford Homes", AgencyKind.HOUSING, "homes"),
    ("Riverford Family Action", AgencyKind.VOLUNTARY_SECTOR, "familyaction"),
]

# Children's social care teams, with the role and job title of the staff in each.
CSC_TEAMS: list[tuple[str, Role, str, int]] = [
    ("Front Door (MASH)", Role.FRONT_DOOR_OFFICER, "Front door social worker", 5),
    ("Assessment Team 1", Role.SOCIAL_WORKER, "Social worker", 6),
    ("Assessment Team 2", Role.SOCIAL_WORKER, "Social worker", 6),
    ("Assessment Team 3", Role.SOCIAL_WORKER, "Social worker", 6),
    ("Child Protection Team", Role.SOCIAL_WORKER, "Senior social worker", 6),
    ("Children in Care Team", Role.SOCIAL_WORKER, "Social worker", 4),
    ("Conference Chairs and IRO Unit", Role.CONFERENCE_CHAIR, "Independent reviewing officer", 4),
    ("Performance and Intelligence", Role.PERFORMANCE_ANALYST, "Performance analyst", 2),
]

# Staff of partner agencies who are named around children but do not sign in.
PARTNER_STAFF: dict[str, list[str]] = {
    AgencyKind.SCHOOL: ["Designated safeguarding lead", "Deputy designated safeguarding lead"],
    AgencyKind.GP_PRACTICE: ["General practitioner", "General practitioner", "Practice nurse"],
    AgencyKind.ACUTE_HEALTH: [
        "Named nurse for safeguarding",
        "Consultant paediatrician",
        "Emergency department nurse",
    ],
    AgencyKind.HEALTH_VISITING: ["Health visitor"] * 6,
    AgencyKind.POLICE: ["Detective constable, child abuse investigation unit"] * 3 + ["MASH police officer"],
    AgencyKind.EARLY_YEARS: ["Nursery manager"],
    AgencyKind.HOUSING: ["Housing officer"],
    AgencyKind.VOLUNTARY_SECTOR: ["Family support worker"],
}

# The one sign-in per role: agency, team (or None), job title.
# Roles added after the demo's population was first drawn: their sign-ins' names are drawn
# aside, and the random stream put back as it was, so that adding a role does not change
# every family, child and figure the demo writes after the staff.
ROLES_ADDED_LATER = (Role.BUSINESS_SUPPORT, Role.SOCIAL_WORK_ASSISTANT)

SIGN_INS: dict[str, tuple[str, str | None, str]] = {
    Role.SOCIAL_WORKER: (CSC, "Assessment Team 1", "Social worker"),
    Role.TEAM_MANAGER: (CSC, "Assessment Team 1", "Team manager"),
    Role.FRONT_DOOR_OFFICER: (CSC, "Front Door (MASH)", "Front door social worker"),
    Role.CONFERENCE_CHAIR: (CSC, "Conference Chairs and IRO Unit", "Child protection conference chair"),
    Role.PARTNER_PRACTITIONER: (FIRST_SCHOOL, None, "Designated safeguarding lead"),
    Role.PERFORMANCE_ANALYST: (CSC, "Performance and Intelligence", "Performance analyst"),
    Role.PARTNERSHIP_MEMBER: (PARTNERSHIP, None, "Partnership business manager"),
    Role.ADMINISTRATOR: (CSC, None, "System administrator"),
    Role.BUSINESS_SUPPORT: (CSC, "Assessment Team 1", "Business support officer"),
    Role.SOCIAL_WORK_ASSISTANT: (CSC, "Assessment Team 1", "Social work assistant"),
}


# Partners sign in too: the front line of the flag check, the concern and the feeds.
# username: agency, job title.
PARTNER_SIGN_INS: dict[str, tuple[str, str]] = {
    "gp": ("Canal Street Surgery", "General practitioner"),
    "ae_clinician": ("Riverford Royal Infirmary", "Emergency department doctor"),
    "police_officer": ("Riverdale Police (Riverford District)", "MASH police officer"),
    "health_visitor": ("Riverford Health Visiting Service", "Health visitor"),
}


@dataclasses.dataclass(frozen=True)
class SignIn:
    username: str
    role: str
    agency: str


def _phone(rng: random.Random) -> str:
    return f"01632 960{rng.randrange(1000):03d}"


def create_agencies_and_staff(generator: DemoGenerator) -> list[SignIn]:
    """Agencies, teams, staff, and one sign-in per role sharing the demo password."""
    rng = generator.rng
    agencies: dict[str, Agency] = {}
    for name, kind, short in AGENCIES:
        agencies[name] = Agency.objects.create(
            name=name,
            kind=kind,
            phone=_phone(rng),
            out_of_hours_phone=_phone(rng)
            if kind in {AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.POLICE}
            else "",
            secure_email=f"safeguarding@{short}.{EMAIL_DOMAIN}",
            address=f"{rng.randint(1, 120)} {rng.choice(generator.data.streets)} Street, {TOWN}",
        )
    csc = agencies[CSC]
    teams: dict[str, Team] = {}
    staff: list[Practitioner] = []

    def practitioner(agency: Agency, team: Team | None, role: str, title: str) -> Practitioner:
        name = generator.practitioner_name()
        short = next(s for n, _, s in AGENCIES if n == agency.name)
        email = f"{name_key(name).lower()[:20]}{len(staff)}@{short}.{EMAIL_DOMAIN}"
        return Practitioner(
            full_name=name,
            agency=agency,
            team=team,
            role=role,
            job_title=title,
            phone=_phone(rng),
            secure_email=email,
            preferred_contact=rng.choice(
                [ContactMethod.PHONE, ContactMethod.SECURE_EMAIL, ContactMethod.TEAMS]
            ),
            safeguarding_lead="safeguarding lead" in title.lower(),
        )

    for team_name, role, title, size in CSC_TEAMS:
        team = Team.objects.create(
            name=team_name,
            agency=csc,
            phone=_phone(rng),
            secure_email=f"{name_key(team_name).lower()}@csc.{EMAIL_DOMAIN}",
        )
        teams[team_name] = team
        if role in {Role.SOCIAL_WORKER, Role.FRONT_DOOR_OFFICER}:
            staff.append(practitioner(csc, team, Role.TEAM_MANAGER, "Team manager"))
        staff.extend(practitioner(csc, team, role, title) for _ in range(size))
    for name, kind, _ in AGENCIES:
        for title in PARTNER_STAFF.get(kind, []):
            staff.append(practitioner(agencies[name], None, Role.PARTNER_PRACTITIONER, title))
    for title in ["Partnership business manager", "Independent scrutineer"]:
        staff.append(practitioner(agencies[PARTNERSHIP], None, Role.PARTNERSHIP_MEMBER, title))
    Practitioner.objects.bulk_create(staff)

    # One hash for all the demo sign-ins: hashing is slow on purpose, and they share the password.
    password = make_password(DEMO_PASSWORD)
    sign_ins: list[SignIn] = []
    accounts: list[tuple[str, Role, str, str | None, str]] = []
    for role in Role:
        if role not in ROLES_ADDED_LATER:
            agency_name, sign_in_team, job_title = SIGN_INS.get(role, (CSC, None, str(role.label)))
            accounts.append((role.value, role, agency_name, sign_in_team, job_title))
    for username, (agency_name, job_title) in PARTNER_SIGN_INS.items():
        accounts.append((username, Role.PARTNER_PRACTITIONER, agency_name, None, job_title))
    first_later, stream = len(accounts), None
    for role in ROLES_ADDED_LATER:
        agency_name, sign_in_team, job_title = SIGN_INS[role]
        accounts.append((role.value, role, agency_name, sign_in_team, job_title))
    for number, (username, role, agency_name, sign_in_team, job_title) in enumerate(accounts):
        if number == first_later:
            stream = rng.getstate()
        full = generator.practitioner_name()
        first, _, last = full.partition(" ")
        admin = role == Role.ADMINISTRATOR
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@{EMAIL_DOMAIN}",
                "password": password,
                "is_staff": admin,
                "is_superuser": admin,
                "is_active": True,
            },
        )
        agency = agencies[agency_name]
        p = practitioner(agency, teams.get(sign_in_team) if sign_in_team else None, role.value, job_title)
        p.user = user
        p.full_name = full
        p.save()
        shown = f"{role.label} ({job_title})" if role == Role.PARTNER_PRACTITIONER else str(role.label)
        sign_ins.append(SignIn(user.username, shown, agency.name))
    if stream is not None:
        rng.setstate(stream)
    return sign_ins


# --- Writing the plan -----------------------------------------------------------------


@dataclasses.dataclass
class Counts:
    families: int = 0
    children: int = 0
    people: int = 0
    addresses: int = 0
    relationships: int = 0
    other_names: int = 0


def _person_row(p: PlannedPerson) -> Person:
    person = Person(
        given_names=p.given_names,
        family_name=p.family_name,
        date_of_birth=p.date_of_birth,
        birth_date_precision=p.birth_date_precision,
        sex=p.sex,
        ethnicity=p.ethnicity,
        first_language=p.first_language,
        disability=p.disability,
        nhs_number=p.nhs_number,
        upn=p.upn,
    )
    person.refresh_search_keys()  # bulk_create does not call save()
    return person


def _write_batch(families: list[PlannedFamily], batch_size: int, counts: Counts) -> None:
    addresses: list[Address] = []
    current: list[Address] = []
    previous: list[Address | None] = []
    for f in families:
        here = Address(
            line_1=f.address.line_1, line_2=f.address.line_2, town=f.address.town, postcode=f.address.postcode
        )
        addresses.append(here)
        current.append(here)
        before = None
        if (a := f.previous_address) is not None:
            before = Address(line_1=a.line_1, line_2=a.line_2, town=a.town, postcode=a.postcode)
            addresses.append(before)
        previous.append(before)
    Address.objects.bulk_create(addresses, batch_size=batch_size)
    households = [
        Household(address=here, formed=f.moved_in) for f, here in zip(families, current, strict=True)
    ]
    Household.objects.bulk_create(households, batch_size=batch_size)
    people: list[Person] = []
    for f in families:
        people.extend(_person_row(p) for p in f.people)
    Person.objects.bulk_create(people, batch_size=batch_size)

    names: list[PersonName] = []
    residences: list[Residence] = []
    relationships: list[Relationship] = []
    members: list[HouseholdMember] = []
    q = 0
    for f, here, before, household in zip(families, current, previous, households, strict=True):
        rows = people[q : q + len(f.people)]
        q += len(f.people)
        for plan, row in zip(f.people, rows, strict=True):
            for n in plan.other_names:
                names.append(
                    PersonName(
                        person=row,
                        kind=n.kind,
                        given_names=n.given_names,
                        family_name=n.family_name,
                        used_from=n.used_from,
                        used_to=n.used_to,
                        family_name_key=name_key(n.family_name),
                        family_phonetic=phonetic_key(n.family_name),
                    )
                )
            if not plan.lives_in_household:
                continue
            arrived = max(f.moved_in, plan.date_of_birth)
            members.append(HouseholdMember(household=household, person=row, joined=arrived))
            residences.append(Residence(person=row, address=here, moved_in=arrived))
            if before is not None and f.previous_moved_in is not None and plan.date_of_birth < f.moved_in:
                residences.append(
                    Residence(
                        person=row,
                        address=before,
                        moved_in=max(f.previous_moved_in, plan.date_of_birth),
                        moved_out=f.moved_in - datetime.timedelta(days=1),
                    )
                )
        for r in f.relationships:
            relationships.append(
                Relationship(person=rows[r.person], relative=rows[r.relative], kind=r.kind, started=r.started)
            )
    PersonName.objects.bulk_create(names, batch_size=batch_size)
    Residence.objects.bulk_create(residences, batch_size=batch_size)
    Relationship.objects.bulk_create(relationships, batch_size=batch_size)
    HouseholdMember.objects.bulk_create(members, batch_size=batch_size)

    counts.families += len(families)
    counts.children += sum(f.children for f in families)
    counts.people += len(people)
    counts.addresses += len(addresses)
    counts.relationships += len(relationships)
    counts.other_names += len(names)


def plan_families(
    generator: DemoGenerator, *, children: int | None = None, people: int | None = None
) -> Iterator[PlannedFamily]:
    """Families until the given number of children (or of people) is reached."""
    made_children = made_people = 0
    for family in generator.families():
        if children is not None and made_children >= children:
            return
        if people is not None and made_people >= people:
            return
        made_children += family.children
        made_people += len(family.people)
        yield family


def write_people(
    families: Iterable[PlannedFamily],
    *,
    batch_size: int = 5000,
    progress: Callable[[PlannedFamily], None] | None = None,
) -> Counts:
    """Write planned families in batches of about `batch_size` people, one transaction each."""
    counts = Counts()
    batch: list[PlannedFamily] = []
    in_batch = 0
    for family in families:
        batch.append(family)
        in_batch += len(family.people)
        if progress is not None:
            progress(family)
        if in_batch >= batch_size:
            with transaction.atomic():
                _write_batch(batch, batch_size, counts)
            batch, in_batch = [], 0
    if batch:
        with transaction.atomic():
            _write_batch(batch, batch_size, counts)
    return counts


# --- Reset ----------------------------------------------------------------------------


def reset_demo() -> None:
    """Delete the person index and the demo agencies, teams and staff.

    The person tables go with straight DELETEs, child tables first: Django's cascade
    collector would load every person into memory. Records elsewhere that cascade from a
    person (restrictions, named professionals) are deleted through the ORM first; anything
    that protects a person (a break-glass record) makes the database refuse, as it should.
    Demo sign-ins are kept (the access log refers to them) and reused on the next run.
    """
    from jigsaw.core.demo_casework import delete_casework  # it imports this module
    from jigsaw.core.demo_escalations import delete_escalations
    from jigsaw.core.demo_partner_activity import delete_partner_activity
    from jigsaw.core.demo_partner_feeds import delete_partner_feeds
    from jigsaw.core.demo_partners import delete_partner_network  # it imports this module too
    from jigsaw.core.demo_performance import delete_child_population, delete_counts, delete_targets
    from jigsaw.core.demo_performance_board import delete_board_reports
    from jigsaw.core.demo_quality_audits import delete_audits
    from jigsaw.core.demo_quality_practice_reviews import delete_practice_reviews
    from jigsaw.core.demo_quality_recommendations import delete_recommendations
    from jigsaw.core.demo_quality_section11 import delete_section11

    demo_agencies = [name for name, _, _ in AGENCIES]
    direct = (HouseholdMember, Residence, Relationship, PersonName, Household)
    from jigsaw.core.demo_missing import delete_missing
    from jigsaw.core.demo_partnership import delete_partnership
    from jigsaw.core.demo_quality_supervision import delete_supervision
    from jigsaw.core.demo_quality_training import delete_training
    from jigsaw.core.demo_support import delete_support
    from jigsaw.core.demo_voice import delete_voice
    from jigsaw.core.demo_vulnerable_families import delete_vulnerable_families
    from jigsaw.core.demo_workforce import delete_workforce
    from jigsaw.matching.models import BlockingKey, MatchFeatures, MatchReview, PersonMerge

    with transaction.atomic():
        delete_board_reports()  # the reports and commentary protect the staff's users
        delete_partnership()  # board members protect the agencies; read receipts the staff's users
        delete_support()  # delegated tasks protect the people, referrals and staff's users
        delete_audits()  # audited cases protect the people, referrals and staff's users
        delete_supervision()  # supervision protects the people and the staff's users
        delete_missing()  # missing episodes and private fostering protect people and referrals
        delete_voice()  # feedback, links and advocate records protect people, conferences and referrals
        delete_vulnerable_families()  # meetings protect the people, contacts and practitioners
        delete_training()  # learners protect the staff and agencies
        delete_workforce()  # posts, appointments and absences protect the teams and staff
        delete_practice_reviews()  # reviews protect the people and agencies they concern
        delete_section11()  # section 11 returns protect the agencies
        delete_recommendations()  # actions protect the staff; recommendations the agencies
        delete_escalations()  # escalations protect the people, contacts and agencies
        delete_partner_activity()  # concerns and flag checks protect the people
        delete_partner_feeds()  # events and emerging concerns protect the people and agencies
        delete_partner_network()  # disclosures protect the people and agencies
        delete_casework()  # the casework protects the people and agencies
        delete_child_population()
        delete_targets()
        delete_counts()
        # The matcher's rows point at people through hidden relations, which
        # related_objects below does not list; merges protect the people they name.
        for matching_model in (PersonMerge, MatchReview, BlockingKey, MatchFeatures):
            matching_model._base_manager.all().delete()
        for rel in Person._meta.related_objects:
            related = rel.related_model
            if related in direct or related is Person or rel.on_delete is not models.CASCADE:
                continue
            assert isinstance(related, type) and issubclass(related, models.Model)
            related._base_manager.all().delete()
        with connection.cursor() as cursor:
            for model in (*direct, Person, Address):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name from the models  # nosec B608
        Practitioner.objects.filter(agency__name__in=demo_agencies).delete()
        Team.objects.filter(agency__name__in=demo_agencies).delete()
        Agency.objects.filter(name__in=demo_agencies).delete()

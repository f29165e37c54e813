"""Read-side functions of the person index: search, a person's page, their flags.

Search is the same code for the "find a person" page, the search-before-create step and
the benchmark. It fetches a small candidate set through indexed keys (identifier, date of
birth, phonetic family name, postcode, and the matcher's blocking keys) and ranks it with
the matcher's trained model, each result with its probability and the reasons a user can
read ("family name Kouao ~ Kouaou: very similar spelling +6.1").
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from jigsaw.access.policy import AnyUser, people_visible_to, restricted_people_hidden_from
from jigsaw.matching.features import blocking_keys, features
from jigsaw.matching.index import indexed_features
from jigsaw.matching.matcher import active_scorer, active_version, candidate_ids
from jigsaw.matching.records import MatchRecord
from jigsaw.people.models import (
    INVERSE_LABEL,
    HouseholdMember,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipKind,
    Residence,
)
from jigsaw.people.normalise import (
    first_name_key,
    name_key,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    phonetic_key,
)

CANDIDATE_LIMIT = 400
# Results are shown down to 2**-10 (about a thousandth) of the best one's odds.
LIKELIHOOD_SPAN = 10.0


@dataclasses.dataclass(frozen=True)
class SearchQuery:
    name: str = ""
    date_of_birth: datetime.date | None = None
    nhs_number: str = ""
    upn: str = ""
    identifier: str = ""
    postcode: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(
            [
                self.name.strip(),
                self.date_of_birth,
                self.nhs_number.strip(),
                self.upn.strip(),
                self.identifier.strip(),
                self.postcode.strip(),
            ]
        )


@dataclasses.dataclass(frozen=True)
class SearchResult:
    person: Person
    score: float  # the match weight: log2 of the odds that this is the person sought
    probability: float
    reasons: tuple[str, ...]
    age: int | None


def _split_name(name: str) -> tuple[str, str]:
    """("Anna Kouao") -> given "Anna", family "Kouao"; a single word is a family name."""
    if "," in name:
        family, _, given = name.partition(",")
        return given.strip(), family.strip()
    parts = name.split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


def _swapped(day: datetime.date) -> datetime.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def _candidate_filter(query: SearchQuery, given: str, family: str) -> Q | None:
    clauses: list[Q] = []
    nhs = normalise_nhs_number(query.nhs_number) if query.nhs_number.strip() else None
    if nhs:
        clauses.append(Q(nhs_number=nhs))
    upn = normalise_upn(query.upn) if query.upn.strip() else None
    if upn:
        clauses.append(Q(upn=upn))
    if query.identifier.strip():
        # Ids first, as for other names below: a subquery inside the OR defeats the indexes.
        ids = list(
            PersonIdentifier.objects.filter(value=query.identifier.strip().upper()).values_list(
                "person_id", flat=True
            )
        )
        clauses.append(Q(pk__in=ids))
    postcode = normalise_postcode(query.postcode) if query.postcode.strip() else None
    family_phonetic = phonetic_key(family) if family else ""
    dob = query.date_of_birth
    if dob is not None:
        dates = [dob] + [d for d in [_swapped(dob)] if d]
        clauses.append(Q(date_of_birth__in=dates))
        if family_phonetic:
            clauses.append(Q(family_phonetic=family_phonetic, date_of_birth__year=dob.year))
            # Ids first, in their own indexed query: a subquery inside the OR would make
            # PostgreSQL read every person born that year to test it.
            other_ids = list(
                PersonName.objects.filter(
                    family_phonetic=family_phonetic, person__date_of_birth__year=dob.year
                ).values_list("person_id", flat=True)
            )
            if other_ids:
                clauses.append(Q(pk__in=other_ids, date_of_birth__year=dob.year))
    elif family_phonetic:
        given_phonetic = phonetic_key(first_name_key(given)) if given else ""
        if given_phonetic:
            clauses.append(Q(family_phonetic=family_phonetic, given_phonetic=given_phonetic))
        else:
            clauses.append(Q(family_phonetic=family_phonetic))
        key = name_key(family)
        if key:
            clauses.append(Q(family_name_key=key))
        other_ids = list(
            PersonName.objects.filter(family_phonetic=family_phonetic).values_list("person_id", flat=True)
        )
        if other_ids:
            clauses.append(Q(pk__in=other_ids))
    if postcode and not clauses:
        at = Residence.objects.filter(address__postcode=postcode).values("person_id")
        clauses.append(Q(pk__in=at))
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def _candidate_order(query: SearchQuery, given: str, family: str) -> list[Case | str]:
    """Likeliest candidates first, so that when more than CANDIDATE_LIMIT match the keys
    the limit drops the weakest ones, not those late in the alphabet."""
    whens: list[When] = []
    nhs = normalise_nhs_number(query.nhs_number) if query.nhs_number.strip() else None
    if nhs:
        whens.append(When(nhs_number=nhs, then=Value(0)))
    upn = normalise_upn(query.upn) if query.upn.strip() else None
    if upn:
        whens.append(When(upn=upn, then=Value(0)))
    family_key = name_key(family) if family else ""
    given_key = first_name_key(given) if given else ""
    dob = query.date_of_birth
    dates = [dob] + [d for d in [_swapped(dob)] if d] if dob is not None else []
    if dates and family_key:
        whens.append(When(family_name_key=family_key, date_of_birth__in=dates, then=Value(1)))
    if dates and given_key:
        whens.append(When(given_name_key=given_key, date_of_birth__in=dates, then=Value(2)))
    if dates:
        whens.append(When(date_of_birth__in=dates, then=Value(3)))
    if family_key:
        whens.append(When(family_name_key=family_key, then=Value(4)))
    if not whens:
        return ["family_name", "given_names"]
    rank = Case(*whens, default=Value(5), output_field=IntegerField())
    return [rank, "family_name", "given_names"]


def _query_record(query: SearchQuery, given: str, family: str) -> MatchRecord:
    return MatchRecord(
        record_id="query",
        given_name=given,
        family_name=family,
        dob=query.date_of_birth,
        postcode=query.postcode,
        nhs_number=normalise_nhs_number(query.nhs_number) or "" if query.nhs_number.strip() else "",
        upn=normalise_upn(query.upn) or "" if query.upn.strip() else "",
    )


def search_people(
    user: AnyUser, query: SearchQuery, *, limit: int = 20, scope: QuerySet[Person] | None = None
) -> list[SearchResult]:
    """People the user may see who match the query, best first, each with its reasons.

    `scope` narrows the search to another set the policy gave (restricted records that
    the user could open by breaking glass); by default it is everyone the user may see.
    """
    given, family = _split_name(query.name)
    condition = _candidate_filter(query, given, family)
    record = _query_record(query, given, family)
    mine = features(record)
    # The matcher's own candidates (by blocking key) join the search's, so that what the
    # matcher would find (a nickname, names the wrong way round) the search finds too.
    keyed = candidate_ids(blocking_keys(mine))
    if keyed:
        condition = Q(pk__in=keyed) if condition is None else condition | Q(pk__in=keyed)
    if condition is None:
        return []
    candidates = list(
        (people_visible_to(user) if scope is None else scope)
        .filter(condition, merged_into__isnull=True)
        .order_by(*_candidate_order(query, given, family))
        .only(
            "id",
            "given_names",
            "family_name",
            "date_of_birth",
            "birth_date_precision",
            "date_of_death",
            "sex",
            "nhs_number",
            "upn",
        )[:CANDIDATE_LIMIT]
    )
    identified: set[int] = set()
    if query.identifier.strip():
        identified = set(
            PersonIdentifier.objects.filter(
                value=query.identifier.strip().upper(), person_id__in=[p.pk for p in candidates]
            ).values_list("person_id", flat=True)
        )
    stored = indexed_features(p.pk for p in candidates)
    scorer = active_scorer()[1]
    today = timezone.localdate()
    results = []
    for person in candidates:
        theirs = stored.get(person.pk)
        if theirs is None:
            continue
        score = scorer.score(mine, theirs)
        reasons = [str(part) for part in score.parts if part.level != "missing on one side"]
        if person.pk in identified:
            reasons.insert(0, "identifier matches")
        results.append(
            SearchResult(person, score.match_weight, score.probability, tuple(reasons), person.age_on(today))
        )
    results.sort(
        key=lambda r: (
            r.person.pk not in identified,
            -r.score,
            r.person.family_name,
            r.person.given_names,
            r.person.pk,
        )
    )
    if results:
        # People a thousand times less likely than the best are noise, not candidates.
        floor = max(r.score for r in results) - LIKELIHOOD_SPAN
        results = [r for r in results if r.score >= floor or r.person.pk in identified]
    return results[:limit]


@dataclasses.dataclass(frozen=True)
class Flag:
    label: str
    colour: str  # a GOV.UK tag colour


def restricted_matches(user: AnyUser, query: SearchQuery) -> list[int]:
    """Jigsaw IDs of restricted records the user cannot see that match the query strongly
    (at least the review threshold: a match the front door would have to look at),
    so the search page can offer to break glass without showing whose record it is."""
    results = search_people(user, query, limit=5, scope=restricted_people_hidden_from(user))
    threshold = active_version().review_threshold
    return [r.person.pk for r in results if r.probability >= threshold]


def person_flags(person: Person) -> list[Flag]:
    """The flags the identity bar shows. Later apps (casework) add theirs here."""
    flags: list[Flag] = []
    if hasattr(person, "restriction"):
        flags.append(Flag("Restricted record", "red"))
    if person.date_of_death:
        flags.append(Flag("Deceased", "grey"))
    if person.is_unborn:
        flags.append(Flag("Unborn", "purple"))
    if person.birth_date_precision == "estimated":
        flags.append(Flag("Date of birth estimated", "yellow"))
    return flags


@dataclasses.dataclass(frozen=True)
class RelativeRow:
    label: str
    person: Person
    started: datetime.date | None
    ended: datetime.date | None


def relatives_of(user: AnyUser, person: Person) -> list[RelativeRow]:
    """Both directions of every relationship, limited to people the user may see."""
    visible = people_visible_to(user)
    rows: list[RelativeRow] = []
    forward: QuerySet[Relationship] = Relationship.objects.filter(
        person=person, relative__in=visible
    ).select_related("relative")
    for rel in forward:
        rows.append(RelativeRow(RelationshipKind(rel.kind).label, rel.relative, rel.started, rel.ended))
    backward: QuerySet[Relationship] = Relationship.objects.filter(
        relative=person, person__in=visible
    ).select_related("person")
    for rel in backward:
        rows.append(
            RelativeRow(INVERSE_LABEL[RelationshipKind(rel.kind)], rel.person, rel.started, rel.ended)
        )
    rows.sort(key=lambda r: (r.label, r.person.family_name, r.person.given_names))
    return rows


def household_of(user: AnyUser, person: Person) -> list[HouseholdMember]:
    """The other current members of the person's current households, that the user may see."""
    households = HouseholdMember.objects.filter(person=person, left__isnull=True).values("household_id")
    return list(
        HouseholdMember.objects.filter(household_id__in=households, left__isnull=True)
        .exclude(person=person)
        .filter(person__in=people_visible_to(user))
        .select_related("person", "household__address")
        .order_by("person__date_of_birth")
    )


def addresses_of(person: Person) -> list[Residence]:
    return list(
        person.residences.select_related("address").order_by(
            F("moved_out").desc(nulls_first=True), "-moved_in"
        )
    )

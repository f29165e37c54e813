"""The flag check (issue 5, item 3): a partner asks whether a child is on a child protection
plan, looked after, or unborn with a pre-birth plan.

The rules it enforces, from the issue and the information-sharing advice:
- only partner practitioners may ask (Permission.CHECK_FLAG), and must say why;
- the child is named by a valid NHS number, or by name and date of birth (and postcode);
- only a certain match answers: an NHS number held by exactly one person (whose date of
  birth, if given, agrees), or a match the matcher would link by itself. Anything less
  answers "cannot confirm: call the front door", and says nothing about any candidate;
- a restricted record answers "cannot confirm" too: its existence is not confirmed to
  anyone outside its named users, and the front door (who can break glass) gives the
  answer by phone;
- every check is kept and logged, whatever it answered; a flag disclosed is recorded as a
  disclosure (public task, consent not needed);
- the allocated worker (else the team's managers, else the front door's) is told at once;
- each user has a limit per hour and per day, counted from the checks themselves.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.access.models import RestrictedRecord
from jigsaw.access.policy import AnyUser, Permission, has_permission
from jigsaw.access.roles import Role
from jigsaw.matching.features import features
from jigsaw.matching.matcher import active_scorer, match
from jigsaw.matching.policy import Outcome, decide
from jigsaw.matching.records import MatchRecord
from jigsaw.partners.actions import notify
from jigsaw.partners.models import (
    ConsentStatus,
    Disclosure,
    DisclosureKind,
    FlagAnswer,
    FlagCheck,
    LegalBasis,
    Practitioner,
)
from jigsaw.partners.queries.flags import FLAGGED, FlagStatus, checks_left, flag_status, front_door_team
from jigsaw.people.models import Person
from jigsaw.people.normalise import normalise_nhs_number, normalise_postcode

REASON_MAX_LENGTH = 1000
WHERE_SEEN_MAX_LENGTH = 160
NAME_MAX_LENGTH = 120
# An unborn child is checked by the expected date of delivery: up to ten months ahead.
LATEST_EXPECTED_DELIVERY = datetime.timedelta(days=305)
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# Merges are followed to the surviving record; a longer chain than this is a loop.
MERGE_CHAIN_LIMIT = 20


@dataclasses.dataclass(frozen=True)
class _Identified:
    """Who the check found: the person (or None), how, and the matcher's probability."""

    person: Person | None
    certain: bool
    matched_by: str
    probability: float | None = None


def clean_flag_question(
    *,
    reason: str,
    where_seen: str,
    nhs_number: str,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date | None,
    postcode: str,
) -> dict[str, Any]:
    """The question, normalised; ValidationError (field -> message) when it cannot be asked."""
    errors: dict[str, str] = {}
    reason = reason.strip()
    where_seen = where_seen.strip()
    given_name, family_name = given_name.strip(), family_name.strip()
    if not reason:
        errors["reason"] = "Enter why you are checking, for example: child brought to A&E with a head injury"
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"The reason must be {REASON_MAX_LENGTH} characters or fewer"
    if not where_seen:
        errors["where_seen"] = "Enter where you saw the child, for example: St Mary's A&E"
    elif len(where_seen) > WHERE_SEEN_MAX_LENGTH:
        errors["where_seen"] = f"Where you saw the child must be {WHERE_SEEN_MAX_LENGTH} characters or fewer"
    nhs = ""
    if nhs_number.strip():
        found = normalise_nhs_number(nhs_number)
        if found is None:
            errors["nhs_number"] = "Enter a valid NHS number: 10 digits, like 943 476 5919"
        else:
            nhs = found
    else:
        if not given_name:
            errors["given_name"] = "Enter the child's first name, or give their NHS number instead"
        if not family_name:
            errors["family_name"] = "Enter the child's last name, or give their NHS number instead"
        if date_of_birth is None:
            errors["date_of_birth"] = "Enter the child's date of birth, or give their NHS number instead"
    for field, value in (("given_name", given_name), ("family_name", family_name)):
        if len(value) > NAME_MAX_LENGTH:
            errors[field] = f"The name must be {NAME_MAX_LENGTH} characters or fewer"
    today = timezone.localdate()
    if date_of_birth is not None and not EARLIEST_BIRTH <= date_of_birth <= today + LATEST_EXPECTED_DELIVERY:
        errors["date_of_birth"] = (
            "Enter a real date of birth (for an unborn baby, the expected date of delivery, "
            "within the next 10 months)"
        )
    code = ""
    if postcode.strip():
        found_postcode = normalise_postcode(postcode)
        if found_postcode is None:
            errors["postcode"] = "Enter a real postcode, like SW1A 1AA, or leave it blank"
        else:
            code = found_postcode
    if errors:
        raise ValidationError(errors)
    return {
        "reason": reason,
        "where_seen": where_seen,
        "nhs_number": nhs,
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": date_of_birth,
        "postcode": code,
    }


def _survivor(person: Person) -> Person | None:
    """The record a merged person now lives on; None if the chain does not end."""
    for _ in range(MERGE_CHAIN_LIMIT):
        if person.merged_into_id is None:
            return person
        person = Person.objects.get(pk=person.merged_into_id)
    return None


def _by_nhs_number(nhs: str, date_of_birth: datetime.date | None) -> _Identified | None:
    """The one person holding this NHS number; None when nobody does. Two people holding
    it, or a date of birth that disagrees, is not certain."""
    held = list(Person.objects.filter(nhs_number=nhs).order_by("pk"))
    if not held:
        return None
    survivors = [_survivor(h) for h in held]
    distinct = {s.pk: s for s in survivors if s is not None}
    if None in survivors or len(distinct) != 1:
        return _Identified(None, certain=False, matched_by="nhs_number")
    person = next(iter(distinct.values()))
    if (
        date_of_birth is not None
        and person.date_of_birth is not None
        and person.date_of_birth != date_of_birth
    ):
        return _Identified(None, certain=False, matched_by="nhs_number")
    return _Identified(person, certain=True, matched_by="nhs_number")


def _by_matcher(record: MatchRecord) -> _Identified:
    """Only a link the matcher would make by itself confirms: above the auto-link
    threshold, no reason a person must look (twins, conflicting identifiers, a differing
    date of birth) and no close runner-up. A possible match cannot confirm; no match at all
    is "not known"."""
    version, scorer = active_scorer()
    candidates = match(record, scorer=scorer, limit=5)
    decision = decide(candidates, features(record), version)
    best = decision.candidate
    if decision.outcome == Outcome.NEW or best is None:
        return _Identified(None, certain=True, matched_by="name_and_date_of_birth")
    if decision.outcome == Outcome.REVIEW:
        return _Identified(
            None, certain=False, matched_by="name_and_date_of_birth", probability=best.probability
        )
    person = Person.objects.filter(pk=best.person_id).first()
    survivor = _survivor(person) if person is not None else None
    if survivor is None:
        return _Identified(
            None, certain=False, matched_by="name_and_date_of_birth", probability=best.probability
        )
    return _Identified(
        survivor, certain=True, matched_by="name_and_date_of_birth", probability=best.probability
    )


def _identify(cleaned: dict[str, Any]) -> _Identified:
    record = MatchRecord(
        record_id="flag-check",
        given_name=cleaned["given_name"],
        family_name=cleaned["family_name"],
        dob=cleaned["date_of_birth"],
        postcode=cleaned["postcode"],
        nhs_number=cleaned["nhs_number"],
    )
    if cleaned["nhs_number"]:
        found = _by_nhs_number(cleaned["nhs_number"], cleaned["date_of_birth"])
        if found is not None:
            return found
        if not (cleaned["given_name"] and cleaned["family_name"] and cleaned["date_of_birth"]):
            # A valid NHS number nobody in the index holds: not known.
            return _Identified(None, certain=True, matched_by="nhs_number")
    return _by_matcher(record)


def _recipients(person: Person, status: FlagStatus, restricted: RestrictedRecord | None) -> list[User]:
    """Who is told the child was seen: the allocated worker; without one, the managers of
    the team holding the case; without a team, the front door's managers (or officers).
    For a restricted record, only its allocated worker and its named users."""
    referral = status.referral
    worker_id = referral.allocated_worker_id if referral is not None else None
    if restricted is not None:
        named = list(restricted.permitted_users.filter(is_active=True))
        worker = User.objects.filter(pk=worker_id, is_active=True).first() if worker_id is not None else None
        return ([worker] if worker is not None else []) + named
    if worker_id is not None:
        worker = User.objects.filter(pk=worker_id, is_active=True).first()
        if worker is not None:
            return [worker]
    team_id = referral.team_id if referral is not None else None
    if team_id is None:
        team = front_door_team()
        team_id = team.pk if team is not None else None
    front_door_officers = User.objects.filter(is_active=True, practitioner__role=Role.FRONT_DOOR_OFFICER)
    if team_id is None:
        return list(front_door_officers)
    managers = list(
        User.objects.filter(
            is_active=True, practitioner__team_id=team_id, practitioner__role=Role.TEAM_MANAGER
        )
    )
    return managers or list(front_door_officers)


def _asker_name(actor: AbstractBaseUser, practitioner: Practitioner) -> str:
    if practitioner.full_name:
        return practitioner.full_name
    if isinstance(actor, User):
        return actor.get_full_name() or actor.get_username()
    return actor.get_username()


@transaction.atomic
def check_flag(
    *,
    actor: AnyUser,
    reason: str,
    where_seen: str,
    nhs_number: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
    postcode: str = "",
) -> FlagCheck:
    """Answer a partner's flag check, keep it, log it and tell the child's worker.

    See the module's docstring for the rules. Bad input raises ValidationError and
    changes nothing; a check over the user's limit is kept and logged as refused.
    """
    if not has_permission(actor, Permission.CHECK_FLAG) or not isinstance(actor, AbstractBaseUser):
        raise PermissionDenied
    practitioner: Practitioner = actor.practitioner  # type: ignore[attr-defined]
    cleaned = clean_flag_question(
        reason=reason,
        where_seen=where_seen,
        nhs_number=nhs_number,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
    )
    now = timezone.now()
    # One user's checks one at a time (PostgreSQL locks the row; SQLite writes one at a
    # time anyway), so two tabs cannot both take the last check of the hour. A no-key lock:
    # it still lets another request insert rows that point at the user (an access-log row
    # written while it holds the log's head takes a key-share lock on the user), which a
    # plain FOR UPDATE would block, deadlocking the two requests.
    User.objects.select_for_update(no_key=True).filter(pk=actor.pk).values_list("pk", flat=True).first()
    check = FlagCheck(asked_by_id=actor.pk, agency_id=practitioner.agency_id, asked_at=now, **cleaned)

    if not checks_left(actor, now=now).any:
        check.answer = FlagAnswer.REFUSED
        check.save()
        record_access(
            user=actor,
            action="flag_check_refused",
            record=check,
            detail={
                "answer": FlagAnswer.REFUSED.value,
                "per_hour": settings.JIGSAW_FLAG_CHECKS_PER_HOUR,
                "per_day": settings.JIGSAW_FLAG_CHECKS_PER_DAY,
            },
            reason=cleaned["reason"],
        )
        return check

    found = _identify(cleaned)
    person = found.person if found.certain else None
    restricted = RestrictedRecord.objects.filter(person_id=person.pk).first() if person is not None else None
    status = flag_status(person, on=timezone.localdate(now)) if person is not None else None
    if not found.certain or restricted is not None:
        answer = FlagAnswer.CANNOT_CONFIRM
    elif status is None:
        answer = FlagAnswer.NO_FLAG
    else:
        answer = status.answer
    # The person is kept on the check (for the log and the data protection officer) only
    # when the check identified them for certain; the asker is never shown who it was.
    check.person = person
    check.probability = found.probability
    check.answer = answer
    check.save()

    record_access(
        user=actor,
        action="flag_check",
        record=check,
        detail={
            "answer": answer.value,
            "matched_by": found.matched_by,
            "where_seen": cleaned["where_seen"],
            **({"restricted": True} if restricted is not None else {}),
        },
        reason=cleaned["reason"],
        subjects=[person] if person is not None else [],
    )
    if person is None or status is None:
        return check
    if answer in FLAGGED:
        Disclosure.objects.create(
            person=person,
            kind=DisclosureKind.FLAG_ANSWER,
            recipient_id=actor.pk,
            recipient_agency_id=practitioner.agency_id,
            purpose=cleaned["reason"][:300],
            legal_basis=LegalBasis.PUBLIC_TASK,
            consent=ConsentStatus.NOT_NEEDED,
            disclosed_at=now,
            source_type=FlagCheck._meta.label_lower,
            source_id=str(check.pk),
        )
    # The child is open to social care (on a plan or looked after), whether or not the
    # asker was told: the worker needs to know the child was seen.
    asker = _asker_name(actor, practitioner)
    at = timezone.localtime(now)
    notify(
        recipients=_recipients(person, status, restricted),
        subject=f"Flag check: {person.full_name} seen at {cleaned['where_seen']}"[:200],
        body=(
            f"Seen at {cleaned['where_seen']} at {at:%H:%M} by {asker}, "
            f"{practitioner.agency.name}: {cleaned['reason']}"
        ),
        link=reverse("people:detail", args=[person.pk]),
        # A child on a plan seen in an emergency: worth an e-mail (which never names them).
        email=True,
    )
    return check

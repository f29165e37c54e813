"""The partners' day in the demo: concerns raised through the portal and flag checks
asked at A&E and the GP surgery, written through the same actions as real use.

`write_partner_activity` runs after the casework and the professional network. With it the
demo shows, on the day `make demo` runs:

- the school's designated safeguarding lead (`partner_practitioner`) with four concerns:
  one decided (early help) and fed back to them, two with the front door, one draft;
- the front door's queue of partners' concerns, each matched to the index;
- the A&E clinician's and the GP's flag checks (a child on a plan, a child not known), and
  the allocated social worker's alert that their child was seen at A&E;
- the social worker told of a new concern about a child they work with.

Everything is synthetic. The same seed over the same demo on the same day gives the same
activity.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from jigsaw.casework.actions.front_door import authorise_decision, decide_contact
from jigsaw.casework.models import ChildProtectionPlan, Referral
from jigsaw.partners.actions.concerns import (
    ChildDetails,
    ConcernAnswers,
    record_contact_for_child,
    save_concern_draft,
    start_concern,
    submit_concern,
)
from jigsaw.partners.actions.flags import check_flag
from jigsaw.partners.models import Concern, ConcernChild, ConsentStatus, FlagAnswer, FlagCheck
from jigsaw.people.models import Person, Residence

# What partners write, in their words (synthetic).
WORRIES = [
    (
        "Came to school with a bruise on the cheek and said mum's boyfriend 'got cross'. "
        "Quiet and withdrawn all morning, which is not like them.",
        "Said they did not want to go home tonight.",
        "At school until 3.15pm; the boyfriend usually collects.",
    ),
    (
        "Attendance has fallen to 78% this term and the child has been collected late three "
        "times by an adult we do not know. Clothes unwashed most days.",
        "Says they are 'looking after the baby' when mum is not well.",
        "",
    ),
    (
        "Disclosed to the class teacher that there is shouting and fighting at home most "
        "nights and that the police came at the weekend.",
        "Asked us not to tell mum they had said anything.",
        "",
    ),
]


@dataclasses.dataclass
class PartnerActivity:
    concerns: int = 0
    decided: int = 0
    drafts: int = 0
    flag_checks: int = 0
    alerts: int = 0

    def summary(self) -> str:
        return (
            f"Partners: {self.concerns} concerns raised through the portal ({self.decided} decided and fed "
            f"back, {self.drafts} draft), {self.flag_checks} flag checks ({self.alerts} seen-at alerts to "
            "allocated workers)."
        )


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, practitioner__isnull=False).first()


def _details(person: Person) -> ChildDetails:
    home = Residence.objects.filter(person=person, moved_out__isnull=True).select_related("address").first()
    return ChildDetails(
        given_name=person.given_names.split(" ")[0],
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex if person.sex in {"M", "F"} else "",
        address=home.address.line_1 if home else "",
        postcode=home.address.postcode if home else "",
    )


def _raise(actor: User, children: Sequence[Person], worry: tuple[str, str, str], *, submit: bool) -> Concern:
    concern = start_concern(actor=actor)
    details = {ConcernChild.objects.filter(concern=concern).get().pk: _details(children[0])}
    answers = ConcernAnswers(
        concern=worry[0],
        child_views=worry[1],
        immediate_risk=worry[2],
        urgency="same_day" if worry[2] else "routine",
        consent=ConsentStatus.GIVEN,
        parents_aware=True,
    )
    concern = save_concern_draft(
        actor=actor,
        concern_id=concern.pk,
        expected_version=concern.version,
        answers=answers,
        children=details,
    )
    if submit:
        concern = submit_concern(actor=actor, concern_id=concern.pk, expected_version=concern.version)
    return concern


def _school_age_children(rng: random.Random, today_year: int, count: int, exclude: set[int]) -> list[Person]:
    """Children of primary school age who are not open to social care (a school's usual
    concern is about a child nobody has referred)."""
    open_ids = set(Referral.objects.filter(closed_on__isnull=True).values_list("person_id", flat=True))
    pool = list(
        Person.objects.filter(
            date_of_birth__year__range=(today_year - 10, today_year - 5),
            merged_into__isnull=True,
            birth_date_precision="exact",
        )
        .exclude(pk__in=open_ids | exclude)
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    return list(Person.objects.filter(pk__in=rng.sample(pool, min(count, len(pool)))).order_by("pk"))


def write_partner_activity(*, seed: int) -> PartnerActivity:
    """Concerns and flag checks as the demo's partner sign-ins would make them today."""
    activity = PartnerActivity()
    dsl, ae, gp = _user("partner_practitioner"), _user("ae_clinician"), _user("gp")
    officer, manager = _user("front_door_officer"), _user("team_manager")
    if not all((dsl, ae, gp, officer, manager)):
        return activity
    assert dsl and ae and gp and officer and manager
    rng = random.Random(f"partner-activity-{seed}")  # noqa: S311  # synthetic demo data  # nosec B311
    today = timezone.localdate()
    with transaction.atomic():
        # Flag checks: a child on a plan seen at A&E (their worker is told), and a child the
        # GP asks about who is not known to have a plan.
        plan = (
            ChildProtectionPlan.objects.filter(
                ended_on__isnull=True,
                person__nhs_number__gt="",
                referral__allocated_worker__username="social_worker",
            )
            .select_related("person")
            .order_by("pk")
            .first()
        )
        if plan is not None:
            check_flag(
                actor=ae,
                reason="Attended with a head injury; the explanation does not fit the injury",
                where_seen="Riverford Royal Infirmary emergency department",
                nhs_number=plan.person.nhs_number,
            )
            activity.flag_checks += 1
        for child in _school_age_children(rng, today.year, 1, set()):
            check_flag(
                actor=gp,
                reason="Mother asked for repeat prescriptions for the child's anxiety; checking before a home visit",
                where_seen="Canal Street Surgery",
                given_name=child.given_names.split(" ")[0],
                family_name=child.family_name,
                date_of_birth=child.date_of_birth,
            )
            activity.flag_checks += 1

        # Concerns from the school: one decided and fed back, one with the front door, one
        # about a child the social worker already works with, and a draft.
        children = _school_age_children(rng, today.year, 3, set())
        open_child = (
            Referral.objects.filter(closed_on__isnull=True, allocated_worker__username="social_worker")
            .exclude(person__date_of_birth__isnull=True)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        if len(children) >= 3:
            decided = _raise(dsl, [children[0]], WORRIES[1], submit=True)
            child_row = decided.children.get()
            contact = record_contact_for_child(
                actor=officer,
                child_id=child_row.pk,
                person_id=child_row.matched_person_id or children[0].pk,
            )
            contact = decide_contact(
                actor=officer,
                contact_id=contact.pk,
                expected_version=contact.version,
                decision="early_help",
                reason="Neglect indicators and a young carer: the school and early help to offer a family "
                "support plan; no immediate risk of significant harm.",
            )
            authorise_decision(actor=manager, contact_id=contact.pk)
            activity.concerns += 1
            activity.decided += 1
            _raise(dsl, [children[1]], WORRIES[0], submit=True)
            activity.concerns += 1
            if open_child is not None:
                _raise(dsl, [open_child.person], WORRIES[2], submit=True)
                activity.concerns += 1
            _raise(dsl, [children[2]], WORRIES[2], submit=False)
            activity.drafts += 1
            activity.concerns += 1
    activity.alerts = FlagCheck.objects.filter(
        answer__in=[FlagAnswer.CHILD_PROTECTION_PLAN, FlagAnswer.LOOKED_AFTER, FlagAnswer.PRE_BIRTH_PLAN]
    ).count()
    return activity


def delete_partner_activity() -> None:
    """Before a demo reset: the partners' concerns and flag checks (they protect people)."""
    ConcernChild.objects.all().delete()
    Concern.objects.all().delete()
    FlagCheck.objects.all().delete()

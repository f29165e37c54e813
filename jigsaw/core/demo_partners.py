"""The professional network of the demo authority, and its sharing agreements.

`seed_partner_network` runs after `write_casework` (it names professionals around the
children who have open casework). It:

- adds the agencies the base demo lacks (probation, a neighbouring local authority) and
  gives every demo agency an office and an out-of-hours number and a secure e-mail;
- gives every practitioner their availability and a preferred contact method, and marks
  each school's designated safeguarding lead (and the hospital's named nurse);
- names a GP, a school's safeguarding lead (a nursery for two- and three-year-olds) and,
  for under-fives, a health visitor around every child with open casework who lacks one
  (the casework already names some at referral), with police, housing, family support,
  probation and the previous authority around some, and past involvements for a few; the
  demo's partner sign-ins (GP, health visitor, police) are picked often, so each sees
  children of their own;
- records two information-sharing agreements (one with its review overdue, so the flag
  shows) and a disclosure for every named professional who signs in from a partner agency
  (naming them let them open the child's record).

Everything is synthetic: 01632 96xxxx numbers are reserved for drama, and `.example`
domains for documentation. The same seed over the same casework on the same day gives the
same network.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jigsaw.access.roles import Role
from jigsaw.casework.models import ChildProtectionPlan, EarlyHelpEpisode, LookedAfterEpisode, Referral
from jigsaw.core.demo import AGENCIES, CSC, EMAIL_DOMAIN, DemoGenerator
from jigsaw.core.demo_casework import (
    HEALTH_VISITING,
    HOUSING,
    NURSERY,
    POLICE,
    SECONDARY_SCHOOLS,
    SPECIAL_SCHOOL,
    VOLUNTARY,
)
from jigsaw.partners.actions.network import NETWORK_PURPOSE
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ConsentStatus,
    ContactMethod,
    Disclosure,
    DisclosureKind,
    InformationSharingAgreement,
    LegalBasis,
    NamedProfessional,
    Practitioner,
)
from jigsaw.partners.queries.network import agreement_covering
from jigsaw.people.models import Person

PROBATION = "Riverford Probation Delivery Unit"
OTHER_AUTHORITY = "Eastmoor Borough Council Children's Services"

# The agencies the base demo does not have: name, kind, short name for e-mail, staff titles.
EXTRA_AGENCIES: list[tuple[str, str, str, list[str]]] = [
    (
        PROBATION,
        AgencyKind.PROBATION,
        "probation",
        ["Probation officer", "Probation officer", "Senior probation officer"],
    ),
    (
        OTHER_AUTHORITY,
        AgencyKind.OTHER_LOCAL_AUTHORITY,
        "eastmoor",
        ["Social worker", "Front door team manager"],
    ),
]

# When people of each kind of agency can be reached.
AVAILABILITY: dict[str, list[str]] = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: [
        "Mon to Fri, 9am to 5pm",
        "Mon to Thu, 9am to 5pm",
        "Tue to Fri, 8.30am to 4.30pm",
    ],
    AgencyKind.SCHOOL: [
        "Mon to Fri, 8am to 4pm in term time",
        "Mon to Thu, 8.30am to 3.30pm in term time",
        "Mon to Wed, 8am to 4pm in term time",
    ],
    AgencyKind.GP_PRACTICE: [
        "Tue and Thu, 12.30pm to 2pm, between surgeries",
        "Mon, Wed and Fri, 1pm to 2pm",
        "Mon to Wed, after evening surgery",
    ],
    AgencyKind.HEALTH_VISITING: [
        "Mon to Wed, 9am to 5pm",
        "Mon to Fri, 9am to 12.30pm",
        "Wed to Fri, 9am to 5pm",
    ],
    AgencyKind.ACUTE_HEALTH: ["Mon to Fri, 9am to 5pm; out of hours through the switchboard"],
    AgencyKind.POLICE: ["Shifts: if no answer, ring the unit's desk", "Mon to Fri, 8am to 6pm"],
    AgencyKind.EARLY_YEARS: ["Mon to Fri, 7.30am to 6pm"],
    AgencyKind.HOUSING: ["Mon to Fri, 9am to 5pm", "Mon, Tue and Thu, 9am to 5pm"],
    AgencyKind.PROBATION: ["Mon to Thu, 9am to 5pm", "Tue to Fri, 9am to 5pm"],
    AgencyKind.VOLUNTARY_SECTOR: ["Mon to Fri, 10am to 4pm", "Mon to Wed, 9.30am to 3pm"],
    AgencyKind.OTHER_LOCAL_AUTHORITY: ["Mon to Fri, 9am to 5pm"],
    AgencyKind.SAFEGUARDING_PARTNERSHIP: ["Mon to Thu, 9am to 5pm"],
}

# How people of each kind of agency prefer to be reached (a GP between surgeries is best
# reached by secure e-mail; a school's safeguarding lead by phone).
PREFERRED: dict[str, str] = {
    AgencyKind.SCHOOL: ContactMethod.PHONE,
    AgencyKind.GP_PRACTICE: ContactMethod.SECURE_EMAIL,
    AgencyKind.HEALTH_VISITING: ContactMethod.PHONE,
    AgencyKind.POLICE: ContactMethod.PHONE,
    AgencyKind.PROBATION: ContactMethod.SECURE_EMAIL,
    AgencyKind.OTHER_LOCAL_AUTHORITY: ContactMethod.SECURE_EMAIL,
}

# Job titles that make someone their agency's safeguarding lead.
LEAD_TITLES = ("designated safeguarding lead", "named nurse for safeguarding")

MASH_AGREEMENT = "RSCP-ISA-02"
PARTNERSHIP_AGREEMENT = "RSCP-ISA-01"


@dataclasses.dataclass
class PartnerNetworkCounts:
    agencies_added: int = 0
    practitioners_added: int = 0
    practitioners_updated: int = 0
    safeguarding_leads: int = 0
    children: int = 0
    named_added: int = 0
    past_involvements: int = 0
    agreements: int = 0
    disclosures: int = 0

    def summary(self) -> str:
        return (
            f"Professional network: {self.agencies_added} agencies and {self.practitioners_added} "
            f"practitioners added, {self.safeguarding_leads} safeguarding leads; {self.named_added} "
            f"professionals named around {self.children:,} children with open casework "
            f"({self.past_involvements} past involvements); {self.agreements} information-sharing "
            f"agreements; {self.disclosures} disclosures recorded."
        )


def _phone(rng: random.Random) -> str:
    return f"01632 96{rng.randrange(10_000):04d}"


def _email(name: str, short: str) -> str:
    local = ".".join("".join(c for c in part if c.isalpha()) for part in name.lower().split())
    return f"{local}@{short}.{EMAIL_DOMAIN}"


def _agencies(rng: random.Random, seed: int, counts: PartnerNetworkCounts) -> dict[str, Agency]:
    """Every demo agency by name, the missing kinds added, each with office and out-of-hours
    numbers and a secure e-mail."""
    generator = DemoGenerator(seed * 31 + 17)
    for name, kind, short, titles in EXTRA_AGENCIES:
        agency, created = Agency.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "phone": _phone(rng),
                "secure_email": f"safeguarding@{short}.{EMAIL_DOMAIN}",
                "address": f"{rng.randint(1, 120)} {rng.choice(generator.data.streets)} Street, Riverford",
            },
        )
        if created:
            counts.agencies_added += 1
            staff = []
            for title in titles:
                full = generator.practitioner_name()
                staff.append(
                    Practitioner(
                        full_name=full,
                        agency=agency,
                        role=Role.PARTNER_PRACTITIONER,
                        job_title=title,
                        phone=_phone(rng),
                        secure_email=_email(full, short),
                    )
                )
            Practitioner.objects.bulk_create(staff)
            counts.practitioners_added += len(staff)
    names = [a[0] for a in AGENCIES] + [a[0] for a in EXTRA_AGENCIES]
    agencies = {a.name: a for a in Agency.objects.filter(name__in=names).order_by("pk")}
    for agency in agencies.values():
        agency.phone = agency.phone or _phone(rng)
        agency.out_of_hours_phone = agency.out_of_hours_phone or _phone(rng)
    Agency.objects.bulk_update(list(agencies.values()), ["phone", "out_of_hours_phone"])
    return agencies


def _practitioners(rng: random.Random, agencies: dict[str, Agency], counts: PartnerNetworkCounts) -> None:
    """Availability and preferred contact for everyone; the safeguarding leads marked."""
    staff = list(
        Practitioner.objects.filter(agency__in=agencies.values()).select_related("agency").order_by("pk")
    )
    for p in staff:
        kind = p.agency.kind
        if not p.availability:
            p.availability = rng.choice(
                AVAILABILITY.get(kind, AVAILABILITY[AgencyKind.CHILDRENS_SOCIAL_CARE])
            )
        p.preferred_contact = PREFERRED.get(kind, p.preferred_contact)
        if any(title in p.job_title.lower() for title in LEAD_TITLES) and "deputy" not in p.job_title.lower():
            p.safeguarding_lead = True
            p.preferred_contact = ContactMethod.PHONE
    Practitioner.objects.bulk_update(staff, ["availability", "preferred_contact", "safeguarding_lead"])
    counts.practitioners_updated = len(staff)
    counts.safeguarding_leads = sum(1 for p in staff if p.safeguarding_lead)


def _agreements(agencies: dict[str, Agency], today: datetime.date, counts: PartnerNetworkCounts) -> None:
    everyone = [a for a in agencies.values() if a.name != OTHER_AUTHORITY]
    mash = [
        a
        for a in agencies.values()
        if a.kind
        in {
            AgencyKind.CHILDRENS_SOCIAL_CARE,
            AgencyKind.POLICE,
            AgencyKind.ACUTE_HEALTH,
            AgencyKind.HEALTH_VISITING,
            AgencyKind.GP_PRACTICE,
            AgencyKind.SCHOOL,
            AgencyKind.PROBATION,
        }
    ]
    plans = [
        (
            PARTNERSHIP_AGREEMENT,
            "Riverford Safeguarding Children Partnership information-sharing agreement",
            "To share information about children who may be in need or at risk of harm between the "
            "partnership's agencies, so that each knows who else is involved and what they know: "
            "referrals, the professional network, conference invitations and the outcomes of concerns.",
            LegalBasis.PUBLIC_TASK,
            datetime.date(today.year - 3, 4, 1),
            # Its review is overdue, so the agreements page shows the flag.
            today - datetime.timedelta(days=45),
            everyone,
        ),
        (
            MASH_AGREEMENT,
            "Multi-agency safeguarding hub (MASH) information-sharing protocol",
            "To share, without delay and where necessary without consent, what each agency knows about "
            "a child when a contact reaches the front door, so that the decision within one working day "
            "rests on everything known.",
            LegalBasis.SAFEGUARDING_CHILDREN,
            datetime.date(today.year - 1, 9, 1),
            datetime.date(today.year + 1, 9, 1),
            mash,
        ),
    ]
    for reference, title, purpose, basis, starts, review, members in plans:
        agreement, _ = InformationSharingAgreement.objects.update_or_create(
            reference=reference,
            defaults={
                "title": title,
                "purpose": purpose,
                "legal_basis": basis,
                "starts_on": starts,
                "review_by": review,
                "ends_on": None,
            },
        )
        agreement.agencies.set(members)
        counts.agreements += 1


def _open_children(today: datetime.date) -> list[Person]:
    """Children (and unborn children) with open casework, in Jigsaw ID order."""
    open_work = (
        Q(pk__in=Referral.objects.filter(closed_on__isnull=True).values("person_id"))
        | Q(pk__in=EarlyHelpEpisode.objects.filter(ended_on__isnull=True).values("person_id"))
        | Q(pk__in=ChildProtectionPlan.objects.filter(ended_on__isnull=True).values("person_id"))
        | Q(pk__in=LookedAfterEpisode.objects.filter(ended_on__isnull=True).values("person_id"))
    )
    people = Person.objects.filter(open_work).order_by("pk")
    return [p for p in people if p.is_unborn or (p.age_on(today) or 0) < 18]


def _named_professionals(
    rng: random.Random, agencies: dict[str, Agency], today: datetime.date, counts: PartnerNetworkCounts
) -> None:
    by_agency: dict[str, list[Practitioner]] = defaultdict(list)
    for p in (
        Practitioner.objects.filter(agency__in=agencies.values(), role=Role.PARTNER_PRACTITIONER)
        .select_related("agency")
        .order_by("pk")
    ):
        by_agency[p.agency.name].append(p)

    def pick(agency: str, title: str = "") -> Practitioner | None:
        """One of the agency's practitioners (with the title, if any has it); the demo's
        sign-in there often, so that partner signing in sees children of their own."""
        found = by_agency.get(agency, [])
        if title:
            found = [p for p in found if title in p.job_title.lower()] or found
        signing_in = [p for p in found if p.user_id is not None]
        if signing_in and rng.random() < 0.5:
            return rng.choice(signing_in)
        return rng.choice(found) if found else None

    schools = [n for n, k, _ in AGENCIES if k == AgencyKind.SCHOOL]
    primaries = [s for s in schools if s not in SECONDARY_SCHOOLS and s != SPECIAL_SCHOOL]
    gps = [n for n, k, _ in AGENCIES if k == AgencyKind.GP_PRACTICE]
    children = _open_children(today)
    counts.children = len(children)
    current: dict[int, set[str]] = defaultdict(set)  # person -> kinds of agency named
    named_ids: set[tuple[int, int]] = set()
    for person_id, practitioner_id, kind in NamedProfessional.objects.filter(
        person__in=children, ended__isnull=True
    ).values_list("person_id", "practitioner_id", "practitioner__agency__kind"):
        current[person_id].add(kind)
        named_ids.add((person_id, practitioner_id))
    on_plan = set(
        ChildProtectionPlan.objects.filter(ended_on__isnull=True).values_list("person_id", flat=True)
    )
    rows: list[NamedProfessional] = []

    def name(person: Person, who: Practitioner | None, involvement: str, *, ended: bool = False) -> None:
        if who is None or (not ended and (person.pk, who.pk) in named_ids):
            return
        born = person.date_of_birth if person.date_of_birth and not person.is_unborn else None
        if ended:
            end = today - datetime.timedelta(days=rng.randint(30, 300))
            start = end - datetime.timedelta(days=rng.randint(180, 900))
        else:
            end = None
            start = today - datetime.timedelta(
                days=rng.randint(7, 60) if person.is_unborn else rng.randint(30, 700)
            )
        if born is not None:
            start = max(start, born)
            if end is not None and end <= start:
                return
        rows.append(
            NamedProfessional(
                person=person, practitioner=who, involvement=involvement, started=start, ended=end
            )
        )
        if not ended:
            named_ids.add((person.pk, who.pk))
            current[person.pk].add(who.agency.kind)
        else:
            counts.past_involvements += 1

    for child in children:
        age = None if child.is_unborn else child.age_on(today)
        under_five = child.is_unborn or (age is not None and age < 5)
        kinds = current[child.pk]
        if AgencyKind.GP_PRACTICE not in kinds:
            name(child, pick(rng.choice(gps), "general"), "GP")
        if age is not None and 4 <= age <= 16 and AgencyKind.SCHOOL not in kinds:
            school = rng.choice(primaries) if age < 11 else rng.choice(SECONDARY_SCHOOLS)
            name(child, pick(school, "designated safeguarding lead"), "Designated safeguarding lead")
        if age is not None and 2 <= age < 4 and AgencyKind.EARLY_YEARS not in kinds:
            name(child, pick(NURSERY), "Nursery manager")
        if under_five and AgencyKind.HEALTH_VISITING not in kinds:
            name(child, pick(HEALTH_VISITING), "Health visitor")
        if child.pk in on_plan and AgencyKind.POLICE not in kinds and rng.random() < 0.5:
            if rng.random() < 0.5:
                name(child, pick(POLICE, "detective"), "Investigating officer")
            else:
                name(child, pick(POLICE, "mash"), "MASH police officer")
        if rng.random() < 0.15:
            name(child, pick(HOUSING), "Housing officer for the family")
        if rng.random() < 0.12:
            name(child, pick(VOLUNTARY), "Family support worker")
        if rng.random() < 0.04:
            name(child, pick(PROBATION, "probation officer"), "Probation officer for a parent")
        if rng.random() < 0.02:
            name(child, pick(OTHER_AUTHORITY, "social worker"), "Social worker in the previous authority")
        if rng.random() < 0.12:
            if under_five:
                name(child, pick(HEALTH_VISITING), "Health visitor", ended=True)
            elif age is not None and age >= 5:
                name(
                    child,
                    pick(rng.choice(primaries), "designated"),
                    "Designated safeguarding lead",
                    ended=True,
                )
    NamedProfessional.objects.bulk_create(rows)
    counts.named_added = sum(1 for r in rows if r.ended is None)


def _disclosures(rng: random.Random, counts: PartnerNetworkCounts) -> None:
    """A disclosure for every current named professional who signs in from a partner agency:
    naming them let them open the child's record."""
    named = list(
        NamedProfessional.objects.filter(practitioner__user__isnull=False, ended__isnull=True)
        .exclude(practitioner__agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
        .select_related("practitioner__agency", "practitioner__user")
        .order_by("pk")
    )
    recorded = set(
        Disclosure.objects.filter(source_type=NamedProfessional._meta.label_lower).values_list(
            "source_id", flat=True
        )
    )
    rows: list[Disclosure] = []
    for n in named:
        if str(n.pk) in recorded:
            continue
        on = n.started or timezone.localdate()
        agreement = agreement_covering(agency=n.practitioner.agency, on=on)
        consent = rng.choices(
            [ConsentStatus.GIVEN, ConsentStatus.NOT_SOUGHT, ConsentStatus.NOT_NEEDED], weights=[6, 2, 2]
        )[0]
        rows.append(
            Disclosure(
                person_id=n.person_id,
                kind=DisclosureKind.NETWORK,
                recipient=n.practitioner.user,
                recipient_agency=n.practitioner.agency,
                purpose=NETWORK_PURPOSE,
                legal_basis=agreement.legal_basis if agreement is not None else LegalBasis.PUBLIC_TASK,
                consent=consent,
                agreement=agreement,
                disclosed_at=timezone.make_aware(
                    datetime.datetime.combine(on, datetime.time(10, rng.randint(0, 59)))
                ),
                source_type=NamedProfessional._meta.label_lower,
                source_id=str(n.pk),
            )
        )
    Disclosure.objects.bulk_create(rows)
    counts.disclosures = len(rows)


def seed_partner_network(*, seed: int, today: datetime.date) -> PartnerNetworkCounts:
    """Write the demo's professional network and sharing record (see the module docstring).
    Call after `write_casework`; nothing happens without the demo's agencies."""
    counts = PartnerNetworkCounts()
    if not Agency.objects.filter(name=CSC).exists():
        return counts
    rng = random.Random(seed * 7727 + 53)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    with transaction.atomic():
        agencies = _agencies(rng, seed, counts)
        _practitioners(rng, agencies, counts)
        _agreements(agencies, today, counts)
        _named_professionals(rng, agencies, today, counts)
        _disclosures(rng, counts)
    return counts


def delete_partner_network() -> None:
    """Before a demo reset: the disclosures (they protect the people), the agreements, and
    the agencies this module added with their staff and involvements."""
    extra = [a[0] for a in EXTRA_AGENCIES]
    with transaction.atomic():
        Disclosure.objects.all().delete()
        InformationSharingAgreement.objects.filter(
            reference__in=[PARTNERSHIP_AGREEMENT, MASH_AGREEMENT]
        ).delete()
        NamedProfessional.objects.filter(practitioner__agency__name__in=extra).delete()
        Practitioner.objects.filter(agency__name__in=extra).delete()
        Agency.objects.filter(name__in=extra).delete()

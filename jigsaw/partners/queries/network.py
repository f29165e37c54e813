"""Reading the professional network and the sharing record.

- The network around a child is shown to everyone who may see the child (the people detail
  view has already asked the policy), partners included: a GP named for a child sees the
  school's safeguarding lead, and the school sees the GP.
- The directory of professionals (names, agencies, work phones and e-mails) is not child
  data: anyone signed in with a role may search it. A practitioner's card lists the
  children they are involved with only through `people_visible_to`.
- The disclosure log of a child is for children's social care and for the data protection
  officer, who sees who was told what without opening the child's record.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from jigsaw.access.log import record_access
from jigsaw.access.policy import (
    AnyUser,
    Permission,
    get_person_for,
    has_permission,
    people_visible_to,
    role_of,
)
from jigsaw.partners.models import (
    Agency,
    AgencyKind,
    ContactMethod,
    Disclosure,
    InformationSharingAgreement,
    NamedProfessional,
    Practitioner,
)
from jigsaw.people.models import Person

DIRECTORY_LIMIT = 50

_BEST_BY = {
    ContactMethod.PHONE: "phone",
    ContactMethod.SECURE_EMAIL: "secure email",
    ContactMethod.TEAMS: "video call",
    ContactMethod.IN_PERSON: "meeting in person",
}


def best_contact(practitioner: Practitioner) -> str:
    """How best to reach a professional, as one line: "Best by phone: 01632 960123, Mon to Wed".

    The preferred method comes first with the number or address it needs (a video call or a
    meeting is arranged by phone, or by e-mail if there is no phone); the agency's number
    stands in when the practitioner has none of their own."""
    method = practitioner.preferred_contact
    phone = practitioner.phone or practitioner.agency.phone
    email = practitioner.secure_email or practitioner.agency.secure_email
    how = (email or phone) if method == ContactMethod.SECURE_EMAIL else (phone or email)
    line = f"Best by {_BEST_BY.get(ContactMethod(method), 'phone')}"
    if how:
        line += f": {how}"
    if practitioner.availability:
        line += f", {practitioner.availability}"
    return line


@dataclasses.dataclass(frozen=True)
class NetworkEntry:
    named: NamedProfessional
    best: str

    @property
    def practitioner(self) -> Practitioner:
        return self.named.practitioner


@dataclasses.dataclass(frozen=True)
class PersonNetwork:
    current: list[NetworkEntry]
    ended: list[NetworkEntry]


def person_network(user: AnyUser, person: Person) -> PersonNetwork | None:
    """The professionals around a child: the current ones (the child's safeguarding leads
    first, then by agency) and those whose involvement has ended. None for a user who
    cannot see the child (callers normally fetched the child through the policy already)."""
    if not people_visible_to(user).filter(pk=person.pk).exists():
        return None
    rows = list(
        NamedProfessional.objects.filter(person=person)
        .select_related("practitioner__agency")
        .order_by("practitioner__agency__name", "practitioner__full_name", "-started", "-pk")
    )
    current = [NetworkEntry(n, best_contact(n.practitioner)) for n in rows if n.ended is None]
    current.sort(key=lambda e: (not e.practitioner.safeguarding_lead,))
    ended = [NetworkEntry(n, best_contact(n.practitioner)) for n in rows if n.ended is not None]
    ended.sort(key=lambda e: e.named.ended or datetime.date.min, reverse=True)
    return PersonNetwork(current, ended)


def get_named_for(
    user: AnyUser, pk: int, permission: Permission = Permission.EDIT_NETWORK
) -> NamedProfessional:
    """One named professional, if the user may act on it and see the child; else 404."""
    if not has_permission(user, permission):
        raise Http404("No such professional")
    found = (
        NamedProfessional.objects.select_related("practitioner__agency", "person")
        .filter(pk=pk, person__in=people_visible_to(user))
        .first()
    )
    if found is None:
        raise Http404("No such professional")
    return found


# --- The directory --------------------------------------------------------------------


def may_use_directory(user: AnyUser) -> bool:
    """Everyone with a Jigsaw role: work contact details of professionals are not child data."""
    return role_of(user) is not None


def search_directory(
    *, text: str = "", kind: str = "", agency_id: int | None = None
) -> QuerySet[Practitioner]:
    """Practitioners whose name, job title or agency matches every word of `text`, of one
    kind of agency or one agency; the first `DIRECTORY_LIMIT` by name."""
    found = Practitioner.objects.select_related("agency")
    for word in text.split():
        found = found.filter(
            Q(full_name__icontains=word) | Q(agency__name__icontains=word) | Q(job_title__icontains=word)
        )
    if kind:
        found = found.filter(agency__kind=kind)
    if agency_id is not None:
        found = found.filter(agency_id=agency_id)
    return found.order_by("full_name", "pk")


def get_practitioner(user: AnyUser, pk: int) -> Practitioner:
    if not may_use_directory(user):
        raise Http404("No such professional")
    found = Practitioner.objects.select_related("agency", "team").filter(pk=pk).first()
    if found is None:
        raise Http404("No such professional")
    return found


def children_of(user: AnyUser, practitioner: Practitioner) -> list[NamedProfessional]:
    """The children this practitioner is currently named for, of those the user may see."""
    return list(
        NamedProfessional.objects.filter(
            practitioner=practitioner, ended__isnull=True, person__in=people_visible_to(user)
        )
        .select_related("person")
        .order_by("person__family_name", "person__given_names", "person_id")
    )


def find_existing(*, full_name: str, agency: Agency | None, secure_email: str) -> Practitioner | None:
    """The practitioner a new entry would duplicate: the same name at the same agency, or the
    same secure e-mail address (one person has one)."""
    same = Q()
    if full_name.strip() and agency is not None:
        same |= Q(full_name__iexact=" ".join(full_name.split()), agency=agency)
    if secure_email.strip():
        same |= Q(secure_email__iexact=secure_email.strip())
    if not same:
        return None
    return Practitioner.objects.select_related("agency").filter(same).order_by("pk").first()


# --- Sharing --------------------------------------------------------------------------


def agreements_in_force(on: datetime.date) -> QuerySet[InformationSharingAgreement]:
    return InformationSharingAgreement.objects.filter(starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


def agreement_covering(*, agency: Agency, on: datetime.date) -> InformationSharingAgreement | None:
    """The agreement in force on `on` between children's social care and `agency` (the most
    recently started, if several)."""
    return (
        agreements_in_force(on)
        .filter(agencies__kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
        .filter(agencies=agency)
        .distinct()
        .order_by("-starts_on", "-pk")
        .first()
    )


@dataclasses.dataclass(frozen=True)
class AgreementRow:
    agreement: InformationSharingAgreement
    in_force: bool
    review_overdue: bool


def agreement_status(agreement: InformationSharingAgreement, today: datetime.date) -> AgreementRow:
    in_force = agreement.starts_on <= today and (agreement.ends_on is None or agreement.ends_on >= today)
    overdue = in_force and agreement.review_by is not None and agreement.review_by < today
    return AgreementRow(agreement, in_force, overdue)


def agreements(today: datetime.date) -> list[AgreementRow]:
    """Every agreement, with whether it is in force and whether its review is overdue."""
    return [
        agreement_status(a, today)
        for a in InformationSharingAgreement.objects.prefetch_related("agencies").order_by("title", "pk")
    ]


def may_see_agreements(user: AnyUser) -> bool:
    return user.is_authenticated and user.is_active


def may_see_disclosures(user: AnyUser) -> bool:
    """Children's social care (who share) and the data protection officer (who audits)."""
    return has_permission(user, Permission.VIEW_CASEWORK) or has_permission(user, Permission.REVIEW_ACCESS)


def disclosure_log(user: AnyUser, person_id: int) -> tuple[Person, QuerySet[Disclosure]]:
    """The child and every disclosure of their information, newest first; the look is logged.

    Social care staff reach the child through the policy (a restricted record stays hidden);
    the data protection officer, like on the access history page, by the Jigsaw ID alone,
    seeing who was told what but not the record itself. Anyone else: 404."""
    if has_permission(user, Permission.VIEW_CASEWORK):
        person = get_person_for(user, person_id)
    elif has_permission(user, Permission.REVIEW_ACCESS):
        found = Person.objects.filter(pk=person_id).first()
        if found is None:
            raise Http404("No such person")
        person = found
    else:
        raise Http404("No such person")
    record_access(user=user, action="view_disclosures", record=person)
    rows = Disclosure.objects.filter(person=person).select_related(
        "recipient", "recipient_agency", "agreement"
    )
    return person, rows.order_by("-disclosed_at", "-pk")

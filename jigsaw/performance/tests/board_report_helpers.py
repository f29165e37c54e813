"""A small catalogue of hand-built indicators for the board report's tests, so that each
figure the report shows is known: contacts received in the period (a count), and the share
of them given with consent (a percentage with a target and a comparator)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from jigsaw.casework.models import Contact
from jigsaw.people.models import Person
from jigsaw.performance import board_report
from jigsaw.performance.indicators import Figure, Indicator, Scope
from jigsaw.performance.indicators.base import Direction, Group, Unit
from tests.factories import make_person, persona


def _contacts(scope: Scope) -> QuerySet[Contact]:
    return Contact.objects.filter(received_at__date__gte=scope.start, received_at__date__lte=scope.end)


def _count(scope: Scope) -> Figure:
    return Figure(numerator=Decimal(_contacts(scope).count()), denominator=None, unit=Unit.COUNT)


def _consent(scope: Scope) -> Figure:
    contacts = _contacts(scope)
    return Figure(
        numerator=Decimal(contacts.filter(consent="given").count()),
        denominator=Decimal(contacts.count()),
        unit=Unit.PERCENT,
    )


CONTACTS = Indicator(
    key="test_contacts",
    name="Contacts received",
    definition="Contacts received in the period.",
    numerator="Contacts received",
    denominator="",
    direction=Direction.NEITHER,
    rule="Working Together: decide on a contact within one working day",
    unit=Unit.COUNT,
    group=Group.FRONT_DOOR,
    compute=_count,
)
CONSENT = Indicator(
    key="test_consent",
    name="Contacts made with consent",
    definition="The share of contacts made with the family's consent.",
    numerator="Contacts with consent given",
    denominator="Contacts received",
    direction=Direction.HIGHER_IS_BETTER,
    rule="Information sharing advice for practitioners",
    unit=Unit.PERCENT,
    group=Group.ASSESSMENT,
    compute=_consent,
    target=Decimal("80"),
    comparator=Decimal("75"),
    comparator_label="England 2024-25",
)


@pytest.fixture
def catalogue(monkeypatch: pytest.MonkeyPatch) -> dict[str, Indicator]:
    """The report reads this catalogue instead of Jigsaw's own."""
    hand_built = {CONTACTS.key: CONTACTS, CONSENT.key: CONSENT}
    monkeypatch.setattr(board_report, "CATALOGUE", hand_built)
    return hand_built


def contact_on(day: datetime.date, *, consent: str = "given", person: Person | None = None) -> Contact:
    return Contact.objects.create(
        person=person or make_person(),
        received_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        source="2A",
        concern="Bruising seen at school",
        consent=consent,
        decision_due=day,
        recorded_by=persona("front_door_officer"),
    )

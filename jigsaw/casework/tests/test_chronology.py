from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from time_machine import travel

from jigsaw.access.models import AccessLogEntry
from jigsaw.casework.actions.common import add_to_chronology
from jigsaw.casework.actions.notes import add_case_note, mark_significant
from jigsaw.casework.models import ChronologyEntry, ChronologyKind
from jigsaw.casework.queries.chronology import (
    SOURCE_PAGES,
    ChronologyFilters,
    SourceLinks,
    UnknownSourceType,
    chronology_rows,
)
from jigsaw.partners.models import Agency, AgencyKind
from jigsaw.people.models import Person
from tests.casework_factories import make_contact
from tests.factories import make_agency, make_person, persona
from tests.fuzzing import WEIRD, fuzz_form

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)


def _event(
    person: Person,
    day: datetime.date,
    summary: str,
    *,
    kind: ChronologyKind = ChronologyKind.PARTNER_EVENT,
    agency: Agency | None = None,
    significant: bool = False,
    at: datetime.datetime | None = None,
) -> ChronologyEntry:
    entry = add_to_chronology(
        person=person,
        occurred_on=day,
        occurred_at=at,
        kind=kind,
        summary=summary,
        agency_id=agency.pk if agency else None,
    )
    if significant:
        entry.significant = True
        entry.save(update_fields=["significant"])
    return entry


@pytest.fixture
def anna(social_worker: User) -> Person:
    """A child whose chronology holds events from the school, the police, A&E and social care."""
    child = make_person(given_names="Anna", family_name="Kouao", nhs_number="9434765919")
    school = make_agency("Riverside Primary School", AgencyKind.SCHOOL)
    police = make_agency("Riverford Police", AgencyKind.POLICE)
    hospital = make_agency("Riverford General Hospital", AgencyKind.ACUTE_HEALTH)
    _event(child, datetime.date(2026, 1, 12), "Bruise on the cheek noticed in class", agency=school)
    _event(
        child,
        datetime.date(2026, 2, 3),
        "Domestic abuse incident at home, children present",
        agency=police,
        kind=ChronologyKind.PARTNER_EVENT,
        significant=True,
    )
    _event(
        child,
        datetime.date(2026, 3, 20),
        "Attended A&E with a burn to the hand",
        agency=hospital,
        at=datetime.datetime(2026, 3, 20, 23, 40, tzinfo=datetime.UTC),
    )
    contact = make_contact(child, received_at=datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC))
    add_to_chronology(
        person=child,
        occurred_on=datetime.date(2026, 4, 1),
        kind=ChronologyKind.CONTACT,
        summary="Contact from Schools: repeated injuries",
        source=contact,
        recorded_by=persona("front_door_officer"),
    )
    return child


def _summaries(client: Client, child: Person, query: str = "") -> list[str]:
    response = client.get(reverse("casework:chronology", args=[child.pk]) + query)
    assert response.status_code == 200
    return [row.summary for row in response.context["rows"]]


@travel(NOW, tick=False)
def test_the_chronology_is_one_timeline_newest_first_with_links_and_a_view_logged(
    client: Client, social_worker: User, anna: Person
) -> None:
    client.force_login(social_worker)
    response = client.get(reverse("casework:chronology", args=[anna.pk]))

    assert [row.summary for row in response.context["rows"]] == [
        "Contact from Schools: repeated injuries",
        "Attended A&E with a burn to the hand",
        "Domestic abuse incident at home, children present",
        "Bruise on the cheek noticed in class",
    ]
    body = response.content.decode()
    assert body.count('class="moj-timeline__item"') == 4
    contact = ChronologyEntry.objects.get(kind="contact")
    assert f'href="{reverse("casework:contact", args=[contact.source_id])}"' in body
    assert "recorded by Front Door Officer Persona" in body
    assert "20 March 2026 at 23:40" in body  # GMT in March: the time as recorded
    assert body.count('govuk-tag--red">Significant') == 1
    logged = AccessLogEntry.objects.get(action="view")
    assert (logged.user, logged.record_type, logged.record_id) == (
        social_worker,
        "people.person",
        str(anna.pk),
    )


@travel(NOW, tick=False)
def test_filter_by_agency_kind_significance_and_dates(
    client: Client, social_worker: User, anna: Person
) -> None:
    client.force_login(social_worker)
    police = Agency.objects.get(name="Riverford Police")

    assert _summaries(client, anna, f"?agency={police.pk}") == [
        "Domestic abuse incident at home, children present"
    ]
    assert _summaries(client, anna, "?kind=contact") == ["Contact from Schools: repeated injuries"]
    assert _summaries(client, anna, "?significant=on") == [
        "Domestic abuse incident at home, children present"
    ]
    assert _summaries(
        client,
        anna,
        "?date_from_day=1&date_from_month=2&date_from_year=2026&date_to_day=20&date_to_month=3&date_to_year=2026",
    ) == ["Attended A&E with a burn to the hand", "Domestic abuse incident at home, children present"]


@travel(NOW, tick=False)
def test_the_agency_filter_offers_the_agencies_in_this_chronology(
    client: Client, social_worker: User, anna: Person
) -> None:
    make_agency("Canal Street Surgery", AgencyKind.GP_PRACTICE)  # not in Anna's chronology
    client.force_login(social_worker)
    form = client.get(reverse("casework:chronology", args=[anna.pk])).context["form"]
    assert [a.name for a in form.fields["agency"].queryset] == [
        "Riverford Children's Social Care",  # the front door recorded the contact
        "Riverford General Hospital",
        "Riverford Police",
        "Riverside Primary School",
    ]


@travel(NOW, tick=False)
def test_dates_in_the_wrong_order_are_refused_with_a_message(
    client: Client, social_worker: User, anna: Person
) -> None:
    client.force_login(social_worker)
    response = client.get(
        reverse("casework:chronology", args=[anna.pk])
        + "?date_from_day=1&date_from_month=5&date_from_year=2026&date_to_day=1&date_to_month=1&date_to_year=2026"
    )
    assert response.status_code == 200
    assert "The &#x27;to&#x27; date cannot be before the &#x27;from&#x27; date" in response.content.decode()
    assert len(response.context["rows"]) == 4  # the whole chronology, not an empty page


@travel(NOW, tick=False)
def test_mark_significant_returns_to_the_same_filters_and_is_logged(
    client: Client, social_worker: User, anna: Person
) -> None:
    entry = ChronologyEntry.objects.get(summary__startswith="Bruise")
    client.force_login(social_worker)
    school = Agency.objects.get(name="Riverside Primary School")

    response = client.post(
        reverse("casework:mark_significant", args=[entry.pk])
        + f"?agency={school.pk}&next=https://evil.example",
        {"mark": "on"},
    )

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("casework:chronology", args=[anna.pk]) + f"?agency={school.pk}#entry-{entry.pk}"
    )
    entry.refresh_from_db()
    assert entry.significant
    logged = AccessLogEntry.objects.get(action="mark_significant")
    assert (logged.user, logged.record_type, logged.record_id) == (
        social_worker,
        "casework.chronologyentry",
        str(entry.pk),
    )
    assert f"people.person:{anna.pk}" in logged.detail["subjects"]

    client.post(reverse("casework:mark_significant", args=[entry.pk]), {})
    entry.refresh_from_db()
    assert not entry.significant
    assert AccessLogEntry.objects.filter(action="unmark_significant").count() == 1


@travel(NOW, tick=False)
def test_who_may_mark_significant(
    client: Client, anna: Person, conference_chair: User, front_door_officer: User, school_dsl: User
) -> None:
    entry = ChronologyEntry.objects.get(summary__startswith="Bruise")
    url = reverse("casework:mark_significant", args=[entry.pk])
    for who in (conference_chair, front_door_officer, school_dsl):
        client.force_login(who)
        assert client.post(url, {"mark": "on"}).status_code == 403
        with pytest.raises(PermissionDenied):
            mark_significant(actor=who, entry_id=entry.pk, significant=True)
    client.force_login(persona("team_manager"))
    assert client.get(url).status_code == 405
    assert client.post(url, {"mark": "on"}).status_code == 302
    entry.refresh_from_db()
    assert entry.significant


@travel(NOW, tick=False)
def test_the_pdf_is_a_real_pdf_with_the_child_and_the_significant_marks(
    client: Client, social_worker: User, anna: Person
) -> None:
    client.force_login(social_worker)
    response = client.get(reverse("casework:chronology_pdf", args=[anna.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Anna Kouao" in text
    assert "943 476 5919" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "Page 1 of" in text
    assert "Printed by Social Worker Persona" in text
    assert text.count("SIGNIFICANT") >= 2  # the explanation and the police incident
    assert "Attended A&E with a burn to the hand" in text
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    logged = AccessLogEntry.objects.get(action="export")
    assert (logged.user, logged.record_type, logged.record_id) == (
        social_worker,
        "people.person",
        str(anna.pk),
    )
    assert (logged.detail["what"], logged.detail["entries"]) == ("chronology", 4)
    assert not AccessLogEntry.objects.filter(action="view").exists()


@travel(NOW, tick=False)
def test_the_pdf_takes_the_same_filters(client: Client, social_worker: User, anna: Person) -> None:
    client.force_login(social_worker)
    response = client.get(reverse("casework:chronology_pdf", args=[anna.pk]) + "?significant=on")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Domestic abuse incident at home" in text
    assert "Bruise on the cheek" not in text
    assert "significant events only" in text
    assert AccessLogEntry.objects.get(action="export").detail["filters"] == ["significant events only"]


@pytest.mark.parametrize("who", ["school_dsl", "gp", "police_officer", "analyst", "data_protection_officer"])
@travel(NOW, tick=False)
def test_outside_social_care_the_chronology_is_not_found(client: Client, who: str, anna: Person) -> None:
    client.force_login(persona(who))
    assert client.get(reverse("casework:chronology", args=[anna.pk])).status_code == 404
    assert client.get(reverse("casework:chronology_pdf", args=[anna.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(action__in=["view", "export"]).exists()


@travel(NOW, tick=False)
def test_a_restricted_childs_chronology_is_not_found(
    client: Client, social_worker: User, anna: Person
) -> None:
    from tests.factories import restrict

    restrict(anna)
    client.force_login(social_worker)
    assert client.get(reverse("casework:chronology", args=[anna.pk])).status_code == 404
    entry = ChronologyEntry.objects.filter(person=anna).first()
    assert entry is not None
    assert (
        client.post(reverse("casework:mark_significant", args=[entry.pk]), {"mark": "on"}).status_code == 404
    )


@travel(NOW, tick=False)
def test_the_conference_chair_reads_but_does_not_mark(
    client: Client, conference_chair: User, anna: Person
) -> None:
    client.force_login(conference_chair)
    response = client.get(reverse("casework:chronology", args=[anna.pk]))
    assert response.status_code == 200
    assert "Mark significant" not in response.content.decode()
    assert "Add a case note" not in response.content.decode()


@travel(NOW, tick=False)
def test_a_case_note_appears_with_a_link_to_the_note(
    client: Client, social_worker: User, anna: Person
) -> None:
    note = add_case_note(
        actor=social_worker,
        person_id=anna.pk,
        kind="home_visit",
        occurred_at=NOW - datetime.timedelta(hours=1),
        text="Saw Anna at home; the burn is healing.",
    )
    client.force_login(social_worker)
    response = client.get(reverse("casework:chronology", args=[anna.pk]) + "?kind=case_note")
    (row,) = response.context["rows"]
    assert (row.summary, row.url, row.agency) == (
        "Home visit: Saw Anna at home; the burn is healing.",
        reverse("casework:case_note", args=[note.pk]),
        "Riverford Children's Social Care",
    )


def test_an_unknown_source_type_fails_loudly(social_worker: User) -> None:
    child = make_person()
    ChronologyEntry.objects.create(
        person=child,
        occurred_on=datetime.date(2026, 1, 1),
        kind=ChronologyKind.PARTNER_EVENT,
        summary="From a feed nobody mapped",
        source_type="partners.somethingnew",
        source_id="7",
        recorded_at=timezone.now(),
    )
    with pytest.raises(UnknownSourceType, match=r"partners\.somethingnew"):
        chronology_rows(social_worker, child, ChronologyFilters())


def test_source_links_match_reverse() -> None:
    links = SourceLinks()
    for pk in ("1", "42", "1234567"):
        assert links.url("casework.contact", pk) == reverse("casework:contact", args=[pk])
        assert links.url("casework.casenote", pk) == reverse("casework:case_note", args=[pk])
    assert links.url("casework.visit", "3") is None
    assert links.url("", "") is None


def test_every_source_page_exists() -> None:
    """Each page named in SOURCE_PAGES is a real URL taking the record's id."""
    missing = []
    for source_type, url_name in SOURCE_PAGES.items():
        if url_name is None:
            continue
        try:
            reverse(url_name, args=[1])
        except NoReverseMatch:
            missing.append(f"{source_type} -> {url_name}")
    assert not missing, f"chronology links to pages that do not exist: {missing}"


def test_every_model_the_actions_write_into_the_chronology_is_mapped() -> None:
    """A casework model with a person (directly or through a referral) that a chronology
    entry may stand for must be listed, with its page or None."""
    from django.apps import apps

    casework_models = {m._meta.label_lower for m in apps.get_app_config("casework").get_models()}
    not_steps = {
        "casework.timescalepolicy",
        "casework.timescale",
        "casework.chronologyentry",
        "casework.casenoteaddendum",
        "casework.strategydiscussionattendee",
        "casework.conferenceinvitation",
        "casework.coregroupinvitation",
        "casework.coregroupmember",
    }
    assert casework_models - not_steps - set(SOURCE_PAGES) == set()


# Fuzzing


@travel(NOW, tick=False)
def test_fuzz_chronology_filters(client: Client, social_worker: User, anna: Person) -> None:
    client.force_login(social_worker)
    url = reverse("casework:chronology", args=[anna.pk])
    fields = [
        "agency",
        "kind",
        "significant",
        "date_from_day",
        "date_from_month",
        "date_from_year",
        "date_to_day",
        "date_to_month",
        "date_to_year",
    ]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(fields, WEIRD)))
    def get(query: dict[str, str]) -> None:
        response = client.get(url, query)
        assert response.status_code == 200, query

    get()


@travel(NOW, tick=False)
def test_fuzz_mark_significant(client: Client, social_worker: User, anna: Person) -> None:
    entry = ChronologyEntry.objects.filter(person=anna).first()
    assert entry is not None
    client.force_login(social_worker)
    fuzz_form(client, reverse("casework:mark_significant", args=[entry.pk]), ["mark"])
    assert ChronologyEntry.objects.filter(person=anna).count() == 4


@travel(NOW, tick=False)
def test_the_timeline_escapes_what_people_typed(client: Client, social_worker: User) -> None:
    child = make_person()
    _event(
        child,
        datetime.date(2026, 5, 1),
        '<script>alert("x")</script> & "quotes"',
        agency=make_agency("<b>Agency</b>", AgencyKind.OTHER_LOCAL_AUTHORITY),
    )
    ChronologyEntry.objects.filter(person=child).update(detail="line one\n<img src=x onerror=alert(1)>")
    client.force_login(social_worker)
    body = client.get(reverse("casework:chronology", args=[child.pk])).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body and "<b>Agency</b>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in body
    assert "line one<br>&lt;img src=x onerror=alert(1)&gt;" in body
    assert "Partner event: &lt;b&gt;Agency&lt;/b&gt;" in body

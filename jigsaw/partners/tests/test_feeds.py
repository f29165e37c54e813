"""Partner event feeds by CSV upload (issue 5, item 4): all-or-nothing files with every bad
line reported, idempotent on the sender's reference, matched to people and households,
written to the children's chronologies, and logged once per delivery."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from jigsaw.access.models import AccessLogEntry, AccessLogSubject
from jigsaw.casework.models import ChronologyEntry, ChronologyKind
from jigsaw.matching.models import MatchReview, MatchSource, ReviewStatus
from jigsaw.partners.actions.feeds import (
    issue_api_token,
    revoke_api_token,
    upload_events,
)
from jigsaw.partners.ingest import LAYOUTS, read_csv, template_csv
from jigsaw.partners.models import (
    AgencyKind,
    ApiClient,
    EventImport,
    EventKind,
    EventSubject,
    FeedScope,
    PartnerEvent,
    SubjectRole,
)
from jigsaw.partners.queries.feeds import client_for_token, token_hash
from jigsaw.people.models import Address, Person, Residence
from tests.factories import make_agency, make_person, persona

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
ANNA_BORN = datetime.date(2015, 11, 2)


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def police_officer(db: None) -> User:
    return persona("police_officer")


def live_at(person: Person, line_1: str = "12 Canal Street", postcode: str = "RF1 2AB") -> Person:
    address, _ = Address.objects.get_or_create(line_1=line_1, town="Riverford", postcode=postcode)
    Residence.objects.create(person=person, address=address, moved_in=datetime.date(2020, 1, 1))
    return person


@pytest.fixture
def family() -> dict[str, Person]:
    """Anna (10), her brother Kofi (4) and their mother, at 12 Canal Street; a neighbour's
    child at number 14."""
    return {
        "anna": live_at(
            make_person(
                given_names="Anna",
                family_name="Mensah",
                date_of_birth=ANNA_BORN,
                sex="F",
                nhs_number="9434765919",
            )
        ),
        "kofi": live_at(
            make_person(
                given_names="Kofi", family_name="Mensah", date_of_birth=datetime.date(2022, 3, 14), sex="M"
            )
        ),
        "mother": live_at(
            make_person(
                given_names="Grace", family_name="Mensah", date_of_birth=datetime.date(1990, 6, 1), sex="F"
            )
        ),
        "neighbour": live_at(
            make_person(
                given_names="Tom", family_name="Okafor", date_of_birth=datetime.date(2018, 1, 9), sex="M"
            ),
            line_1="14 Canal Street",
        ),
    }


HEADER = (
    "reference,date,type,address,postcode,role,given_name,family_name,date_of_birth,sex,nhs_number,summary\n"
)


def police_file(*lines: str) -> bytes:
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


GOOD = police_file(
    "INC-1,22/11/2026 21:40,domestic abuse,12 Canal Street,rf12ab,victim,Grace,Mensah,01/06/1990,F,,Shouting reported",
    "INC-1,,,,,child present,Anna,Mensah,02/11/2015,F,943 476 5919,",
    "INC-1,,,,,alleged perpetrator,Dean,Walsh,03/04/1988,M,,",
)


def test_a_good_file_is_written_whole_and_matched(police_officer: User, family: dict[str, Person]) -> None:
    delivery = upload_events(
        actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="incidents.csv", data=GOOD
    )

    record = delivery.record
    assert record.accepted and record.errors == []
    assert (record.rows, record.new_events, record.repeated_events) == (3, 1, 0)
    event = PartnerEvent.objects.get()
    assert event.source_id == "INC-1" and event.delivery == record
    assert event.postcode == "RF1 2AB" and event.address == "12 Canal Street"
    assert event.occurred_at == datetime.datetime(
        2026, 11, 22, 21, 40, tzinfo=datetime.UTC
    )  # GMT in November
    # The lines as sent are kept with the event.
    assert [line["given_name"] for line in event.payload["lines"]] == ["Grace", "Anna", "Dean"]
    assert event.payload["lines"][1]["line"] == 3
    subjects = {(s.role, s.given_name): s for s in EventSubject.objects.filter(event=event)}
    assert subjects[(SubjectRole.CHILD_PRESENT, "Anna")].person == family["anna"]
    assert subjects[(SubjectRole.CHILD_PRESENT, "Anna")].match_outcome == "link"
    assert subjects[(SubjectRole.VICTIM, "Grace")].person == family["mother"]
    assert subjects[(SubjectRole.PERPETRATOR, "Dean")].person is None
    assert subjects[(SubjectRole.PERPETRATOR, "Dean")].match_outcome == "new"
    # Kofi lives there and was not named: found by the address. The neighbour was not.
    household = EventSubject.objects.get(event=event, role=SubjectRole.HOUSEHOLD_CHILD)
    assert household.person == family["kofi"]
    assert delivery.results[0].created and delivery.results[0].people_matched == 2


def test_each_child_linked_gets_a_chronology_entry(police_officer: User, family: dict[str, Person]) -> None:
    upload_events(actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="incidents.csv", data=GOOD)

    event = PartnerEvent.objects.get()
    entries = {e.person: e for e in ChronologyEntry.objects.filter(kind=ChronologyKind.PARTNER_EVENT)}
    assert set(entries) == {family["anna"], family["kofi"]}  # the children; not their mother
    anna = entries[family["anna"]]
    assert anna.summary == "Riverford Police: domestic abuse incident (the child was present)"
    assert entries[family["kofi"]].summary == (
        "Riverford Police: domestic abuse incident (the child lives at the address)"
    )
    assert anna.detail == "Shouting reported"
    assert (anna.source_type, anna.source_id) == ("partners.partnerevent", str(event.pk))
    assert anna.agency == police_officer.practitioner.agency
    assert anna.occurred_on == datetime.date(2026, 11, 22)


def test_one_access_log_entry_names_everyone_the_delivery_concerns(
    police_officer: User, family: dict[str, Person]
) -> None:
    delivery = upload_events(
        actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="i.csv", data=GOOD
    )

    entry = AccessLogEntry.objects.get(action="receive_partner_events")
    assert entry.user == police_officer
    assert (entry.record_type, entry.record_id) == ("partners.eventimport", str(delivery.record.pk))
    assert entry.detail["new"] == 1 and entry.detail["via"] == "upload"
    people = set(
        AccessLogSubject.objects.filter(entry=entry, record_type="people.person").values_list(
            "record_id", flat=True
        )
    )
    assert people == {str(family[n].pk) for n in ("anna", "kofi", "mother")}


def test_the_same_file_twice_creates_nothing_new(police_officer: User, family: dict[str, Person]) -> None:
    upload_events(actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="i.csv", data=GOOD)
    again = upload_events(actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="i.csv", data=GOOD)

    assert again.record.accepted
    assert (again.record.new_events, again.record.repeated_events) == (0, 1)
    assert not again.results[0].created and again.results[0].people_matched == 2
    assert PartnerEvent.objects.count() == 1
    assert EventSubject.objects.count() == 4
    assert ChronologyEntry.objects.count() == 2


def test_a_file_with_bad_lines_writes_nothing_and_says_which_lines(
    police_officer: User, family: dict[str, Person]
) -> None:
    data = police_file(
        "INC-2,22/11/2026 21:40,domestic abuse,12 Canal Street,RF1 2AB,victim,Grace,Mensah,01/06/1990,F,,",
        "INC-2,,,,,child present,Anna,Mensah,31/02/2015,F,,",
        "INC-3,23/11/2026 01:10,burglary,1 High Street,NOT A POSTCODE,victim,Sam,Lee,,X,1234567890,",
        "INC-4,25/12/2026 10:00,domestic abuse,,,child present,Ben,Lee,01/01/2001,M,,",
    )

    delivery = upload_events(
        actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="bad.csv", data=data
    )

    assert not delivery.record.accepted
    assert [str(p) for p in delivery.problems] == [
        "line 3: date of birth 31/02/2015 is not a date",
        "line 4: type burglary is not one of: domestic abuse incident; other incident involving a child",
        "line 4: postcode NOT A POSTCODE is not a postcode",
        "line 4: sex X is not M, F or blank",
        "line 4: NHS number 1234567890 is not a valid NHS number",
        "line 5: the date 25/12/2026 is in the future",
        "line 5: date of birth 01/01/2001 is of an adult, not a child",
    ]
    record = EventImport.objects.get()
    assert record.errors[0] == {
        "message": "date of birth 31/02/2015 is not a date",
        "line": 3,
        "field": "date_of_birth",
    }
    assert record.rows == 4 and record.new_events == 0
    assert not PartnerEvent.objects.exists()
    assert not ChronologyEntry.objects.exists()
    assert AccessLogEntry.objects.get(action="reject_partner_events").detail["problems"] == 7


def test_a_file_with_the_wrong_columns_is_refused_on_line_one(police_officer: User) -> None:
    data = b"reference,date,kind,family_name\nINC-1,22/11/2026,domestic abuse,Mensah\n"

    delivery = upload_events(
        actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="x.csv", data=data
    )

    assert [str(p) for p in delivery.problems] == [
        'line 1: the column "kind" is not one of this file\'s columns',
        'line 1: the column "type" is missing',
        'line 1: the column "role" is missing',
    ]


def test_event_columns_that_disagree_within_a_reference_are_reported(police_officer: User) -> None:
    data = police_file(
        "INC-5,22/11/2026 21:40,domestic abuse,12 Canal Street,RF1 2AB,victim,Grace,Mensah,,,,",
        "INC-5,21/11/2026 20:00,,,,child present,Anna,Mensah,,,,",
    )

    problems = read_csv(data, kind=EventKind.POLICE_INCIDENT).problems

    assert [str(p) for p in problems] == [
        "line 3: the date differs from line 2, which has the same reference"
    ]


def test_other_kinds_take_one_line_per_event(db: None) -> None:
    header = ",".join(c.name for c in LAYOUTS[EventKind.HEALTH_ATTENDANCE])
    data = f"{header}\nAE-1,22/11/2026 03:00,A&E,,,Anna,Mensah,02/11/2015,F,,\nAE-1,22/11/2026 03:00,A&E,,,Anna,Mensah,,,,\n"

    problems = read_csv(data.encode(), kind=EventKind.HEALTH_ATTENDANCE).problems

    assert [str(p) for p in problems] == ["line 3: reference AE-1 is already on line 2: one line per event"]


def test_every_template_file_reads_back_cleanly(db: None) -> None:
    for kind in EventKind:
        parsed = read_csv(template_csv(kind).encode(), kind=kind)
        assert parsed.problems == [], kind
        assert len(parsed.rows) == 1


def test_an_uncertain_match_goes_to_the_front_door(police_officer: User) -> None:
    # Twins: the same family name and date of birth, another given name. The event names
    # "Marie": the matcher may not decide alone.
    anna = make_person(given_names="Anna", family_name="Kouao", date_of_birth=ANNA_BORN, sex="F")
    data = police_file("INC-9,22/11/2026 21:40,other incident,,,child,Marie,Kouao,02/11/2015,F,,")

    upload_events(actor=police_officer, kind=EventKind.POLICE_INCIDENT, filename="i.csv", data=data)

    subject = EventSubject.objects.get()
    assert subject.match_outcome == "review" and subject.person is None
    review = MatchReview.objects.get()
    assert review.source == MatchSource.PARTNER_FEED and review.status == ReviewStatus.OPEN
    assert review.candidate == anna
    assert review.incoming_reference == f"event:{subject.event_id}:{subject.pk}"
    assert review.incoming is not None and review.incoming["given_name"] == "Marie"
    assert not ChronologyEntry.objects.exists()


def test_a_change_of_school_names_the_receiving_school(school_dsl: User) -> None:
    pupil = make_person(
        given_names="Anna", family_name="Mensah", date_of_birth=ANNA_BORN, upn="H201100200101"
    )
    hill = make_agency("Hill Academy", AgencyKind.SCHOOL)
    header = ",".join(c.name for c in LAYOUTS[EventKind.SCHOOL_ATTENDANCE])
    data = (
        f"{header}\n"
        "SCH-1,20/11/2026,change of school,,,Anna,Mensah,02/11/2015,F,H201100200101,hill academy,\n"
        "SCH-2,20/11/2026,change of school,,,Kofi,Mensah,14/03/2019,M,,,\n"
    ).encode()

    rejected = upload_events(actor=school_dsl, kind=EventKind.SCHOOL_ATTENDANCE, filename="s.csv", data=data)
    assert [str(p) for p in rejected.problems] == [
        "line 3: a change of school needs the school the child is moving to"
    ]

    upload_events(
        actor=school_dsl, kind=EventKind.SCHOOL_ATTENDANCE, filename="s.csv", data=data.rsplit(b"SCH-2", 1)[0]
    )
    event = PartnerEvent.objects.get()
    assert event.receiving_agency == hill
    assert EventSubject.objects.get(event=event).person == pupil
    entry = ChronologyEntry.objects.get(person=pupil)
    assert entry.summary == "Riverside Primary School: change of school, moving to hill academy"


def test_partners_upload_only_their_own_agencys_kinds(
    police_officer: User, school_dsl: User, gp: User, social_worker: User
) -> None:
    with pytest.raises(PermissionDenied):
        upload_events(actor=school_dsl, kind=EventKind.POLICE_INCIDENT, filename="x.csv", data=GOOD)
    with pytest.raises(PermissionDenied):
        upload_events(actor=social_worker, kind=EventKind.POLICE_INCIDENT, filename="x.csv", data=GOOD)
    with pytest.raises(PermissionDenied):
        upload_events(actor=gp, kind=EventKind.HEALTH_ATTENDANCE, filename="x.csv", data=GOOD)
    assert not EventImport.objects.exists()


# --- Tokens -------------------------------------------------------------------------------


def test_an_administrator_issues_a_token_shown_once_and_kept_as_a_hash(administrator: User) -> None:
    police = make_agency("Riverford Police", AgencyKind.POLICE)

    client, token = issue_api_token(
        actor=administrator, agency=police, name="  Niche   RMS ", scopes=[FeedScope.POLICE_INCIDENTS]
    )

    assert token.startswith("jgs_") and len(token) > 40
    assert client.name == "Niche RMS" and client.token_prefix == token[:12]
    assert client.token_hash == token_hash(token) and token not in client.token_hash
    assert client.scopes == ["events:police_incident"]
    assert client_for_token(token) == client
    entry = AccessLogEntry.objects.get(action="issue_api_token")
    assert entry.user == administrator and entry.record_id == str(client.pk)


def test_a_token_may_send_only_what_its_agency_sends(administrator: User) -> None:
    school = make_agency("Riverside Primary School", AgencyKind.SCHOOL)

    with pytest.raises(ValidationError) as raised:
        issue_api_token(actor=administrator, agency=school, name="MIS", scopes=[FeedScope.POLICE_INCIDENTS])

    assert raised.value.message_dict == {
        "scopes": ["Riverside Primary School may send school attendance: a token may not send more"]
    }
    assert not ApiClient.objects.exists()


def test_only_administrators_issue_and_revoke(administrator: User, police_officer: User) -> None:
    police = make_agency("Riverford Police", AgencyKind.POLICE)
    with pytest.raises(PermissionDenied):
        issue_api_token(
            actor=police_officer, agency=police, name="Niche", scopes=[FeedScope.POLICE_INCIDENTS]
        )
    client, token = issue_api_token(
        actor=administrator, agency=police, name="Niche", scopes=[FeedScope.POLICE_INCIDENTS]
    )
    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=police_officer, client=client)

    revoked = revoke_api_token(actor=administrator, client=client)

    assert revoked.revoked_at == NOW
    assert client_for_token(token) is None
    assert AccessLogEntry.objects.filter(action="revoke_api_token", record_id=str(client.pk)).count() == 1


def test_batch_matching_ranks_as_the_single_record_matcher_does(family: dict[str, Person]) -> None:
    from jigsaw.matching.matcher import match
    from jigsaw.matching.records import MatchRecord
    from jigsaw.partners.ingest import match_many

    make_person(given_names="Ann", family_name="Mensah", date_of_birth=ANNA_BORN, sex="F")
    records = [
        MatchRecord("a", "Anna", "Mensah", dob=ANNA_BORN, sex="F", postcode="RF1 2AB"),
        MatchRecord("b", "Anna", "Mensha", dob=datetime.date(2015, 2, 11), nhs_number="9434765919"),
        MatchRecord("c", "Kofi", "Mensah", dob=datetime.date(2022, 3, 14)),
        MatchRecord("d", "Anna", "Mensah", dob=ANNA_BORN, sex="F", postcode="RF1 2AB"),  # sent twice
        MatchRecord("e", "Nobody", "Known", dob=datetime.date(2001, 1, 1)),
    ]

    _, batched, _ = match_many(records)

    for record, found in zip(records, batched, strict=True):
        single = match(record)
        assert [(c.person_id, round(c.probability, 9), c.levels) for c in found] == [
            (c.person_id, round(c.probability, 9), c.levels) for c in single
        ]
    assert batched[0] and batched[0][0].person_id == family["anna"].pk
    assert batched[4] == []

"""Drill: the process importing a partner's event file dies (SIGKILL) half-way through
(issue 10, item 5). Imports are all-or-nothing per file (DESIGN.md).

A real process uploads a police file of thousands of incidents through `upload_events` and
is killed once every event is written inside the upload's transaction, before it commits.
Then nothing of that file is left (no event, no delivery, no access log line), and uploading
the same file again is accepted whole. The same for a partnership's file of recommendations,
killed once the set, its recommendations and their actions are written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jigsaw.access.models import AccessLogEntry
from jigsaw.partners.actions.feeds import upload_events
from jigsaw.partners.models import EventImport, EventKind, EventSubject, PartnerEvent
from jigsaw.quality.actions.recommendations import SetDetails, import_set
from jigsaw.quality.models.recommendations import Recommendation, RecommendationAction, RecommendationSet
from jigsaw.quality.tests.recommendations_helpers import DSL_EMAIL, dsl, member
from tests.drills.helpers import killed_at_marker, put_back_reference_data, share_database, take_back
from tests.factories import persona

pytestmark = pytest.mark.django_db(transaction=True)

INCIDENTS = 3000
HEADER = (
    "reference,date,type,address,postcode,role,given_name,family_name,date_of_birth,sex,nhs_number,summary\n"
)


def police_file(incidents: int) -> bytes:
    """One line per incident: a child present at a different address each time."""
    lines = [
        f"DRILL-{n},{1 + n % 28:02d}/10/2025 21:40,domestic abuse,{n} Canal Street,RF1 2AB,"
        f"child present,Child{n},Drill,02/11/2015,F,,Shouting reported\n"
        for n in range(1, incidents + 1)
    ]
    return (HEADER + "".join(lines)).encode()


def test_an_upload_killed_half_way_leaves_nothing_and_the_same_file_then_goes_in_whole(
    tmp_path: Path,
) -> None:
    put_back_reference_data()
    persona("police_officer")
    upload = tmp_path / "incidents.csv"
    upload.write_bytes(police_file(INCIDENTS))
    database = share_database(tmp_path)
    arguments = [
        "upload",
        "--file",
        str(upload),
        "--user",
        "police_officer",
        "--kind",
        EventKind.POLICE_INCIDENT,
    ]

    with killed_at_marker(database, arguments, tmp_path / "writing") as note:
        written_before_the_kill = int(note)
    take_back(database)

    assert written_before_the_kill == INCIDENTS  # the events were written, uncommitted
    assert not PartnerEvent.objects.exists()
    assert not EventSubject.objects.exists()
    assert not EventImport.objects.exists()  # no half-written delivery either
    assert not AccessLogEntry.objects.filter(action="receive_partner_events").exists()

    delivery = upload_events(
        actor=persona("police_officer"),
        kind=EventKind.POLICE_INCIDENT,
        filename=upload.name,
        data=upload.read_bytes(),
    )
    assert delivery.record.accepted and delivery.record.new_events == INCIDENTS
    assert PartnerEvent.objects.count() == INCIDENTS
    assert EventImport.objects.get() == delivery.record


RECOMMENDATIONS = 1000
RECOMMENDATIONS_HEADER = "number,recommendation,owning_agency,response,response_comment,action,action_owner_email,action_due_date\n"


def recommendations_file(count: int) -> bytes:
    """Recommendations to a school, each accepted with one action for its DSL."""
    lines = [
        f'{n},"Schools should record concern {n} the same day.",Riverside Primary School,Accepted,,'
        f"Audit record {n},{DSL_EMAIL},31/01/2027\n"
        for n in range(1, count + 1)
    ]
    return (RECOMMENDATIONS_HEADER + "".join(lines)).encode()


def test_a_recommendations_import_killed_half_way_leaves_nothing_and_then_goes_in_whole(
    tmp_path: Path,
) -> None:
    put_back_reference_data()
    dsl()
    member()
    upload = tmp_path / "recommendations.csv"
    upload.write_bytes(recommendations_file(RECOMMENDATIONS))
    database = share_database(tmp_path)
    arguments = ["import-recommendations", "--file", str(upload), "--user", "partnership_member"]

    with killed_at_marker(database, [*arguments, "--title", "Scrutiny 2026"], tmp_path / "writing") as note:
        written_before_the_kill = note
    take_back(database)

    assert written_before_the_kill == f"{RECOMMENDATIONS} {RECOMMENDATIONS}"
    assert not RecommendationSet.objects.exists()
    assert not Recommendation.objects.exists()
    assert not RecommendationAction.objects.exists()
    assert not AccessLogEntry.objects.filter(action="import_recommendation_set").exists()

    imported = import_set(
        actor=member(),
        details=SetDetails(
            title="Scrutiny 2026", source="scrutiny_committee", reports_to="Scrutiny Committee"
        ),
        data=upload.read_bytes(),
    )
    assert RecommendationSet.objects.get() == imported
    assert Recommendation.objects.filter(recommendation_set=imported).count() == RECOMMENDATIONS
    assert RecommendationAction.objects.count() == RECOMMENDATIONS

"""Merge and unmerge of two records of one person (issue 4, item 5)."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jigsaw.access.models import AccessLogEntry, BreakGlassAccess, LegalHold, RestrictedRecord
from jigsaw.access.policy import people_visible_to
from jigsaw.casework.models import CaseNote, ChronologyEntry, ChronologyKind, Contact, CoreGroupMeeting
from jigsaw.matching.merge import MergeConflict, RowRef, merge_people, post_merge_rows, unmerge_people
from jigsaw.matching.merge_queries import preview_merge
from jigsaw.matching.merge_rows import person_links
from jigsaw.matching.models import BlockingKey, MatchFeatures, MergeMoveKind, PersonMerge
from jigsaw.people.models import (
    Address,
    Household,
    HouseholdMember,
    IdentifierKind,
    NameKind,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipKind,
    Residence,
)
from jigsaw.people.queries import SearchQuery, search_people
from tests.casework_factories import make_contact, make_referral
from tests.episode_factories import make_early_help
from tests.factories import make_person, open_by_breaking_glass, persona, restrict
from tests.protection_factories import (
    make_journey,
    make_parent,
    make_plan,
    make_practitioner,
    name_professional,
)

pytestmark = pytest.mark.django_db

Key = tuple[str, str, str]


def snapshot(*people: Person) -> dict[Key, int]:
    """Every row that hangs off these people: (model, field, row) -> the person it names."""
    ids = [p.pk for p in people]
    found: dict[Key, int] = {}
    for link in person_links():
        rows = link.manager.filter(**{f"{link.field.attname}__in": ids}).values_list("pk", link.field.attname)
        for pk, person_id in rows:
            found[(link.label, link.field.name, str(pk))] = person_id
    return found


def key(row: object, field: str = "person") -> Key:
    assert hasattr(row, "_meta") and hasattr(row, "pk")
    return (row._meta.label_lower, field, str(row.pk))


@dataclasses.dataclass
class Records:
    survivor: Person
    merged: Person
    kept: set[Key]  # the merged record's rows that must stay on it
    referral_pk: int
    plan_pk: int
    restriction: RestrictedRecord


def build(officer: User) -> Records:
    """Two records of one child, with real data across the apps, and the clashes a merge
    must leave alone."""
    survivor = make_person(given_names="Anna", family_name="Kouao", nhs_number="9434765919")
    merged = make_person(given_names="Ana", family_name="Kouaou", nhs_number="9434765919")
    kept: set[Key] = set()

    # people: names, identifiers (one the survivor also has), addresses, households, relationships
    PersonName.objects.create(person=merged, kind=NameKind.BIRTH, family_name="Climbie", given_names="Anna")
    shared_id = PersonIdentifier.objects.create(
        person=merged, kind=IdentifierKind.POLICE_REFERENCE, value="PR1"
    )
    PersonIdentifier.objects.create(person=survivor, kind=IdentifierKind.POLICE_REFERENCE, value="PR1")
    kept.add(key(shared_id))
    PersonIdentifier.objects.create(person=merged, kind=IdentifierKind.HOSPITAL_NUMBER, value="H77")
    address = Address.objects.create(line_1="1 Canal Street", town="Riverford", postcode="M1 1AE")
    other_address = Address.objects.create(line_1="9 Mill Lane", town="Riverford", postcode="M2 2BB")
    Residence.objects.create(person=merged, address=address, moved_in=datetime.date(2019, 1, 1))
    Residence.objects.create(person=survivor, address=other_address)
    shared_household = Household.objects.create(address=address)
    HouseholdMember.objects.create(household=shared_household, person=survivor)
    kept.add(key(HouseholdMember.objects.create(household=shared_household, person=merged)))
    HouseholdMember.objects.create(household=Household.objects.create(address=other_address), person=merged)
    mother = make_parent(merged)  # merged's relationship to her ...
    kept.add(key(Relationship.objects.get(person=merged, relative=mother)))
    Relationship.objects.create(
        person=survivor, relative=mother, kind=RelationshipKind.PARENT
    )  # ... survivor has
    sibling = make_person(given_names="Kevin", family_name="Kouao")
    Relationship.objects.create(person=sibling, relative=merged, kind=RelationshipKind.SIBLING)
    between = Relationship.objects.create(
        person=merged, relative=survivor, kind=RelationshipKind.HOUSEHOLD_MEMBER
    )
    kept.add(key(between))

    # partners: named professionals (one named on both records)
    teacher = make_practitioner("Sam Class", agency="Riverside Primary School", kind="school")
    name_professional(merged, teacher)
    name_professional(survivor, teacher)
    kept.add(key(teacher.involvements.get(person=merged)))
    name_professional(merged, make_practitioner("Dr Gee", agency="Canal Street Surgery", kind="gp_practice"))

    # casework: a contact, early help, a whole child protection journey, notes, chronology
    make_contact(merged)
    make_contact(survivor)
    make_early_help(merged)
    journey = make_journey(merged)
    now = timezone.now()
    CaseNote.objects.create(
        person=merged,
        referral=journey.referral,
        kind="home_visit",
        occurred_at=now - datetime.timedelta(hours=1),
        recorded_at=now,
        text="Saw Ana at home.",
        author=persona("social_worker"),
    )
    ChronologyEntry.objects.create(
        person=merged,
        occurred_on=timezone.localdate(),
        kind=ChronologyKind.PARTNER_EVENT,
        summary="Attended A&E",
        recorded_at=now,
    )

    # access: a restriction naming the officer, an old break-glass opening, a legal hold
    restriction = restrict(merged)
    restriction.permitted_users.add(officer, persona("team_manager"))
    open_by_breaking_glass(merged)
    LegalHold.objects.create(person=merged, reason="Inquiry", placed_by=officer, placed_at=now)
    return Records(survivor, merged, kept, journey.referral.pk, journey.plan.pk, restriction)


def test_the_links_cover_every_app_and_leave_out_the_bookkeeping() -> None:
    labels = {link.label for link in person_links()}
    assert {
        "casework.contact",
        "casework.referral",
        "casework.childprotectionplan",
        "casework.casenote",
        "casework.chronologyentry",
        "partners.namedprofessional",
        "access.restrictedrecord",
        "access.breakglassaccess",
        "people.relationship",
        "people.householdmember",
        "people.personidentifier",
    } <= labels
    assert not {label for label in labels if label.startswith("matching.")}
    assert ("people.person", "merged_into") not in {(link.label, link.field.name) for link in person_links()}
    relationship_fields = {link.field.name for link in person_links() if link.label == "people.relationship"}
    assert relationship_fields == {"person", "relative"}


def test_merge_moves_every_row_but_the_clashes_and_is_audited(front_door_officer: User) -> None:
    r = build(front_door_officer)
    before = snapshot(r.survivor, r.merged)
    versions = (r.survivor.version, r.merged.version)

    merge = merge_people(
        actor=front_door_officer, survivor=r.survivor, merged=r.merged, reason="Same NHS number"
    )

    after = snapshot(r.survivor, r.merged)
    for k in before:
        # Everything ends on the survivor (what it had, and what moved) but the clashes.
        expected = r.merged.pk if k in r.kept else r.survivor.pk
        assert after[k] == expected, k
    moved = {k for k, v in before.items() if v == r.merged.pk} - r.kept
    assert {
        (m.model_label, m.field_name, m.object_pk) for m in merge.moves.filter(kind=MergeMoveKind.MOVED)
    } == moved
    assert merge.moves.filter(kind=MergeMoveKind.SURVIVOR_HAD).count() == sum(
        1 for v in before.values() if v == r.survivor.pk
    )
    # The merged name is now one the survivor is found by; the alias points at the survivor.
    alias = PersonName.objects.get(person=r.survivor, kind=NameKind.ALIAS)
    assert (alias.given_names, alias.family_name) == ("Ana", "Kouaou")
    r.merged.refresh_from_db()
    r.survivor.refresh_from_db()
    assert r.merged.merged_into == r.survivor
    assert (r.survivor.version, r.merged.version) == (versions[0] + 1, versions[1] + 1)
    # The restriction moved with the history; the alias keeps a copy naming the same people.
    r.restriction.refresh_from_db()
    assert r.restriction.person_id == r.survivor.pk
    copy = RestrictedRecord.objects.get(person=r.merged)
    assert set(copy.permitted_users.all()) == set(r.restriction.permitted_users.all())
    social_worker = persona("social_worker")
    assert not people_visible_to(social_worker).filter(pk__in=[r.survivor.pk, r.merged.pk]).exists()
    # A child protection plan's core group follows its plan without being moved itself.
    assert CoreGroupMeeting.objects.get(plan_id=r.plan_pk).plan.person_id == r.survivor.pk

    entry = AccessLogEntry.objects.get(action="merge")
    assert entry.user == front_door_officer
    assert entry.reason == "Same NHS number"
    assert set(entry.subjects.values_list("record_type", "record_id")) == {
        ("people.person", str(r.survivor.pk)),
        ("people.person", str(r.merged.pk)),
    }
    assert entry.detail["merge"] == merge.pk


def test_preview_says_what_will_move_and_what_stays(front_door_officer: User) -> None:
    r = build(front_door_officer)
    before = snapshot(r.survivor, r.merged)

    preview = preview_merge(survivor=r.survivor, merged=r.merged)

    assert preview.refusals == []
    assert preview.total_moving == sum(1 for k, v in before.items() if v == r.merged.pk) - len(r.kept)
    assert preview.moving["Contacts"] == 1
    assert len(preview.kept) == len(r.kept)
    assert snapshot(r.survivor, r.merged) == before  # a preview writes nothing
    assert not PersonMerge.objects.exists()


def test_unmerge_restores_both_records_exactly(front_door_officer: User) -> None:
    r = build(front_door_officer)
    before = snapshot(r.survivor, r.merged)
    merge = merge_people(actor=front_door_officer, survivor=r.survivor, merged=r.merged, reason="Same child")
    # Added after the merge: straight onto the survivor, and under rows the merge moved.
    later_contact = make_contact(r.survivor)
    now = timezone.now()

    def note(referral_id: int | None) -> CaseNote:
        return CaseNote.objects.create(
            person=r.survivor,
            referral_id=referral_id,
            kind="home_visit",
            occurred_at=now,
            recorded_at=now,
            text="Visit",
            author=persona("social_worker"),
        )

    theirs = note(None)  # the reviewer says this one was about the merged child
    under_moved_referral = note(r.referral_pk)
    later_entry = ChronologyEntry.objects.create(
        person=r.survivor,
        occurred_on=timezone.localdate(),
        kind=ChronologyKind.PARTNER_EVENT,
        summary="Seen",
        recorded_at=now,
    )
    core_group = CoreGroupMeeting.objects.create(
        plan_id=r.plan_pk, held_on=timezone.localdate(), recorded_by=front_door_officer
    )

    rows = {row.ref: row for row in post_merge_rows(merge)}
    assert set(rows) == {
        RowRef("casework.contact", str(later_contact.pk), "person"),
        RowRef("casework.casenote", str(theirs.pk), "person"),
        RowRef("casework.casenote", str(under_moved_referral.pk), "person"),
        RowRef("casework.chronologyentry", str(later_entry.pk), "person"),
    }
    assert rows[RowRef("casework.casenote", str(under_moved_referral.pk), "person")].follows
    assert not rows[RowRef("casework.casenote", str(theirs.pk), "person")].follows

    unmerge_people(
        actor=front_door_officer,
        merge=merge,
        reason="Two different children",
        reassign=[RowRef("casework.casenote", str(theirs.pk), "person")],
    )

    after = snapshot(r.survivor, r.merged)
    assert {k: after[k] for k in before} == before
    assert set(after) - set(before) == {
        key(later_contact),
        key(theirs),
        key(under_moved_referral),
        key(later_entry),
    }
    assert after[key(later_contact)] == r.survivor.pk
    assert after[key(later_entry)] == r.survivor.pk
    assert after[key(theirs)] == r.merged.pk
    assert after[key(under_moved_referral)] == r.merged.pk
    core_group.refresh_from_db()
    assert core_group.plan.person_id == r.merged.pk
    assert not PersonName.objects.filter(person=r.survivor, kind=NameKind.ALIAS).exists()
    assert RestrictedRecord.objects.get(person=r.merged).pk == r.restriction.pk
    assert not RestrictedRecord.objects.filter(person=r.survivor).exists()
    r.merged.refresh_from_db()
    assert r.merged.merged_into is None
    merge.refresh_from_db()
    assert merge.unmerged_by == front_door_officer
    assert merge.unmerge_reason == "Two different children"
    assert merge.unmerged_at is not None
    entry = AccessLogEntry.objects.get(action="unmerge")
    assert entry.reason == "Two different children"
    assert {s for _, s in entry.subjects.values_list("record_type", "record_id")} == {
        str(r.survivor.pk),
        str(r.merged.pk),
    }
    with pytest.raises(ValidationError):
        unmerge_people(actor=front_door_officer, merge=merge, reason="Again")


def test_unmerge_refuses_rows_that_were_not_added_since(front_door_officer: User) -> None:
    survivor, merged = make_person(), make_person()
    own = make_contact(survivor)
    merge = merge_people(actor=front_door_officer, survivor=survivor, merged=merged, reason="Same")

    with pytest.raises(ValidationError) as error:
        unmerge_people(
            actor=front_door_officer,
            merge=merge,
            reason="Not",
            reassign=[RowRef("casework.contact", str(own.pk), "person")],
        )

    assert "reassign" in error.value.message_dict
    assert Contact.objects.get(pk=own.pk).person_id == survivor.pk


def test_a_merge_is_refused_for_bad_requests_and_changes_nothing(
    front_door_officer: User, social_worker: User
) -> None:
    a, b = make_person(), make_person()
    make_contact(b)
    before = snapshot(a, b)

    with pytest.raises(PermissionDenied):
        merge_people(actor=social_worker, survivor=a, merged=b, reason="Same")
    with pytest.raises(ValidationError) as error:
        merge_people(actor=front_door_officer, survivor=a, merged=b, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        merge_people(actor=front_door_officer, survivor=a, merged=a, reason="Same")
    stale = Person.objects.get(pk=b.pk)
    Person.objects.filter(pk=b.pk).update(version=stale.version + 1)  # someone saved it meanwhile
    with pytest.raises(MergeConflict):
        merge_people(actor=front_door_officer, survivor=a, merged=stale, reason="Same")

    assert snapshot(a, b) == before
    assert not PersonMerge.objects.exists()
    assert not AccessLogEntry.objects.filter(action="merge").exists()


def test_an_alias_cannot_be_merged_again_nor_merged_into(front_door_officer: User) -> None:
    a, b, c = make_person(), make_person(), make_person()
    merge_people(actor=front_door_officer, survivor=a, merged=b, reason="Same")
    b.refresh_from_db()

    for survivor, merged in [(c, b), (b, c)]:
        with pytest.raises(ValidationError, match="already been merged"):
            merge_people(actor=front_door_officer, survivor=survivor, merged=merged, reason="Same")


def test_unmerge_waits_for_a_later_merge_of_the_survivor(front_door_officer: User) -> None:
    a, b, c = make_person(), make_person(), make_person()
    first = merge_people(actor=front_door_officer, survivor=a, merged=b, reason="Same")
    a.refresh_from_db()
    merge_people(actor=front_door_officer, survivor=c, merged=a, reason="Same")

    with pytest.raises(ValidationError, match="undo that merge first"):
        unmerge_people(actor=front_door_officer, merge=first, reason="Not")


def test_two_open_child_protection_plans_refuse_the_merge(front_door_officer: User) -> None:
    a, b = make_person(), make_person()
    make_plan(make_referral(a))
    make_plan(make_referral(b))

    with pytest.raises(ValidationError, match="child protection plan"):
        merge_people(actor=front_door_officer, survivor=a, merged=b, reason="Same")


def test_both_restricted_only_when_the_survivor_names_no_one_new(
    front_door_officer: User, team_manager: User
) -> None:
    a, b = make_person(), make_person()
    ra, rb = restrict(a), restrict(b)
    ra.permitted_users.add(front_door_officer, team_manager)
    rb.permitted_users.add(front_door_officer)

    with pytest.raises(ValidationError, match="Both records are restricted"):
        merge_people(actor=front_door_officer, survivor=a, merged=b, reason="Same")

    merge_people(actor=front_door_officer, survivor=b, merged=a, reason="Same")
    # The survivor's restriction governs; the merged one's stays on the alias.
    assert RestrictedRecord.objects.get(pk=ra.pk).person_id == a.pk
    assert RestrictedRecord.objects.get(pk=rb.pk).person_id == b.pk


def test_a_running_break_glass_opening_stays_and_one_on_the_survivor_waits(front_door_officer: User) -> None:
    a, b = make_person(), make_person()
    restrict(b).permitted_users.add(front_door_officer)
    intruder = persona("team_manager")
    opening = open_by_breaking_glass(a)
    BreakGlassAccess.objects.filter(pk=opening.pk).update(
        user=intruder, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )

    with pytest.raises(ValidationError, match="broken glass"):
        merge_people(actor=front_door_officer, survivor=a, merged=b, reason="Same")

    running_on_merged = open_by_breaking_glass(b)
    BreakGlassAccess.objects.filter(pk=running_on_merged.pk).update(
        expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    c = make_person()
    merge_people(actor=front_door_officer, survivor=c, merged=b, reason="Same")
    assert BreakGlassAccess.objects.get(pk=running_on_merged.pk).person_id == b.pk


def test_the_matchers_index_follows_merge_and_unmerge(front_door_officer: User) -> None:
    survivor = make_person(given_names="Anna", family_name="Kouao")
    merged = make_person(given_names="Anna", family_name="Manning")
    Residence.objects.create(
        person=merged,
        address=Address.objects.create(line_1="1 Canal Street", town="Riverford", postcode="M1 1AE"),
    )

    merge = merge_people(actor=front_door_officer, survivor=survivor, merged=merged, reason="Same")

    assert not MatchFeatures.objects.filter(person=merged).exists()
    assert not BlockingKey.objects.filter(person=merged).exists()
    features = MatchFeatures.objects.get(person=survivor).features
    assert "M11AE" in str(features)  # normalised, as the matcher keeps postcodes
    assert "MANNING" in str(features)

    unmerge_people(actor=front_door_officer, merge=merge, reason="Not the same")

    assert MatchFeatures.objects.filter(person=merged).exists()
    assert "M11AE" not in str(MatchFeatures.objects.get(person=survivor).features)


def test_search_shows_the_survivor_not_the_alias(front_door_officer: User) -> None:
    survivor = make_person(given_names="Anna", family_name="Kouao", date_of_birth=datetime.date(2015, 11, 2))
    merged = make_person(given_names="Anna", family_name="Manning", date_of_birth=datetime.date(2015, 11, 2))
    merge_people(actor=front_door_officer, survivor=survivor, merged=merged, reason="Same")

    results = search_people(front_door_officer, SearchQuery(name="Anna Manning"))

    assert [r.person.pk for r in results] == [survivor.pk]


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def officer_client(client: Client, front_door_officer: User) -> Client:
    client.force_login(front_door_officer)
    return client


def test_merge_pages_compare_confirm_and_merge(officer_client: Client) -> None:
    a = make_person(given_names="Anna", family_name="Kouao")
    b = make_person(given_names="Ana", family_name="Kouaou")
    make_contact(b)

    page = officer_client.get(reverse("people:detail", args=[a.pk]))
    assert reverse("matching:merge_start", args=[a.pk]) in page.content.decode()
    assert officer_client.get(reverse("matching:merge_start", args=[a.pk])).status_code == 200
    response = officer_client.post(reverse("matching:merge_start", args=[a.pk]), {"other": a.pk})
    assert "a different record" in response.content.decode()
    response = officer_client.post(reverse("matching:merge_start", args=[a.pk]), {"other": b.pk})
    compare = reverse("matching:merge_compare", args=[a.pk, b.pk])
    assert response["Location"] == compare

    page = officer_client.get(compare)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ana Kouaou" in text and "Contacts" in text
    fields = {
        "survivor": a.pk,
        "reason": "Same NHS number",
        "person_version": a.version,
        "other_version": b.version,
    }
    confirm = officer_client.post(compare, fields)
    assert "Merge Ana Kouaou into Anna Kouao?" in confirm.content.decode()
    assert not PersonMerge.objects.exists()

    done = officer_client.post(compare, fields | {"confirmed": "1"})

    assert done["Location"] == reverse("people:detail", args=[a.pk])
    merge = PersonMerge.objects.get()
    assert (merge.survivor_id, merge.merged_id, merge.reason) == (a.pk, b.pk, "Same NHS number")
    page = officer_client.get(reverse("people:detail", args=[a.pk]))
    assert "Merge history" in page.content.decode()
    assert reverse("matching:unmerge", args=[merge.pk]) in page.content.decode()


def test_merge_page_reports_a_stale_comparison(officer_client: Client) -> None:
    a, b = make_person(), make_person()
    compare = reverse("matching:merge_compare", args=[a.pk, b.pk])
    fields = {"survivor": a.pk, "reason": "Same", "person_version": a.version, "other_version": b.version}
    Person.objects.filter(pk=b.pk).update(version=b.version + 1)

    response = officer_client.post(compare, fields | {"confirmed": "1"})

    assert response.status_code == 200
    assert "changed after you opened this page" in response.content.decode()
    assert not PersonMerge.objects.exists()


def test_a_merged_records_page_sends_you_to_the_survivor(
    officer_client: Client, front_door_officer: User
) -> None:
    a, b = make_person(given_names="Anna", family_name="Kouao"), make_person()
    merge_people(actor=front_door_officer, survivor=a, merged=b, reason="Same school record")

    response = officer_client.get(reverse("people:detail", args=[b.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("people:detail", args=[a.pk])
    text = response.content.decode()
    assert "This record was merged into Anna Kouao" in text
    assert "Same school record" in text


def test_unmerge_page_lists_what_was_added_and_undoes(
    officer_client: Client, front_door_officer: User
) -> None:
    a, b = make_person(), make_person(given_names="Ana", family_name="Kouaou")
    merge = merge_people(actor=front_door_officer, survivor=a, merged=b, reason="Same")
    later = make_contact(a)
    url = reverse("matching:unmerge", args=[merge.pk])

    page = officer_client.get(url)

    assert page.status_code == 200
    text = page.content.decode()
    assert "belonged to Ana Kouaou" in text
    assert f'value="casework.contact:person:{later.pk}"' in text
    response = officer_client.post(url, {"reason": ""})
    assert "Say why these are not the same person" in response.content.decode()
    done = officer_client.post(
        url, {"reason": "Different children", "reassign": [f"casework.contact:person:{later.pk}"]}
    )
    assert done["Location"] == reverse("people:detail", args=[a.pk])
    assert Contact.objects.get(pk=later.pk).person_id == b.pk
    b.refresh_from_db()
    assert b.merged_into is None


def test_merge_pages_are_not_found_without_the_permission(client: Client, social_worker: User) -> None:
    a, b = make_person(), make_person()
    merge = merge_people(actor=persona("front_door_officer"), survivor=a, merged=b, reason="Same")
    client.force_login(social_worker)

    assert client.get(reverse("matching:merge_start", args=[a.pk])).status_code == 404
    assert client.post(reverse("matching:unmerge", args=[merge.pk]), {"reason": "x"}).status_code == 404
    assert (
        "Merge with another record" not in client.get(reverse("people:detail", args=[a.pk])).content.decode()
    )
    assert PersonMerge.objects.get().unmerged_at is None

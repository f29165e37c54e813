"""A realistic access history for the demo authority, written through the real code.

Searches, record views, a restricted record and a break-glass opening go through the same
actions and logging as a user's clicks, so the data protection officer's pages have true
things to show and `jigsaw verify_access_log` has a real chain to check.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.test import RequestFactory

from jigsaw.access import actions as access_actions
from jigsaw.access.log import record_access
from jigsaw.access.models import ReviewOutcome
from jigsaw.people.models import Person
from jigsaw.people.queries import SearchQuery, search_people


def write_access_history(*, seed: int, password: str, searches: int = 40) -> int:
    """Write the demo's access history; return how many log entries it added."""
    from jigsaw.access.models import AccessLogEntry

    before = AccessLogEntry.objects.count()
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security  # nosec B311
    users = {u.username: u for u in User.objects.filter(practitioner__isnull=False)}
    worker = users.get("social_worker")
    front_door = users.get("front_door_officer")
    manager = users.get("team_manager")
    dpo = users.get("data_protection_officer")
    if not (worker and front_door and manager):
        return 0
    children = list(
        Person.objects.filter(date_of_birth__gt=datetime.date(2008, 1, 1))
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    if not children:
        return 0

    # Failed sign-ins (a mistyped password, then a correct one) through Django's own signals.
    request = RequestFactory().post("/sign-in", REMOTE_ADDR="10.20.30.40")
    authenticate(request, username="social_worker", password="wrong-password")  # noqa: S106 - deliberately wrong  # nosec B106
    authenticate(request, username="social_worker", password=password)
    record_access(user=worker, action="sign_in")

    # Everyday searches and record views by social care staff.
    for _ in range(searches):
        user = rng.choice([worker, front_door, manager])
        person = Person.objects.get(pk=rng.choice(children))
        query = SearchQuery(
            name=f"{person.given_names.split(' ')[0]} {person.family_name}",
            date_of_birth=person.date_of_birth,
        )
        results = search_people(user, query)
        record_access(
            user=user, action="search", detail={"name": query.name}, subjects=[r.person for r in results]
        )
        if results:
            record_access(user=user, action="view", record=results[0].person)

    # A child placed for adoption: restricted to the manager and the allocated worker; the
    # front door opens it in an emergency, and the DPO reviews that.
    adopted_id = rng.choice(children)
    access_actions.restrict_record(
        actor=manager,
        person_id=adopted_id,
        reason="adoption",
        permitted_usernames=["social_worker"],
        note="Placed for adoption: keep the new address from the birth family.",
    )
    opening = access_actions.break_glass(
        actor=front_door,
        person_id=adopted_id,
        reason="Police called at 2am: child reported at the birth family's address; checking the placement.",
    )
    if dpo is not None:
        access_actions.review_break_glass(
            actor=dpo,
            access_id=opening.pk,
            outcome=ReviewOutcome.JUSTIFIED,
            note="Out-of-hours emergency, confirmed with the police log.",
        )
    return AccessLogEntry.objects.count() - before

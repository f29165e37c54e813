"""The admin site follows the access policy: agencies and teams are data an administrator keeps."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from jigsaw.access.log import record_access
from jigsaw.partners.models import Agency

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_an_agency(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    response = client.post(
        "/admin/partners/agency/add/", {"name": "Riverford Royal Infirmary", "kind": "acute_health"}
    )
    assert response.status_code == 302
    assert Agency.objects.filter(name="Riverford Royal Infirmary", kind="acute_health").exists()


def test_the_access_log_is_readable_but_not_editable(client: Client, administrator: User) -> None:
    entry = record_access(user=administrator, action="view", record_type="people.person", record_id="1")
    client.force_login(administrator)
    assert client.get("/admin/access/accesslogentry/").status_code == 200
    assert client.get("/admin/access/accesslogentry/add/").status_code == 403
    assert client.post(f"/admin/access/accesslogentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_staff_status_alone_does_not_open_the_admin(client: Client, social_worker: User) -> None:
    social_worker.is_staff = True
    social_worker.save()
    client.force_login(social_worker)
    assert client.get("/admin/partners/agency/").status_code == 302
    assert client.post("/admin/partners/agency/add/", {"name": "X", "kind": "police"}).status_code == 302
    assert not Agency.objects.filter(name="X").exists()


def test_an_administrator_sets_the_match_thresholds_but_not_the_estimates(
    client: Client, administrator: User
) -> None:
    from jigsaw.matching.matcher import active_version

    version = active_version()
    client.force_login(administrator)
    response = client.post(
        f"/admin/matching/matchmodelversion/{version.pk}/change/",
        {"auto_link_threshold": "0.9995", "review_threshold": "0.3", "parameters": "{}"},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.auto_link_threshold, version.review_threshold) == (0.9995, 0.3)
    assert version.parameters["comparisons"]  # read-only: the post could not replace it
    assert client.get("/admin/matching/matchmodelversion/add/").status_code == 403


def test_thresholds_out_of_order_are_refused_in_words(client: Client, administrator: User) -> None:
    from jigsaw.matching.matcher import active_version

    version = active_version()
    client.force_login(administrator)
    response = client.post(
        f"/admin/matching/matchmodelversion/{version.pk}/change/",
        {"auto_link_threshold": "0.5", "review_threshold": "0.9"},
    )
    assert response.status_code == 200
    assert "at most the auto-link threshold" in response.content.decode()

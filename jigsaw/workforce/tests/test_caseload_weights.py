"""Caseload weights: data an authority sets, loaded with defaults, read by the caseloads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.test import Client

from jigsaw.workforce.models import CaseKind, CaseloadWeight
from jigsaw.workforce.queries import caseload_weights, weighted_caseload

pytestmark = pytest.mark.django_db


def test_the_defaults_are_loaded() -> None:
    assert caseload_weights() == {
        CaseKind.ASSESSMENT: Decimal("1.00"),
        CaseKind.CHILD_IN_NEED: Decimal("1.00"),
        CaseKind.CHILD_PROTECTION: Decimal("1.50"),
        CaseKind.LOOKED_AFTER: Decimal("1.50"),
        CaseKind.EARLY_HELP: Decimal("0.50"),
    }


def test_a_kind_without_a_weight_counts_as_one_ordinary_case() -> None:
    CaseloadWeight.objects.filter(kind=CaseKind.LOOKED_AFTER).delete()
    assert caseload_weights()[CaseKind.LOOKED_AFTER] == Decimal("1.00")


def test_the_weighted_caseload_adds_up_the_weight_of_each_case() -> None:
    weights = caseload_weights()
    kinds = [
        CaseKind.ASSESSMENT,
        CaseKind.ASSESSMENT,
        CaseKind.CHILD_IN_NEED,
        CaseKind.CHILD_PROTECTION,
        CaseKind.CHILD_PROTECTION,
        CaseKind.LOOKED_AFTER,
        CaseKind.EARLY_HELP,
    ]
    assert weighted_caseload(kinds, weights) == Decimal("8.00")  # 1+1+1+1.5+1.5+1.5+0.5
    assert weighted_caseload([], weights) == Decimal("0.00")


def test_a_weight_cannot_be_negative() -> None:
    with pytest.raises(IntegrityError):
        CaseloadWeight.objects.filter(kind=CaseKind.ASSESSMENT).update(weight=Decimal("-1"))


def test_an_administrator_changes_a_weight_but_not_the_kinds(client: Client, administrator: User) -> None:
    weight = CaseloadWeight.objects.get(kind=CaseKind.CHILD_PROTECTION)
    client.force_login(administrator)

    assert client.get("/admin/workforce/caseloadweight/").status_code == 200
    response = client.post(f"/admin/workforce/caseloadweight/{weight.pk}/change/", {"weight": "2.00"})
    assert response.status_code == 302
    weight.refresh_from_db()
    assert weight.weight == Decimal("2.00")
    assert client.get("/admin/workforce/caseloadweight/add/").status_code == 403
    assert (
        client.post(f"/admin/workforce/caseloadweight/{weight.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert CaseloadWeight.objects.count() == len(CaseKind)


def test_others_cannot_change_the_weights(client: Client, team_manager: User) -> None:
    weight = CaseloadWeight.objects.get(kind=CaseKind.ASSESSMENT)
    client.force_login(team_manager)
    client.post(f"/admin/workforce/caseloadweight/{weight.pk}/change/", {"weight": "0.10"})
    weight.refresh_from_db()
    assert weight.weight == Decimal("1.00")

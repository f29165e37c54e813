"""Estimating the model from the index: a new version in force, what it was learnt from
written down, and guards against what EM gets wrong on an index with few duplicates."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command

from jigsaw.access.models import AccessLogEntry
from jigsaw.matching.comparisons import COMPARISONS
from jigsaw.matching.matcher import active_version, default_model
from jigsaw.matching.models import MatchModelVersion
from jigsaw.matching.training import M_FLOOR, implausible, regularise
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _index_with_duplicates() -> None:
    for n in range(120):
        dob = datetime.date(2010, 1, 1) + datetime.timedelta(days=37 * n)
        make_person(given_names=f"Child{n:03d}", family_name=f"Family{n % 40:02d}", date_of_birth=dob)
        if n % 4 == 0:
            make_person(given_names=f"Child{n:03d}", family_name=f"Family{n % 40:02d}x", date_of_birth=dob)


def test_training_puts_a_new_version_in_force_and_logs_it() -> None:
    _index_with_duplicates()
    shipped = active_version()
    MatchModelVersion.objects.filter(pk=shipped.pk).update(review_threshold=0.3)

    call_command("train_match_model", "--seed", "4")

    current = active_version()
    assert current.version == shipped.version + 1
    assert current.training_records == 150
    assert current.review_threshold == 0.3  # the policy carries over
    assert not MatchModelVersion.objects.get(pk=shipped.pk).is_active
    assert AccessLogEntry.objects.filter(action="train_match_model", record_id=str(current.pk)).exists()
    assert {c["output_column_name"] for c in current.parameters["comparisons"]} == {
        c.name for c in COMPARISONS
    }
    assert implausible(current.parameters) == []


def test_no_level_is_impossible_and_caps_hold() -> None:
    parameters = json.loads(json.dumps(default_model().parameters))
    for comparison in parameters["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                level["m_probability"] = 1e-40
        # EM's classic mistake: twins taken for one child with a wholly different given name.
        if comparison["output_column_name"] == "given_name":
            comparison["comparison_levels"][-1]["m_probability"] = 0.6

    regularise(parameters)

    for comparison in parameters["comparisons"]:
        m = [
            level["m_probability"]
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
        ]
        assert sum(m) == pytest.approx(1.0)
        assert min(m) >= M_FLOOR * 0.99
    given = next(c for c in parameters["comparisons"] if c["output_column_name"] == "given_name")
    assert given["comparison_levels"][-1]["m_probability"] == 0.02


def test_implausible_estimates_are_named() -> None:
    parameters = json.loads(json.dumps(default_model().parameters))
    dob = next(c for c in parameters["comparisons"] if c["output_column_name"] == "date_of_birth")
    dob["comparison_levels"][1]["m_probability"] = 0.01  # exact
    dob["comparison_levels"][3]["m_probability"] = 0.9  # one digit different

    assert implausible(parameters) == [
        "date_of_birth: m of 'one digit different' exceeds m of an exact match"
    ]

"""The demo authority's children in need census passes its own validation with no errors."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from jigsaw.performance.returns.cin_census import write_cin_census
from jigsaw.performance.returns.cin_validation import validate_cin_census
from jigsaw.performance.returns.common import latest_complete_year

pytestmark = pytest.mark.django_db


def test_the_demo_authoritys_census_has_no_errors() -> None:
    call_command("seed_demo", "--children", "1500", "--seed", "7", "--quiet", "--no-matching-extras")
    year = latest_complete_year()

    failures = validate_cin_census(year=year)
    errors = Counter(f"{f.code} {f.message}" for f in failures if f.is_error)

    assert not errors, errors.most_common()
    out = io.BytesIO()
    summary = write_cin_census(out, year=year)
    assert summary.children > 20
    root = etree.fromstring(out.getvalue())
    assert len(root.findall("Children/Child")) == summary.children
    assert len(root.findall("Children/Child/CINdetails")) == summary.episodes

"""The demo partnership's targets: real indicators, read back by target_for, removed by the reset."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jigsaw.core.demo_performance import TARGETS, delete_targets, write_targets
from jigsaw.performance.indicators import CATALOGUE
from jigsaw.performance.indicators.targets import target_for
from jigsaw.performance.models import IndicatorTarget

pytestmark = pytest.mark.django_db


def test_every_demo_target_is_for_an_indicator_in_the_catalogue() -> None:
    assert set(TARGETS) <= set(CATALOGUE)


def test_the_demo_targets_are_what_the_indicators_measure_against_and_the_reset_removes_them() -> None:
    IndicatorTarget.objects.create(indicator="contacts", target=Decimal("100"), reason="Set by the authority")

    assert write_targets() == len(TARGETS)
    assert write_targets() == len(TARGETS)  # again: updated, not doubled

    assert target_for(CATALOGUE["assessments_in_time"]) == Decimal("85")
    assert IndicatorTarget.objects.count() == len(TARGETS) + 1
    delete_targets()
    assert list(IndicatorTarget.objects.values_list("indicator", flat=True)) == ["contacts"]

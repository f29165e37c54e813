from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jigsaw.access.log import record_access
from jigsaw.access.models import AccessLogEntry
from jigsaw.core.csv_export import safe_cell
from tests.factories import make_person


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 1632 960000", "'+44 1632 960000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Kouao", "Kouao"),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_made_text(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


@pytest.mark.django_db
def test_the_access_history_download_is_safe_and_logged(
    client: Client, social_worker: User, data_protection_officer: User
) -> None:
    child = make_person()
    record_access(user=social_worker, action="view", record=child, reason="=cmd|' /C calc'!A0")
    client.force_login(data_protection_officer)

    response = client.get(reverse("access:history_csv", args=[child.pk]))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["when", "user", "agency", "what", "why", "from"]
    assert rows[-1][1:5] == [
        "social_worker",
        "Riverford Children's Social Care",
        "view",
        "'=cmd|' /C calc'!A0",
    ]
    assert AccessLogEntry.objects.filter(action="export", record_id=str(child.pk)).exists()

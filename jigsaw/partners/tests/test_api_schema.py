"""The partner events API fuzzed from its own OpenAPI description (schemathesis): whatever a
sender sends, valid or not, the answer is never a 5xx, and every answer has a status code,
content type and body the description documents.

Run with a valid token carrying every scope (a police force's and a hospital's system in
one, which no real agency has, so that every endpoint is reached past its scope check),
and a bounded number of examples per endpoint, so that the whole run stays under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jigsaw.partners.models import AgencyKind, ApiClient, FeedScope
from jigsaw.partners.queries.feeds import token_hash
from jigsaw.wsgi import application
from tests.factories import make_agency

TOKEN = "jgs_schemathesis-every-scope"  # a test token, made here


# Loaded when the module is collected: the description is served without the database.
# (`schemathesis.pytest.from_fixture` would load it per test, but fails on pytest 9's nodes.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(autouse=True)
def test_connection_kept() -> Iterator[None]:
    """The API is called through the WSGI application itself, which closes the database
    connection at the end of each request when it is inside a transaction (as the test's
    is); Django's own test client disconnects that, and so does this."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def every_scope(db: None) -> ApiClient:
    agency = make_agency("Riverford Police", AgencyKind.POLICE)
    return ApiClient.objects.create(
        name="Fuzzer",
        agency=agency,
        token_prefix=TOKEN[:12],
        token_hash=token_hash(TOKEN),
        scopes=list(FeedScope.values),
    )


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_input_gets_a_server_error_and_every_answer_is_documented(
    case: Any, every_scope: ApiClient
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )

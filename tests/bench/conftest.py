"""The copying test runs outside a transaction (the copy turns foreign key checks off, which
SQLite allows only between transactions), so like the browser tests it starts by putting
back the reference data the migrations load, which the flush after each such test removes."""

from __future__ import annotations

from importlib import import_module

import pytest

from tests.browser.conftest import DATA_MIGRATIONS


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)

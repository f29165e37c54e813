"""Expectations for the permission matrix, one module per part of Jigsaw.

Each module here defines:
- `EXPECTED`: url name -> function of the persona name ("anonymous" excluded) giving the
  status a GET should answer;
- `RECORDS`: url name -> function of a fresh person giving the URL's arguments (omit for
  URLs that take none).
`tests/test_permission_matrix.py` joins them with its own table; a URL with no
expectation anywhere fails the matrix.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from jigsaw.people.models import Person

Expected = Callable[[str], int]
Records = Callable[[Person], list[object]]

EXPECTED: dict[str, Expected] = {}
RECORDS: dict[str, Records] = {}

for _module_info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f"{__name__}.{_module_info.name}")
    for _name, _expected in getattr(_module, "EXPECTED", {}).items():
        assert _name not in EXPECTED, f"{_name} has two expectations in tests/matrix"
        EXPECTED[_name] = _expected
    RECORDS.update(getattr(_module, "RECORDS", {}))

SOCIAL_CARE = frozenset({"social_worker", "team_manager", "front_door_officer", "conference_chair"})

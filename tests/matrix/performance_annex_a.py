"""Ofsted Annex A: managers and analysts run the statutory returns. The download without a
chosen as-at date sends them back to the page to choose one."""

from __future__ import annotations

RETURNS = frozenset({"team_manager", "analyst"})

EXPECTED = {
    "performance:annex_a": lambda who: 200 if who in RETURNS else 403,
    "performance:annex_a_download": lambda who: 302 if who in RETURNS else 403,
}

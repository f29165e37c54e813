"""Performance's front page: managers, analysts and the partnership (each part decides for
itself who may use it)."""

from __future__ import annotations

PERFORMANCE = frozenset({"team_manager", "analyst", "partnership_member"})

EXPECTED = {"performance:home": lambda who: 200 if who in PERFORMANCE else 403}

"""The demand forecast: counts only, for those who see performance (managers, analysts and
the partnership)."""

from __future__ import annotations

FORECAST = frozenset({"team_manager", "analyst", "partnership_member"})

EXPECTED = {"performance:forecast": lambda who: 200 if who in FORECAST else 403}

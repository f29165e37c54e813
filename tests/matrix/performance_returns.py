"""Statutory returns: the census page and its download are for those who run the returns
(team managers and analysts). With no casework the census has no errors, so the download
answers 200."""

from __future__ import annotations

RUN_RETURNS = frozenset({"team_manager", "analyst"})

EXPECTED = {
    "performance:cin_census": lambda who: 200 if who in RUN_RETURNS else 403,
    "performance:cin_census_download": lambda who: 200 if who in RUN_RETURNS else 403,
}

"""Oversight's front page: everyone with a role sees it (each part decides for itself)."""

from __future__ import annotations

EXPECTED = {"quality:home": lambda who: 200}

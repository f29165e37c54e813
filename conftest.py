"""Fixtures shared by every test: the named personas."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import User

os.environ.setdefault("JIGSAW_INSECURE_LOCAL", "1")

from tests.factories import persona


@pytest.fixture
def social_worker(db: None) -> User:
    return persona("social_worker")


@pytest.fixture
def team_manager(db: None) -> User:
    return persona("team_manager")


@pytest.fixture
def front_door_officer(db: None) -> User:
    return persona("front_door_officer")


@pytest.fixture
def school_dsl(db: None) -> User:
    return persona("school_dsl")


@pytest.fixture
def gp(db: None) -> User:
    return persona("gp")


@pytest.fixture
def analyst(db: None) -> User:
    return persona("analyst")


@pytest.fixture
def administrator(db: None) -> User:
    return persona("administrator")


@pytest.fixture
def conference_chair(db: None) -> User:
    return persona("conference_chair")


@pytest.fixture
def data_protection_officer(db: None) -> User:
    return persona("data_protection_officer")

from __future__ import annotations

import collections
import csv
import re
from importlib import resources

import pytest

from jigsaw.matching.names import load_name_variants, name_groups, same_name_group


def _rows() -> list[list[str]]:
    text = resources.files("jigsaw.matching").joinpath("data", "name_variants.csv").read_text("utf-8")
    return list(csv.reader(text.splitlines()))


def test_file_has_the_header() -> None:
    assert _rows()[0] == ["group", "name", "kind"]


def test_every_row_is_well_formed() -> None:
    for number, row in enumerate(_rows()[1:], start=2):
        assert len(row) == 3, f"line {number}: {row}"
        group, name, kind = row
        assert re.fullmatch(r"[A-Z]+", group), f"line {number}: group {group!r}"
        assert re.fullmatch(r"[A-Z]+", name), f"line {number}: name {name!r}"
        assert kind in {"nickname", "transliteration"}, f"line {number}: kind {kind!r}"


def test_no_duplicate_rows() -> None:
    counts = collections.Counter((group, name) for group, name, _ in _rows()[1:])
    assert [pair for pair, count in counts.items() if count > 1] == []


def test_each_group_lists_its_canonical_name_and_at_least_one_variant() -> None:
    members: dict[str, set[str]] = collections.defaultdict(set)
    for group, name, _ in _rows()[1:]:
        members[group].add(name)
    assert len(members) > 100
    assert {group for group, names in members.items() if len(names) < 2} == set()
    assert {group for group, names in members.items() if group not in names} == set()


def test_load_maps_each_name_to_its_groups() -> None:
    variants = load_name_variants()
    assert variants["BILL"] == frozenset({"WILLIAM"})
    assert variants["ALEX"] == frozenset({"ALEXANDER", "ALEXANDRA"})
    assert load_name_variants() is variants  # cached


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("William", "Bill"),
        ("Liam", "Billy"),
        ("Elizabeth", "Lizzie"),
        ("Betty", "Eliza"),
        ("Margaret", "Peggy"),
        ("Robert", "Bobby"),
        ("Alexander", "Sandy"),
        ("Alexander", "Oleksandr"),
        ("Aleksandr", "Alex"),
        ("Katherine", "Cathy"),
        ("Catherine", "Kate"),
        ("Jonathan", "Jon"),
        ("John", "Jack"),
        ("Thomas", "Tommy"),
        ("Anthony", "Tony"),
        ("Mohammed", "Muhammad"),
        ("Mohamed", "Mohamad"),
        ("Aisha", "Ayesha"),
        ("Fatima", "Fatimah"),
        ("Yusuf", "Youssef"),
        ("Sean", "Shawn"),
        ("Zoë", "zoey"),
        ("Leah", "Lea"),
        ("Aaliyah", "Aliyah"),
    ],
)
def test_variants_share_a_group(a: str, b: str) -> None:
    assert same_name_group(a, b)
    assert same_name_group(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [("William", "Robert"), ("Alexander", "Alexandra"), ("Sam", "Bill"), ("Zzyzx", "Zzyzx")],
)
def test_different_names_do_not_share_a_group(a: str, b: str) -> None:
    assert not same_name_group(a, b)


def test_name_groups_of_an_unknown_name_is_empty() -> None:
    assert name_groups("Zzyzx") == frozenset()
    assert name_groups("") == frozenset()


def test_name_groups_reduces_the_name_first() -> None:
    assert name_groups(" mo-hamed ") == frozenset({"MOHAMMED"})

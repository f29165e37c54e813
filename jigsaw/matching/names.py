"""Given-name variants: which names are the same name for matching purposes.

The list is data (`data/name_variants.csv`, columns group,name,kind) so that it can be
reviewed and extended without touching code. A group is named by its canonical name and
lists every member, the canonical name included. `kind` says how a member relates to the
canonical name: `nickname` (a short or familiar form: Bill for William) or
`transliteration` (the same name written another way: Mohamed for Mohammed, Oleksandr for
Alexander, Shaun for Sean); the canonical name's own row carries its group's main kind.
A name is in more than one group only when it is truly ambiguous (Alex: Alexander or
Alexandra), so lookups answer sets of groups.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from importlib import resources

_NON_LETTER = re.compile(r"[^A-Z]")


def _key(name: str) -> str:
    # The same reduction the file's names are written in: accents dropped, upper-case A-Z only.
    decomposed = unicodedata.normalize("NFKD", name)
    return _NON_LETTER.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)).upper())


@functools.lru_cache(maxsize=1)
def load_name_variants() -> dict[str, frozenset[str]]:
    """Each name in the list -> the ids (canonical names) of the groups it belongs to."""
    text = resources.files("jigsaw.matching").joinpath("data", "name_variants.csv").read_text("utf-8")
    groups: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        groups.setdefault(row["name"], set()).add(row["group"])
    return {name: frozenset(ids) for name, ids in groups.items()}


def name_groups(name: str) -> frozenset[str]:
    """The groups a given name belongs to; empty for a name not in the list.

    Accepts the name as written ("Zoë", "mohamed"); it is reduced to upper-case A-Z first.
    """
    return load_name_variants().get(_key(name), frozenset())


def same_name_group(a: str, b: str) -> bool:
    """Whether two given names share a variant group (William and Bill, Aisha and Ayesha).

    Only the list decides: two equal names outside it are not "in the same group", so
    callers compare exact equality themselves.
    """
    return bool(name_groups(a) & name_groups(b))

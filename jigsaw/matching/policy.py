"""What to do with a match: link it, ask a person, or treat the record as someone new.

Thresholds are policy, kept with each model version (an administrator can change them):
at or above the auto-link threshold a record links by itself; from the review threshold
up to it, it goes to the front door's review queue; below, it is a new person.

Some pairs go to a person whatever the probability, because a wrong automatic link puts
one child's history on another child's record:
- conflicting strong identifiers: the same NHS number or UPN with dates of birth that no
  slip explains;
- a possible twin: the same (or nearly the same) family name and date of birth with a
  different given name (or a different sex), or one name the same and the other wholly
  different, and no shared NHS number or UPN (twins have their own);
- a wholly different date of birth (a parent and a child of the same name), or no date of
  birth and no shared identifier to stand in for it;
- a second candidate in the review band: two people could be this record.
"""

from __future__ import annotations

import dataclasses
import enum

from jigsaw.matching.comparisons import (
    DATE_OF_BIRTH,
    FAMILY_NAME,
    GIVEN_NAME,
    NHS_NUMBER,
    SEX,
    UPN,
    Comparison,
)
from jigsaw.matching.features import Features
from jigsaw.matching.matcher import Candidate
from jigsaw.matching.models import MatchModelVersion, ReviewReason


class Outcome(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclasses.dataclass(frozen=True)
class Decision:
    outcome: Outcome
    candidate: Candidate | None
    reason: ReviewReason | None = None


def _label(comparison: Comparison, levels: dict[str, int]) -> str:
    return comparison.levels[levels[comparison.name]].label


_DOB_AGREES = {"exact", "day and month swapped", "one digit different", "estimated, within a year"}


# A twin's records can carry the same slips as anyone's: a family name misspelt, a date
# of birth with its day and month swapped.
_DOB_CLOSE = {"exact", "day and month swapped", "one digit different"}
_FAMILY_CLOSE = {
    "exact",
    "matches a part or a previous family name",
    "very similar spelling",
    "sounds the same",
    "similar spelling",
}
# Twins' names are often alike (Lee and Leo, Hui and Hao sound the same to Metaphone;
# Hassan Muhammad and Haris Muhammad share a middle name).
_GIVEN_DIFFERS = {"all other comparisons", "similar spelling", "matches a middle name", "sounds the same"}
_GIVEN_CLOSE = {"exact", "known variant (nickname or spelling)", "very similar spelling"}


def _twin_shaped(levels: dict[str, int]) -> bool:
    """One person, or two born on the same day into one family? Twins share the date of
    birth, the family name and the home, and differ in the given name (or, in records with
    the names written the wrong way round, in what sits in the family-name field), and
    often in sex."""
    if _label(DATE_OF_BIRTH, levels) not in _DOB_CLOSE:
        return False
    given, family = _label(GIVEN_NAME, levels), _label(FAMILY_NAME, levels)
    sex_differs = _label(SEX, levels) == "all other comparisons"
    if family in _FAMILY_CLOSE and (given in _GIVEN_DIFFERS or (sex_differs and given != "exact")):
        return True
    return given in _GIVEN_CLOSE and family == "all other comparisons"


def _conflicting_identifiers(a: Features, b: Features, dob: str) -> bool:
    """The same NHS number or UPN on records whose dates of birth are not explained by a
    slip (swapped day and month, one digit, an estimate): one identifier is wrong."""
    shared = any(a[c] and a[c] == b[c] for c in ("nhs", "upn"))
    return shared and a["dob"] is not None and b["dob"] is not None and dob not in _DOB_AGREES


def must_review(left: Features, right: Features, levels: dict[str, int]) -> ReviewReason | None:
    """The reason this pair may not link by itself, however probable; None if it may."""
    dob = _label(DATE_OF_BIRTH, levels)
    if _conflicting_identifiers(left, right, dob):
        return ReviewReason.CONFLICTING_IDENTIFIERS
    identified = _label(NHS_NUMBER, levels) == "same" or _label(UPN, levels) == "same"
    if not identified and _twin_shaped(levels):
        return ReviewReason.POSSIBLE_TWIN
    if dob not in _DOB_AGREES and not identified:
        return ReviewReason.DATE_OF_BIRTH_DIFFERS
    return None


def decide(candidates: list[Candidate], mine: Features, version: MatchModelVersion) -> Decision:
    """Auto-link, review or new person, for the best candidate."""
    if not candidates:
        return Decision(Outcome.NEW, None)
    # Whatever the probability: a shared NHS number or UPN is never silently a new person.
    for candidate in candidates:
        if _conflicting_identifiers(mine, candidate.features, _label(DATE_OF_BIRTH, candidate.levels)):
            return Decision(Outcome.REVIEW, candidate, ReviewReason.CONFLICTING_IDENTIFIERS)
    best = candidates[0]
    if best.probability < version.review_threshold:
        return Decision(Outcome.NEW, None)
    if best.probability < version.auto_link_threshold:
        return Decision(Outcome.REVIEW, best, ReviewReason.REVIEW_BAND)
    reason = must_review(mine, best.features, best.levels)
    if reason is not None:
        return Decision(Outcome.REVIEW, best, reason)
    runner_up = candidates[1] if len(candidates) > 1 else None
    if runner_up is not None and runner_up.probability >= version.review_threshold:
        return Decision(Outcome.REVIEW, best, ReviewReason.SECOND_CANDIDATE)
    return Decision(Outcome.LINK, best)

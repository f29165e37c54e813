"""What to do with a match: link it, ask a person, or treat the record as someone new.

Thresholds are policy, kept with each model version (an administrator can change them):
at or above the auto-link threshold a record links by itself; from the review threshold
up to it, it goes to the front door's review queue; below, it is a new person.

Some pairs go to a person whatever the probability, because a wrong automatic link puts
one child's history on another child's record:
- conflicting strong identifiers: the same NHS number or UPN with dates of birth that no
  slip explains;
- a possible twin: the same (or nearly the same) family name and date of birth with a
  different given name, and no shared NHS number or UPN (twins have their own);
- a wholly different date of birth (a parent and a child of the same name), or no date of
  birth and no shared identifier to stand in for it;
- a second candidate in the review band: two people could be this record.
"""

from __future__ import annotations

import dataclasses
import enum

from jigsaw.matching.comparisons import DATE_OF_BIRTH, FAMILY_NAME, GIVEN_NAME, NHS_NUMBER, UPN, Comparison
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
}
_GIVEN_DIFFERS = {"all other comparisons", "similar spelling", "matches a middle name"}


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
    if (
        dob in _DOB_CLOSE
        and not identified
        and _label(FAMILY_NAME, levels) in _FAMILY_CLOSE
        and _label(GIVEN_NAME, levels) in _GIVEN_DIFFERS
    ):
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

"""Estimating a new model from the person index and putting it in force."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jigsaw.access.log import record_access
from jigsaw.matching.matcher import active_version, default_model
from jigsaw.matching.models import MatchFeatures, MatchModelVersion, MatchReview, ReviewStatus
from jigsaw.matching.training import train


def reviewer_labels() -> list[tuple[str, str, bool]]:
    """Every decided review between two people in the index, as training labels."""
    decided = MatchReview.objects.filter(record__isnull=False).exclude(status=ReviewStatus.OPEN)
    return [
        (str(record), str(candidate), status == ReviewStatus.SAME_PERSON)
        for record, candidate, status in decided.values_list("record_id", "candidate_id", "status")
    ]


def _notes(about: dict[str, list[str]], people: int, labels: int) -> str:
    notes = [f"Estimated from {people} people and {labels} reviewed pairs."]
    if about["m_from_fallback_because"]:
        notes.append(
            "Expectation maximisation on this index gave implausible m probabilities ("
            + "; ".join(about["m_from_fallback_because"])
            + "), so the m probabilities are the shipped model's; u, the prior and the name "
            "frequencies are this index's."
        )
    if about["unconverged_sessions"]:
        notes.append("Sessions that did not converge: " + "; ".join(about["unconverged_sessions"]))
    return " ".join(notes)


def train_from_index(*, seed: int = 0, activate: bool = True) -> MatchModelVersion:
    """Estimate a model from every person in the index (merged aliases excluded: they are
    found through their survivor) and the reviewers' decisions, and store it as the next
    version; the decision thresholds carry over from the model in force."""
    rows = [f for (f,) in MatchFeatures.objects.order_by("person_id").values_list("features")]
    labels = reviewer_labels()
    # Reviewed pairs where one side has since merged away have no features left to learn from.
    present = {f["record_id"] for f in rows}
    labels = [label for label in labels if label[0] in present and label[1] in present]
    model = train(rows=rows, labels=labels, seed=seed, fallback=default_model())
    current = active_version()
    with transaction.atomic():
        number = (MatchModelVersion.objects.aggregate(n=Max("version"))["n"] or 0) + 1
        if activate:
            MatchModelVersion.objects.filter(is_active=True).update(is_active=False)
        version = MatchModelVersion.objects.create(
            version=number,
            trained_at=timezone.now(),
            training_records=model.training_records,
            labelled_pairs=len(labels),
            splink_version=str(model.parameters["jigsaw"]["splink_version"]),
            parameters=model.parameters,
            term_frequencies=model.term_frequencies,
            is_active=activate,
            auto_link_threshold=current.auto_link_threshold,
            review_threshold=current.review_threshold,
            notes=_notes(model.parameters["jigsaw"], model.training_records, len(labels)),
        )
        # Training reads everyone's identifying details: the log says so, once.
        record_access(
            user=None,
            action="train_match_model",
            record=version,
            detail={"people": model.training_records, "labelled_pairs": len(labels)},
        )
    return version

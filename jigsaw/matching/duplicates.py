"""The nightly duplicate check: the person index scored against itself (issue 4, item 5).

Two records of one child in the index hide half of that child's history from whoever
opens the other. The check deduplicates the whole index with batch linkage (Splink on
DuckDB) and the model in force, and queues every pair at or above the model's review
threshold for the front door to decide, once: a pair already open or decided is not
queued again, so the check is safe to run every night.
"""

from __future__ import annotations

from jigsaw.access.log import record_access
from jigsaw.matching import batch, index
from jigsaw.matching.features import Features, features
from jigsaw.matching.matcher import active_version
from jigsaw.matching.models import MatchReview, MatchSource, ReviewReason
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.review import queue_or_find
from jigsaw.matching.scorer import Scorer, TrainedModel
from jigsaw.matching.splink_tables import term_frequencies
from jigsaw.people.models import Person

BATCH_SIZE = 5000


def index_records(*, batch_size: int = BATCH_SIZE) -> list[MatchRecord]:
    """Every person in the index (merged aliases are found through their survivor), read
    a batch at a time."""
    records: list[MatchRecord] = []
    last = 0
    while True:
        people = list(
            Person.objects.filter(pk__gt=last, merged_into__isnull=True).order_by("pk")[:batch_size]
        )
        if not people:
            return records
        records += index.person_records(people)
        last = people[-1].pk


def _asked_pairs() -> set[frozenset[int]]:
    """Pairs of people already in the queue, open or decided, in either order."""
    rows = MatchReview.objects.filter(record__isnull=False).values_list("record_id", "candidate_id")
    return {frozenset((a, b)) for a, b in rows if a is not None}


def find_possible_duplicates(*, threshold: float | None = None, progress: bool = False) -> int:
    """Queue every pair of people in the index that may be one person; return how many
    were queued. `threshold` defaults to the review threshold of the model in force.

    The prior is not scaled to the job: the index is the population the model's prior is
    for. Splink is given the index's own term frequencies, and so is the scorer that
    writes each pair's explanation, so the explanation adds up to the probability shown.
    """
    version = active_version()
    cut = version.review_threshold if threshold is None else threshold
    records = index_records()
    if len(records) < 2:
        return 0
    model = TrainedModel(version.parameters, version.term_frequencies, version.training_records)
    pairs = batch.link(records, None, model, threshold=cut, progress=progress, scale_prior=False)
    rows: dict[str, Features] = {r.record_id: features(r) for r in records}
    scorer = Scorer(TrainedModel(version.parameters, term_frequencies(list(rows.values())), len(rows)))
    asked = _asked_pairs()
    queued = 0
    for left_id, right_id, probability in pairs:
        ids = sorted((int(left_id), int(right_id)))
        if frozenset(ids) in asked:
            continue
        # The newer record is the one asked about; the older is its candidate, as when a
        # person is added.
        older, newer = ids
        people = {p.pk: p for p in Person.objects.filter(pk__in=ids, merged_into__isnull=True)}
        if len(people) != 2:
            continue  # merged or deleted since the index was read
        score = scorer.score(rows[str(newer)], rows[str(older)])
        _, created = queue_or_find(
            source=MatchSource.NIGHTLY_BATCH,
            reason=ReviewReason.POSSIBLE_DUPLICATE,
            record=people[newer],
            candidate=people[older],
            probability=probability,
            match_weight=score.match_weight,
            explanation=[part.as_dict() for part in score.parts],
            version=version,
        )
        asked.add(frozenset(ids))
        queued += int(created)
    # The check read everyone's identifying details: the log says so, once.
    record_access(
        user=None,
        action="find_duplicates",
        record=version,
        detail={"people": len(records), "pairs": len(pairs), "queued": queued, "threshold": cut},
    )
    return queued

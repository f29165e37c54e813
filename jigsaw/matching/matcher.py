"""The one matcher: `match(record)` ranks the people in the index who may be this record.

Candidates come by index: the record's blocking keys are looked up in `BlockingKey`
(one indexed query), their stored features read in a second, and each scored in Python
with the active trained model (the same arithmetic as Splink's predict). Stock Splink
would redo the blocking join against the whole index for every record; this does not.

`jigsaw.matching.policy.decide` then says what to do with the best of them.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
from collections.abc import Iterable
from importlib import resources

from django.db import IntegrityError, transaction
from django.utils import timezone

from jigsaw.matching.features import Features, blocking_keys, features
from jigsaw.matching.models import BlockingKey, MatchFeatures, MatchModelVersion
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.scorer import Part, Score, Scorer, TrainedModel, probability_of

# Beyond this many candidates a record's keys are too common to tell anyone apart; the
# best-keyed ones are kept (people sharing most keys first).
CANDIDATE_LIMIT = 300


@dataclasses.dataclass(frozen=True)
class Candidate:
    person_id: int
    probability: float
    match_weight: float
    parts: tuple[Part, ...]
    levels: dict[str, int]
    features: Features

    @property
    def record_id(self) -> str:
        """The candidate's id in its own collection (a Jigsaw ID in the person index)."""
        return str(self.features["record_id"])

    def explanation(self) -> str:
        return Score(self.match_weight, self.probability, self.parts, self.levels).explanation()


def default_model() -> TrainedModel:
    """The model Jigsaw ships with, estimated by Splink from the synthetic benchmark corpus
    (scripts/train_default_match_model.py); `jigsaw train_match_model` replaces it with one
    estimated from the authority's own index."""
    text = resources.files("jigsaw.matching").joinpath("data", "default_model.json").read_text("utf-8")
    data = json.loads(text)
    return TrainedModel(data["parameters"], data["term_frequencies"], data["training_records"])


def active_version() -> MatchModelVersion:
    """The model in force; on a new installation, the shipped default becomes version 1."""
    found = MatchModelVersion.objects.filter(is_active=True).first()
    if found is not None:
        return found
    model = default_model()
    try:
        with transaction.atomic():
            return MatchModelVersion.objects.create(
                version=1,
                trained_at=timezone.now(),
                training_records=model.training_records,
                splink_version=str(model.parameters.get("jigsaw", {}).get("splink_version", "")),
                parameters=model.parameters,
                term_frequencies=model.term_frequencies,
                is_active=True,
                notes="Shipped default, estimated from synthetic records; retrain on the index.",
            )
    except IntegrityError:
        # Another process installed it first.
        return MatchModelVersion.objects.get(is_active=True)


@functools.lru_cache(maxsize=4)
def _scorer_for(version_id: int, trained_at: datetime.datetime) -> Scorer:
    # Keyed by when the model was trained as well as its row: a row number can come back
    # for another model (a database restored, or rows rolled back and written again), and
    # the cache must then not hand out the old model's weights.
    version = MatchModelVersion.objects.get(pk=version_id, trained_at=trained_at)
    return Scorer(TrainedModel(version.parameters, version.term_frequencies, version.training_records))


def active_scorer() -> tuple[MatchModelVersion, Scorer]:
    # Every match asks which model is active: read the row without its parameters and term
    # frequencies (hundreds of KB of JSON, decoded on every read), which the cached scorer
    # already holds; a caller that reads them still gets them, loaded then.
    version = MatchModelVersion.objects.filter(is_active=True).defer("parameters", "term_frequencies").first()
    if version is None:
        version = active_version()
    return version, _scorer_for(version.pk, version.trained_at)


def candidate_ids(keys: Iterable[str], *, exclude: Iterable[int] = ()) -> list[int]:
    keys = list(keys)
    if not keys:
        return []
    ids = BlockingKey.objects.filter(key__in=keys).values_list("person_id", flat=True)
    counts: dict[int, int] = {}
    for person_id in ids:
        counts[person_id] = counts.get(person_id, 0) + 1
    for person_id in exclude:
        counts.pop(person_id, None)
    ranked = sorted(counts, key=lambda pid: (-counts[pid], pid))
    return ranked[:CANDIDATE_LIMIT]


def match(
    record: MatchRecord,
    *,
    limit: int = 10,
    exclude: Iterable[int] = (),
    scorer: Scorer | None = None,
    minimum: float = 0.0,
) -> list[Candidate]:
    """The people who may be this record, likeliest first, each with a probability and the
    reasons. Not filtered by who may see them: callers ask the access policy."""
    if scorer is None:
        scorer = active_scorer()[1]
    mine = features(record)
    ids = candidate_ids(blocking_keys(mine), exclude=exclude)
    rows = MatchFeatures.objects.filter(person_id__in=ids).values_list("person_id", "features")
    return rank(mine, rows, scorer, limit=limit, minimum=minimum)


def rank(
    mine: Features, rows: Iterable[tuple[int, Features]], scorer: Scorer, *, limit: int, minimum: float = 0.0
) -> list[Candidate]:
    # Ranked by the match weight alone; only the candidates returned are scored again with
    # their explanation (same weight, same probability), which most of the hundreds scored
    # never need.
    weighed = []
    for person_id, theirs in rows:
        weight = scorer.match_weight(mine, theirs)
        if probability_of(weight) >= minimum:
            weighed.append((-weight, person_id, theirs))
    weighed.sort(key=lambda w: (w[0], w[1]))
    candidates = []
    for _, person_id, theirs in weighed[:limit]:
        score = scorer.score(mine, theirs)
        candidates.append(
            Candidate(person_id, score.probability, score.match_weight, score.parts, score.levels, theirs)
        )
    return candidates

"""The single-record matcher over records held in memory rather than in the person index:
the same keys, the same scoring and ranking as `matcher.match`, for the benchmark and for
matching one file's records against another without a database."""

from __future__ import annotations

from collections import defaultdict

from jigsaw.matching.features import Features, blocking_keys, features
from jigsaw.matching.matcher import CANDIDATE_LIMIT, Candidate, rank
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.scorer import Scorer, TrainedModel


class MemoryIndex:
    def __init__(self, model: TrainedModel) -> None:
        self.scorer = Scorer(model)
        self._features: dict[int, Features] = {}
        self._ids: dict[str, int] = {}
        self._keys: dict[str, list[int]] = defaultdict(list)

    def add(self, record: MatchRecord) -> None:
        number = len(self._ids)
        self._ids[record.record_id] = number
        row = features(record)
        self._features[number] = row
        for key in blocking_keys(row):
            self._keys[key].append(number)

    def match(self, record: MatchRecord, *, limit: int = 10, exclude_self: bool = True) -> list[Candidate]:
        mine = features(record)
        counts: dict[int, int] = defaultdict(int)
        for key in blocking_keys(mine):
            for number in self._keys.get(key, ()):
                counts[number] += 1
        if exclude_self and record.record_id in self._ids:
            counts.pop(self._ids[record.record_id], None)
        ranked = sorted(counts, key=lambda n: (-counts[n], n))[:CANDIDATE_LIMIT]
        return rank(mine, ((n, self._features[n]) for n in ranked), self.scorer, limit=limit)

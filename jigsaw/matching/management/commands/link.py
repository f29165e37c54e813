from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from jigsaw.matching.csv_input import COLUMNS, InputFileError, read_records
from jigsaw.matching.records import MatchRecord


def _write_atomically(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    """Write to a temporary file beside `path` and return it; the caller renames it into
    place, so an interrupted run never leaves a half-written output. The file is readable
    by its owner only (it holds people's record ids)."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, kept on success
        "w",
        encoding="utf-8",
        newline="",
        dir=path.parent,
        prefix=f".{path.name}.",
        suffix=".tmp",
        delete=False,
    )
    try:
        with handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(handle.name)
        raise
    return Path(handle.name)


class Command(BaseCommand):
    help = (
        "Deduplicate one CSV of people (--left) or link two (--left and --right), writing every pair "
        "at or above the threshold to --out as left_id,right_id,match_probability, and with --clusters "
        f"each record's cluster. Input columns (header row, any subset): {', '.join(COLUMNS)}; "
        "dob as YYYY-MM-DD, sex as M, F or U. A file with problems is rejected with every problem "
        "listed by line, and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--left", required=True, type=Path, help="the file to deduplicate, or to link from"
        )
        parser.add_argument("--right", type=Path, help="the file to link to (omit to deduplicate --left)")
        parser.add_argument("--out", required=True, type=Path, help="where to write the pairs")
        parser.add_argument("--clusters", type=Path, help="where to write cluster_id,record_id rows")
        parser.add_argument(
            "--threshold", type=float, default=0.5, help="the lowest match probability kept (default 0.5)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold: float = options["threshold"]
        if math.isnan(threshold) or not 0 <= threshold <= 1:
            raise CommandError(f"--threshold must be between 0 and 1, not {threshold}")
        left_path: Path = options["left"]
        right_path: Path | None = options["right"]
        out_path: Path = options["out"]
        clusters_path: Path | None = options["clusters"]
        self._check_outputs(
            [left_path, *([right_path] if right_path else [])],
            [out_path, *([clusters_path] if clusters_path else [])],
        )

        problems: list[str] = []
        left = self._read(left_path, problems)
        right = self._read(right_path, problems) if right_path else None
        if clusters_path and right is not None:
            # Cluster rows name records by id alone, so an id must say which file it is from.
            right_ids = {r.record_id for r in right}
            shared = sorted({r.record_id for r in left} & right_ids)
            problems += [
                f"record_id {record_id!r} is in both {left_path} and {right_path}; --clusters needs ids "
                "that are unique across the two files"
                for record_id in shared
            ]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) in the input; nothing was written")

        # Imported here so that checking a file does not load Splink and DuckDB.
        from jigsaw.matching.batch import clusters, held_for_review, link
        from jigsaw.matching.matcher import active_version, default_model
        from jigsaw.matching.scorer import TrainedModel

        # The model in force for the person index, so a batch job scores as the front door does;
        # on a machine whose database is not set up, the model Jigsaw ships with.
        try:
            version = active_version()
        except DatabaseError:
            model = default_model()
            self.stderr.write("No database set up: using the match model Jigsaw ships with.")
        else:
            model = TrainedModel(version.parameters, version.term_frequencies, version.training_records)
        pairs = link(left, right, model, threshold=threshold, progress=True)
        outputs = [
            (
                out_path,
                _write_atomically(
                    out_path,
                    ["left_id", "right_id", "match_probability"],
                    ([a, b, f"{p:.6f}"] for a, b, p in pairs),
                ),
            )
        ]
        summary = f"{len(pairs)} pair(s) at or above {threshold} written to {out_path}"
        try:
            if clusters_path:
                everyone = [*left, *(right or [])]
                ids = [r.record_id for r in everyone]
                # A cluster is one person: pairs the policy would put before a person (twins,
                # conflicting identifiers) do not join clusters, whatever their probability.
                held = held_for_review(pairs, everyone, model)
                rows = clusters([p for p in pairs if (p[0], p[1]) not in held], ids, threshold)
                outputs.append(
                    (clusters_path, _write_atomically(clusters_path, ["cluster_id", "record_id"], rows))
                )
                count = len({cluster for cluster, _ in rows})
                summary += f"; {len(rows)} record(s) in {count} cluster(s) written to {clusters_path}"
                if held:
                    summary += f" ({len(held)} pair(s) kept apart for a person to check)"
        except BaseException:
            for _, temporary in outputs:
                temporary.unlink(missing_ok=True)
            raise
        for final, temporary in outputs:
            os.replace(temporary, final)
        self.stdout.write(summary)

    def _read(self, path: Path, problems: list[str]) -> list[MatchRecord]:
        try:
            return read_records(path)
        except InputFileError as error:
            problems += [f"{error.path}: {problem}" for problem in error.problems]
            return []

    def _check_outputs(self, inputs: list[Path], outputs: list[Path]) -> None:
        """Refuse before a long run what would fail, or destroy an input, at the end."""
        resolved_inputs = {p.resolve() for p in inputs}
        seen: set[Path] = set()
        for path in outputs:
            resolved = path.resolve()
            if resolved in resolved_inputs:
                raise CommandError(f"{path} is an input file; write the output somewhere else")
            if resolved in seen:
                raise CommandError("--out and --clusters must be different files")
            if not resolved.parent.is_dir():
                raise CommandError(f"the folder for {path} does not exist")
            if resolved.is_dir():
                raise CommandError(f"{path} is a folder; name a file")
            seen.add(resolved)

"""Issue 5's two figures in one run: flag checks (`partners_flags.py`) and feed ingest
(`partners_ingest.py`), each in its own process (each sets Django up on its own database).

    .venv/bin/python bench/partners.py                       # SQLite: 1,000,000 and 100,000 people
    .venv/bin/python bench/partners.py --reuse               # time again on the indexes built before
    .venv/bin/python bench/partners.py --database-url postgres://postgres@127.0.0.1:5432/jigsaw_bench_partners

With --database-url, both benchmarks use databases named after it (the ingest's with the
suffix _ingest), as each builds an index of its own size. Each prints its figures and writes
its JSON under bench/results/; this prints both targets' verdicts at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--flag-people", type=int, default=1_000_000)
    parser.add_argument("--ingest-people", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)

    common = ["--reuse"] if args.reuse else []
    flags = [sys.executable, str(BENCH / "partners_flags.py"), "--people", str(args.flag_people), *common]
    ingest = [
        sys.executable,
        str(BENCH / "partners_ingest.py"),
        "--people",
        str(args.ingest_people),
        "--events",
        str(args.events),
        "--csv",
        *common,
    ]
    if args.database_url:
        flags += ["--database-url", args.database_url]
        ingest += ["--database-url", f"{args.database_url}_ingest"]
    for command in (flags, ingest):
        print("$", " ".join(command[1:]), flush=True)
        subprocess.run(command, check=True)  # noqa: S603 - our own scripts  # nosec B603

    vendor = "postgresql" if args.database_url else "sqlite"
    flag_file = (
        RESULTS
        / f"partners_flags_{vendor}{'' if args.flag_people == 1_000_000 else f'-{args.flag_people}'}.json"
    )
    ingest_file = (
        RESULTS
        / f"partners_ingest_{vendor}{'' if args.ingest_people == 100_000 else f'-{args.ingest_people}'}.json"
    )
    flag = json.loads(flag_file.read_text())
    fed = json.loads(ingest_file.read_text())
    print(
        f"\n{vendor}: flag check p99 {flag['check_flag']['p99_ms']:.1f} ms at {flag['people_in_index']:,} people (target 50 ms)"
    )
    print(
        f"{vendor}: feed ingest {fed['api_path']['events_per_second']:,.0f} events/s through the API's action, "
        f"{fed['csv_path']['events_per_second']:,.0f} by CSV (target 2,000)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

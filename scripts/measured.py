"""Write the README's "Measured" section from the benchmarks' latest results.

Every benchmark in `bench/` writes its figures to `bench/results/*.json`, each in a shape of
its own. One small summariser per benchmark picks the figures its docstring and
`bench/README.md` call the headline ones and puts each beside its target; the section also
says when, and on what machine, each result was measured, and how to measure it again. A
result this script does not know is listed by name and date, never dropped.

The section replaces the text between the markers below in README.md, and nothing else.

    .venv/bin/python scripts/measured.py           # rewrite README.md's section
    .venv/bin/python scripts/measured.py --check   # exit 1 when README.md is out of date

`make bench` runs every benchmark and then this script.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
README = PROJECT_DIR / "README.md"

START = "<!-- measured:start -->"
END = "<!-- measured:end -->"

# A benchmark's JSON, as it wrote it: nested dicts of figures, which differ per benchmark.
Result = Mapping[str, Any]

# Targets that a benchmark's JSON does not carry, from the issues as `bench/README.md` quotes
# them. Where the JSON carries its target (target_p95_ms and the like), that one is used.
PERSON_SEARCH_TARGET_P95_MS = 50.0
MATCHING_FEBRL_MIN_F1 = 0.99
MATCHING_FEBRL_MIN_PRECISION = 0.999
MATCHING_HARD_MIN_PRECISION = 0.995
MATCHING_HARD_MIN_RECALL_WITH_REVIEW = 0.95

# The matchers that are Jigsaw's own; the stock baselines are there for comparison only.
JIGSAW_MATCHERS = ("jigsaw single-record", "jigsaw single-record + policy", "jigsaw batch")

PG_EXAMPLE = "postgres://postgres@127.0.0.1:5432"

# SQLite (the default) first; results without a database (matching) keep their name order.
DATABASE_ORDER: dict[str | None, int] = {None: 0, "sqlite": 0, "postgresql": 1}


@dataclass(frozen=True)
class Figure:
    """One headline figure of one run, beside its target (when it has one)."""

    run: str
    name: str
    measured: str
    target: str = ""
    met: bool | None = None


@dataclass(frozen=True)
class ResultFile:
    name: str
    data: Result


@dataclass(frozen=True)
class Benchmark:
    key: str
    title: str
    script: str
    summarise: Callable[[Result], list[Figure]]
    # How `make bench` runs it on SQLite, and the PostgreSQL database it uses ("" for none).
    command: str
    postgresql_database: str = ""
    note: str = ""

    def again(self) -> str:
        """How to measure it again, in a sentence."""
        command = " ".join(part for part in (".venv/bin/python", self.script, self.command) if part)
        text = f"To measure again: `{command}`"
        if self.note:
            text += f" ({self.note})"
        if self.postgresql_database:
            text += f"; on PostgreSQL, add `--database-url {PG_EXAMPLE}/{self.postgresql_database}`"
        return text + "."


class ResultShapeError(Exception):
    """A known benchmark's result lacks a figure its summariser reads."""


# --- Formatting ----------------------------------------------------------------------------


def ms(value: float) -> str:
    return f"{value:,.1f} ms"


def seconds(value: float) -> str:
    return f"{value:,.1f} s"


def megabytes(value: float) -> str:
    if value >= 1024:
        return f"{value / 1024:,.1f} GB"
    return f"{value:,.0f} MB"


def share(value: float) -> str:
    return f"{value * 100:.1f}%"


def ratio(value: float) -> str:
    return f"{value:.4f}"


def database_name(data: Result) -> str:
    vendor = str(data.get("machine", {}).get("database") or "")
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


def database_version(data: Result) -> str:
    """`SQLite 3.40.1` or `PostgreSQL 15.20` (without PostgreSQL's compiler details)."""
    machine = data.get("machine", {})
    version = str(machine.get("database_version", ""))
    if machine.get("database") == "sqlite":
        return f"SQLite {version}".strip()
    return " ".join(version.split()[:2])


def run_name(data: Result, size: str) -> str:
    return ", ".join(part for part in (database_name(data), size) if part)


def measured_at(data: Result) -> str:
    """The run's date as people write it, in UTC: `7 December 2026, 09:14 UTC`."""
    raw = data.get("machine", {}).get("date")
    if not raw:
        return "no date recorded"
    when = datetime.datetime.fromisoformat(raw).astimezone(datetime.UTC)
    return f"{when.day} {when:%B %Y, %H:%M} UTC"


def first_load_average(data: Result) -> float | None:
    """The one-minute load average when the run started (the machines are shared)."""
    load = data.get("load_average")
    if isinstance(load, Mapping) and load.get("before"):
        return float(load["before"][0])
    if data.get("load_average_before"):
        return float(data["load_average_before"][0])
    machine_load = data.get("machine", {}).get("load_average")
    return float(machine_load[0]) if machine_load else None


def machine_line(result: ResultFile) -> str:
    machine = result.data.get("machine", {})
    parts = [measured_at(result.data)]
    if machine:
        parts.append(
            f"{machine.get('nproc')} cores ({machine.get('cpu_model') or 'CPU not recorded'}), "
            f"{machine.get('memory_gb')} GB, Python {machine.get('python')}"
        )
    if machine.get("database"):
        parts.append(database_version(result.data))
    load = first_load_average(result.data)
    if load is not None:
        parts.append(f"load average {load:.1f} at the start")
    return f"`{result.name}`: " + "; ".join(parts)


def under(limit: float, unit: str) -> str:
    """A target in words: `under 50 ms`, `under 600 s`."""
    return f"under {limit:,g} {unit}"


# --- One summariser per benchmark ----------------------------------------------------------


def summarise_person_search(data: Result) -> list[Figure]:
    run = run_name(data, f"{data['people_in_index']:,} people")
    by_name, by_number = data["name_and_dob"], data["nhs_number"]
    target = PERSON_SEARCH_TARGET_P95_MS
    return [
        Figure(
            run,
            "name + date of birth, p95",
            ms(by_name["p95_ms"]),
            under(target, "ms"),
            by_name["p95_ms"] < target,
        ),
        Figure(run, "name + date of birth, true person in the top five", share(by_name["recall_top5"])),
        Figure(
            run, "NHS number, p95", ms(by_number["p95_ms"]), under(target, "ms"), by_number["p95_ms"] < target
        ),
    ]


def summarise_chronology(data: Result) -> list[Figure]:
    run = run_name(data, "")
    built, target = data["built"], data["target_p95_ms"]
    names = {
        "chronology": f"child's chronology ({built['chronology_entries']:,} entries), p95",
        "team": f"team manager's page ({built['open_referrals']:,} open referrals), p95",
    }
    return [
        Figure(
            run, names.get(page, f"{page}, p95"), ms(s["p95_ms"]), under(target, "ms"), s["p95_ms"] < target
        )
        for page, s in data["pages"].items()
    ]


def summarise_oversight(data: Result) -> list[Figure]:
    run = run_name(data, f"{data['children']:,} children")
    target = data["target_p95_ms"]
    slowest, timing = max(data["pages"].items(), key=lambda page: page[1]["p95_ms"])
    return [
        Figure(
            run,
            f"slowest of the {len(data['pages'])} list pages ({slowest}), p95",
            ms(timing["p95_ms"]),
            under(target, "ms"),
            timing["p95_ms"] < target,
        )
    ]


DASHBOARD_PAGES = ("service dashboard", "partnership dashboard")


def summarise_dashboards(data: Result) -> list[Figure]:
    size = f"{data['children']:,} children"
    if data.get("closed_months") == "counted live":
        size += ", every month counted live"
    run = run_name(data, size)
    pages, target = data["pages"], data["target_p95_ms"]
    figures = [
        Figure(
            run,
            f"{page}, p95",
            ms(pages[page]["p95_ms"]),
            under(target, "ms"),
            pages[page]["p95_ms"] < target,
        )
        for page in DASHBOARD_PAGES
        if page in pages
    ]
    indicators = {name: s for name, s in pages.items() if name not in (*DASHBOARD_PAGES, "forecast")}
    if indicators:
        slowest, timing = max(indicators.items(), key=lambda page: page[1]["p95_ms"])
        figures.append(
            Figure(
                run,
                f"slowest of the {len(indicators)} indicator pages ({slowest}), p95",
                ms(timing["p95_ms"]),
                under(target, "ms"),
                timing["p95_ms"] < target,
            )
        )
    if "forecast" in pages:
        forecast_target = data["forecast_target_p95_ms"]
        p95 = pages["forecast"]["p95_ms"]
        figures.append(
            Figure(run, "forecast, p95", ms(p95), under(forecast_target, "ms"), p95 < forecast_target)
        )
    if data.get("nightly_count"):
        count = data["nightly_count"]
        figures.append(
            Figure(
                run,
                f"nightly count of the closed months ({count['figures']:,} figures)",
                seconds(count["seconds"]),
            )
        )
    return figures


RETURN_NAMES = {
    "cin_census": "children in need census (`write_cin_census`)",
    "cin_validation": "census validation (`validate_cin_census`)",
    "cin_command": "census command, validating while writing",
    "annex_a": "Annex A (`write_annex_a`)",
}


def summarise_returns(data: Result) -> list[Figure]:
    run = run_name(data, f"{data['children_in_need']:,} children in need")
    limit_seconds, limit_mb = data["targets"]["seconds"], data["targets"]["peak_rss_mb"]
    target = f"{under(limit_seconds, 's')} and {limit_mb / 1024:g} GB"
    figures = []
    for key, work in data["returns"].items():
        name = RETURN_NAMES.get(key, key)
        if not work.get("available", True):
            figures.append(Figure(run, name, "not available", target))
            continue
        figures.append(
            Figure(
                run,
                name,
                f"{seconds(work['seconds'])}, {megabytes(work['peak_rss_mb'])} peak",
                target,
                work["seconds"] < limit_seconds and work["peak_rss_mb"] < limit_mb,
            )
        )
    return figures


def _febrl_figure(run: str, matcher: Result) -> Figure:
    auto = matcher["at_auto_link"]
    return Figure(
        run,
        f"{matcher['matcher']}: precision / recall / F1 at auto-link",
        f"{ratio(auto['precision'])} / {ratio(auto['recall'])} / {ratio(auto['f1'])}",
        f"F1 at least {MATCHING_FEBRL_MIN_F1}, precision at least {MATCHING_FEBRL_MIN_PRECISION}",
        auto["f1"] >= MATCHING_FEBRL_MIN_F1 and auto["precision"] >= MATCHING_FEBRL_MIN_PRECISION,
    )


def _hard_figure(run: str, matcher: Result, *, with_target: bool) -> Figure:
    precision = matcher["at_auto_link"]["precision"]
    recall = matcher["with_review"]["recall_with_review"]
    twins = matcher["twin_pairs_auto_linked"]
    measured = f"{ratio(precision)} / {ratio(recall)} / {twins:,}"
    name = f"{matcher['matcher']}: precision at auto-link / recall with review / twin pairs auto-linked"
    if not with_target:
        return Figure(run, name, measured)
    return Figure(
        run,
        name,
        measured,
        f"precision at least {MATCHING_HARD_MIN_PRECISION}, recall at least "
        f"{MATCHING_HARD_MIN_RECALL_WITH_REVIEW}, no twins",
        precision >= MATCHING_HARD_MIN_PRECISION
        and recall >= MATCHING_HARD_MIN_RECALL_WITH_REVIEW
        and twins == 0,
    )


def summarise_matching(data: Result) -> list[Figure]:
    """Jigsaw's matchers on each corpus against issue 4's targets: FEBRL's at auto-link, and
    on the hard corpus (deduplicated; its linkage form has no target of its own) precision
    at auto-link, recall counting the review band, and no twins linked."""
    figures = []
    for corpus in data["corpora"]:
        run = f"{corpus['description']}, {corpus['records_left'] + (corpus['records_right'] or 0):,} records"
        for matcher in corpus["matchers"]:
            if matcher["matcher"] not in JIGSAW_MATCHERS:
                continue
            if "at_auto_link" not in matcher:
                why = "not available" if "unavailable" in matcher else "failed"
                figures.append(Figure(run, matcher["matcher"], why))
            elif corpus["corpus"].startswith("febrl"):
                figures.append(_febrl_figure(run, matcher))
            else:
                figures.append(_hard_figure(run, matcher, with_target=corpus["corpus"] == "hard"))
    return figures


def summarise_matching_batch(data: Result) -> list[Figure]:
    run = f"{data['records']:,} records"
    target = data.get("target_seconds")
    auto = data["quality"]["at_auto_link"]
    return [
        Figure(
            run,
            "deduplication, wall time",
            seconds(data["wall_seconds"]),
            under(target, "s") if target else "",
            data["wall_seconds"] < target if target else None,
        ),
        Figure(run, "peak memory", megabytes(data["peak_rss_mb"])),
        Figure(
            run,
            f"precision / recall at auto-link ({auto['threshold']})",
            f"{ratio(auto['precision'])} / {ratio(auto['recall'])}",
        ),
    ]


def summarise_matching_latency(data: Result) -> list[Figure]:
    run = run_name(data, f"{data['people_in_index']:,} people")
    match, target = data["match"], data["target_p99_ms"]
    return [
        Figure(run, "`match`, p99", ms(match["p99_ms"]), under(target, "ms"), match["p99_ms"] < target),
        Figure(run, "`match`, true person first", share(match["recall_first"])),
    ]


def summarise_partners_flags(data: Result) -> list[Figure]:
    run = run_name(data, f"{data['people_in_index']:,} people")
    checks, target = data["check_flag"], data["target_p99_ms"]
    return [
        Figure(
            run,
            f"flag check end to end, p99 ({checks['count']:,} checks)",
            ms(checks["p99_ms"]),
            under(target, "ms"),
            checks["p99_ms"] < target,
        )
    ]


def summarise_partners_ingest(data: Result) -> list[Figure]:
    api = data["api_path"]
    run = run_name(data, f"{data['people_in_index']:,} people, {api['events']:,} events")
    target = data["target_events_per_second"]
    paths = [("events a second through the API's action", api)]
    if data.get("csv_path"):
        paths.append(("events a second by CSV upload", data["csv_path"]))
    return [
        Figure(
            run,
            name,
            f"{path['events_per_second']:,.0f}",
            f"at least {target:,.0f}",
            path["events_per_second"] >= target,
        )
        for name, path in paths
    ]


def _servers(data: Result) -> str:
    instances, workers = data["instances"], data["workers_per_instance"]
    if instances == 1:
        return f"1 gunicorn instance of {workers} workers"
    return f"{instances} gunicorn instances of {workers} workers each"


def summarise_load(data: Result) -> list[Figure]:
    """A steady run: the p95 over every request but the sign-ins, against the target, with
    its failures and throughput. A step run: where the p95 crosses the target and where the
    throughput stops rising, as the users grow."""
    target = data["target_p95_ms"]
    if "stages" in data:
        stages, found = data["stages"], data["saturation"]
        run = run_name(data, f"{_servers(data)}, {' / '.join(str(s['users']) for s in stages)} users")
        crosses, flat = found["p95_crosses_target_at_users"], found["throughput_stops_rising_at_users"]
        return [
            Figure(
                run, "p95 at each step", " / ".join(f"{s['overall']['p95_ms']:,.0f}" for s in stages) + " ms"
            ),
            Figure(run, f"the p95 crosses {target:,g} ms at", f"{crosses} users" if crosses else "no step"),
            Figure(run, "the throughput stops rising at", f"{flat} users" if flat else "no step"),
            Figure(
                run,
                "highest throughput",
                f"{found['peak_requests_per_second']:,.1f} requests/s at {found['peak_at_users']} users",
            ),
        ]
    window = data["run"]
    overall = window["overall"]
    run = run_name(data, f"{_servers(data)}, {window['users']} users")
    return [
        Figure(
            run,
            f"p95 over {window['seconds'] / 60:,.1f} minutes (every request but the sign-ins)",
            ms(overall["p95_ms"]),
            under(target, "ms"),
            overall["p95_ms"] < target,
        ),
        Figure(
            run,
            "failed requests",
            f"{overall['failures']:,} of {overall['count']:,}",
            "none",
            overall["failures"] == 0,
        ),
        Figure(run, "throughput", f"{overall['per_second']:,.1f} requests/s"),
    ]


BENCHMARKS = [
    Benchmark(
        "person_search",
        "Person search",
        "bench/person_search.py",
        summarise_person_search,
        "--people 1000000 --reuse",
        "jigsaw_bench_person_search",
        "on PostgreSQL, create the database first",
    ),
    Benchmark(
        "chronology",
        "Chronology and team pages",
        "bench/chronology.py",
        summarise_chronology,
        "",
        "jigsaw_bench_chronology",
        "builds its small database afresh each time",
    ),
    Benchmark("matching", "Matching quality", "bench/matching.py", summarise_matching, ""),
    Benchmark(
        "matching_batch",
        "Batch linkage",
        "bench/matching_batch.py",
        summarise_matching_batch,
        "--records 1000000",
        note="and `--records 100000`",
    ),
    Benchmark(
        "matching_latency",
        "Single-record matching latency",
        "bench/matching_latency.py",
        summarise_matching_latency,
        "--people 1000000 --reuse",
        "jigsaw_bench_matching_1000000",
        "and `--people 100000`, with a database of its own",
    ),
    Benchmark(
        "partners_flags",
        "Flag checks",
        "bench/partners_flags.py",
        summarise_partners_flags,
        "--people 1000000 --reuse",
        "jigsaw_bench_partners",
    ),
    Benchmark(
        "partners_ingest",
        "Feed ingest",
        "bench/partners_ingest.py",
        summarise_partners_ingest,
        "--events 10000 --csv",
        "jigsaw_bench_partners_ingest",
        "on a fresh index: the events of earlier runs would slow a reused one",
    ),
    Benchmark(
        "oversight",
        "Oversight list pages",
        "bench/oversight.py",
        summarise_oversight,
        "--reuse",
        "jigsaw_bench_oversight",
    ),
    Benchmark(
        "dashboards",
        "Performance dashboards",
        "bench/dashboards.py",
        summarise_dashboards,
        "--reuse",
        "jigsaw_bench_dashboards",
    ),
    Benchmark(
        "returns",
        "Statutory returns",
        "bench/returns.py",
        summarise_returns,
        "--reuse",
        "jigsaw_bench_returns",
        "built from the dashboards benchmark's database: `--base var/bench/dashboards.sqlite3`",
    ),
    Benchmark(
        "load",
        "Many users at once",
        "bench/load.py",
        summarise_load,
        "--instances 1",
        note="and `--instances 2`, and `--step`; on PostgreSQL only, a copy of the dashboards "
        "benchmark's database",
    ),
]


# --- Reading the results and writing the section ---------------------------------------------


def read_results(directory: Path) -> list[ResultFile]:
    """Every result file, in name order; one that is not a JSON object is kept, empty."""
    results = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        results.append(ResultFile(path.name, data if isinstance(data, dict) else {}))
    return results


def benchmark_of(result: ResultFile, benchmarks: Iterable[Benchmark]) -> Benchmark | None:
    """The benchmark that wrote a result: named by its `benchmark` field, or, in a result
    without one, by the longest benchmark name its file name starts with."""
    by_key = {benchmark.key: benchmark for benchmark in benchmarks}
    if "benchmark" in result.data:
        return by_key.get(result.data["benchmark"])
    stem = result.name.removesuffix(".json")
    for key in sorted(by_key, key=len, reverse=True):
        if stem == key or stem.startswith((f"{key}-", f"{key}_")):
            return by_key[key]
    return None


def table(figures: list[Figure]) -> list[str]:
    """A Markdown table; a run is named on its first row only, as the README's tables do."""
    lines = ["| run | figure | measured | target | target met |", "|---|---|---:|---|---|"]
    previous_run = None
    for figure in figures:
        run = "" if figure.run == previous_run else figure.run
        previous_run = figure.run
        met = "" if figure.met is None else ("yes" if figure.met else "**no**")
        lines.append(f"| {run} | {figure.name} | {figure.measured} | {figure.target} | {met} |")
    return lines


def summarise(benchmark: Benchmark, result: ResultFile) -> list[Figure]:
    try:
        return benchmark.summarise(result.data)
    except (KeyError, TypeError, ValueError) as error:
        raise ResultShapeError(
            f"bench/results/{result.name}: cannot read the {benchmark.key} figures ({error!r}); "
            f"if {benchmark.script} now writes them differently, update its summariser in "
            "scripts/measured.py"
        ) from error


def render(results: list[ResultFile], benchmarks: list[Benchmark]) -> str:
    """The Markdown between the markers: a table and the machines for each benchmark with
    results, in the order of `benchmarks`, then any result no summariser knows."""
    grouped: dict[str, list[ResultFile]] = {benchmark.key: [] for benchmark in benchmarks}
    unknown = []
    for result in results:
        benchmark = benchmark_of(result, benchmarks)
        if benchmark is None:
            unknown.append(result)
        else:
            grouped[benchmark.key].append(result)
    for files in grouped.values():
        files.sort(
            key=lambda result: (
                DATABASE_ORDER.get(result.data.get("machine", {}).get("database"), 2),
                result.name,
            )
        )

    lines = [
        "<!-- Written by scripts/measured.py from bench/results/*.json: edit those, not this. -->",
        "",
    ]
    for benchmark in benchmarks:
        files = grouped[benchmark.key]
        if not files:
            continue
        figures = [figure for result in files for figure in summarise(benchmark, result)]
        lines += [
            f"### {benchmark.title} (`{benchmark.script}`)",
            "",
            *table(figures),
            "",
            "Measured on:",
            "",
        ]
        lines += [f"- {machine_line(result)}" for result in files]
        lines += ["", benchmark.again(), ""]
    if unknown:
        lines += ["### Other results", "", "Results `scripts/measured.py` has no summary for:", ""]
        lines += [f"- `{result.name}`: {measured_at(result.data)}" for result in unknown]
        lines.append("")
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    """`text` with what lies between the markers replaced by `section`, the rest untouched."""
    start, end = text.find(START), text.find(END)
    if start == -1 or end == -1 or end < start:
        raise ValueError(f"README.md needs the markers {START} and {END}, in that order")
    return f"{text[: start + len(START)]}\n{section}{text[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if README.md is out of date"
    )
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="the results folder")
    parser.add_argument("--readme", type=Path, default=README, help="the file with the markers")
    args = parser.parse_args(argv)

    try:
        section = render(read_results(args.results), BENCHMARKS)
        current = args.readme.read_text(encoding="utf-8")
        updated = replace_section(current, section)
    except (ResultShapeError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    if args.check:
        if updated != current:
            print(
                f"{args.readme.name}'s Measured section is out of date with {args.results}: "
                "run .venv/bin/python scripts/measured.py",
                file=sys.stderr,
            )
            return 1
        return 0
    if updated != current:
        args.readme.write_text(updated, encoding="utf-8")
        print(f"{args.readme.name}: Measured section written")
    else:
        print(f"{args.readme.name}: Measured section already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

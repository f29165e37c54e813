"""The README's "Measured" section: each benchmark's summariser picks its headline figures and
targets, a result nobody summarises is still listed, the script touches only the text
between the markers, and the README in the repository is up to date with bench/results/."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "scripts"))

import measured  # noqa: E402
from measured import BENCHMARKS, END, START, Figure, ResultFile, render, replace_section  # noqa: E402

SQLITE = {
    "nproc": 2,
    "cpu_model": "AMD EPYC",
    "memory_gb": 23.5,
    "python": "3.11.7",
    "database": "sqlite",
    "database_version": "3.40.1",
    "date": "2026-12-07T09:14:49+00:00",
}
POSTGRESQL = {
    **SQLITE,
    "database": "postgresql",
    "database_version": "PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu",
}


def timing(p95: float, **more: float) -> dict[str, float]:
    return {"count": 20, "p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 + 1, **more}


def summarise(key: str, data: dict[str, Any]) -> list[Figure]:
    (benchmark,) = [b for b in BENCHMARKS if b.key == key]
    return benchmark.summarise(data)


def test_person_search_gives_both_searches_p95_against_50_ms_and_the_recall() -> None:
    data = {
        "benchmark": "person_search",
        "people_in_index": 1_000_001,
        "name_and_dob": timing(61.0, recall_top5=0.987),
        "nhs_number": timing(1.45),
        "machine": SQLITE,
    }
    assert summarise("person_search", data) == [
        Figure("SQLite, 1,000,001 people", "name + date of birth, p95", "61.0 ms", "under 50 ms", False),
        Figure("SQLite, 1,000,001 people", "name + date of birth, true person in the top five", "98.7%"),
        Figure("SQLite, 1,000,001 people", "NHS number, p95", "1.4 ms", "under 50 ms", True),
    ]


def test_chronology_gives_each_page_p95_against_the_target_in_the_result() -> None:
    data = {
        "benchmark": "chronology",
        "built": {"chronology_entries": 1000, "open_referrals": 300},
        "target_p95_ms": 150.0,
        "pages": {"chronology": timing(39.65), "team": timing(151.0)},
        "machine": POSTGRESQL,
    }
    assert summarise("chronology", data) == [
        Figure("PostgreSQL", "child's chronology (1,000 entries), p95", "39.6 ms", "under 150 ms", True),
        Figure(
            "PostgreSQL", "team manager's page (300 open referrals), p95", "151.0 ms", "under 150 ms", False
        ),
    ]


def test_oversight_gives_the_slowest_page() -> None:
    data = {
        "benchmark": "oversight",
        "children": 100_000,
        "target_p95_ms": 200.0,
        "pages": {"audits": timing(20.0), "section 11 comparison": timing(169.87), "training": timing(90.0)},
        "machine": SQLITE,
    }
    assert summarise("oversight", data) == [
        Figure(
            "SQLite, 100,000 children",
            "slowest of the 3 list pages (section 11 comparison), p95",
            "169.9 ms",
            "under 200 ms",
            True,
        )
    ]


def test_dashboards_give_each_dashboard_the_slowest_indicator_and_the_forecast() -> None:
    data = {
        "benchmark": "dashboards",
        "children": 100_000,
        "closed_months": "read from the nightly count",
        "nightly_count": {"seconds": 412.3, "figures": 9_360, "months": 12, "ran_now": True},
        "target_p95_ms": 300.0,
        "forecast_target_p95_ms": 1000.0,
        "pages": {
            "service dashboard": timing(346.66),
            "partnership dashboard": timing(290.0),
            "contacts (manager)": timing(149.0),
            "visits_in_time (manager)": timing(211.5),
            "forecast": timing(94.44),
        },
        "machine": POSTGRESQL,
    }
    run = "PostgreSQL, 100,000 children"
    assert summarise("dashboards", data) == [
        Figure(run, "service dashboard, p95", "346.7 ms", "under 300 ms", False),
        Figure(run, "partnership dashboard, p95", "290.0 ms", "under 300 ms", True),
        Figure(
            run,
            "slowest of the 2 indicator pages (visits_in_time (manager)), p95",
            "211.5 ms",
            "under 300 ms",
            True,
        ),
        Figure(run, "forecast, p95", "94.4 ms", "under 1,000 ms", True),
        Figure(run, "nightly count of the closed months (9,360 figures)", "412.3 s"),
    ]


def test_dashboards_timed_with_every_month_live_say_so() -> None:
    data = {
        "benchmark": "dashboards",
        "children": 5_000,
        "closed_months": "counted live",
        "target_p95_ms": 300.0,
        "pages": {"service dashboard": timing(100.0)},
        "machine": SQLITE,
    }
    (figure,) = summarise("dashboards", data)
    assert figure.run == "SQLite, 5,000 children, every month counted live"


def test_returns_give_seconds_and_peak_memory_against_60_s_and_2_gb() -> None:
    data = {
        "benchmark": "returns",
        "children_in_need": 401_880,
        "targets": {"seconds": 60.0, "peak_rss_mb": 2048.0},
        "returns": {
            "cin_census": {"available": True, "seconds": 44.8, "peak_rss_mb": 313.6},
            "cin_command": {"available": True, "seconds": 60.9, "peak_rss_mb": 328.0},
            "annex_a": {"available": True, "seconds": 40.0, "peak_rss_mb": 2500.0},
            "cin_validation": {"available": False},
        },
        "machine": SQLITE,
    }
    run, target = "SQLite, 401,880 children in need", "under 60 s and 2 GB"
    assert summarise("returns", data) == [
        Figure(run, "children in need census (`write_cin_census`)", "44.8 s, 314 MB peak", target, True),
        Figure(run, "census command, validating while writing", "60.9 s, 328 MB peak", target, False),
        Figure(run, "Annex A (`write_annex_a`)", "40.0 s, 2.4 GB peak", target, False),
        Figure(run, "census validation (`validate_cin_census`)", "not available", target),
    ]


def matcher(name: str, precision: float, recall: float, f1: float, **more: Any) -> dict[str, Any]:
    return {
        "matcher": name,
        "at_auto_link": {"threshold": 0.999, "precision": precision, "recall": recall, "f1": f1},
        "with_review": {"recall_with_review": recall + 0.02},
        **more,
    }


def test_matching_gives_jigsaws_matchers_against_issue_4s_targets_and_leaves_out_the_baselines() -> None:
    data = {
        "benchmark": "matching",
        "corpora": [
            {
                "corpus": "febrl3",
                "description": "FEBRL3, deduplication",
                "records_left": 5000,
                "records_right": None,
                "matchers": [
                    matcher("jigsaw single-record", 1.0, 0.9538, 0.9764),
                    matcher("jigsaw batch", 0.9995, 0.99, 0.9947),
                    matcher("splink (stock)", 1.0, 0.94, 0.97),
                ],
            },
            {
                "corpus": "hard",
                "description": "hard synthetic, deduplication",
                "records_left": 19_949,
                "records_right": None,
                "matchers": [
                    matcher("jigsaw single-record", 0.9557, 0.95, 0.93, twin_pairs_auto_linked=493),
                    matcher("jigsaw single-record + policy", 0.99992, 0.95, 0.9, twin_pairs_auto_linked=0),
                    {"matcher": "jigsaw batch", "unavailable": "No module named 'splink'"},
                ],
            },
            {
                "corpus": "hard-link",
                "description": "hard synthetic, linkage social care -> health",
                "records_left": 6648,
                "records_right": 5729,
                "matchers": [matcher("jigsaw single-record", 0.9693, 0.97, 0.96, twin_pairs_auto_linked=106)],
            },
        ],
    }
    febrl, hard = (
        "F1 at least 0.99, precision at least 0.999",
        "precision at least 0.995, recall at least 0.95, no twins",
    )
    febrl_figure = "precision / recall / F1 at auto-link"
    hard_figure = "precision at auto-link / recall with review / twin pairs auto-linked"
    assert summarise("matching", data) == [
        Figure(
            "FEBRL3, deduplication, 5,000 records",
            f"jigsaw single-record: {febrl_figure}",
            "1.0000 / 0.9538 / 0.9764",
            febrl,
            False,
        ),
        Figure(
            "FEBRL3, deduplication, 5,000 records",
            f"jigsaw batch: {febrl_figure}",
            "0.9995 / 0.9900 / 0.9947",
            febrl,
            True,
        ),
        Figure(
            "hard synthetic, deduplication, 19,949 records",
            f"jigsaw single-record: {hard_figure}",
            "0.9557 / 0.9700 / 493",
            hard,
            False,
        ),
        Figure(
            "hard synthetic, deduplication, 19,949 records",
            f"jigsaw single-record + policy: {hard_figure}",
            "0.9999 / 0.9700 / 0",
            hard,
            True,
        ),
        Figure("hard synthetic, deduplication, 19,949 records", "jigsaw batch", "not available"),
        Figure(
            "hard synthetic, linkage social care -> health, 12,377 records",
            f"jigsaw single-record: {hard_figure}",
            "0.9693 / 0.9900 / 106",
        ),
    ]


def test_matching_batch_gives_the_wall_time_against_ten_minutes_only_at_a_million() -> None:
    def result(records: int, wall: float, target: float | None) -> dict[str, Any]:
        return {
            "benchmark": "matching_batch",
            "records": records,
            "wall_seconds": wall,
            "target_seconds": target,
            "peak_rss_mb": 4511.5,
            "quality": {"at_auto_link": {"threshold": 0.999, "precision": 0.987264, "recall": 0.816828}},
        }

    assert summarise("matching_batch", result(1_001_676, 283.4, 600.0)) == [
        Figure("1,001,676 records", "deduplication, wall time", "283.4 s", "under 600 s", True),
        Figure("1,001,676 records", "peak memory", "4.4 GB"),
        Figure("1,001,676 records", "precision / recall at auto-link (0.999)", "0.9873 / 0.8168"),
    ]
    assert summarise("matching_batch", result(100_228, 9.1, None))[0] == Figure(
        "100,228 records", "deduplication, wall time", "9.1 s"
    )


def test_matching_latency_gives_the_p99_against_25_ms_and_the_recall() -> None:
    data = {
        "benchmark": "matching_latency",
        "people_in_index": 1_000_001,
        "target_p99_ms": 25.0,
        "match": timing(10.5, p99_ms=26.0, recall_first=0.999),
        "machine": POSTGRESQL,
    }
    assert summarise("matching_latency", data) == [
        Figure("PostgreSQL, 1,000,001 people", "`match`, p99", "26.0 ms", "under 25 ms", False),
        Figure("PostgreSQL, 1,000,001 people", "`match`, true person first", "99.9%"),
    ]


def test_flag_checks_give_the_p99_against_50_ms() -> None:
    data = {
        "benchmark": "partners_flags",
        "people_in_index": 1_000_001,
        "target_p99_ms": 50.0,
        "check_flag": {"count": 1000, "p99_ms": 34.07},
        "machine": POSTGRESQL,
    }
    assert summarise("partners_flags", data) == [
        Figure(
            "PostgreSQL, 1,000,001 people",
            "flag check end to end, p99 (1,000 checks)",
            "34.1 ms",
            "under 50 ms",
            True,
        )
    ]


def test_feed_ingest_gives_events_a_second_by_api_and_csv_against_2000() -> None:
    data = {
        "benchmark": "partners_ingest",
        "people_in_index": 100_001,
        "target_events_per_second": 2000.0,
        "api_path": {"events": 9995, "events_per_second": 2110.4},
        "csv_path": {"events": 9995, "events_per_second": 187.7},
        "machine": SQLITE,
    }
    run = "SQLite, 100,001 people, 9,995 events"
    assert summarise("partners_ingest", data) == [
        Figure(run, "events a second through the API's action", "2,110", "at least 2,000", True),
        Figure(run, "events a second by CSV upload", "188", "at least 2,000", False),
    ]


def load_window(users: int, p95: float, per_second: float, failures: int = 0) -> dict[str, Any]:
    overall = {
        "count": 60_000,
        "p50_ms": p95 / 3,
        "p95_ms": p95,
        "per_second": per_second,
        "failures": failures,
    }
    return {"users": users, "seconds": 300.0, "overall": overall}


def test_a_steady_load_gives_the_p95_against_300_ms_the_failures_and_the_throughput() -> None:
    data = {
        "benchmark": "load",
        "instances": 2,
        "workers_per_instance": 3,
        "target_p95_ms": 300.0,
        "run": load_window(200, 412.0, 41.3, failures=2),
        "machine": POSTGRESQL,
    }
    run = "PostgreSQL, 2 gunicorn instances of 3 workers each, 200 users"
    assert summarise("load", data) == [
        Figure(
            run,
            "p95 over 5.0 minutes (every request but the sign-ins)",
            "412.0 ms",
            "under 300 ms",
            False,
        ),
        Figure(run, "failed requests", "2 of 60,000", "none", False),
        Figure(run, "throughput", "41.3 requests/s"),
    ]


def test_a_step_load_gives_where_it_saturates() -> None:
    data = {
        "benchmark": "load",
        "instances": 1,
        "workers_per_instance": 5,
        "target_p95_ms": 300.0,
        "stages": [load_window(25, 80.0, 4.0), load_window(50, 120.0, 8.1), load_window(100, 650.0, 8.5)],
        "saturation": {
            "p95_crosses_target_at_users": 100,
            "throughput_stops_rising_at_users": 100,
            "peak_requests_per_second": 8.5,
            "peak_at_users": 100,
        },
        "machine": POSTGRESQL,
    }
    run = "PostgreSQL, 1 gunicorn instance of 5 workers, 25 / 50 / 100 users"
    assert summarise("load", data) == [
        Figure(run, "p95 at each step", "80 / 120 / 650 ms"),
        Figure(run, "the p95 crosses 300 ms at", "100 users"),
        Figure(run, "the throughput stops rising at", "100 users"),
        Figure(run, "highest throughput", "8.5 requests/s at 100 users"),
    ]


def test_the_section_has_a_table_the_machines_and_the_command_for_each_benchmark() -> None:
    results = [
        ResultFile(
            "oversight-postgresql.json",
            {
                "benchmark": "oversight",
                "children": 100_000,
                "target_p95_ms": 200.0,
                "pages": {"audits": timing(250.0)},
                "load_average": {"before": [1.09, 2.0, 3.0]},
                "machine": POSTGRESQL,
            },
        ),
        ResultFile(
            "oversight-sqlite.json",
            {
                "benchmark": "oversight",
                "children": 100_000,
                "target_p95_ms": 200.0,
                "pages": {"audits": timing(20.0)},
                "machine": SQLITE,
            },
        ),
    ]
    section = render(results, BENCHMARKS)
    assert "### Oversight list pages (`bench/oversight.py`)" in section
    # SQLite first, then PostgreSQL; the run named once, the verdict in plain words.
    assert (
        "| SQLite, 100,000 children | slowest of the 1 list pages (audits), p95 | 20.0 ms | under 200 ms | yes |\n"
        "| PostgreSQL, 100,000 children | slowest of the 1 list pages (audits), p95 | 250.0 ms | under 200 ms | **no** |"
    ) in section
    assert (
        "- `oversight-postgresql.json`: 7 December 2026, 09:14 UTC; 2 cores (AMD EPYC), 23.5 GB, "
        "Python 3.11.7; PostgreSQL 15.20; load average 1.1 at the start"
    ) in section
    assert "To measure again: `.venv/bin/python bench/oversight.py --reuse`; on PostgreSQL, add" in section
    # Benchmarks without results are left out.
    assert "Person search" not in section


def test_a_result_no_summariser_knows_is_listed_with_its_name_and_date() -> None:
    results = [
        ResultFile("soak-1.json", {"benchmark": "soak", "machine": {"date": "2026-12-07T11:50:00+00:00"}}),
        ResultFile("notes.json", {}),
        # Named like the matching benchmark's results, but another benchmark's.
        ResultFile("matching_soak.json", {"benchmark": "matching_soak"}),
    ]
    section = render(results, BENCHMARKS)
    assert "### Other results" in section
    assert "- `soak-1.json`: 7 December 2026, 11:50 UTC" in section
    assert "- `notes.json`: no date recorded" in section
    assert "- `matching_soak.json`: no date recorded" in section


def test_a_result_is_known_by_its_file_name_when_it_has_no_benchmark_field() -> None:
    data = {"people_in_index": 20_000, "target_p99_ms": 50.0, "check_flag": {"count": 300, "p99_ms": 11.5}}
    section = render([ResultFile("partners_flags_sqlite-20000.json", data)], BENCHMARKS)
    assert "### Flag checks" in section
    assert "Other results" not in section


def test_only_the_text_between_the_markers_changes() -> None:
    before = "# Jigsaw\n\nSome words.\n\n## Measured\n\nIntro.\n\n"
    after = "\n\n## Benchmarks\n\nMore words, with a <!-- comment -->.\n"
    text = f"{before}{START}\nold figures\n{END}{after}"
    replaced = replace_section(text, "new figures\n")
    assert replaced == f"{before}{START}\nnew figures\n{END}{after}"
    assert replace_section(replaced, "new figures\n") == replaced


def test_a_readme_without_the_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        replace_section("# Jigsaw\n", "figures\n")


def write_result(folder: Path, name: str, data: dict[str, Any]) -> None:
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_check_fails_until_the_section_is_written_then_passes(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    write_result(
        results,
        "chronology-sqlite.json",
        {
            "benchmark": "chronology",
            "built": {"chronology_entries": 10, "open_referrals": 3},
            "target_p95_ms": 150.0,
            "pages": {"chronology": timing(30.0)},
            "machine": SQLITE,
        },
    )
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{START}\n{END}\n\nThe end.\n", encoding="utf-8")
    paths = ["--results", str(results), "--readme", str(readme)]

    assert measured.main(["--check", *paths]) == 1
    assert f"{START}\n{END}" in readme.read_text(encoding="utf-8")  # --check writes nothing
    assert measured.main(paths) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith(f"# Title\n\n{START}\n")
    assert text.endswith(f"{END}\n\nThe end.\n")
    assert "| SQLite | child's chronology (10 entries), p95 | 30.0 ms | under 150 ms | yes |" in text
    assert measured.main(["--check", *paths]) == 0

    write_result(results, "soak-1.json", {"benchmark": "soak"})  # a new result: out of date again
    assert measured.main(["--check", *paths]) == 1


def test_a_known_benchmarks_result_in_another_shape_is_an_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_result(tmp_path, "returns-sqlite.json", {"benchmark": "returns", "machine": SQLITE})
    readme = tmp_path / "README.md"
    readme.write_text(f"{START}\n{END}\n", encoding="utf-8")
    assert measured.main(["--results", str(tmp_path), "--readme", str(readme)]) == 2
    assert "bench/results/returns-sqlite.json" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == f"{START}\n{END}\n"


def test_make_bench_runs_every_benchmark_the_section_summarises() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^bench:.*?\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    run = set(re.findall(r"\$\(BENCH\)/(\w+\.py)", recipe.group(1)))
    for benchmark in BENCHMARKS:
        assert (PROJECT_DIR / benchmark.script).is_file()
        assert Path(benchmark.script).name in run, f"make bench does not run {benchmark.script}"
    assert "scripts/measured.py" in recipe.group(1)


def test_the_readme_is_up_to_date_with_the_results() -> None:
    finished = subprocess.run(  # noqa: S603 - our own script, no shell
        [sys.executable, str(PROJECT_DIR / "scripts" / "measured.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr

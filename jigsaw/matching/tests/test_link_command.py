from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jigsaw.matching.csv_input import InputFileError, read_records
from jigsaw.matching.models import MatchModelVersion
from jigsaw.matching.records import MatchRecord
from jigsaw.matching.training import train

HEADER = "record_id,given_name,family_name,other_names,dob,sex,postcode,address,nhs_number,upn\n"


def _file(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _run_failing(*args: str) -> tuple[str, str]:
    """Run `jigsaw link` expecting a refusal; the error message and what went to stderr."""
    stderr = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("link", *args, stderr=stderr, stdout=io.StringIO())
    return str(refused.value), stderr.getvalue()


# --- reading a file ---


def test_read_records_maps_columns_into_match_records(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "a.csv",
        "\ufeff"
        + HEADER
        + "A1, Jade ,Kouao,Jade Smith; Jayde Kouao ,2016-03-04,F,RF1 2AB,1 High St,9434765919,\n"
        "A2,Sam,Lee,,,U,,,,A123456789012\n",
    )
    assert read_records(path) == [
        MatchRecord(
            record_id="A1",
            given_name="Jade",
            family_name="Kouao",
            other_names=("Jade Smith", "Jayde Kouao"),
            dob=datetime.date(2016, 3, 4),
            sex="F",
            postcode="RF1 2AB",
            address="1 High St",
            nhs_number="9434765919",
        ),
        MatchRecord(record_id="A2", given_name="Sam", family_name="Lee", upn="A123456789012"),
    ]


def test_read_records_takes_any_subset_of_columns_in_any_order_and_ignores_others(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.csv", "Family_Name,Case Ref,record_id\nBrown,X9,7\n\n,,\n")
    assert read_records(path) == [MatchRecord(record_id="7", family_name="Brown")]


def test_read_records_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "a.csv",
        HEADER
        + "1,Ann,Smith,,2019-02-28,F,,,,\n"  # line 2: fine
        + "1,Ann,Smyth,,2019-02-28,F,,,,\n"  # line 3: duplicate of line 2
        + ",Bob,Jones,,,M,,,,\n"  # line 4: no id
        + "4,Cat,Brown,,31/02/2019,X,,,,\n"  # line 5: date and sex
        + "5,Dan,Green\n"  # line 6: ragged
        + '6,"Eve\nMarie",White,,2019-13-01,,,,,\n'  # lines 7-8: one record, bad month
        + "7,Fay,Black,,2019-02-31,f,,,,\n",  # line 9: no such day; lower-case sex is fine
    )
    with pytest.raises(InputFileError) as rejected:
        read_records(path)
    assert rejected.value.problems == [
        "line 3: record_id '1' is already used on line 2",
        "line 4: record_id is empty",
        "line 5: dob '31/02/2019' is not a date in the form YYYY-MM-DD",
        "line 5: sex 'X' is not M, F or U (or empty)",
        "line 6: 3 fields, but the header has 10",
        "line 7: dob '2019-13-01' is not a date in the form YYYY-MM-DD",
        "line 9: dob '2019-02-31' is not a date in the form YYYY-MM-DD",
    ]
    assert str(rejected.value).splitlines()[0] == f"{path}: line 3: record_id '1' is already used on line 2"


def test_a_file_without_a_record_id_column_is_rejected_and_its_rows_still_checked(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.csv", "given_name,dob\nAnn,2019-01-01\nBob,01/01/2019\n")
    with pytest.raises(InputFileError) as rejected:
        read_records(path)
    assert rejected.value.problems == [
        "line 1: the header has no record_id column",
        "line 3: dob '01/01/2019' is not a date in the form YYYY-MM-DD",
    ]


def test_a_file_without_a_header_row_is_rejected(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.csv", "1,Ann,Smith\n2,Bob,Jones\n")
    with pytest.raises(InputFileError) as rejected:
        read_records(path)
    assert len(rejected.value.problems) == 1
    assert rejected.value.problems[0].startswith("line 1: there is no header row")


def test_a_repeated_column_is_rejected(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.csv", "record_id,dob,DOB\n1,2019-01-01,2019-01-02\n")
    with pytest.raises(InputFileError) as rejected:
        read_records(path)
    assert rejected.value.problems == ["line 1: column dob appears more than once"]


def test_lines_that_are_not_utf8_are_listed_and_the_rest_still_checked(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.csv", b"record_id,given_name,dob\n1,Zo\xeb,\n2,Ann,2019-1-1\n3,Ren\xe9e,\n")
    with pytest.raises(InputFileError) as rejected:
        read_records(path)
    assert rejected.value.problems == [
        "line 2: is not UTF-8 text (save the file as CSV UTF-8)",
        "line 4: is not UTF-8 text (save the file as CSV UTF-8)",
        "line 3: dob '2019-1-1' is not a date in the form YYYY-MM-DD",
    ]


def test_an_empty_or_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as empty:
        read_records(_file(tmp_path, "empty.csv", "\n\n"))
    assert empty.value.problems == [
        "the file is empty; it needs a header row naming the columns, among them record_id"
    ]
    with pytest.raises(InputFileError) as missing:
        read_records(tmp_path / "nowhere.csv")
    assert missing.value.problems == ["cannot be read: No such file or directory"]


def test_an_unclosed_quote_is_reported_where_it_stops_the_reading(tmp_path: Path) -> None:
    path = _file(tmp_path, "a.csv", 'record_id,given_name\n1,"Ann\n2,Bob\n')
    with pytest.raises(InputFileError) as rejected:
        read_records(path)
    assert len(rejected.value.problems) == 1
    assert rejected.value.problems[0].endswith("the rest of the file was not checked")


# --- the command refuses bad input and writes nothing ---


def test_bad_files_are_rejected_with_every_problem_and_nothing_is_written(tmp_path: Path) -> None:
    left = _file(tmp_path, "a.csv", HEADER + "1,Ann,Smith,,2019-02-30,F,,,,\n1,Ann,Smith,,,Q,,,,\n")
    right = _file(tmp_path, "b.csv", "given_name\nBob\n")
    out, clusters = tmp_path / "pairs.csv", tmp_path / "clusters.csv"
    message, stderr = _run_failing(
        "--left", str(left), "--right", str(right), "--out", str(out), "--clusters", str(clusters)
    )
    assert stderr.splitlines() == [
        f"{left}: line 2: dob '2019-02-30' is not a date in the form YYYY-MM-DD",
        f"{left}: line 3: record_id '1' is already used on line 2",
        f"{left}: line 3: sex 'Q' is not M, F or U (or empty)",
        f"{right}: line 1: the header has no record_id column",
    ]
    assert message == "4 problem(s) in the input; nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_an_existing_output_is_left_unchanged_when_the_input_is_bad(tmp_path: Path) -> None:
    left = _file(tmp_path, "a.csv", HEADER + ",Ann,Smith,,,,,,,\n")
    out = _file(tmp_path, "pairs.csv", "left_id,right_id,match_probability\nx,y,0.900000\n")
    clusters = _file(tmp_path, "clusters.csv", "cluster_id,record_id\nx,x\n")
    _, stderr = _run_failing("--left", str(left), "--out", str(out), "--clusters", str(clusters))
    assert stderr.splitlines() == [f"{left}: line 2: record_id is empty"]
    assert out.read_text() == "left_id,right_id,match_probability\nx,y,0.900000\n"
    assert clusters.read_text() == "cluster_id,record_id\nx,x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "clusters.csv", "pairs.csv"]


def test_clusters_of_a_link_job_need_ids_unique_across_the_files(tmp_path: Path) -> None:
    left = _file(tmp_path, "a.csv", "record_id,given_name\n1,Ann\n2,Bob\n")
    right = _file(tmp_path, "b.csv", "record_id,given_name\n2,Bob\n3,Cy\n")
    message, stderr = _run_failing(
        "--left",
        str(left),
        "--right",
        str(right),
        "--out",
        str(tmp_path / "pairs.csv"),
        "--clusters",
        str(tmp_path / "clusters.csv"),
    )
    assert stderr.splitlines() == [
        f"record_id '2' is in both {left} and {right}; --clusters needs ids that are unique across the two files"
    ]
    assert message == "1 problem(s) in the input; nothing was written"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


@pytest.mark.parametrize("threshold", ["-0.1", "1.5", "nan"])
def test_threshold_must_be_a_probability(tmp_path: Path, threshold: str) -> None:
    left = _file(tmp_path, "a.csv", "record_id\n1\n")
    message, _ = _run_failing("--left", str(left), "--out", str(tmp_path / "p.csv"), "--threshold", threshold)
    assert message.startswith("--threshold must be between 0 and 1")
    assert not (tmp_path / "p.csv").exists()


def test_outputs_that_would_overwrite_an_input_or_each_other_are_refused(tmp_path: Path) -> None:
    left = _file(tmp_path, "a.csv", "record_id\n1\n")
    message, _ = _run_failing("--left", str(left), "--out", str(left))
    assert message == f"{left} is an input file; write the output somewhere else"
    out = str(tmp_path / "p.csv")
    message, _ = _run_failing("--left", str(left), "--out", out, "--clusters", out)
    assert message == "--out and --clusters must be different files"
    message, _ = _run_failing("--left", str(left), "--out", str(tmp_path / "missing" / "p.csv"))
    assert message.startswith("the folder for")
    assert left.read_text() == "record_id\n1\n"


# --- linking ---

PEOPLE = (
    "record_id,given_name,family_name,dob,sex,postcode,nhs_number\n"
    "1,William,Kouao,2015-03-04,M,RF1 2AB,9434765919\n"
    "2,Bill,Kouao,2015-03-04,M,RF1 2AB,9434765919\n"
    "3,Aisha,Begum,2012-11-20,F,RF9 8ZZ,\n"
    "4,Oliver,Thompson,2009-06-30,M,RF4 4QQ,\n"
    "5,Grace,Okafor,2017-01-15,F,RF3 1CD,\n"
    "6,Grace,Okafor,2017-01-15,F,RF3 1CD,\n"
    "7,Priya,Shah,2011-08-09,F,RF2 5EF,\n"
    "8,Tomasz,Nowak,2014-02-27,M,RF6 3GH,\n"
)


def _activate_model_trained_on(path: Path) -> None:
    """The authority's own model, estimated (by Splink) from these very records."""
    model = train(read_records(path))
    MatchModelVersion.objects.update(is_active=False)
    MatchModelVersion.objects.create(
        version=(MatchModelVersion.objects.count() + 1) * 1000,
        trained_at=timezone.now(),
        training_records=model.training_records,
        splink_version="test",
        parameters=model.parameters,
        term_frequencies=model.term_frequencies,
        is_active=True,
    )


def _rows(path: Path) -> list[list[str]]:
    return [line.split(",") for line in path.read_text().splitlines()]


@pytest.mark.django_db
def test_deduplicating_a_file_finds_the_duplicates_and_clusters_them(tmp_path: Path) -> None:
    left = _file(tmp_path, "a.csv", PEOPLE)
    _activate_model_trained_on(left)
    out, clusters = tmp_path / "pairs.csv", tmp_path / "clusters.csv"
    stdout = io.StringIO()
    call_command(
        "link",
        "--left",
        str(left),
        "--out",
        str(out),
        "--clusters",
        str(clusters),
        stdout=stdout,
        stderr=io.StringIO(),
    )
    pairs = _rows(out)
    assert pairs[0] == ["left_id", "right_id", "match_probability"]
    found = {(a, b): float(p) for a, b, p in pairs[1:]}
    assert found.keys() == {("1", "2"), ("5", "6")}
    assert all(p >= 0.5 and len(raw) == 8 for (_, _, raw), p in zip(pairs[1:], found.values(), strict=True))
    cluster_rows = _rows(clusters)
    assert cluster_rows[0] == ["cluster_id", "record_id"]
    cluster_of = {record: cluster for cluster, record in cluster_rows[1:]}
    assert sorted(cluster_of) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert cluster_of["1"] == cluster_of["2"] != cluster_of["3"]
    assert cluster_of["5"] == cluster_of["6"]
    assert len({cluster_of[r] for r in ["1", "3", "4", "5", "7", "8"]}) == 6
    assert stdout.getvalue().startswith("2 pair(s) at or above 0.5 written to")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "clusters.csv", "pairs.csv"]


@pytest.mark.django_db
def test_linking_two_files_names_left_ids_from_the_left_file(tmp_path: Path) -> None:
    left = _file(tmp_path, "a.csv", PEOPLE)
    right = _file(
        tmp_path,
        "b.csv",
        "record_id,given_name,family_name,dob,sex,postcode\n"
        "B1,Priya,Shah,2011-08-09,F,RF2 5EF\n"
        "B2,Zed,Hughes,2001-01-01,M,RF7 7XX\n",
    )
    _activate_model_trained_on(left)
    out = _file(tmp_path, "pairs.csv", "stale\n")
    call_command(
        "link",
        "--left",
        str(left),
        "--right",
        str(right),
        "--out",
        str(out),
        "--threshold",
        "0.9",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    pairs = _rows(out)
    assert pairs[0] == ["left_id", "right_id", "match_probability"]
    assert [(a, b) for a, b, _ in pairs[1:]] == [("7", "B1")]
    assert float(pairs[1][2]) >= 0.9


@pytest.mark.django_db
def test_twins_are_listed_with_their_probability_but_never_clustered_together(tmp_path: Path) -> None:
    left = _file(
        tmp_path,
        "a.csv",
        PEOPLE
        + "9,Hana,Kowalczyk,2018-05-06,F,RF7 7JJ,\n"
        + "10,Zofia,Kowalczyk,2018-05-06,F,RF7 7JJ,\n"
        + "11,Hanna,Kowalczyk,2018-05-06,F,RF7 7JJ,\n",
    )
    out, clusters = tmp_path / "pairs.csv", tmp_path / "clusters.csv"
    stdout = io.StringIO()
    call_command(
        "link",
        "--left",
        str(left),
        "--out",
        str(out),
        "--clusters",
        str(clusters),
        "--threshold",
        "0.01",
        stdout=stdout,
        stderr=io.StringIO(),
    )

    found = {(a, b) for a, b, _ in _rows(out)[1:]}
    cluster_of = {record: cluster for cluster, record in _rows(clusters)[1:]}
    assert ("10", "9") in found or ("9", "10") in found  # the model alone thinks they may be one
    assert cluster_of["9"] == cluster_of["11"] != cluster_of["10"]
    assert "kept apart for a person to check" in stdout.getvalue()

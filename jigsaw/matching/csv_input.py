"""Reading a data officer's CSV of people into `MatchRecord`s for batch linkage.

A file is checked whole before anything is linked: every problem is collected with its
line number, so the officer can fix the file in one pass instead of one error per run.
Values are only stripped, not judged: batch data is messy, and the matcher already treats
a malformed NHS number or postcode as weak evidence. Only what would make the output
wrong or ambiguous is refused: no or repeated record ids, dates that cannot be read, an
unknown sex, rows that do not line up with the header, bytes that are not UTF-8.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from collections.abc import Sequence

from jigsaw.matching.records import MatchRecord

COLUMNS = (
    "record_id",
    "given_name",
    "family_name",
    "other_names",
    "dob",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
)
SEXES = {"M": "M", "F": "F", "U": "", "": ""}  # U (unknown) is a missing value to the matcher
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InputFileError(Exception):
    """A file that cannot be linked; `problems` lists every reason, each with its line."""

    def __init__(self, path: str | os.PathLike[str], problems: Sequence[str]) -> None:
        self.path = os.fspath(path)
        self.problems = list(problems)
        super().__init__("\n".join(f"{self.path}: {problem}" for problem in self.problems))


def _decode(path: str | os.PathLike[str], problems: list[str]) -> str:
    """The file's text; each line that is not UTF-8 is listed, and read with replacement
    characters so that the rest of the file can still be checked."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise InputFileError(path, [f"cannot be read: {error.strerror or error}"]) from None
    # Spreadsheets often save a byte-order mark; it is not part of the first column's name.
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(f"line {number}: is not UTF-8 text (save the file as CSV UTF-8)")
            lines.append(raw.decode("utf-8", errors="replace"))
    return "\n".join(lines)


def _header(row: list[str], line: int, problems: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in row]
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in COLUMNS:
            if name in positions:
                problems.append(f"line {line}: column {name} appears more than once")
            else:
                positions[name] = index
    if not positions:
        problems.append(
            f"line {line}: there is no header row; the first line must name the columns, "
            f"among them record_id (known columns: {', '.join(COLUMNS)})"
        )
    elif "record_id" not in positions:
        problems.append(f"line {line}: the header has no record_id column")
    return positions


def _dob(value: str, line: int, problems: list[str]) -> datetime.date | None:
    if not value:
        return None
    if _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"line {line}: dob {value!r} is not a date in the form YYYY-MM-DD")
    return None


def _sex(value: str, line: int, problems: list[str]) -> str:
    sex = SEXES.get(value.upper())
    if sex is None:
        problems.append(f"line {line}: sex {value!r} is not M, F or U (or empty)")
        return ""
    return sex


def read_records(path: str | os.PathLike[str]) -> list[MatchRecord]:
    """The file's records, or `InputFileError` listing every problem found in it."""
    problems: list[str] = []
    text = _decode(path, problems)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[MatchRecord] = []
    first_seen: dict[str, int] = {}
    columns: dict[str, int] | None = None
    width = 0
    last_line = 0
    try:
        for row in reader:
            # A quoted value can run over several lines; a row is named by its first.
            line, last_line = last_line + 1, reader.line_num
            if not any(field.strip() for field in row):
                continue  # blank lines, and the empty ",,," rows spreadsheets leave behind
            if columns is None:
                columns = _header(row, line, problems)
                width = len(row)
                continue
            if len(row) != width:
                problems.append(f"line {line}: {len(row)} fields, but the header has {width}")
                continue
            values = {name: row[index].strip() for name, index in columns.items()}
            record_id = values.get("record_id", "")
            if "record_id" in columns:
                if not record_id:
                    problems.append(f"line {line}: record_id is empty")
                elif record_id in first_seen:
                    problems.append(
                        f"line {line}: record_id {record_id!r} is already used on line {first_seen[record_id]}"
                    )
                else:
                    first_seen[record_id] = line
            records.append(
                MatchRecord(
                    record_id=record_id,
                    given_name=values.get("given_name", ""),
                    family_name=values.get("family_name", ""),
                    other_names=tuple(
                        name.strip() for name in values.get("other_names", "").split(";") if name.strip()
                    ),
                    dob=_dob(values.get("dob", ""), line, problems),
                    sex=_sex(values.get("sex", ""), line, problems),
                    postcode=values.get("postcode", ""),
                    address=values.get("address", ""),
                    nhs_number=values.get("nhs_number", ""),
                    upn=values.get("upn", ""),
                )
            )
    except csv.Error as error:
        # After a broken quote the rest of the file cannot be split into fields reliably.
        problems.append(f"line {reader.line_num}: {error}; the rest of the file was not checked")
    if columns is None and not problems:
        problems.append("the file is empty; it needs a header row naming the columns, among them record_id")
    if problems:
        raise InputFileError(path, problems)
    return records

"""A recommendation set from import to a scrutiny report PDF: the partnership's business
manager uploads a CSV file with a bad line (every bad line is listed, nothing is saved),
puts it right and uploads it again, opens the scrutiny report, downloads its PDF, and the
PDF's first page, rendered to PNG, shows the recommendations."""

from __future__ import annotations

import io
import subprocess  # nosec B404 - pdftoppm, with arguments we choose
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from jigsaw.quality.models.recommendations import Recommendation, RecommendationAction, RecommendationSet
from jigsaw.quality.tests.recommendations_helpers import DSL_EMAIL, dsl
from tests.browser.pages import Journey
from tests.factories import PASSWORD, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDFTOPPM = "/usr/bin/pdftoppm"
HEADER = "number,recommendation,owning_agency,response,response_comment,action,action_owner_email,action_due_date\n"
FIRST = "Schools should record every safeguarding concern on the day it is raised"
SECOND = "The police should share domestic abuse incidents with schools by the next school day"


def _file(due: str) -> str:
    return (
        HEADER
        + f'1,"{FIRST}.",Riverside Primary School,Accepted,,Train every member of staff,{DSL_EMAIL},{due}\n'
        + f"1,,,,,Audit ten concern records,{DSL_EMAIL},30/06/2027\n"
        + f'2,"{SECOND}.",Riverford Police,Accepted in part,Schools in the pilot area first,,,\n'
    )


def _upload(page: Page, journey: Journey, tmp_path: Path, content: str, label: str) -> None:
    page.get_by_label("Title of the report").fill("Children's services scrutiny: information sharing")
    page.get_by_label("Scrutiny committee").check()
    page.get_by_label("Which body is its progress reported to?").fill(
        "Children's Services Scrutiny Committee"
    )
    csv_file = tmp_path / f"{label}.csv"
    csv_file.write_text(content, encoding="utf-8")
    page.get_by_label("CSV file of the recommendations").set_input_files(str(csv_file))
    journey.submit("Import the set", label)


def test_a_set_is_imported_and_its_scrutiny_report_printed(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    persona("partnership_member")
    dsl()
    persona("police_officer")
    journey = Journey(page, live_server.url, "quality-recommendations")
    journey.sign_in("partnership_member", PASSWORD)
    journey.visit("/oversight/")
    with page.expect_navigation():
        page.get_by_role("link", name="Recommendations and actions").click()
    journey.checkpoint("recommendations")
    with page.expect_navigation():
        page.get_by_role("link", name="Import a set from a CSV file").click()
    journey.checkpoint("import page")

    # A due date that is not a date: the line is named, and nothing is saved.
    _upload(page, journey, tmp_path, _file("the end of January"), "bad file")
    expect(page.get_by_role("alert")).to_contain_text("The file has 1 problem: nothing has been saved")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Due date the end of January is not a date (write it as 31/03/2027)")
    expect(problems.get_by_role("cell", name="2", exact=True)).to_be_visible()
    assert not RecommendationSet.objects.exists() and not Recommendation.objects.exists()

    # Put right and sent again: the set page shows both recommendations.
    _upload(page, journey, tmp_path, _file("31/01/2027"), "good file")
    expect(page.get_by_role("alert")).to_contain_text("Imported 2 recommendations")
    expect(page.locator("#recommendations")).to_contain_text(FIRST)
    expect(page.locator("#recommendations")).to_contain_text(SECOND)
    assert RecommendationAction.objects.count() == 2

    with page.expect_navigation():
        page.get_by_role("link", name="Scrutiny report").click()
    journey.checkpoint("scrutiny report")
    expect(page.locator("main")).to_contain_text("Train every member of staff")
    expect(page.locator("main")).to_contain_text("Accepted in part: Schools in the pilot area first")

    # The PDF, fetched as the signed-in user would download it.
    href = page.get_by_role("link", name="Download the report as a PDF").get_attribute("href")
    assert href is not None
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf_path = tmp_path / "scrutiny-report.pdf"
    pdf_path.write_bytes(response.body())
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.body())).pages)
    assert FIRST in text and SECOND in text and "Train every member of staff" in text

    if not Path(PDFTOPPM).exists():
        pytest.fail(f"{PDFTOPPM} is missing: Debian's poppler-utils renders the PDF to check it")
    subprocess.run(  # noqa: S603 - a fixed program and our own file  # nosec B603
        [
            "/usr/bin/pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(tmp_path / "page1"),
        ],
        check=True,
        timeout=60,
    )
    png = tmp_path / "page1.png"
    with Image.open(png) as image:
        grey = image.convert("L")
        stats = ImageStat.Stat(grey)
        dark = sum(grey.histogram()[:128])
    assert stats.stddev[0] > 10, "the first page of the PDF is blank"
    assert dark > 500, "the first page of the PDF shows almost no text"

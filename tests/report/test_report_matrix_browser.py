"""The compare matrix as users see it: the page opened in real headless Chromium (Debian's chromium and
chromium-driver, which .ci/run installs), driven by selenium, from hand-made results.json files of the new
shape (tests/report/data/matrix-targets.toml: embedded, moto, JuiceFS and LocalStack-like runs): the summary
of every target inside the first screen (1366x768), not-applicable rows hidden until the toggle is ticked,
every count of a cell shown, expected deviations coloured apart from failures, clause sentences in the
wording of the columns' wire, and `compare --screenshot` saving that first screen. With JSS_MATRIX_PAGE set
(.ci/run sets it after comparing the embedded endpoint, moto, the JuiceFS gateway and LocalStack) the real
matrix is checked too.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from matrix_inputs import documents, write

from conformance.catalogue import load_catalogue
from conformance.harness.large import FAMILY as LARGE_FAMILY
from conformance.report.judgement import run_totals
from conformance.report.matrix import build_matrix
from conformance.report.matrix_html import render_html
from conformance.report.screenshot import FIRST_SCREEN

REPORTS = Path(__file__).resolve().parents[2] / "reports"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
)
#: The columns of CI's real matrix (.ci/run compares LocalStack too).
CI_TARGETS = ("embedded", "embedded-s3", "moto", "juicefs", "localstack")

#: Without the browser the test skips, unless required (.ci/run sets JSS_CONFORMANCE_REQUIRE_CHROMIUM).
REQUIRED = bool(os.environ.get("JSS_CONFORMANCE_REQUIRE_CHROMIUM"))
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER) and not REQUIRED,
    reason="chromium and chromedriver not installed (.ci/run installs them)",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium driven by selenium through Debian's chromedriver (nothing is downloaded)."""
    os.environ.setdefault("SE_OFFLINE", "true")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _page(tmp_path: Path, runs: list[dict]) -> Path:
    catalogue = load_catalogue()
    page = tmp_path / "matrix.html"
    names = [run["run"]["target"] for run in runs]
    page.write_text(render_html(build_matrix(runs, names, catalogue), catalogue), encoding="utf-8")
    return page


def _open(browser, page: Path, size: tuple[int, int] = FIRST_SCREEN):
    from selenium.webdriver.common.by import By

    browser.set_window_size(*size)
    browser.get(page.resolve().as_uri())
    return browser.find_element(By.ID, "matrix")


def _cell(browser, clause: str, column: int):
    from selenium.webdriver.common.by import By

    row = browser.find_element(By.CSS_SELECTOR, f'tr.clause[data-clause="{clause}"]')
    return row.find_elements(By.CSS_SELECTOR, "td.cell")[column]


def _chips(element) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    chips = element.find_elements(By.CLASS_NAME, "chip")
    return {chip.get_attribute("data-category"): chip.text for chip in chips}


def test_report_matrix_summary_of_every_target_is_in_the_first_screen(browser, tmp_path):
    from selenium.webdriver.common.by import By

    runs = documents()
    _open(browser, _page(tmp_path, runs))

    width, height = browser.execute_script("return [window.innerWidth, window.innerHeight]")
    assert (width, height) <= FIRST_SCREEN and height > 600  # the viewport of a 1366x768 window
    cards = browser.find_elements(By.CSS_SELECTOR, "#summary .target-summary")
    targets = [card.get_attribute("data-target") for card in cards]
    assert targets == ["embedded", "moto", "juicefs", "localstack"]
    for card in cards:
        box = card.rect
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (card.text, box, height)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (card.text, box, width)
    moto = cards[1]
    assert "wire s3 · rules s3 · server moto 5.1" in moto.text
    assert "server unknown" in cards[2].text  # juicefs: no server_version in its run
    chips = _chips(moto.find_element(By.CLASS_NAME, "counts"))
    jss_only = [c for c in load_catalogue().values() if "s3" not in c.dialects]  # n/a on moto's S3 wire
    s3_clauses = len(load_catalogue()) - len(jss_only)  # moto's PASS verdicts follow (matrix-targets.toml)
    assert chips["FAIL"] == "FAIL 1" and chips["EXPECTED"] == "expected 3"
    assert chips["PASS"] == f"PASS {s3_clauses + 3}"
    assert chips["NOT_APPLICABLE"] == f"n/a {len(jss_only)}" and chips["NON_STRICT"] == "NON_STRICT 0"
    totals = run_totals(runs[1])  # the run's own judgement: the same numbers as its terminal line
    assert moto.find_element(By.CLASS_NAME, "run-line").text == (
        f"run: expected deviations {totals['expected']} · unexpected outcomes {totals['unexpected']}"
    )
    bars = moto.find_elements(By.CSS_SELECTOR, ".bars .bar")
    assert len(bars) == 9  # every family has clauses over S3 (access too)
    segments = [seg.get_attribute("class") for seg in bars[0].find_elements(By.CLASS_NAME, "seg")]
    assert segments == ["seg c-PASS", "seg c-EXPECTED"]  # signature: PASS, then moto's expected deviations
    assert bars[0].value_of_css_property("display") == "flex"


def test_report_matrix_hides_rows_not_applicable_anywhere_until_the_toggle(browser, tmp_path):
    from selenium.webdriver.common.by import By

    s3_runs = documents()[1:]  # moto, juicefs, localstack: the JSS-wire clauses apply to none of them
    table = _open(browser, _page(tmp_path, s3_runs))
    jss_only = [c.id for c in load_catalogue().values() if "s3" not in c.dialects]

    label = browser.find_element(By.CSS_SELECTOR, 'label[for="show-na"]')
    assert label.text == f"show not-applicable clauses ({len(jss_only)} hidden)"
    hidden_row = table.find_element(By.CSS_SELECTOR, 'tr.clause[data-clause="signature.header.accepted"]')
    shown_row = table.find_element(By.CSS_SELECTOR, 'tr.clause[data-clause="signature.wrong-signature"]')
    assert not hidden_row.is_displayed() and shown_row.is_displayed()
    family = "//tr[contains(@class, 'family')]/th[normalize-space()='{}']/.."
    signature = table.find_element(By.XPATH, family.format("signature"))
    assert signature.is_displayed()  # a family with rows left keeps its header
    visible = [row for row in table.find_elements(By.CSS_SELECTOR, "tr.clause") if row.is_displayed()]
    assert len(visible) == len(load_catalogue()) - len(jss_only)

    label.click()

    assert hidden_row.is_displayed() and signature.is_displayed()
    assert _cell(browser, "signature.header.accepted", 0).text == "n/a"
    assert not browser.find_elements(By.TAG_NAME, "script")  # the toggle is CSS only


def test_report_matrix_cells_show_every_count_and_expected_apart_from_fail(browser, tmp_path):
    from selenium.webdriver.common.by import By

    _open(browser, _page(tmp_path, documents()))

    paging = _chips(_cell(browser, "list-parts.paging", 1))  # moto: 3 cases passed, 1 skipped
    assert paging == {"SKIPPED": "1 SKIPPED", "PASS": "3 PASS"}
    unchecked = _chips(_cell(browser, "list-parts.storage-class.reported", 3))  # localstack: RR refused early
    assert unchecked == {"NOT_REACHED": "1 NOT_REACHED", "PASS": "1 PASS"}  # never PASS for the unreached
    refused = _chips(_cell(browser, "initiate.region-limit.rr-elsewhere", 3))
    assert refused == {"FAIL": "1 FAIL", "PASS": "1 PASS"}
    expected_cell = _cell(browser, "signature.date-skew", 3)
    assert _chips(expected_cell) == {"EXPECTED": "1 expected", "PASS": "1 PASS"}
    fail_cell = _cell(browser, "upload-part.content-md5.mismatch", 1)
    expected_chip = expected_cell.find_element(By.CLASS_NAME, "c-EXPECTED")
    fail_chip = fail_cell.find_element(By.CLASS_NAME, "c-FAIL")
    pass_chip = expected_cell.find_element(By.CLASS_NAME, "c-PASS")
    chips = (expected_chip, fail_chip, pass_chip)
    colours = {chip.value_of_css_property("background-color") for chip in chips}
    assert len(colours) == 3, colours  # expected is neither FAIL's red nor PASS's green
    assert expected_chip.value_of_css_property("background-image") == "none"  # not a hatched red
    assert "known deviation of localstack" in expected_cell.get_attribute("title")  # the hover text
    message = fail_cell.find_element(By.CSS_SELECTOR, "li")
    assert not message.is_displayed()
    fail_cell.find_element(By.TAG_NAME, "summary").click()
    assert message.is_displayed() and "FAIL test_" in message.text  # the cases, on click
    legend = _chips(browser.find_element(By.CLASS_NAME, "legend"))
    assert legend["EXPECTED"] == "expected" and legend["NOT_IMPLEMENTED"] != legend["NOT_APPLICABLE"]


def test_report_matrix_sentences_in_the_wording_of_the_columns_wire(browser, tmp_path):
    from selenium.webdriver.common.by import By

    def sentences(clause: str) -> list[str]:
        row = browser.find_element(By.CSS_SELECTOR, f'tr.clause[data-clause="{clause}"]')
        return [div.text for div in row.find_elements(By.CSS_SELECTOR, "td.clause .sentence")][1:]

    _open(browser, _page(tmp_path, documents()))  # a jss column and s3 columns
    both = sentences("multipart.response.request-id")
    assert "x-jss-request-id" in both[0] and both[1].startswith("S3: ") and "x-amz-request-id" in both[1]
    assert sentences("signature.wrong-signature") == [load_catalogue()["signature.wrong-signature"].sentence]

    _open(browser, _page(tmp_path, documents()[1:]))  # s3 columns only
    [s3_only] = sentences("initiate.storage-class.default")
    assert "x-amz-storage-class" in s3_only and "x-jss" not in s3_only and not s3_only.startswith("S3:")


def test_report_compare_screenshot_saves_the_first_screen(tmp_path):
    paths = write(tmp_path / "runs")
    REPORTS.mkdir(exist_ok=True)
    picture = REPORTS / "matrix-first-screen.png"

    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "compare", *map(str, paths), "--screenshot", str(picture)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )

    assert done.returncode == 0, done.stderr
    assert f"first screen saved to {picture}" in done.stdout
    header = picture.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == FIRST_SCREEN


@pytest.mark.skipif(not os.environ.get("JSS_MATRIX_PAGE"), reason="JSS_MATRIX_PAGE (set by .ci/run) not set")
def test_report_ci_matrix_of_the_four_targets_renders(browser):
    from selenium.webdriver.common.by import By

    table = _open(browser, Path(os.environ["JSS_MATRIX_PAGE"]), (1400, 1000))
    headers = table.find_elements(By.CSS_SELECTOR, "thead th.target")

    assert [h.text.splitlines()[0] for h in headers] == list(CI_TARGETS)
    wires = ["wire jss · rules jss", "wire s3 · rules jss"] + ["wire s3 · rules s3"] * 3
    assert [h.text.splitlines()[1] for h in headers] == wires
    # CI's vendor runs leave the large family out (off by default): every other clause has its row
    run_by_default = [c for c in load_catalogue().values() if c.family != LARGE_FAMILY]
    assert len(table.find_elements(By.CSS_SELECTOR, "tr.clause")) >= len(run_by_default)
    lines = [line.text for line in browser.find_elements(By.CSS_SELECTOR, "#summary .run-line")]
    assert len(lines) == len(CI_TARGETS), lines
    assert all(line.endswith("unexpected outcomes 0") for line in lines), lines
    assert table.find_elements(By.CSS_SELECTOR, "span.chip.c-EXPECTED")  # moto's and JuiceFS's deviations
    REPORTS.mkdir(exist_ok=True)
    browser.set_window_size(1400, 4000)
    assert browser.save_screenshot(str(REPORTS / "matrix.png"))

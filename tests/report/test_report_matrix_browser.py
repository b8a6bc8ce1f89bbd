"""The compare matrix as users see it: the page opened in real headless Chromium (Debian's chromium and
chromium-driver, which .ci/run installs), driven by selenium: the three targets side by side, clauses grouped
by family, outcomes coloured, expected deviations marked apart, a case's message on hover (title) and on
click (details), totals per target. A screenshot goes to reports/. With JSS_MATRIX_PAGE set (.ci/run sets it
after comparing the embedded endpoint, moto, the JuiceFS gateway and LocalStack) the real matrix is checked
the same way.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conformance.catalogue import load_catalogue
from conformance.harness.large import FAMILY as LARGE_FAMILY
from conformance.report.matrix import build_matrix, render_html

REPORTS = Path(__file__).resolve().parents[2] / "reports"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
)
TARGETS = ("embedded", "moto", "juicefs")
#: The columns of CI's real matrix (.ci/run compares LocalStack too).
CI_TARGETS = (*TARGETS, "localstack")

#: Without the browser the test skips, unless required (.ci/run sets JSS_CONFORMANCE_REQUIRE_CHROMIUM).
REQUIRED = bool(os.environ.get("JSS_CONFORMANCE_REQUIRE_CHROMIUM"))
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER) and not REQUIRED,
    reason="chromium and chromedriver not installed (.ci/run installs them)",
)


def _run(target: str, dialect: str, cases: list[dict]) -> dict:
    return {
        "run": {
            "suite_version": "0", "target": target, "endpoint": f"http://127.0.0.1/{target}",
            "dialect": dialect, "regions": ["cn-north-1"], "started": "2026-12-01T00:00:00Z", "duration": 1,
        },
        "cases": cases,
    }


def _case(case_id, clause, outcome, message="", expected=None, source="file"):
    case = {"id": case_id, "clauses": [clause], "outcome": outcome, "duration_ms": 1.0, "message": message}
    if expected:
        case["expected"] = {"outcome": outcome, "reason": expected, "source": source}
    return case


ETAG = "test_complete.py::test_complete_etag_is_md5_of_part_etags"
SKEW = "test_signature.py::test_initiate_date_beyond_15_minutes_rejected[+16min]"
MD5 = "test_upload_part.py::test_upload_part_content_md5_mismatch_rejected"
DOCUMENTS = [
    _run("embedded", "jss", [
        _case(ETAG, "complete.etag.formula", "PASS"), _case(SKEW, "signature.date-skew", "PASS"),
        _case(MD5, "upload-part.content-md5.mismatch", "PASS"),
    ]),
    _run("moto", "s3", [
        _case(ETAG, "complete.etag.formula", "NOT_IMPLEMENTED", "jss only", "jss only", "dialect"),
        _case(SKEW, "signature.date-skew", "FAIL", "DID NOT RAISE", "moto checks no request time"),
        _case(MD5, "upload-part.content-md5.mismatch", "FAIL", "DID NOT RAISE ApiError"),
    ]),
    _run("juicefs", "s3", [
        _case(ETAG, "complete.etag.formula", "NOT_IMPLEMENTED", "jss only", "jss only", "dialect"),
        _case(SKEW, "signature.date-skew", "PASS"), _case(MD5, "upload-part.content-md5.mismatch", "PASS"),
    ]),
]


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


def _open(browser, page: Path):
    from selenium.webdriver.common.by import By

    browser.get(page.resolve().as_uri())
    table = browser.find_element(By.ID, "matrix")
    headers = table.find_elements(By.CSS_SELECTOR, "thead th.target")
    return table, headers


def _cell(table, clause: str, column: int):
    from selenium.webdriver.common.by import By

    row = table.find_element(By.CSS_SELECTOR, f'tr.clause[data-clause="{clause}"]')
    return row.find_elements(By.CSS_SELECTOR, "td.cell")[column]


def test_report_matrix_renders_three_targets_side_by_side(browser, tmp_path):
    from selenium.webdriver.common.by import By

    page = tmp_path / "matrix.html"
    page.write_text(render_html(build_matrix(DOCUMENTS, TARGETS, load_catalogue()), load_catalogue()))

    table, headers = _open(browser, page)

    assert [h.text.splitlines()[0] for h in headers] == list(TARGETS)
    lefts = [h.rect["x"] for h in headers]
    assert lefts == sorted(lefts) and len({round(x) for x in lefts}) == 3
    assert all(h.is_displayed() for h in headers)
    families = [th.text.lower() for th in table.find_elements(By.CSS_SELECTOR, "tr.family th")]
    assert families == ["signature", "lifecycle"]
    expected_fail = _cell(table, "signature.date-skew", 1)
    unexpected_fail = _cell(table, "upload-part.content-md5.mismatch", 1)
    assert "expected" in expected_fail.get_attribute("class") and "expected" in expected_fail.text
    assert "repeating-linear-gradient" in expected_fail.value_of_css_property("background-image")
    assert "expected" not in unexpected_fail.get_attribute("class")
    assert expected_fail.value_of_css_property("background-color") == unexpected_fail.value_of_css_property(
        "background-color"
    ) != _cell(table, "signature.date-skew", 0).value_of_css_property("background-color")
    assert _cell(table, "complete.etag.formula", 2).text == "n/a"
    assert "moto checks no request time" in expected_fail.get_attribute("title")  # the hover text
    message = unexpected_fail.find_element(By.CSS_SELECTOR, "li")
    assert not message.is_displayed()
    unexpected_fail.find_element(By.TAG_NAME, "summary").click()
    assert message.is_displayed() and "DID NOT RAISE ApiError" in message.text  # shown on click
    totals = [td.text for td in table.find_elements(By.CSS_SELECTOR, "tfoot td.total")]
    assert totals[1] == "FAIL 2, NOT_IMPLEMENTED 1; expected 2, unexpected 1", totals
    REPORTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(REPORTS / "matrix-browser-test.png"))


@pytest.mark.skipif(not os.environ.get("JSS_MATRIX_PAGE"), reason="JSS_MATRIX_PAGE (set by .ci/run) not set")
def test_report_ci_matrix_of_the_three_stores_renders(browser):
    from selenium.webdriver.common.by import By

    table, headers = _open(browser, Path(os.environ["JSS_MATRIX_PAGE"]))

    assert [h.text.splitlines()[0] for h in headers] == list(CI_TARGETS)
    assert [h.text.splitlines()[1] for h in headers] == ["jss", "s3", "s3", "s3"]
    # CI's vendor runs leave the large family out (off by default): every other clause has its row
    run_by_default = [c for c in load_catalogue().values() if c.family != LARGE_FAMILY]
    assert len(table.find_elements(By.CSS_SELECTOR, "tr.clause")) >= len(run_by_default)
    totals = [td.text for td in table.find_elements(By.CSS_SELECTOR, "tfoot td.total")]
    assert len(totals) == len(CI_TARGETS) and all(total.endswith("unexpected 0") for total in totals), totals
    assert table.find_elements(By.CSS_SELECTOR, "td.cell.expected")  # moto's and JuiceFS's known deviations
    REPORTS.mkdir(exist_ok=True)
    browser.set_window_size(1400, 4000)
    assert browser.save_screenshot(str(REPORTS / "matrix.png"))

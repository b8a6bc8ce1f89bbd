"""A PNG of a page's first screen, taken by a headless Chromium (``chromium --headless --screenshot``): no
selenium, no network, nothing downloaded. ``jss-conformance compare ... --screenshot FIRST.png`` uses it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

#: The first screen a reader sees: a common laptop viewport.
FIRST_SCREEN = (1366, 768)
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--mute-audio",
)
TIMEOUT_SECONDS = 60


class BrowserMissing(RuntimeError):
    """No Chromium on PATH (nor in JSS_CONFORMANCE_CHROMIUM)."""


class ScreenshotFailed(RuntimeError):
    """The browser ran but left no picture."""


def find_browser() -> str:
    """The Chromium to run: JSS_CONFORMANCE_CHROMIUM, else the first of BROWSERS on PATH."""
    named = os.environ.get("JSS_CONFORMANCE_CHROMIUM")
    if named:
        if not shutil.which(named):
            raise BrowserMissing(f"JSS_CONFORMANCE_CHROMIUM={named}: no such browser")
        return named
    found = next((path for path in map(shutil.which, BROWSERS) if path), None)
    if not found:
        raise BrowserMissing(
            "no Chromium found for --screenshot (install chromium, or set JSS_CONFORMANCE_CHROMIUM)"
        )
    return found


def screenshot(page: Path, output: Path, size: tuple[int, int] = FIRST_SCREEN) -> Path:
    """Save the first `size` pixels (width, height) of the HTML file `page` as the PNG `output`."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="jss-chromium-") as profile:
        command = [
            find_browser(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
            f"--screenshot={output}", page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise ScreenshotFailed(f"the browser took more than {TIMEOUT_SECONDS} s to draw {page}") from None
    if not output.is_file() or not output.stat().st_size:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ScreenshotFailed(f"the browser left no screenshot (exit {done.returncode}: {last[:200]})")
    return output

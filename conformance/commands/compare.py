"""``jss-conformance compare RESULTS.json... [-o matrix.html]``: the target x clause matrix of several runs.
``jss-conformance compare OLD.json NEW.json --changes``: what changed, per clause, between two runs of one
target.

The matrix is printed as a table (each run's summary first; clauses not applicable to any run are left
out unless --show-not-applicable) and, with -o, written as one self-contained HTML file; --screenshot saves a
PNG of the page's first screen (1366x768) taken by a headless Chromium (exit status 0; 2 without a Chromium,
3 when the browser fails).

--changes prints one line per clause that is newly failing, newly passing, newly not reached (or otherwise
changed) with its cases, their outcomes in OLD and NEW and NEW's message, then a summary line. Exit status:
1 when a clause is newly failing; else 3 when NEW cannot vouch for what it did not reach (it did not complete,
or has INFRA_ERROR cases); else 0. Two runs of different targets or dialects are refused (status 2).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from conformance.catalogue import CatalogueError, load_catalogue
from conformance.cli import UsageError
from conformance.report.changes import compare_runs, incomplete, render
from conformance.report.matrix import build_matrix
from conformance.report.matrix_html import render_html
from conformance.report.matrix_text import render_text
from conformance.report.results import read_results
from conformance.report.screenshot import BrowserMissing, ScreenshotFailed, screenshot
from conformance.report.wording import load_wording


def register(subparsers: argparse._SubParsersAction) -> None:
    """The `compare` subcommand."""
    parser = subparsers.add_parser(
        "compare",
        help="the target x clause matrix of several results.json, or the changes between two runs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="results.json files of the runs")
    parser.add_argument("-o", "--output", metavar="MATRIX.html", help="also write the matrix as HTML here")
    parser.add_argument(
        "--screenshot", metavar="FIRST.png",
        help="also save a PNG of the page's first screen (headless Chromium)",
    )
    parser.add_argument(
        "--show-not-applicable", action="store_true",
        help="also list the clauses no run applies (left out of the table by default, hidden in the page)",
    )
    parser.add_argument("--catalogue", metavar="CLAUSES.toml", help="clause catalogue (default: fixtures')")
    parser.add_argument(
        "--changes", action="store_true",
        help="OLD.json NEW.json: list per clause what changed between two runs of one target; exit 1 on a "
        "newly failing clause",
    )
    parser.set_defaults(handler=compare)


def _read(names: list[str]) -> list[dict]:
    documents = []
    for name in names:
        try:
            documents.append(read_results(name))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    return documents


def compare(args: argparse.Namespace) -> int:
    """Handler: the matrix (print, HTML), or with --changes the changes; 2 when a file is not a
    results.json."""
    if args.changes:
        return changes(args)
    documents = _read(args.results)
    try:
        catalogue = load_catalogue(args.catalogue)
    except CatalogueError as exc:
        if args.catalogue:
            raise UsageError(str(exc)) from None
        catalogue = {}
    try:
        s3_wording = load_wording("s3")
    except CatalogueError as exc:
        raise UsageError(str(exc)) from None
    matrix = build_matrix(documents, [Path(name).stem for name in args.results], catalogue)
    print(render_text(matrix, args.show_not_applicable), end="")
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_html(matrix, catalogue, s3_wording), encoding="utf-8")
        print(f"matrix written to {output}")
    if args.screenshot:
        return _screenshot(render_html(matrix, catalogue, s3_wording), Path(args.screenshot))
    return 0


def _screenshot(page: str, output: Path) -> int:
    """Save the first screen of `page` to `output`: 0, 2 without a browser, 3 when the browser fails."""
    with tempfile.TemporaryDirectory(prefix="jss-matrix-") as folder:
        html_file = Path(folder) / "matrix.html"
        html_file.write_text(page, encoding="utf-8")
        try:
            screenshot(html_file, output)
        except BrowserMissing as exc:
            raise UsageError(str(exc)) from None
        except ScreenshotFailed as exc:
            print(f"jss-conformance: {exc}", file=sys.stderr)
            return 3
    print(f"first screen saved to {output}")
    return 0


def changes(args: argparse.Namespace) -> int:
    """--changes OLD.json NEW.json: one line per changed clause and a summary; 1 on a newly failing clause,
    3 when NEW did not complete (or has INFRA_ERROR cases) and nothing is newly failing, else 0."""
    if len(args.results) != 2:
        raise UsageError(f"--changes compares exactly two runs, OLD.json NEW.json (got {len(args.results)})")
    if args.output or args.screenshot:
        raise UsageError(
            "--changes prints the changes; -o and --screenshot draw the matrix: give one of them"
        )
    old, new = _read(args.results)
    for key in ("target", "dialect"):
        if old["run"][key] != new["run"][key]:
            raise UsageError(
                f"--changes compares two runs of one target: {args.results[0]} has {key} "
                f"{old['run'][key]!r}, {args.results[1]} has {new['run'][key]!r}"
            )
    found = compare_runs(old, new)
    print("\n".join(render(found, old, new)))
    if found.new_failure:
        return 1
    why = incomplete(new["run"], new["cases"])
    if why:
        print(f"jss-conformance: {why}: what it did not reach is not vouched for", file=sys.stderr)
        return 3
    return 0

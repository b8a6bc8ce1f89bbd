"""``jss-conformance compare RESULTS.json... [-o matrix.html]``: the target x clause matrix of several runs.

Prints the matrix as a table and, with -o, writes it as one self-contained HTML file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance.catalogue import CatalogueError, load_catalogue
from conformance.cli import UsageError
from conformance.report.matrix import build_matrix, render_html, render_text
from conformance.report.results import read_results


def register(subparsers: argparse._SubParsersAction) -> None:
    """The `compare` subcommand."""
    parser = subparsers.add_parser(
        "compare",
        help="the target x clause matrix of several results.json",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("results", nargs="+", metavar="RESULTS.json", help="results.json files of the runs")
    parser.add_argument("-o", "--output", metavar="MATRIX.html", help="also write the matrix as HTML here")
    parser.add_argument("--catalogue", metavar="CLAUSES.toml", help="clause catalogue (default: fixtures')")
    parser.set_defaults(handler=compare)


def compare(args: argparse.Namespace) -> int:
    """Handler: print the matrix, write the HTML; 2 when a file is not a results.json."""
    documents = []
    for name in args.results:
        try:
            documents.append(read_results(name))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    try:
        catalogue = load_catalogue(args.catalogue)
    except CatalogueError as exc:
        if args.catalogue:
            raise UsageError(str(exc)) from None
        catalogue = {}
    matrix = build_matrix(documents, [Path(name).stem for name in args.results], catalogue)
    print(render_text(matrix), end="")
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_html(matrix, catalogue), encoding="utf-8")
        print(f"matrix written to {output}")
    return 0

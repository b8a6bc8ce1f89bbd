"""The look of the matrix page: one colour per category (chips, bars, legend) and the page's stylesheet.
Expected deviations have their own colour (teal), never the red of a FAIL; NOT_IMPLEMENTED (blue: the store
lacks it) is apart from not applicable (light grey: nothing was asked)."""

from __future__ import annotations

from conformance import outcomes as oc
from conformance.report.matrix import EXPECTED, SEVERITY

COLOURS = {
    oc.PASS: "#81c784",
    oc.FAIL: "#e57373",
    EXPECTED: "#4db6ac",
    oc.NON_STRICT: "#ffd54f",
    oc.NOT_IMPLEMENTED: "#64b5f6",
    oc.NOT_APPLICABLE: "#eeeeee",
    oc.SKIPPED: "#bdbdbd",
    oc.NOT_REACHED: "#90a4ae",
    oc.INFRA_ERROR: "#ba68c8",
    oc.INTERRUPTED: "#ffb74d",
}
#: The order of a stacked bar, left to right (not applicable is left out: nothing was asked).
BAR_ORDER = (
    oc.PASS, EXPECTED, oc.NON_STRICT, oc.NOT_IMPLEMENTED, oc.SKIPPED, oc.NOT_REACHED, oc.INTERRUPTED,
    oc.INFRA_ERROR, oc.FAIL,
)

_BASE = """
body { font-family: system-ui, sans-serif; margin: 12px 16px; color: #222; font-size: 13px; }
h1 { font-size: 18px; margin: 0 0 6px; }
.legend { margin: 0 0 8px; font-size: 12px; }
.legend .chip { margin-right: 4px; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 10px; }
.target-summary { border: 1px solid #bbb; border-radius: 4px; padding: 6px 10px; width: 300px;
  background: #fafafa; }
.target-summary h2 { font-size: 15px; margin: 0; }
.target-summary .meta, .target-summary .total, .run-line {
  font-size: 12px; color: #444; margin: 2px 0; }
.target-summary .counts { margin: 4px 0; line-height: 1.9; }
.bars { display: grid; grid-template-columns: 8.5em 1fr; gap: 2px 6px; align-items: center;
  font-size: 11px; margin-top: 4px; }
.bar { display: flex; height: 10px; border: 1px solid #999; background: #fff; }
.bar .seg { display: block; height: 100%; }
.bar-na { color: #888; }
.chip { display: inline-block; padding: 0 5px; border-radius: 3px; border: 1px solid rgba(0,0,0,.25);
  font-family: ui-monospace, monospace; font-size: 12px; white-space: nowrap; }
.toggle-label { font-size: 13px; cursor: pointer; }
table { border-collapse: collapse; margin-top: 6px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f5f5f5; z-index: 1; }
thead th small { display: block; font-weight: normal; color: #444; }
tr.family th { background: #37474f; color: #fff; text-transform: uppercase; letter-spacing: .05em; }
tr.na-row { display: none; }
#show-na:checked ~ table tr.na-row { display: table-row; }
td.cell { min-width: 9em; border-left-width: 4px; }
td.cell.na { color: #777; background: #fafafa; }
td.cell details summary { cursor: pointer; }
td.cell details ul { margin: .3em 0 0 1em; padding: 0; white-space: normal; max-width: 40em;
  font-size: 12px; }
td.clause a { color: inherit; }
.sentence { color: #555; font-size: 12px; max-width: 46em; }
.sentence b { color: #333; }
"""


def stylesheet() -> str:
    """The page's CSS: the base rules, then the colour rules of each category (chips, bars, cell border)."""
    rules = [_BASE]
    for category in SEVERITY:
        colour = COLOURS[category]
        rules.append(f".c-{category} {{ background-color: {colour}; }}")
        rules.append(f"td.cell.w-{category} {{ border-left-color: {colour}; }}")
    return "\n".join(rules)

"""A pytest plugin for the catalogue lint: after collection, write every case's node id, function name and
clause ids (from its `clause` markers, parameter marks included) as JSON to $JSS_CASE_COLLECTION."""

from __future__ import annotations

import json
import os


def pytest_collection_finish(session) -> None:
    """Dump the collected cases."""
    cases = [
        {
            "nodeid": item.nodeid,
            "function": getattr(item, "originalname", item.name),
            "clauses": [str(arg) for mark in item.iter_markers("clause") for arg in mark.args],
        }
        for item in session.items
    ]
    with open(os.environ["JSS_CASE_COLLECTION"], "w", encoding="utf-8") as handle:
        json.dump(cases, handle)

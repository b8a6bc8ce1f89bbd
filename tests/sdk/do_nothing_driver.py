"""A driver that does nothing: reads the scenario, sends no request, and says it succeeded (or, with the
argument ``unsupported``, that it supports none of the steps). It fails every scenario, each for its own
reasons: never a real SDK's known findings."""

import json
import sys

scenario = json.load(sys.stdin)
if sys.argv[1:] == ["unsupported"]:
    steps = [step["op"] for step in scenario["steps"]]
    print(json.dumps({"status": "unsupported", "unsupported": steps, "message": "supports nothing"}))
else:
    print(json.dumps({"status": "ok", "message": "did nothing"}))

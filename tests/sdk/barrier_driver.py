"""A driver that proves scenarios run at once: ``barrier_driver.py DIR N`` notes its scenario's arrival in
DIR, waits (up to 30 s) until N scenarios have arrived, notes ``<scenario>.met`` if they did, then hands the
scenario to the example driver and passes on its result and exit status. Run one after the other, the first
scenario waits in vain and writes no ``.met``."""

import json
import subprocess
import sys
import time
from pathlib import Path

WAIT = 30.0

payload = sys.stdin.read()
folder, count = Path(sys.argv[1]), int(sys.argv[2])
scenario = json.loads(payload)["scenario"]
(folder / f"{scenario}.arrived").touch()
deadline = time.monotonic() + WAIT
while len(list(folder.glob("*.arrived"))) < count and time.monotonic() < deadline:
    time.sleep(0.05)
if len(list(folder.glob("*.arrived"))) >= count:
    (folder / f"{scenario}.met").touch()
example = subprocess.run([sys.executable, "-m", "conformance.sdk.drivers.example"], input=payload, text=True,
                         stdout=subprocess.PIPE, check=False)
sys.stdout.write(example.stdout)
sys.exit(example.returncode)

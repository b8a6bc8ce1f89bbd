"""Shared pieces of the benchmarks: payload, server RSS sampling, moto server, the two wire dialects,
and the PASS/MISS lines. Imported by the scripts one folder up (run them as `python benchmarks/<name>.py`)."""

"""Third-party S3-compatible stores on 127.0.0.1 for trying the suite's S3 dialect: moto's server, the JuiceFS
S3 gateway and LocalStack (from its own virtualenv, see localstack.py), each started in its own process with
its files under a temporary folder, with bounded waits, and stopped (killed after a grace period) on exit.
``python -m conformance.stores run NAME [run arguments]`` starts one, creates the buckets of
``fixtures/targets/NAME.toml``, runs ``jss-conformance run --target`` that profile against it and stops it
(used by ``.ci/run``)."""

from conformance.stores.launch import STORES, LocalStore, start_store

__all__ = ["STORES", "LocalStore", "start_store"]

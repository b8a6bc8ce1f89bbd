"""Subcommands of the `jss-conformance` command, one module each."""

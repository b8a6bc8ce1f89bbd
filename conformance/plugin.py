"""The jss-conformance pytest plugin (entry point ``pytest11: jss_conformance``).

Work in progress: the options, fixtures and reports arrive in the next commits.
"""

"""jss-conformance: conformance suite for the JD Cloud JSS multipart-upload API.

PYTEST_DONT_REWRITE: the command imports this package before pytest starts, and it holds no assertion
(its plugin and case modules are rewritten as usual).
"""

__version__ = "0.1.0"

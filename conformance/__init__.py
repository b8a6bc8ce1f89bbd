"""jss-conformance: conformance suite for the JD Cloud JSS multipart-upload API."""

__version__ = "0.1.0"

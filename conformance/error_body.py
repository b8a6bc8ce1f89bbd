"""The error code an error answer's body carries, whichever wire answered: the XML ``<Error><Code>`` of the S3
wire or the JSON ``code`` of the JSS wire (its name matched case-insensitively, as every JSON field here).

One reader of raw bodies for the places that hold bytes, not a dialect's response: the "not supported" rule
(conformance/not_supported.py) and the exchange lines of a failure's explanation (harness/explain.py).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

from conformance.operations.results import field_of


def error_code(content: bytes | None) -> str | None:
    """The error code of an error body (None: neither an XML Error nor a JSON object with a code)."""
    text = (content or b"").strip()
    if text.startswith(b"<"):
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError:
            return None
        code = next((child.text for child in root if child.tag.rpartition("}")[2] == "Code"), None)
        return code.strip() if code and code.strip() else None
    if text.startswith(b"{"):
        try:
            code = field_of(json.loads(text), "code")
        except ValueError:
            return None
        return code if isinstance(code, str) else None
    return None

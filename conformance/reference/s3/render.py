"""The XML documents of the S3 wire (namespace http://s3.amazonaws.com/doc/2006-03-01/), built from the
wire-neutral records, and the Error document as AWS documents it (Code, Message, Resource, RequestId)."""

from __future__ import annotations

import re
import time
from urllib.parse import quote
from xml.etree import ElementTree

from conformance.reference.httpio import Response

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_CONTENT_TYPE = b"application/xml"

Tree = list[tuple[str, object]]  # (tag, text | nested Tree); a tag may repeat
#: Characters XML 1.0 has no place for, even escaped (controls but tab, LF, CR; surrogates; U+FFFE, U+FFFF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with each character XML 1.0 cannot carry percent-encoded (``/a%1Fb``), so the document stays
    well-formed: a key sent as ``%1F`` is named in an Error's Resource as it was sent."""
    return NOT_XML.sub(lambda match: quote(match.group(), safe="", errors="surrogatepass"), text)


def iso_time(timestamp: float) -> str:
    """A timestamp as S3 writes it in XML: ISO 8601 with milliseconds, UTC."""
    millis = int(timestamp * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(timestamp)) + f".{millis:03d}Z"


def _fill(parent: ElementTree.Element, tree: Tree) -> None:
    for tag, value in tree:
        child = ElementTree.SubElement(parent, tag)
        if isinstance(value, list):
            _fill(child, value)
        elif value is not None:
            child.text = str(value).lower() if isinstance(value, bool) else str(value)


def document(root: str, tree: Tree, namespace: bool = True) -> bytes:
    """The XML bytes of `root` holding `tree`, with the XML declaration."""
    element = ElementTree.Element(root, {"xmlns": NAMESPACE} if namespace else {})
    _fill(element, tree)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        element, encoding="utf-8", xml_declaration=False
    )


def xml_response(root: str, tree: Tree, status: int = 200, headers: list | None = None) -> Response:
    """A response carrying the XML document `root`."""
    return Response(status, [(b"content-type", XML_CONTENT_TYPE), *(headers or [])], document(root, tree))


def error_document(
    code: str, message: str, resource: str, request_id: str, omitted: frozenset[str] | set[str] = frozenset()
) -> bytes:
    """The Error body: Code, Message, Resource, RequestId (no namespace, as AWS sends it), without the
    `omitted` elements (a deviation's)."""
    tree: Tree = [
        ("Code", code),
        ("Message", xml_safe(message)),
        ("Resource", xml_safe(resource)),
        ("RequestId", request_id),
    ]
    tree = [(tag, value) for tag, value in tree if tag not in omitted]
    return document("Error", tree, namespace=False)


def owner(name: str) -> Tree:
    """An Owner / Initiator element's content: the account name as ID and DisplayName."""
    return [("ID", name), ("DisplayName", name)]

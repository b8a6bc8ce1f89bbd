"""The raw request parser of tests/signature/conftest.py, which the vector tests rely on."""

import pytest


@pytest.mark.parametrize(
    "text",
    [
        b"GET / HTTP/1.1\nHost: h",
        b"GET /\nHost: h\n\n",
        b"GET / HTTP/1.1\nHost h\n\n",
        b"GET / HTTP/1.1\nHo st: h\n\n",
        b"GET / HTTP/1.1\nHost: \xc3\xa9\n\n",
    ],
    ids=["no-empty-line", "short-request-line", "header-without-colon", "space-in-name", "non-ascii-head"],
)
def test_parser_rejects_malformed_requests(text, parse_request):
    with pytest.raises(ValueError):
        parse_request(text)


def test_parser_keeps_order_duplicates_raw_values_and_body(parse_request):
    request = parse_request(b"PUT /b/k?x HTTP/1.1\nHost: b.h\nX-A:  1 \nx-a:2\n\nbody\n\nmore")
    assert (request.method, request.target, request.version) == ("PUT", "/b/k?x", "HTTP/1.1")
    assert request.headers == [("Host", " b.h"), ("X-A", "  1 "), ("x-a", "2")]
    assert request.values("x-A") == ["1", "2"]
    assert request.body == b"body\n\nmore"

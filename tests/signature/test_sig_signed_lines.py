"""conformance.signed_lines: exactly one line of a JSS StringToSign or a SigV4 canonical request changes."""

from __future__ import annotations

import pytest

from conformance.signed_lines import LineNotSigned, line_changer

JSS = (
    "PUT\n0c791a8c18017c7ad1675936d12bae5d\ntext/plain\nThu, 13 Jul 2017 02:37:31 GMT\n"
    "x-jss-server-side-encryption:false\nx-jss-storage-class:STANDARD\n/b/k?partNumber=1&uploadId=U"
)
S3 = (
    "PUT\n/b/k\npartNumber=1&uploadId=U\ncontent-type:text/plain\nhost:127.0.0.1:9\n"
    "x-amz-content-sha256:abc\nx-amz-date:20261207T000000Z\n\n"
    "content-type;host;x-amz-content-sha256;x-amz-date\nabc"
)


def _changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    pairs = zip(before.split("\n"), after.split("\n"), strict=True)
    return [(old, new) for old, new in pairs if old != new]


@pytest.mark.parametrize(
    ("wire", "text", "line", "change", "expected"),
    [
        ("jss", JSS, "verb", {"replace": "POST"}, ("PUT", "POST")),
        ("jss", JSS, "content-md5", {"replace": "x"}, ("0c791a8c18017c7ad1675936d12bae5d", "x")),
        ("jss", JSS, "content-type", {"replace": "a/b"}, ("text/plain", "a/b")),
        ("jss", JSS, "date", {"shift_seconds": -1},
         ("Thu, 13 Jul 2017 02:37:31 GMT", "Thu, 13 Jul 2017 02:37:30 GMT")),
        ("jss", JSS, "x-jss-storage-class", {"replace": "RR"},
         ("x-jss-storage-class:STANDARD", "x-jss-storage-class:RR")),
        ("jss", JSS, "resource", {"sub": ["partNumber=1", "partNumber=2"]},
         ("/b/k?partNumber=1&uploadId=U", "/b/k?partNumber=2&uploadId=U")),
        ("s3", S3, "method", {"replace": "GET"}, ("PUT", "GET")),
        ("s3", S3, "path", {"append": "-x"}, ("/b/k", "/b/k-x")),
        ("s3", S3, "query", {"sub": ["uploadId=", "uploadId=0"]},
         ("partNumber=1&uploadId=U", "partNumber=1&uploadId=0U")),
        ("s3", S3, "header:x-amz-date", {"shift_seconds": 1},
         ("x-amz-date:20261207T000000Z", "x-amz-date:20261207T000001Z")),
        ("s3", S3, "header:x-amz-content-sha256", {"replace": "UNSIGNED-PAYLOAD"},
         ("x-amz-content-sha256:abc", "x-amz-content-sha256:UNSIGNED-PAYLOAD")),
        ("s3", S3, "payload", {"replace": "UNSIGNED-PAYLOAD"}, ("abc", "UNSIGNED-PAYLOAD")),
    ],
)
def test_sig_signed_lines_change_exactly_one_line(wire, text, line, change, expected):
    assert _changed_lines(text, line_changer(wire, line, change)(text)) == [expected]


@pytest.mark.parametrize(
    ("wire", "text", "line", "change"),
    [
        ("jss", JSS, "x-jss-meta-note", {"replace": "x"}),  # not sent
        ("s3", S3, "header:content-md5", {"replace": "x"}),  # not signed
        ("jss", JSS, "verb", {"replace": "PUT"}),  # no change
        ("jss", JSS, "resource", {"sub": ["?uploads", "?versions"]}),  # nothing to substitute
    ],
)
def test_sig_signed_lines_refuse_a_change_that_is_none(wire, text, line, change):
    with pytest.raises(LineNotSigned):
        line_changer(wire, line, change)(text)

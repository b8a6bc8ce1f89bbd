"""What the recorder keeps of a request for the SDK judge (conformance.reference.recorder.sent_facts): the
Range, Content-MD5, Content-Type and user-metadata headers, whether an Authorization header or a query
signature authenticated it, and never the Authorization value."""

from __future__ import annotations

from conformance.reference.recorder import sent_facts


def scope(headers: list[tuple[str, str]], query: str = "") -> dict:
    return {"headers": [(n.encode(), v.encode()) for n, v in headers], "query_string": query.encode()}


def test_sdk_recorder_keeps_the_judged_headers_not_the_authorization():
    facts = sent_facts(scope([("Authorization", "jingdong AK:sig"), ("Range", "bytes=0-9"),
                              ("Content-MD5", "abc"), ("X-JSS-Meta-Color", "blue"), ("Date", "d")]))
    assert facts == {"authorization": True, "query_signed": False, "range": "bytes=0-9", "content-md5": "abc",
                     "meta": {"color": "blue"}}
    assert "jingdong AK:sig" not in str(facts)


def test_sdk_recorder_sees_a_presigned_request_on_either_wire():
    jss = sent_facts(scope([], "Expires=1&AccessKey=AK&Signature=x"))
    s3 = sent_facts(scope([("x-amz-meta-owner", "me")], "X-Amz-Expires=300&X-Amz-Signature=y"))
    assert (jss["authorization"], jss["query_signed"]) == (False, True)
    assert (s3["query_signed"], s3["meta"]) == (True, {"owner": "me"})

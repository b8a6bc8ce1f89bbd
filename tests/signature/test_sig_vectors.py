"""Every signature vector, stage by stage: one test id per (case, stage), so a failure names the stage.

Each stage is computed by conformance.signing from the parsed request and the *stored* value of the stage
before it, so one wrong stage fails once instead of dragging every later stage down with it. The
``end-to-end`` stage then signs the raw request in one call (sign_request / presign) and compares every stage.
"""

from __future__ import annotations

from conformance import signing


def compute_stage(vector, stage: str) -> str:
    """The value conformance.signing gives for `stage` of `vector` (earlier stages taken from the files)."""
    request, context = vector.request, vector.context
    if stage == "canonical-headers":
        return signing.canonical_headers(request.headers)
    if stage == "canonical-resource":
        return signing.resource_from_target(request.target, host_bucket=vector.host_bucket)
    if stage == "string-to-sign":
        when = str(context["expires"]) if vector.presigned else request.header("Date")
        return signing.string_to_sign(
            request.method,
            request.header("Content-MD5"),
            request.header("Content-Type"),
            when,
            vector.expected("canonical-headers"),
            vector.expected("canonical-resource"),
        )
    if stage == "signature":
        return signing.signature(context["secret_key"], vector.expected("string-to-sign"))
    if stage == "authorization":
        return signing.authorization_header(context["access_key"], vector.expected("signature"))
    if stage == "signed-url":
        url = f"http://{request.host}{request.target}"
        signature = vector.expected("signature")
        return signing.presigned_url(url, context["access_key"], context["expires"], signature)
    raise AssertionError(f"unknown stage {stage!r}")


def sign_end_to_end(vector) -> dict[str, str]:
    """Every stage from one sign_request / presign call on the raw request."""
    request, context = vector.request, vector.context
    resource = signing.resource_from_target(request.target, host_bucket=vector.host_bucket)
    ak, sk = context["access_key"], context["secret_key"]
    if vector.presigned:
        signed = signing.presign(request.method, resource, request.headers, ak, sk, context["expires"])
        final = {"signed-url": f"http://{request.host}{request.target}"
                 + ("&" if "?" in request.target else "?") + signed.signed_url_query}
    else:
        signed = signing.sign_request(request.method, resource, request.headers, ak, sk)
        final = {"authorization": signed.authorization}
    return {
        "canonical-headers": signed.canonical_headers,
        "canonical-resource": signed.canonical_resource,
        "string-to-sign": signed.string_to_sign,
        "signature": signed.signature,
        **final,
    }


def test_stage_matches_vector(vector_stage, load_vector):
    case_id, stage = vector_stage
    vector = load_vector(case_id)
    if stage == "end-to-end":
        computed = sign_end_to_end(vector)
        expected = {name: vector.expected(name) for name in computed}
        assert computed == expected, f"{case_id}: one-call signing diverges from the stored stages"
    else:
        assert compute_stage(vector, stage) == vector.expected(stage), f"{case_id}: stage {stage} diverges"

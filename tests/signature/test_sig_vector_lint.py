"""Lint of fixtures/signature/ itself: complete folders, unique ids, sources, derived flags, file conventions.

The conventions checked here are the ones fixtures/signature/README.md states.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import re
import tomllib
from urllib.parse import quote

OFFICIAL_SIGNATURES = {
    "official-header-put-object": "xvj2Iv7WcSwnN26XYnTq/c2YBQs=",
    "official-presigned-get-object": "mBb1uuC3y2GeyeqlW5+gN/tla6s=",
}
MIN_VECTORS = 34
DOC_PREFIX = "jdcloudcom/en:documentation/Storage-and-CDN/Object-Storage-Service/API-Reference/"
SIGNATURE_PAGES = {
    DOC_PREFIX + "Access-Control/Signature-In-Header.md",
    DOC_PREFIX + "Access-Control/Signature-In-URL.md",
}
STAGE_FILES = ["canonical-headers.txt", "canonical-resource.txt", "string-to-sign.txt", "signature.txt"]
HEADER_FILES = {"context.toml", "request.txt", *STAGE_FILES, "authorization.txt"}
PRESIGNED_FILES = {"context.toml", "request.txt", *STAGE_FILES, "signed-url.txt"}
SINGLE_LINE_FILES = ["canonical-resource.txt", "signature.txt", "authorization.txt", "signed-url.txt"]

REQUIRED_KEYS = {"id", "description", "source", "derived", "covers", "access_key", "secret_key"}
OPTIONAL_KEYS = {"note", "documented_signature", "date", "expires", "virtual_host_bucket", "same_resource_as"}
#: What the suite promises to cover (issue 2); every tag must be carried by at least one case.
REQUIRED_COVERAGE = {
    "official", "initiate", "storage-class", "upload-part", "complete", "abort", "list-parts", "list-uploads",
    "query-order", "unsorted-headers", "mixed-case-headers", "padded-headers", "duplicate-headers",
    "unsigned-headers", "non-ascii-key", "space-key", "special-chars-key", "virtual-host", "path-style",
    "unsigned-params", "response-overrides", "bucket-resource", "service-resource", "put-bucket",
    "get-bucket", "list-buckets", "presigned", "content-md5-hex", "content-md5-base64", "content-type",
    "put-object", "get-object",
}
KNOWN_TAGS = REQUIRED_COVERAGE
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
BUCKET_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
TOKEN_PATTERN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
CANONICAL_HEADER_LINE = re.compile(r"x-jss-[a-z0-9_-]+:(?:\S(?:.*\S)?)?")
SIGNATURE_PATTERN = re.compile(r"[A-Za-z0-9+/]{27}=")
SIGNED_URL_PARAMS = {"Expires", "AccessKey", "Signature"}


def one_line(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\n" not in value


# --- whole collection -------------------------------------------------------------------------------------


def test_there_are_enough_vectors(vector_ids):
    assert len(vector_ids) >= MIN_VECTORS


def test_ids_are_unique_ignoring_case(vector_ids):
    lowered = [case_id.lower() for case_id in vector_ids]
    assert len(set(lowered)) == len(lowered)


def test_both_official_vectors_are_present_and_reproduced(load_vector):
    for case_id, documented in OFFICIAL_SIGNATURES.items():
        vector = load_vector(case_id)
        assert vector.context["derived"] is False
        assert vector.context["documented_signature"] == documented
        assert vector.expected("signature") == documented


def test_only_the_official_vectors_are_not_derived(vector_ids, load_vector):
    not_derived = {case_id for case_id in vector_ids if load_vector(case_id).context.get("derived") is False}
    assert not_derived == set(OFFICIAL_SIGNATURES)


def test_every_required_coverage_tag_is_carried(vector_ids, load_vector):
    carried = set()
    for case_id in vector_ids:
        carried.update(load_vector(case_id).context.get("covers", []))
    assert REQUIRED_COVERAGE - carried == set()


# --- one folder ---------------------------------------------------------------------------------------------


def test_folder_holds_exactly_the_expected_files(vector_id, load_vector):
    vector = load_vector(vector_id)
    present = {p.name for p in vector.folder.iterdir()}
    assert present == (PRESIGNED_FILES if vector.presigned else HEADER_FILES)


def test_context_keys_and_id(vector_id, load_vector):
    context = load_vector(vector_id).context
    keys = set(context)
    assert keys >= REQUIRED_KEYS, f"missing {sorted(REQUIRED_KEYS - keys)}"
    assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, f"unknown {sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)}"
    assert context["id"] == vector_id
    assert ID_PATTERN.fullmatch(vector_id)
    assert one_line(context["description"])
    assert one_line(context["access_key"]) and one_line(context["secret_key"])


def test_context_names_its_source(vector_id, load_vector):
    sources = load_vector(vector_id).context["source"]
    assert isinstance(sources, list) and sources
    for source in sources:
        assert isinstance(source, str) and source.startswith(DOC_PREFIX) and source.endswith(".md")
    assert SIGNATURE_PAGES & set(sources), "every case cites the signature page it applies"


def test_derived_cases_say_so(vector_id, load_vector):
    vector = load_vector(vector_id)
    context = vector.context
    assert isinstance(context["derived"], bool)
    if context["derived"]:
        assert one_line(context.get("note")), "a derived case explains in one line how it was derived"
        assert "documented_signature" not in context
    else:
        assert context.get("documented_signature") == vector.expected("signature")
        assert "note" not in context


def test_coverage_tags_are_known(vector_id, load_vector):
    covers = load_vector(vector_id).context["covers"]
    assert isinstance(covers, list) and covers
    assert set(covers) <= KNOWN_TAGS, f"unknown tags {sorted(set(covers) - KNOWN_TAGS)}"
    assert len(covers) == len(set(covers))


def test_date_or_expires(vector_id, load_vector):
    vector = load_vector(vector_id)
    context, request = vector.context, vector.request
    assert ("date" in context) != ("expires" in context), "exactly one of date and expires"
    if vector.presigned:
        assert isinstance(context["expires"], int) and context["expires"] >= 0
    else:
        date = context["date"]
        timestamp = email.utils.parsedate_to_datetime(date).timestamp()
        assert email.utils.formatdate(timestamp, usegmt=True) == date, "an RFC 1123 GMT date"
        assert request.values("Date") == [date], "one Date header, equal to the context's date"


def test_virtual_host_and_same_resource(vector_id, vector_ids, load_vector):
    vector = load_vector(vector_id)
    bucket = vector.host_bucket
    if bucket is not None:
        assert BUCKET_PATTERN.fullmatch(bucket)
        assert vector.request.host.startswith(bucket + "."), "Host names the virtual-host bucket"
    twin = vector.context.get("same_resource_as")
    if twin is not None:
        assert twin in vector_ids and twin != vector_id
        assert vector.expected("canonical-resource") == load_vector(twin).expected("canonical-resource")


def test_request_file_conventions(vector_id, load_vector):
    vector = load_vector(vector_id)
    request = vector.request
    assert b"\r" not in vector.files["request.txt"]
    assert request.version == "HTTP/1.1"
    assert TOKEN_PATTERN.fullmatch(request.method) and request.method == request.method.upper()
    assert request.target.startswith("/")
    assert all(TOKEN_PATTERN.fullmatch(name) for name, _ in request.headers)
    assert len(request.values("Host")) == 1
    assert request.values("Authorization") == [], "request.txt is the request before signing"
    assert SIGNED_URL_PARAMS.isdisjoint(request.query_names), "no presigned-URL parameter before signing"
    length = request.values("Content-Length")
    if request.body:
        assert length == [str(len(request.body))]
    elif length:
        assert length == ["0"]
    md5 = request.header("Content-MD5")
    if md5 and request.body:
        digest = hashlib.md5(request.body).digest()
        assert md5 in {digest.hex(), base64.b64encode(digest).decode("ascii")}


def test_stage_file_conventions(vector_id, load_vector):
    vector = load_vector(vector_id)
    for name, data in vector.files.items():
        assert b"\r" not in data, f"{name} contains CR"
        data.decode("utf-8")
    for name in SINGLE_LINE_FILES:
        if name in vector.files:
            text = vector.files[name].decode("utf-8")
            assert text and "\n" not in text, f"{name} is one line with no line end"
    sts = vector.expected("string-to-sign")
    assert not sts.endswith("\n"), "string-to-sign.txt ends with the resource, no newline added"
    headers = vector.expected("canonical-headers")
    assert headers == "" or headers.endswith("\n")
    lines = headers.splitlines()
    assert all(CANONICAL_HEADER_LINE.fullmatch(line) for line in lines), "lowercase x-jss- name:trimmed value"
    names = [line.partition(":")[0] for line in lines]
    assert names == sorted(names) and len(names) == len(set(names)), "sorted, one line per name"


def test_stage_files_agree_with_each_other(vector_id, load_vector):
    vector = load_vector(vector_id)
    sts = vector.expected("string-to-sign")
    assert sts.endswith(vector.expected("canonical-headers") + vector.expected("canonical-resource"))
    assert sts.split("\n", 1)[0] == vector.request.method
    signature = vector.expected("signature")
    assert SIGNATURE_PATTERN.fullmatch(signature) and len(base64.b64decode(signature)) == 20
    access_key = vector.context["access_key"]
    if vector.presigned:
        url = vector.expected("signed-url")
        assert url.startswith(f"http://{vector.request.host}{vector.request.target}")
        assert f"Expires={vector.context['expires']}" in url
        assert f"AccessKey={quote(access_key, safe='')}" in url
        assert url.endswith("Signature=" + quote(signature, safe=""))
    else:
        assert vector.expected("authorization") == f"jingdong {access_key}:{signature}"


def test_context_is_valid_toml_with_final_newline(vector_id, load_vector):
    data = load_vector(vector_id).files["context.toml"]
    assert data.endswith(b"\n")
    tomllib.loads(data.decode("utf-8"))

"""The S3 multipart lifecycle on one upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload (XML
part list; the ETag is the MD5 of the binary part digests, then -N), AbortMultipartUpload."""

from __future__ import annotations

import hashlib
from xml.etree import ElementTree

from conformance.numbers import INT32_MAX, parse_bounded, parse_decimal
from conformance.reference import multipart
from conformance.reference.complete import complete_status, complete_upload
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, quoted_etag
from conformance.reference.s3.neutral import SSE_ECHO, neutral_context, requested_encryption
from conformance.reference.s3.objects import run_neutral
from conformance.reference.s3.payload import body_receive
from conformance.reference.s3.render import xml_response
from conformance.reference.storage import Storage
from conformance.reference.uploads import Uploads


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_part_list(body: bytes) -> list[tuple[int, str]]:
    """The (PartNumber, ETag) pairs of a CompleteMultipartUpload document; 400 MalformedXML otherwise."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise JssError(400, "MalformedXML", "The XML you provided was not well-formed") from exc
    if _local(root.tag) != "CompleteMultipartUpload":
        raise JssError(400, "MalformedXML", "The body must be a CompleteMultipartUpload document")
    parts = []
    for element in root:
        if _local(element.tag) != "Part":
            continue
        fields = {_local(child.tag): (child.text or "").strip() for child in element}
        number, etag = fields.get("PartNumber", ""), fields.get("ETag")
        try:  # ASCII digits (``²`` is isdigit() but no int); a huge one saturates: no such part
            value = parse_bounded(number, INT32_MAX)
        except ValueError:
            value = None
        if value is None or etag is None:
            raise JssError(400, "MalformedXML", "Each Part needs a PartNumber and an ETag")
        parts.append((value, etag.strip('"').lower()))
    if not parts:
        raise JssError(400, "MalformedXML", "The part list must not be empty")
    return parts


def _parse_unguarded(body: bytes) -> list[tuple[int, str]]:
    """Deviation s3-complete-malformed-xml-500: the body parsed before any check, so XML that is not
    well-formed escapes as an unexpected error (500 InternalError)."""
    ElementTree.fromstring(body)
    return parse_part_list(body)


def s3_etag(ctx: RequestContext, chosen: list[dict]) -> str:
    """The S3 ETag of a completed upload: MD5 of the concatenated binary part digests, then ``-N``."""
    if ctx.config.deviations.active("s3-complete-etag-of-hex-digests"):
        text = "".join(part["etag"] for part in chosen).encode()
        return f"{hashlib.md5(text).hexdigest()}-{len(chosen)}"
    digests = b"".join(bytes.fromhex(part["etag"]) for part in chosen)
    return f"{hashlib.md5(digests).hexdigest()}-{len(chosen)}"


def _encrypted_upload(ctx: RequestContext, storage: Storage) -> bool:
    upload = Uploads(storage).get(ctx.bucket, ctx.query_value("uploadId") or "")
    return bool(upload and upload["encrypted"])


async def initiate(ctx: RequestContext, storage: Storage, receive) -> Response:
    """CreateMultipartUpload: ``POST /bucket/key?uploads`` → InitiateMultipartUploadResult."""
    neutral = neutral_context(ctx)
    upload_id = multipart.create_upload(neutral, storage)
    ctx.late_refusal = neutral.late_refusal
    deviations = ctx.config.deviations
    tree = [("Bucket", ctx.bucket), ("Key", ctx.key), ("UploadId", upload_id)]
    if deviations.active("s3-initiate-omits-bucket"):
        tree = tree[1:]
    echo = requested_encryption(ctx) and not deviations.active("s3-initiate-sse-not-echoed")
    status = multipart.initiate_status(ctx)
    return xml_response("InitiateMultipartUploadResult", tree, status, [SSE_ECHO] if echo else [])


async def upload_part(ctx: RequestContext, storage: Storage, receive) -> Response:
    """UploadPart: part numbers 1 to 10000 (else 400 InvalidArgument); the ETag is the part's MD5."""
    try:
        number = parse_decimal(ctx.query_value("partNumber") or "", INT32_MAX)
    except ValueError:
        number = 0
    limit = multipart.part_number_limit(ctx)
    if number < 1 or (limit is not None and number > limit):
        raise JssError(
            400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"
        )
    response = await run_neutral(multipart.upload_part, ctx, storage, body_receive(ctx, receive))
    if _encrypted_upload(ctx, storage):
        response.headers.append(SSE_ECHO)
    return response


async def complete(ctx: RequestContext, storage: Storage, receive) -> Response:
    """CompleteMultipartUpload: the XML part list → CompleteMultipartUploadResult (Location, Bucket, Key,
    ETag)."""
    neutral = neutral_context(ctx)
    parse = parse_part_list
    if ctx.config.deviations.active("s3-complete-malformed-xml-500"):
        parse = _parse_unguarded
    etag, upload = await complete_upload(neutral, storage, receive, parse, s3_etag)
    tree = [
        ("Location", f"/{ctx.bucket}/{ctx.key}"),
        ("Bucket", ctx.bucket),
        ("Key", ctx.key),
        ("ETag", quoted_etag(etag).decode()),
    ]
    if ctx.config.deviations.active("s3-complete-omits-location"):
        tree = tree[1:]
    headers = [SSE_ECHO] if upload["encrypted"] else []
    return xml_response("CompleteMultipartUploadResult", tree, complete_status(ctx), headers)


async def abort(ctx: RequestContext, storage: Storage, receive) -> Response:
    """AbortMultipartUpload: 204."""
    return await run_neutral(multipart.abort, ctx, storage, receive)

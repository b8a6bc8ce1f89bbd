"""Deviations: named, switchable departures from the documented behaviour (negative controls).

Each deviation is one realistic non-conformance (what a vendor's server or a buggy one could do) and is
tested at exactly one place in the code, through ``Deviations.active(name)``. Which conformance cases each
one must turn red is data: ``fixtures/deviations.toml``, checked by
tests/harness/test_harness_negative_controls.py.
"""

from __future__ import annotations

from dataclasses import dataclass

#: name -> one-line description. Add a deviation here, then switch on it at one place.
DEVIATIONS: dict[str, str] = {
    # signature (auth.py, buckets.py)
    "accept-any-signature": "a known access key with any signature is accepted (no signature or time check)",
    "clock-skew-window-5-minutes": "a Date more than 5 minutes (not 15) from the server clock is refused",
    "malformed-authorization-403": "a malformed Authorization is 403 AccessDenied, not 400 InvalidToken",
    "unknown-access-key-signature-mismatch": "an unknown access key is 403 SignatureDoesNotMatch",
    "canonical-headers-unsorted": "the x-jss- headers are canonicalized in the order received, not sorted",
    "header-names-case-sensitive": "x-jss- headers are canonicalized only when their name is sent lowercase",
    "duplicate-headers-last-wins": "a repeated x-jss- header is canonicalized with its last value only",
    "virtual-host-resource-without-bucket": "a virtual-host request is verified against /key (no bucket)",
    "resource-key-percent-encoded": "the key is verified percent-encoded, as on the request line",
    "subresource-order-as-sent": "the signed sub-resources are taken in the order sent, not sorted",
    "subresource-order-as-documented": "uploadId is signed before partNumber, in the doc page's order",
    "presigned-expires-as-milliseconds": "a presigned URL's Expires is read in milliseconds (long past)",
    "presigned-incomplete-as-anonymous": "a URL without AccessKey or Signature is anonymous (403), not 400",
    "anonymous-list-buckets-allowed": "an anonymous ListBuckets answers 200 with an empty list",
    "missing-date-accepted": "a signed request without a Date header is accepted (signed over an empty Date)",
    "string-to-sign-without-content-type": "the StringToSign is verified with an empty Content-Type line "
    "whatever the request sent",
    "string-to-sign-without-content-md5": "the StringToSign is verified with an empty Content-MD5 line "
    "whatever the request sent",
    # storage classes and regions (regions.py, objects.py)
    "default-storage-class-rr": "an initiate or put without x-jss-storage-class stores REDUCED_REDUNDANCY",
    "unknown-storage-class-stored-standard": "an unknown x-jss-storage-class value is stored as STANDARD",
    "head-omits-standard-storage-class": "HEAD/GET send x-jss-storage-class only when not STANDARD (as S3)",
    "rr-everywhere": "REDUCED_REDUNDANCY is accepted and stored as such in every region",
    "rr-downgrade": "outside cn-north-1, REDUCED_REDUNDANCY is silently stored as STANDARD (200)",
    "rr-rejected-everywhere": "REDUCED_REDUNDANCY is 400 InvalidStorageClass in every region, cn-north-1 too",
    # encryption (access.py, objects.py)
    "encryption-on-by-default": "an initiate or put without x-jss-server-side-encryption is encrypted",
    "encrypted-object-served-ciphertext": "GET of an encrypted object returns the stored (encrypted) bytes",
    # initiate (multipart.py)
    "initiate-truncates-object": "an initiate replaces an existing object of the same key with an empty one",
    "initiate-placeholder-object": "an initiate puts an empty placeholder with no class over the object",
    "initiate-overwrites-object-metadata": "an initiate gives the key's object the upload's storage class",
    "initiate-response-renamed": "the initiate response says UploadID instead of UploadId",
    "initiate-key-echo-url-encoded": "the initiate response's Key is form-URL-encoded (as Java's URLEncoder)",
    "initiate-reuses-upload-of-key": "an initiate of a key with an upload in progress returns that UploadId",
    "initiate-overwrites-object-content-type": "an initiate with a Content-Type gives it to the existing "
    "object of the key",
    # upload part (multipart.py, access.py)
    "part-etag-not-md5": "UploadPart's ETag is an opaque token, not the MD5 of the part",
    "part-replace-keeps-first": "a part number uploaded again answers 200 but the first part is kept",
    "part-number-no-upper-limit": "part numbers above 10000 are accepted",
    "part-number-limit-off-by-one": "part number 10000 is refused with TooManyParts (the limit is 9999)",
    "upload-part-skips-upload-check": "UploadPart to an unknown UploadId answers 200 (the part is dropped)",
    "upload-part-any-key": "UploadPart takes the UploadId of another key's upload (the part joins that one)",
    "blank-upload-id-no-such-upload": "a blank uploadId is 404 NoSuchUpload, not 400 InvalidArgument",
    "bad-digest-accepted": "UploadPart does not verify Content-MD5",
    "content-md5-base64-only": "Content-MD5 is accepted only as base64 (hex is 400 InvalidDigest)",
    "upload-part-answers-201": "a successful UploadPart answers 201 Created instead of 200 OK",
    "upload-part-returns-json-body": "UploadPart answers with a JSON body {\"ETag\": ...}",
    "dropped-part-kept": "a part whose connection dropped mid-body is kept, truncated, as the part",
    # complete (complete.py)
    "complete-etag-s3-style": "the final ETag is S3's: MD5 of the binary part digests with a -N suffix",
    "complete-assembles-in-upload-order": "complete concatenates the parts in the order they were uploaded",
    "complete-rejects-gaps": "complete refuses part numbers that are not consecutive from 1 (InvalidPart)",
    "complete-accepts-unordered-list": "complete sorts a part list that is not ascending instead of refusing",
    "complete-skips-part-check": "complete skips listed parts never uploaded and ignores listed ETags",
    "complete-no-min-part-size": "complete accepts non-final parts of any size",
    "min-part-size-above-advertised": "non-final parts must be 1 MiB larger than the configured minimum size",
    "complete-malformed-json-500": "a complete body that is not JSON is a 500 InternalError",
    "complete-keeps-existing-object": "complete answers 200 but an existing object of the key stays in place",
    "complete-drops-storage-class": "the completed object is STANDARD whatever the upload's storage class",
    "upload-id-reusable-after-complete": "a completed upload stays (listed, its UploadId still usable)",
    "complete-refused-deletes-object": "a complete refused for its part list has already deleted the "
    "existing object of the key",
    "complete-removes-other-uploads-of-key": "a complete also removes the other uploads of the same key",
    "complete-response-renamed": "the complete response says Etag instead of ETag",
    "complete-drops-content-type": "the completed object has no Content-Type (the initiate's is forgotten)",
    "complete-no-etag-header": "the complete answer carries no ETag header (only the JSON field)",
    # abort (multipart.py)
    "abort-keeps-upload": "abort answers 204 but the upload stays (listed, its UploadId still usable)",
    "abort-unknown-upload-succeeds": "abort of an unknown UploadId answers 204",
    "abort-returns-200": "abort answers 200 instead of 204",
    "abort-removes-other-uploads-of-key": "an abort also removes the other uploads of the same key",
    "initiate-aborts-other-uploads-of-key": "an initiate removes the uploads in progress of the same key "
    "(one upload per key)",
    "refused-multipart-request-clears-key": "a multipart request refused with 400 or 404 has already deleted "
    "the key's object and removed every upload of the key",
    # list parts, list uploads (lists.py)
    "list-parts-in-upload-order": "ListParts lists the parts in the order they were uploaded",
    "list-parts-ignores-paging": "ListParts ignores max-parts and part-number-marker",
    "list-parts-unknown-upload-empty": "ListParts of an unknown UploadId answers 200 with no parts",
    "list-parts-numbers-as-strings": "ListParts writes PartNumber and Size as JSON strings",
    "list-parts-omits-storage-class": "ListParts has no StorageClass field",
    "list-uploads-needs-a-part": "ListMultipartUploads lists an upload only once a part is uploaded",
    "list-uploads-ignores-prefix": "ListMultipartUploads ignores prefix (lists every upload of the bucket)",
    "list-uploads-in-initiation-order": "ListMultipartUploads lists uploads in the order they were initiated",
    "list-uploads-ignores-max-uploads": "ListMultipartUploads ignores max-uploads",
    "encryption-flag-not-reported": "ListMultipartUploads says Enable-Encryption \"false\" for every upload",
    "list-uploads-encryption-flag-boolean": "ListMultipartUploads writes Enable-Encryption as a JSON boolean",
    "list-uploads-raises": "ListMultipartUploads raises an unexpected exception (exercises the 500 path)",
    # access: callers that do not own the bucket (ownership.py)
    "initiate-in-any-bucket": "another account or an anonymous client may initiate an upload in any bucket",
    "list-uploads-public": "ListMultipartUploads is public: another account or an anonymous client may list",
    "upload-id-is-capability": "an UploadId is a capability: anyone who knows it may upload parts",
    "list-parts-by-upload-id": "anyone who knows an UploadId may list its parts (another account, anonymous)",
    "complete-by-upload-id": "anyone who knows an UploadId may complete it (another account, anonymous)",
    "foreign-abort-allowed": "another account (or an anonymous client) may abort an upload in the bucket",
    "foreign-overwrite-allowed": "another account or an anonymous client may overwrite an existing object",
    "anonymous-object-reads-allowed": "anonymous reads of objects are allowed (every bucket is public-read)",
    "any-account-reads-objects": "any signed-in account may read the objects of any bucket",
    "ownership-checked-after-the-write": "UploadPart, complete, abort and PutObject of a caller who does not "
    "own the bucket do their work, then answer 403",
    "foreign-account-code-bucket-not-belong-to": "another account's refused request has the code "
    "BucketNotBelongTo, not AccessDenied",
    # every response (app.py)
    "content-type-text-plain": "JSON answers are sent as text/plain;charset=UTF-8",
    "no-request-id": "no answer carries x-jss-request-id",
    "error-body-uppercase-keys": "error bodies use S3's keys Code, Message, Resource, RequestId",
    # success statuses (multipart.py, complete.py, lists.py, objects.py, buckets.py)
    "initiate-answers-201": "a successful initiate answers 201 Created instead of 200 OK",
    "complete-answers-201": "a successful complete answers 201 Created instead of 200 OK",
    "list-parts-answers-206": "ListParts answers 206 Partial Content instead of 200 OK",
    "list-uploads-answers-206": "ListMultipartUploads answers 206 Partial Content instead of 200 OK",
    "put-object-answers-201": "PutObject answers 201 Created instead of 200 OK",
    "get-object-answers-206": "GetObject of a whole object (no Range) answers 206 Partial Content, not 200",
    "head-object-answers-204": "HeadObject answers 204 No Content instead of 200 OK",
    "delete-object-answers-200": "DeleteObject answers 200 OK instead of 204 No Content",
    "list-objects-answers-206": "GetBucket (list objects) answers 206 Partial Content instead of 200 OK",
    "list-buckets-answers-203": "ListBuckets answers 203 Non-Authoritative Information instead of 200 OK",
    # the S3 wire: SigV4 (s3/auth.py, s3/sigv4_check.py), buckets (s3/buckets.py)
    "s3-accept-any-signature": "a known access key with any SigV4 signature is accepted (no signature, clock "
    "or expiry check)",
    "s3-clock-skew-window-5-minutes": "an X-Amz-Date more than 5 minutes (not 15) from the server clock is "
    "refused",
    "s3-unknown-access-key-signature-mismatch": "an unknown access key is 403 SignatureDoesNotMatch, not "
    "InvalidAccessKeyId",
    "s3-presigned-signature-in-canonical-query": "a presigned URL is verified with X-Amz-Signature left in "
    "its canonical query",
    "s3-storage-class-header-unsigned": "x-amz-storage-class is left out of the canonical headers even when "
    "SignedHeaders names it",
    "s3-anonymous-list-buckets-allowed": "an anonymous ListBuckets answers 200 with an empty bucket list",
    "s3-content-type-header-unsigned": "content-type is left out of the canonical headers even when "
    "SignedHeaders names it",
    # the S3 wire: XML bodies and headers (s3/render.py, s3/multipart.py, s3/listings.py)
    "s3-error-without-message": "the Error XML has no Message element",
    "s3-error-without-request-id": "the Error XML has no RequestId element",
    "s3-initiate-omits-bucket": "InitiateMultipartUploadResult has no Bucket element",
    "s3-complete-omits-location": "CompleteMultipartUploadResult has no Location element",
    "s3-list-parts-omits-storage-class": "ListPartsResult has no StorageClass element",
    "s3-list-uploads-omits-initiated": "each Upload of ListMultipartUploadsResult lacks its Initiated "
    "element",
    "s3-complete-malformed-xml-500": "a CompleteMultipartUpload body that is not well-formed XML is a 500 "
    "InternalError",
    "s3-complete-etag-of-hex-digests": "the final ETag is the MD5 of the parts' hex digests as text (not of "
    "their binary digests), then -N",
    "s3-initiate-sse-not-echoed": "CreateMultipartUpload with x-amz-server-side-encryption does not answer "
    "the header back",
    # response values (app.py, complete.py, lists.py): found by the oracle mutation run
    "request-id-repeated": "every answer carries the same request id (the first one the server gave)",
    "error-body-request-id-fresh": "an error body's requestId is a new id, not the x-jss-request-id answered",
    "error-body-resource-bucket-only": "an error body's resource names the bucket only (/bucket, not "
    "/bucket/key)",
    "complete-response-key-url-encoded": "the complete answer's Key is form-URL-encoded (as Java's "
    "URLEncoder)",
    "complete-response-etag-uppercase": "the complete answer's JSON ETag is in uppercase hex (the object's "
    "is lowercase)",
    "list-parts-key-echo-url-encoded": "the ListParts answer's Key is form-URL-encoded (as Java's "
    "URLEncoder)",
    "error-content-type-text-plain": "error answers label their JSON body Content-Type text/plain",
    "put-etag-base64": "PutObject answers the ETag as the base64 of the MD5 digest (the Content-MD5 form), "
    "not hex",
    "list-objects-has-next-false": "GetBucket answers HasNext false even when more keys match than it listed",
    "list-objects-ignores-delimiter": "GetBucket ignores the delimiter: every key under the prefix in "
    "Contents, no CommonPrefixes",
    "get-missing-key-access-denied": "GetObject of a key that does not exist answers 403 AccessDenied (as S3 "
    "does for a caller without list permission), not 404 NoSuchKey",
    "get-omits-storage-class": "GetObject answers no x-jss-storage-class header (HeadObject still does)",
    "list-objects-etag-uppercase": "GetBucket's Contents report each ETag in uppercase hex (the object's is "
    "lowercase)",
    "list-objects-prefix-not-echoed": "GetBucket answers an empty Prefix whatever prefix was asked",
    "list-uploads-prefix-not-echoed": "ListMultipartUploads answers an empty Prefix whatever prefix was "
    "asked",
    "listing-times-china-local": "the times of listings (ListParts, ListMultipartUploads, GetBucket, "
    "ListBuckets) and objects' Last-Modified (GetObject, HeadObject) are China Standard Time (UTC+8) "
    "labelled GMT",
}


class UnknownDeviation(ValueError):
    """A deviation name that is not in DEVIATIONS."""


@dataclass(frozen=True)
class Deviations:
    """The set of active deviations."""

    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: list[str] | tuple[str, ...]) -> Deviations:
        """Validate `names` against DEVIATIONS; UnknownDeviation for a name that is not listed."""
        for name in names:
            if name not in DEVIATIONS:
                raise UnknownDeviation(f"unknown deviation {name!r} (known: {', '.join(DEVIATIONS)})")
        return cls(frozenset(names))

    def active(self, name: str) -> bool:
        """True when deviation `name` is switched on."""
        if name not in DEVIATIONS:
            raise UnknownDeviation(name)
        return name in self.names

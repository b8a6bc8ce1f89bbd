"""The JSS error: a status, a code and a message, rendered as a lowercase-keyed JSON body."""

from __future__ import annotations

import json


class JssError(Exception):
    """An error response: ``{"code", "message", "resource", "requestId"}`` with `status` (and `headers`,
    extra response headers such as Retry-After, on either wire)."""

    def __init__(
        self, status: int, code: str, message: str = "", headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message or code
        self.headers = list(headers or [])


def error_body(code: str, message: str, resource: str, request_id: str) -> bytes:
    """The JSON body of an error response."""
    return json.dumps(
        {"code": code, "message": message, "resource": resource, "requestId": request_id}, ensure_ascii=False
    ).encode("utf-8")


def s3_error_body(code: str, message: str, resource: str, request_id: str) -> bytes:
    """The error body with S3's capitalized keys (deviation error-body-uppercase-keys)."""
    return json.dumps(
        {"Code": code, "Message": message, "Resource": resource, "RequestId": request_id}, ensure_ascii=False
    ).encode("utf-8")


def internal_error() -> JssError:
    """The 500 answered when a handler raised something unexpected."""
    return JssError(500, "InternalError", "We encountered an internal error. Please try again.")

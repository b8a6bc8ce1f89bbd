"""The assertions of the cases, in words: each failure says what was expected, what the server did, and which
exchange decided it (:class:`Mismatch`), so that a terminal reader needs neither the traceback nor Allure.

- :func:`answer_of` runs an operation that may fail and gives its response either way (instead of
  ``pytest.raises``, whose failure says only "DID NOT RAISE");
- :func:`assert_error` and :func:`assert_status` check an answer's status (and error code, never the message;
  in the S3 dialect an XML ``Error`` with the S3 name of the code);
- :func:`assert_value` checks an observed value, naming the exchange of the operation under test.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any

import requests

from conformance.operations.results import ERROR_KEYS, ApiError, Result, field_of, json_body

#: What a case may hand over as an answer or as the exchange that decided its verdict.
Answer = requests.Response | ApiError | Result


class Mismatch(AssertionError):
    """A conformance failure: `expected` and `observed` in words, and the exchange that decided it."""

    def __init__(self, expected: str, observed: str, exchange: Any = None) -> None:
        super().__init__(f"expected {expected}; observed {observed}")
        self.expected = expected
        self.observed = observed
        self.exchange = exchange


def answer_of(call: Callable[..., Result], *args: Any, **kwargs: Any) -> requests.Response:
    """The response of ``call(*args, **kwargs)``, an operation of :mod:`conformance.operations`, whether it
    succeeded or raised :class:`ApiError`."""
    try:
        return call(*args, **kwargs).response
    except ApiError as error:
        return error.response


def response_of(answer: Answer) -> requests.Response:
    """The raw response of an answer (a response, an ApiError or an operation's result)."""
    return answer if isinstance(answer, requests.Response) else answer.response


def exchange_of(answer: Answer | None) -> Any:
    """The recorded exchange of an answer (None when there is none)."""
    return None if answer is None else getattr(response_of(answer), "exchange", None)


def status_words(status: int) -> str:
    """``200 OK``, ``403 Forbidden``, or the bare number for a status without a standard phrase."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _dialect(response: requests.Response) -> str:
    """The wire dialect of the client that made the exchange of `response` (jss when unknown)."""
    return getattr(getattr(response, "exchange", None), "dialect", "jss")


def _xml_body_words(response: requests.Response) -> str:
    from conformance.operations import s3

    root = s3.xml_root(response.content)
    if root is None:
        return f" with a body that is not XML ({len(response.content)} bytes)"
    code = s3.error_code(response)
    if code is not None:
        return f" with error code {code}"
    return f" with an XML <{s3.element_children(root).root}>"


def _body_words(response: requests.Response) -> str:
    if response.request is not None and response.request.method == "HEAD":
        return ""
    if not response.content:
        return " with an empty body"
    if _dialect(response) == "s3":
        return _xml_body_words(response)
    document = json_body(response)
    if not isinstance(document, dict) and response.status_code < 300:
        return f" with a body of {len(response.content)} bytes"
    if not isinstance(document, dict):
        return f" with a body that is not a JSON object ({len(response.content)} bytes)"
    if response.status_code >= 300 or "code" in document:
        code = document.get("code")
        return f" with error code {code}" if code else f" with an error body of the keys {sorted(document)}"
    if field_of(document, "UploadId") and len(document) <= 3:
        return " with an UploadId"
    return f" with a JSON body of the fields {', '.join(sorted(document))}"


def describe(answer: Answer) -> str:
    """What the server answered, in words: ``the server answered 200 OK with an UploadId``."""
    response = response_of(answer)
    return f"the server answered {status_words(response.status_code)}{_body_words(response)}"


def assert_status(answer: Answer, status: int) -> None:
    """Assert that a success answer has exactly the documented `status`."""
    response = response_of(answer)
    if response.status_code != status:
        raise Mismatch(status_words(status), describe(response), exchange_of(response))


def assert_error(answer: Answer, status: int, code: str | None) -> None:
    """Assert an error answer: HTTP `status`, the body's ``code`` (when `code` is given), and a JSON body
    with the four lowercase keys code/message/resource/requestId. Never the message text. A HEAD answer has
    no body, so only its status is checked."""
    response = response_of(answer)
    if _dialect(response) == "s3":
        _assert_s3_error(response, status, code)
        return
    wanted = f"a {status} {code} error" if code else f"a {status} error"
    exchange = exchange_of(response)
    if response.status_code != status:
        raise Mismatch(wanted, describe(response), exchange)
    if response.request is not None and response.request.method == "HEAD":
        return
    document = json_body(response)
    if not isinstance(document, dict):
        raise Mismatch(f"{wanted} with a JSON body", describe(response), exchange)
    missing = sorted(ERROR_KEYS - set(document))
    if missing:
        keys, lacking = ", ".join(sorted(ERROR_KEYS)), ", ".join(missing)
        raise Mismatch(f"{wanted} with the body keys {keys}", f"a body without {lacking}", exchange)
    if code is not None and document.get("code") != code:
        raise Mismatch(wanted, describe(response), exchange)


def _assert_s3_error(response: requests.Response, status: int, code: str | None) -> None:
    """The S3 dialect's error answer: HTTP `status`, an XML ``Error`` body and its ``Code``, the S3 name of
    `code` (fixtures/dialects/s3.toml); the body's other elements are the errors.body.xml-shape clause's."""
    from conformance.operations import s3

    code = s3.s3_code(code) if code is not None else None
    wanted = f"a {status} {code} error" if code else f"a {status} error"
    exchange = exchange_of(response)
    if response.status_code != status:
        raise Mismatch(wanted, describe(response), exchange)
    if response.request is not None and response.request.method == "HEAD":
        return
    root = s3.xml_root(response.content)
    if root is None or s3.element_children(root).root != "Error":
        raise Mismatch(f"{wanted} with an XML <Error> body", describe(response), exchange)
    if code is not None and s3.error_code(response) != code:
        raise Mismatch(wanted, describe(response), exchange)


def assert_value(what: str, observed: Any, expected: Any, decided_by: Answer | None = None) -> None:
    """Assert that `what` (e.g. "the storage class of the upload") is `expected`; `decided_by` is the answer
    of the operation under test (shown as the exchange that decided the verdict)."""
    if observed != expected:
        raise Mismatch(f"{what} to be {expected!r}", f"{observed!r}", exchange_of(decided_by))

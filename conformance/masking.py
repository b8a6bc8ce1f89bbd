"""Masking the target's secret keys in everything the suite writes (terminal, results.json, Allure): one
function, :func:`mask_secrets`, used by every writer.

A secret of at least :data:`MIN_SEARCHED_LENGTH` characters is replaced by ``****`` wherever it appears as a
whole value or token: not glued to a letter or digit on either side (string ends, spaces, quotes, ``=``,
``&``, ``:``, ``/``, a percent escape such as ``%2F`` all bound it), so a secret inside a header value
(``token=SECRET;``), a URL query (``?k=SECRET&x``, its reserved characters percent-encoded or not), a
JSON string (``\\/`` for ``/``) or a message is masked, and a longer word that merely contains it is left
alone. The head or tail that pytest keeps of a truncated repr (``'abcdefgh...stuvwxyz'``) is masked too.

A shorter secret could be any word (``test`` is an emulator's default), so a text search for it would mangle
the output (``@py****.mark.clause``): it is masked only where the text says the value IS a secret, as the
value of a credential field (``secret_key = 'test'``, ``"password": "test"``, ``JSS_SECRET_KEY=test``), and
the run warns about it at start (:func:`short_secret_warnings`).

Signatures are another matter: :mod:`conformance.client` masks them where it knows a value is one (the
Authorization header, the ``Signature=`` query parameter, the signature an exchange sent).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable

MASK = "****"
#: A secret this long or longer is masked wherever it appears as a whole token; a shorter one only in fields.
MIN_SEARCHED_LENGTH = 8
#: A truncated repr's head or tail of a secret, this long or longer, next to "...", is masked too.
FRAGMENT = 6
#: Characters a URL carries as they are (RFC 3986 unreserved): any other is matched percent-encoded too.
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
#: Not preceded by a letter or digit (a percent escape such as %2F counts as a separator).
_BOUND_BEFORE = r"(?:(?<![^\W_])|(?<=%[0-9A-Fa-f]{2}))"
#: Not followed by a letter or digit.
_BOUND_AFTER = r"(?![^\W_])"
#: A credential field's name and separator: ``secret_key = '``, ``"SecretAccessKey": "``, ``PASSWORD=``.
_FIELD = r"(?P<field>(?i:[\w.-]*(?:secret|password|passwd)[\w.-]*)['\"]?\s*[=:]\s*b?['\"]?)"


def _hex_digit(digit: str) -> str:
    return f"[{digit.upper()}{digit.lower()}]" if digit.isalpha() else digit


def _char(char: str) -> str:
    """A pattern for one character of a secret: itself, or (outside the unreserved set) percent-encoded,
    ``+`` for a space (form encoding), ``\\/`` for ``/`` (JSON)."""
    if char in _UNRESERVED:
        return re.escape(char)
    encoded = "".join("%" + "".join(_hex_digit(d) for d in f"{byte:02X}") for byte in char.encode("utf-8"))
    forms = [re.escape(char), encoded]
    if char == " ":
        forms.append(r"\+")
    if char == "/":
        forms.append(r"\\/")
    return f"(?:{'|'.join(forms)})"


def _bounded(secret: str, body: str, *, before: bool = True, after: bool = True) -> str:
    """`body` with the token boundaries the secret's first and last characters need (none beside a
    character that is itself a separator)."""
    head = _BOUND_BEFORE if before and secret[0].isalnum() else ""
    tail = _BOUND_AFTER if after and secret[-1].isalnum() else ""
    return f"{head}{body}{tail}"


@functools.lru_cache(maxsize=64)
def _patterns(secret: str) -> tuple[re.Pattern[str] | None, re.Pattern[str]]:
    """(the text-search pattern, None for a short secret; the credential-field pattern) of one secret."""
    body = "".join(_char(c) for c in secret)
    field = re.compile(_FIELD + _bounded(secret, body, before=False))
    if len(secret) < MIN_SEARCHED_LENGTH:
        return None, field
    alternatives = [_bounded(secret, body)]
    if len(secret) >= 2 * FRAGMENT:
        sizes = range(len(secret) - 1, FRAGMENT - 1, -1)
        heads = "|".join(re.escape(secret[:n]) for n in sizes)
        tails = "|".join(re.escape(secret[-n:]) for n in sizes)
        alternatives.append(_bounded(secret, f"(?:{heads})", after=False) + r"(?=\.\.\.)")
        alternatives.append(r"(?<=\.\.\.)" + _bounded(secret, f"(?:{tails})", before=False))
    return re.compile("|".join(alternatives)), field


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret masked: as a whole value or token when it has at least
    :data:`MIN_SEARCHED_LENGTH` characters, else only as the value of a credential field."""
    if not text:
        return text
    for secret in secrets:
        if not secret:
            continue
        search, field = _patterns(secret)
        text = field.sub(lambda match: match.group("field") + MASK, text)
        if search is not None:
            text = search.sub(MASK, text)
    return text


def short_secret_warnings(target) -> list[str]:
    """One line per account of `target` (a conformance.target.Target) whose secret key is shorter than
    :data:`MIN_SEARCHED_LENGTH` characters."""
    accounts = (("[credentials]", target.credentials), ("[alt]", target.alt_credentials))
    return [
        f"the secret key of account {account.access_key} ({table}) is shorter than {MIN_SEARCHED_LENGTH} "
        "characters: it is masked only in the credential fields"
        for table, account in accounts
        if account is not None and account.secret_key and len(account.secret_key) < MIN_SEARCHED_LENGTH
    ]

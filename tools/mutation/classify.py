"""Which mutants only change the text of a message (left out of the score), and where a mutant is.

A mutant is message-text-only when the only difference between the original function and the mutant is the
content of string literals (plain or in an f-string) in a message position:

- the third argument of ``JssError(status, code, message)`` (the error body's free-text ``message``; the
  suite never asserts it, the status and the code are asserted);
- the first argument of any other exception raised (``ValueError("...")``: the text nobody reads back);
- the value assigned to a variable named ``message``.

The message of a ``JssError`` dropped or replaced by ``None`` is message-text-only too: ``JssError`` then
answers its code as the message (``message or code`` in reference/errors.py), still a string, so only the
text changes. Anything else (a status, a code, a header name, a separator, another exception's message made
``None``, which ``str(exc)`` would show) changes behaviour and is scored.
"""

from __future__ import annotations

import ast
import copy
import textwrap
from itertools import zip_longest


def _message_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes in a message position, and of everything inside them."""
    positions: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name == "JssError" and len(node.args) >= 3:
                positions.append(node.args[2])
            elif (name.endswith("Error") or name.endswith("Exception")) and name != "JssError" and node.args:
                positions.append(node.args[0])
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "message" for target in node.targets
        ):
            positions.append(node.value)
    inside: set[int] = set()
    for position in positions:
        inside.update(id(child) for child in ast.walk(position))
    return inside


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def is_message_only(original: str, mutant: str) -> bool:
    """True when `mutant` (a function's source) differs from `original` only in message text."""
    before, after = ast.parse(textwrap.dedent(original)), ast.parse(textwrap.dedent(mutant))
    if _jss_message_defaulted(before, after):
        return True
    in_message = _message_nodes(before)
    differs = False
    for old, new in zip_longest(ast.walk(before), ast.walk(after)):
        if old is None or new is None or type(old) is not type(new):
            return False
        if isinstance(old, ast.Constant):
            if old.value == new.value and type(old.value) is type(new.value):
                continue
            if not (_is_text(old) and _is_text(new) and id(old) in in_message):
                return False
            differs = True
        elif not _same_fields(old, new):
            return False
    return differs


def _jss_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "JssError"
    ]


def _jss_message(call: ast.Call) -> ast.AST | None:
    """The message argument of a ``JssError(status, code, message)`` call (None when there is none)."""
    if len(call.args) >= 3:
        return call.args[2]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "message"), None)


def _without_jss_messages(tree: ast.AST) -> str:
    """The tree's dump with the message of every JssError call taken out."""
    tree = copy.deepcopy(tree)
    for call in _jss_calls(tree):
        call.args = call.args[:2]
        call.keywords = [keyword for keyword in call.keywords if keyword.arg != "message"]
    return ast.dump(tree)


def _jss_message_defaulted(before: ast.AST, after: ast.AST) -> bool:
    """The mutant only drops the message of JssError calls or makes it ``None`` (the code is the text)."""
    if _without_jss_messages(before) != _without_jss_messages(after):
        return False
    defaulted = False
    for old_call, new_call in zip(_jss_calls(before), _jss_calls(after), strict=True):
        old, new = _jss_message(old_call), _jss_message(new_call)
        if old is None:
            if new is not None:
                return False
        elif new is None or (isinstance(new, ast.Constant) and new.value is None):
            defaulted = defaulted or not (isinstance(old, ast.Constant) and old.value is None)
        elif ast.dump(old) != ast.dump(new):
            return False
    return defaulted


def _same_fields(old: ast.AST, new: ast.AST) -> bool:
    """The non-node fields (names, operators as values, counts of children) are the same."""
    for field in old._fields:
        a, b = getattr(old, field, None), getattr(new, field, None)
        if isinstance(a, list) or isinstance(b, list):
            if len(a or []) != len(b or []):
                return False
            continue
        if isinstance(a, ast.AST) or isinstance(b, ast.AST):
            if type(a) is not type(b):
                return False
            continue
        if a != b:
            return False
    return True


def first_changed_line(original: str, mutant: str) -> int:
    """0-based index of the first line of `original` that the mutant changes."""
    for index, (a, b) in enumerate(zip_longest(original.splitlines(), mutant.splitlines())):
        if a != b:
            return index
    return 0

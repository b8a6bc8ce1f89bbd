"""The mutation run's classifier: which mutants only change a message's text (tools/mutation/classify.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "mutation"))
from classify import first_changed_line, is_message_only  # noqa: E402

ORIGINAL = '''def check(value):
    if not value:
        raise JssError(400, "InvalidArgument", "value must not be blank")
    if value == "x":
        message = f"value {value} is reserved"
        raise JssError(409, "Conflict", message)
    if value == "y":
        raise ValueError("not a y")
    return value.strip(",")
'''


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"value must not be blank"', '"XXvalue must not be blankXX"'),
        ('"value must not be blank"', '"VALUE MUST NOT BE BLANK"'),
        ('f"value {value} is reserved"', 'f"XXvalue {value} is reservedXX"'),
        ('"not a y"', '"XXnot a yXX"'),
        # JssError's message dropped or None: it answers its code as the message (errors.py), text only
        ('"value must not be blank"', "None"),
        (', "value must not be blank")', ")"),
        ('"Conflict", message)', '"Conflict", None)'),
        ('"Conflict", message)', '"Conflict", )'),
    ],
)
def test_a_changed_message_text_is_message_only(old, new):
    assert is_message_only(ORIGINAL, ORIGINAL.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"InvalidArgument"', '"XXInvalidArgumentXX"'),  # the code
        ("400", "401"),  # the status
        ('"not a y"', "None"),  # another exception's message made None (str(exc) would show it)
        ('"Conflict", message)', "None, message)"),  # the code replaced by None
        ('(409, "Conflict", message)', '(409, "Conflict", message, None)'),  # an argument added
        ('"x"', '"XXxXX"'),  # a compared value
        ('strip(",")', 'strip("XX,XX")'),  # a string that is not a message
    ],
)
def test_any_other_change_is_scored(old, new):
    assert not is_message_only(ORIGINAL, ORIGINAL.replace(old, new, 1))


def test_no_change_is_not_a_message_only_mutant():
    assert not is_message_only(ORIGINAL, ORIGINAL)


def test_first_changed_line():
    assert first_changed_line(ORIGINAL, ORIGINAL.replace("409", "410")) == 5

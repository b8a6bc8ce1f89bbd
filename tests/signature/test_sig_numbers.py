"""conformance.numbers: the one strict reader of decimal numbers (ASCII digits, bounded length and value)."""

from __future__ import annotations

import pytest

from conformance.numbers import (
    INT32_MAX,
    INT64_MAX,
    DecimalTooLarge,
    NotADecimal,
    parse_bounded,
    parse_decimal,
)


@pytest.mark.parametrize(
    "text, value", [("0", 0), ("007", 7), ("10000", 10000), (str(INT64_MAX), INT64_MAX), (b"42", 42)]
)
def test_ascii_digits_are_read(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize(
    "text", ["", " 1", "1 ", "+1", "-1", "1_000", "0x1f", "1.0", "1e3", "²", "١٣", "１", b"\xb2", "12\n"]
)
def test_anything_but_ascii_digits_is_not_a_decimal(text):
    with pytest.raises(NotADecimal):
        parse_decimal(text)


@pytest.mark.parametrize("text", ["9" * 4301, "1" + "0" * 19, str(INT64_MAX + 1)])
def test_too_long_or_too_large_is_refused_before_conversion(text):
    with pytest.raises(DecimalTooLarge):
        parse_decimal(text)


def test_leading_zeros_do_not_count_towards_the_length():
    assert parse_decimal("0" * 100 + "5") == 5


def test_the_maximum_is_inclusive():
    assert parse_decimal(str(INT32_MAX), INT32_MAX) == INT32_MAX
    with pytest.raises(DecimalTooLarge):
        parse_decimal(str(INT32_MAX + 1), INT32_MAX)


def test_bounded_saturates_only_well_formed_values():
    assert parse_bounded("9" * 4301, 100) == 100
    assert parse_bounded("99", 100) == 99
    with pytest.raises(NotADecimal):
        parse_bounded("²", 100)


def test_both_errors_are_value_errors():
    assert issubclass(NotADecimal, ValueError) and issubclass(DecimalTooLarge, ValueError)

"""The fields of an answer and the value mutations of oracle mutation testing
(conformance/reference/response_fields.py)."""

from __future__ import annotations

import pytest

from conformance.reference import response_fields
from conformance.reference.response_fields import Answer

LIST_PARTS = {
    "Bucket": "b", "Key": "k", "UploadId": "ABC123",
    "Part": [{"PartNumber": 1, "ETag": "e1", "Size": 5}, {"PartNumber": 2, "ETag": "e2", "Size": 3}],
}


def answer() -> Answer:
    """A ListParts answer with two parts."""
    body = {**LIST_PARTS, "Part": [dict(part) for part in LIST_PARTS["Part"]]}
    return Answer(200, [("x-jss-request-id", "9891344770AD7F37"), ("content-length", "99")], body)


def test_fields_name_status_headers_json_fields_lists_and_element_fields():
    fields = response_fields.fields_of(answer())
    assert list(fields) == [
        "status", "header:x-jss-request-id", "json:Bucket", "json:Key", "json:UploadId", "json:Part",
        "json:Part[].PartNumber", "json:Part[].ETag", "json:Part[].Size",
    ]
    assert fields["json:Part[].ETag"] == "e1"  # an element field: the first element's value


def test_content_length_is_framing_never_a_field():
    assert "header:content-length" not in response_fields.fields_of(answer())


@pytest.mark.parametrize(
    ("field", "mutation", "other", "expected"),
    [
        ("json:Key", "drop", None, {k: v for k, v in LIST_PARTS.items() if k != "Key"}),
        ("json:Key", "empty", None, {**LIST_PARTS, "Key": ""}),
        ("json:UploadId", "case", None, {**LIST_PARTS, "UploadId": "abc123"}),
        ("json:UploadId", "sibling", "k", {**LIST_PARTS, "UploadId": "k"}),
        ("json:UploadId", "stale", "OLD", {**LIST_PARTS, "UploadId": "OLD"}),
        ("json:Part", "reorder", None, {**LIST_PARTS, "Part": LIST_PARTS["Part"][::-1]}),
        ("json:Part", "off-by-one", None, {**LIST_PARTS, "Part": LIST_PARTS["Part"][:1]}),
        ("json:Part[].Size", "off-by-one", None,
         {**LIST_PARTS, "Part": [{**p, "Size": p["Size"] + 1} for p in LIST_PARTS["Part"]]}),
        ("json:Part[].ETag", "drop", None,
         {**LIST_PARTS, "Part": [{"PartNumber": p["PartNumber"], "Size": p["Size"]}
                                 for p in LIST_PARTS["Part"]]}),
    ],
)
def test_a_json_mutation_changes_that_field_only(field, mutation, other, expected):
    mutated = answer()
    assert response_fields.apply(mutated, field, mutation, other)
    assert mutated.body == expected
    assert mutated.headers == answer().headers and mutated.status == 200


def test_header_and_status_mutations():
    mutated = answer()
    assert response_fields.apply(mutated, "header:x-jss-request-id", "drop")
    assert [name for name, _ in mutated.headers] == ["content-length"]
    assert response_fields.apply(mutated, "status", "off-by-one") and mutated.status == 201


def test_a_mutation_that_changes_nothing_is_not_applied_nor_offered():
    unchanged = answer()
    assert not response_fields.apply(unchanged, "json:Key", "urlencode")  # "k" encodes to itself
    assert unchanged.body == answer().body
    assert "urlencode" not in response_fields.applicable(response_fields.fields_of(answer()), "json:Key")


@pytest.mark.parametrize(
    ("value", "shifted"),
    [
        ("Thu, 13 Jul 2017 02:37:31 GMT", "Fri, 14 Jul 2017 02:37:31 GMT"),
        ("2017-07-13T02:37:31.000Z", "2017-07-14T02:37:31.000Z"),
        ("2017-07-13T02:37:31Z", "2017-07-14T02:37:31Z"),
    ],
)
def test_time_shift_moves_a_date_by_one_day_in_its_own_format(value, shifted):
    assert response_fields.mutated_value(value, "time-shift") == shifted


def test_time_shift_and_off_by_one_leave_other_values_alone():
    assert response_fields.mutated_value("STANDARD", "time-shift") is None
    assert response_fields.mutated_value("9891344770AD7F37", "off-by-one") is None
    assert response_fields.mutated_value("1234567890123456", "off-by-one") is None  # an id, not a count
    assert response_fields.mutated_value('"7"', "off-by-one") == '"8"'


def test_the_sibling_is_a_field_of_the_same_kind_and_level_with_another_value():
    fields = response_fields.fields_of(answer())
    assert response_fields.sibling_of(fields, "json:Bucket") == "json:Key"
    assert response_fields.sibling_of(fields, "json:UploadId") == "json:Bucket"  # wraps around
    assert response_fields.sibling_of(fields, "json:Part[].ETag") is None  # no other string in a part
    assert response_fields.sibling_of(fields, "json:Part[].Size") == "json:Part[].PartNumber"
    assert response_fields.sibling_of(fields, "header:x-jss-request-id") is None


def test_applicable_mutations_of_a_status_a_list_and_a_scalar():
    fields = response_fields.fields_of(answer())
    assert response_fields.applicable(fields, "status") == ["off-by-one"]
    assert response_fields.applicable(fields, "json:Part") == ["drop", "empty", "off-by-one", "reorder"]
    assert response_fields.applicable(fields, "json:UploadId") == [
        "drop", "empty", "case", "sibling", "constant", "stale"
    ]


@pytest.mark.parametrize(("mutation", "expected"), [
    ("urlencode", ["p%2Fa%20b%2F", "p%2Fc%2F"]), ("case", ["P/A B/", "P/C/"]), ("empty", ["", ""]),
    ("drop", []),
])
def test_a_mutation_of_a_list_of_scalars_changes_each_element(mutation, expected):
    listing = Answer(200, [], {"Name": "b", "CommonPrefixes": ["p/a b/", "p/c/"]})

    changed = response_fields.apply(listing, "json:CommonPrefixes[]", mutation)

    assert changed and listing.body["CommonPrefixes"] == expected

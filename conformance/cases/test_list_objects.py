"""GetBucket (list objects) beyond its shape: maxKeys pages with HasNext and marker, and a delimiter's common
prefixes. Found missing by the oracle mutation run (tools/oracle_mutation/)."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import small_part, table

AGREEMENT = table("agreement")


def _keys_of(listing) -> list:
    return [ops.field_of(item, "Key") for item in ops.field_of(listing.document, "Contents") or []]


def _prefix_of(entry) -> object:
    """A CommonPrefixes entry: a string, or an object with its Prefix (the form is not documented)."""
    return ops.field_of(entry, "Prefix") if isinstance(entry, dict) else entry


@pytest.mark.clause("list-objects.max-keys.pages")
def test_list_objects_pages_by_max_keys(jss_client, jss_bucket, jss_make_key):
    prefix = jss_make_key("pages") + "/"
    keys = [f"{prefix}{number}" for number in range(AGREEMENT["paged_objects"])]
    for number, key in enumerate(keys):
        ops.put_object(jss_client, jss_bucket.name, key, small_part(seed=70 + number))
    max_keys = AGREEMENT["page_max_keys"]

    first = ops.list_objects(jss_client, jss_bucket.name, prefix=prefix, max_keys=max_keys)
    second = ops.list_objects(jss_client, jss_bucket.name, prefix=prefix, max_keys=max_keys,
                              marker=(_keys_of(first) or [""])[-1])

    pages = [(_keys_of(page), page.has_next) for page in (first, second)]
    expected = [(keys[:max_keys], True), (keys[max_keys:], False)]
    ops.assert_value("the pages (keys, HasNext)", pages, expected, second)


@pytest.mark.clause("list-objects.delimiter.groups")
def test_list_objects_rolls_up_common_prefixes(jss_client, jss_bucket, jss_make_key):
    delimiter = "/"
    prefix = jss_make_key("tree") + delimiter
    for number, name in enumerate(AGREEMENT["tree_keys"]):
        ops.put_object(jss_client, jss_bucket.name, prefix + name, small_part(seed=80 + number))

    listing = ops.list_objects(jss_client, jss_bucket.name, prefix=prefix, delimiter=delimiter)

    observed = (_keys_of(listing), [_prefix_of(entry) for entry in listing.common_prefixes])
    expected = (
        [prefix + name for name in AGREEMENT["tree_contents"]],
        [prefix + name for name in AGREEMENT["tree_common_prefixes"]],
    )
    ops.assert_value("(Contents keys, CommonPrefixes)", observed, expected, listing)

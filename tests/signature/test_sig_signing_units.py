"""Edge cases of conformance.signing that the vectors do not reach: parsing, dates, query splitting."""

from __future__ import annotations

import pytest

from conformance import signing


class TestParseAuthorization:
    def test_well_formed_header_gives_key_and_signature(self):
        assert signing.parse_authorization("jingdong qbS5QXpLORrvdrmb:xvj2Iv7WcSwnN26XYnTq/c2YBQs=") == (
            "qbS5QXpLORrvdrmb",
            "xvj2Iv7WcSwnN26XYnTq/c2YBQs=",
        )

    def test_surrounding_whitespace_is_ignored(self):
        assert signing.parse_authorization("  jingdong AK:SIG=  ") == ("AK", "SIG=")

    def test_extra_spaces_before_the_credential_are_ignored(self):
        assert signing.parse_authorization("jingdong  AK:SIG=") == ("AK", "SIG=")

    def test_round_trip_with_authorization_header(self):
        value = signing.authorization_header("AK", "c2lnbmF0dXJl")
        assert signing.parse_authorization(value) == ("AK", "c2lnbmF0dXJl")

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "jingdong",
            "jingdong ",
            "jingdong AK",
            "jingdong AK:",
            "jingdong :SIG",
            "AWS AK:SIG",
            "Jingdong AK:SIG",
            "jingdongAK:SIG",
            "jingdong AK: SIG",
            "jingdong AK:SIG extra",
            "jingdong\tAK:SIG",
        ],
        ids=repr,
    )
    def test_malformed_header_raises_value_error(self, value):
        with pytest.raises(ValueError):
            signing.parse_authorization(value)


class TestHttpDate:
    def test_known_timestamp_formats_as_rfc1123_gmt(self):
        assert signing.http_date(1499913451) == "Thu, 13 Jul 2017 02:37:31 GMT"

    @pytest.mark.parametrize("timestamp", [0, 1369191796, 1499913451, 4102444799])
    def test_round_trip(self, timestamp):
        assert signing.parse_http_date(signing.http_date(timestamp)) == timestamp

    def test_fractional_seconds_are_dropped(self):
        assert signing.parse_http_date(signing.http_date(1499913451.9)) == 1499913451

    def test_default_is_now(self):
        import time

        before = int(time.time())
        parsed = signing.parse_http_date(signing.http_date())
        assert before <= parsed <= time.time() + 1

    @pytest.mark.parametrize(
        "value",
        [
            "", "yesterday", "2017-07-13T02:37:31Z", "Thu, 13 Jul 2017 02:37:31 -0000",
            "Thu, 13 Jul 2017 02:37:31 +0000", "Thu, 13 Jul 99999999999999999999 02:37:31 GMT",
            "Thu, 13 Jul 2017 02:37:31 +99999999999999999999", "Thu, 30 Feb 2017 02:37:31 GMT",
            "Thu, 13 Jul 2017 24:00:00 GMT", "Thu, 3 Jul 2017 02:37:31 GMT",
            "Thursday, 13-Jul-17 02:37:31 GMT", "Thu Jul 13 02:37:31 2017",
            "Thu, 13 Jul 2017 02:37:31 GMT junk", "Thu, \u0661\u0663 Jul 2017 02:37:31 GMT",
        ],
    )
    def test_not_an_http_date_raises_value_error(self, value):
        with pytest.raises(ValueError):
            signing.parse_http_date(value)


class TestParseQuery:
    def test_bare_key_has_value_none(self):
        assert signing.parse_query("uploads") == [("uploads", None)]

    def test_key_with_equals_has_empty_value(self):
        assert signing.parse_query("uploads=") == [("uploads", "")]

    def test_bare_and_empty_sign_differently(self):
        assert signing.canonical_resource("b", "k", signing.parse_query("uploads")) == "/b/k?uploads"
        assert signing.canonical_resource("b", "k", signing.parse_query("uploads=")) == "/b/k?uploads="

    def test_order_and_duplicates_are_kept_and_values_decoded(self):
        expected = [("b", "2"), ("a", "/ x"), ("b", "1"), ("c", None)]
        assert signing.parse_query("b=2&a=%2F%20x&b=1&&c") == expected

    def test_empty_query(self):
        assert signing.parse_query("") == []

    def test_value_may_contain_equals(self):
        assert signing.parse_query("contentDisposition=a=b") == [("contentDisposition", "a=b")]


class TestSignedSubresources:
    def test_sorted_by_name_whatever_the_sent_order(self):
        pairs = [("uploadId", "X"), ("partNumber", "1")]
        assert signing.signed_subresources(pairs) == [("partNumber", "1"), ("uploadId", "X")]

    def test_repeated_key_keeps_sent_order_even_with_bare_and_valued_forms(self):
        pairs = [("uploads", ""), ("acl", None), ("uploads", None)]
        assert signing.signed_subresources(pairs) == [("acl", None), ("uploads", ""), ("uploads", None)]

    def test_mapping_is_accepted(self):
        assert signing.signed_subresources({"uploads": None, "prefix": "a"}) == [("uploads", None)]

    def test_none_gives_nothing(self):
        assert signing.signed_subresources(None) == []


class TestSplitRequestTarget:
    def test_path_style(self):
        assert signing.split_request_target("/b/dir/k.txt?uploads") == ("b", "dir/k.txt", [("uploads", None)])

    def test_path_style_bucket_starting_with_the_letter_x(self):
        # only slashes are stripped before the bucket: a bucket whose name starts with any letter is kept
        assert signing.split_request_target("/Xbucket/Xkey") == ("Xbucket", "Xkey", [])
        assert signing.resource_from_target("/XX/k") == "/XX/k"

    def test_virtual_host_style(self):
        assert signing.split_request_target("/dir/k.txt", host_bucket="b") == ("b", "dir/k.txt", [])

    def test_virtual_host_key_starting_with_slash_is_kept(self):
        assert signing.resource_from_target("//k", host_bucket="b") == "/b//k"
        assert signing.resource_from_target("/b//k") == "/b//k"

    def test_bucket_and_service(self):
        assert signing.resource_from_target("/b?acl") == "/b?acl"
        assert signing.resource_from_target("/", host_bucket="b") == "/b"
        assert signing.resource_from_target("/") == "/"

    def test_invalid_utf8_after_decoding_raises_value_error(self):
        with pytest.raises(ValueError):
            signing.split_request_target("/b/%FF")


class TestHeaderValue:
    def test_first_value_case_insensitive_and_trimmed(self):
        headers = [("content-type", "  text/plain "), ("Content-Type", "other")]
        assert signing.header_value(headers, "Content-Type") == "text/plain"

    def test_header_name_with_surrounding_whitespace_is_found(self):
        assert signing.header_value([(" Content-MD5 ", "abc")], "Content-MD5") == "abc"

    def test_absent_header_is_empty(self):
        assert signing.header_value({"Date": "x"}, "Content-MD5") == ""
        assert signing.header_value(None, "Date") == ""


class TestCanonicalHeaders:
    def test_header_name_with_surrounding_whitespace_is_trimmed(self):
        assert signing.canonical_headers([(" X-JSS-Meta-A ", " 1 ")]) == "x-jss-meta-a:1\n"


class TestPresignedUrl:
    def test_access_key_is_url_encoded_with_its_slashes(self):
        assert "&AccessKey=AK%2Fx%2By&" in signing.presigned_query("AK/x+y", 5, "s")

    def test_appends_with_question_mark_or_ampersand(self):
        expected = "/b/k?Expires=5&AccessKey=AK&Signature=a%2Bb%2Fc%3D"
        assert signing.presigned_url("/b/k", "AK", 5, "a+b/c=") == expected
        with_query = signing.presigned_url("http://h/b?uploads", "AK", 5, "s")
        assert with_query == "http://h/b?uploads&Expires=5&AccessKey=AK&Signature=s"


class TestSignRequest:
    def test_method_is_upper_cased_and_date_taken_from_headers(self):
        signed = signing.sign_request("get", "/b", {"Date": " D "}, "AK", "SK")
        assert signed.string_to_sign == "GET\n\n\nD\n/b"
        assert signed.authorization == f"jingdong AK:{signed.signature}"
        assert signed.signed_url_query is None

    def test_explicit_date_wins_over_header(self):
        signed = signing.sign_request("GET", "/b", {"Date": "header"}, "AK", "SK", date="explicit")
        assert signed.string_to_sign == "GET\n\n\nexplicit\n/b"

    def test_presign_uses_expires_and_has_no_authorization(self):
        signed = signing.presign("GET", "/b/k", None, "AK", "SK", 1369191796)
        assert signed.string_to_sign == "GET\n\n\n1369191796\n/b/k"
        assert signed.authorization is None
        assert signed.signed_url_query.startswith("Expires=1369191796&AccessKey=AK&Signature=")

    def test_presign_upper_cases_the_method(self):
        lower, upper = (signing.presign(m, "/b/k", None, "AK", "SK", 5) for m in ("get", "GET"))
        assert lower.string_to_sign == upper.string_to_sign == "GET\n\n\n5\n/b/k"
        assert lower.signature == upper.signature

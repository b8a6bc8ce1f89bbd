"""`jss-conformance sign --host`: a full URL for a header-signed request (--date) too, not only with
--expires; the signature and Authorization are those without --host."""

from __future__ import annotations

import json

from test_sig_command import HEADER_AK, OFFICIAL_HEADER_ARGS, labelled

from conformance.cli import main

AUTHORIZATION = f"jingdong {HEADER_AK}:xvj2Iv7WcSwnN26XYnTq/c2YBQs="


def test_sign_host_with_date_prints_the_url_to_send(capsys):
    assert main([*OFFICIAL_HEADER_ARGS, "--host", "s-bj.jcloud.com"]) == 0
    printed = labelled(capsys.readouterr().out)
    assert printed["URL"] == "http://s-bj.jcloud.com/oss-test/sign.txt"
    assert printed["Authorization"] == AUTHORIZATION


def test_sign_host_with_date_gives_the_url_in_json(capsys):
    assert main([*OFFICIAL_HEADER_ARGS, "--host", "https://s-bj.jcloud.com/", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["url"] == "https://s-bj.jcloud.com/oss-test/sign.txt"
    assert report["authorization"] == AUTHORIZATION


def test_sign_without_host_prints_no_url(capsys):
    assert main(OFFICIAL_HEADER_ARGS) == 0
    assert "URL" not in labelled(capsys.readouterr().out)

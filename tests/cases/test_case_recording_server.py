"""The recording server of these tests ends quietly: a client that gave up is not answered after the test."""

from __future__ import annotations

import pytest
import requests
from recording_server import recording_server_running


def test_request_given_up_by_its_client_is_not_answered_after_the_end(capfd):
    with recording_server_running() as server:
        server.delay = 5.0
        with pytest.raises(requests.Timeout):
            requests.get(server.url + "/bucket", timeout=0.2)

    assert [recorded.target for recorded in server.requests] == ["/bucket"]
    printed = capfd.readouterr()
    assert "Traceback" not in printed.err and "BrokenPipeError" not in printed.err, printed.err


def test_request_answered_after_its_delay():
    with recording_server_running() as server:
        server.delay = 0.1
        response = requests.get(server.url + "/bucket", timeout=5)

    assert response.status_code == 200 and response.content == b"{}"

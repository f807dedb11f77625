"""``/metrics`` of ``serve --workers 2``: whichever worker a scrape reaches, it reports the sum of both
workers' values (prometheus_client's multiprocess mode, in a directory of the server's own)."""

from __future__ import annotations

import http.client
import json
import os
from urllib.parse import urlsplit

import pytest

from tests.support.metrics import scrape
from tests.support.races import Racing

pytestmark = pytest.mark.socket

CALLS = 16
REQUESTS = "userpool_requests_total"
UNKNOWN_CLIENT = {"operation": "InitiateAuth", "outcome": "ResourceNotFoundException"}


def _initiate_auth_of_no_client(url: str) -> int:
    """One InitiateAuth naming a client no pool has, on a connection of its own: the kernel deals new
    connections out among the workers."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port or 80, timeout=10)
    body = {"ClientId": "nosuchclient0000000000000", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {}}
    try:
        connection.request(
            "POST",
            "/",
            body=json.dumps(body),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_two_workers__every_scrape_sums_both_workers(racing: Racing) -> None:
    before = scrape(racing.url)
    assert [_initiate_auth_of_no_client(racing.url) for _ in range(CALLS)] == [400] * CALLS
    # Spread over both workers (all 16 on one would happen once in 2^15), and so are the scrapes: each
    # reports all 16, whichever worker answers it.
    for after in [scrape(racing.url) for _ in range(6)]:
        assert after.value(REQUESTS, **UNKNOWN_CLIENT) == before.value(REQUESTS, **UNKNOWN_CLIENT) + CALLS
        seconds = "userpool_request_duration_seconds_count"
        assert after.value(seconds, operation="InitiateAuth") == before.value(seconds, operation="InitiateAuth") + CALLS
        sign_ins = {"flow": "USER_PASSWORD_AUTH", "result": "ResourceNotFoundException"}
        assert after.value("userpool_sign_ins_total", **sign_ins) == (
            before.value("userpool_sign_ins_total", **sign_ins) + CALLS
        )
        # The workers divide the CPUs among their hashers, one thread per CPU, at least one each: the gauge
        # is both workers' threads together.
        assert after.value("userpool_password_hash_threads") == max(len(os.sched_getaffinity(0)), 2)

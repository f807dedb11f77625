"""The STS query adapter's reading of answers: credentials out of AssumeRoleWithWebIdentityResponse, STS's error
code and message out of ErrorResponse, and answers that are not STS's (a DTD, no credentials, no XML) refused
without reading more. Real STS answers (moto's) are read in tests/api/test_identity_credentials.py."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from userpool.outbound.port import Failure, OutboundError, OutboundResponse
from userpool.outbound.sts_port import StsError
from userpool.outbound.sts_query import QuerySts

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ANSWER = f"""<AssumeRoleWithWebIdentityResponse xmlns="{NS}"><AssumeRoleWithWebIdentityResult><Credentials>
<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>session</SessionToken>
<Expiration>2026-12-05T19:06:28Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>
</AssumeRoleWithWebIdentityResponse>""".encode()


class Answering:
    """An OutboundHttp that records the form it is sent and gives one canned answer (or none)."""

    def __init__(self, status: int, body: bytes, failure: OutboundError | None = None) -> None:
        self.answer = OutboundResponse(status, {}, body)
        self.failure = failure
        self.sent: list[tuple[str, dict[str, str]]] = []

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> OutboundResponse:
        raise AssertionError("STS is not asked with GET")

    def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str] | None = None
    ) -> OutboundResponse:
        self.sent.append((url, dict(form)))
        if self.failure is not None:
            raise self.failure
        return self.answer


def _assume(http: Answering) -> object:
    sts = QuerySts(http, "https://sts.{region}.amazonaws.com/")
    return sts.assume_role_with_web_identity("eu-west-1", "arn:aws:iam::1:role/r", "session", "token", 3600)


def test_assume_role_with_web_identity__credentials_read() -> None:
    http = Answering(200, ANSWER)
    found = _assume(http)
    assert found.access_key_id == "ASIAEXAMPLE"  # type: ignore[attr-defined]
    assert found.expiration == 1_796_497_588.0  # type: ignore[attr-defined]
    url, form = http.sent[0]
    assert url == "https://sts.eu-west-1.amazonaws.com/"
    assert form == {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::1:role/r",
        "RoleSessionName": "session",
        "WebIdentityToken": "token",
        "DurationSeconds": "3600",
    }


def test_assume_role_with_web_identity__sts_error() -> None:
    body = (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
        "<Message>Not authorized</Message></Error></ErrorResponse>"
    )
    with pytest.raises(StsError) as refused:
        _assume(Answering(403, body.encode()))
    assert (refused.value.code, refused.value.message, refused.value.answered) == (
        "AccessDenied",
        "Not authorized",
        True,
    )


@pytest.mark.parametrize(
    "status, body",
    [
        (200, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'),
        (200, b"not xml"),
        (200, f'<AssumeRoleWithWebIdentityResponse xmlns="{NS}"/>'.encode()),
        (502, b"<html>bad gateway</html>"),
    ],
)
def test_assume_role_with_web_identity__not_an_answer(status: int, body: bytes) -> None:
    with pytest.raises(StsError) as refused:
        _assume(Answering(status, body))
    assert refused.value.answered is False


def test_assume_role_with_web_identity__unreachable() -> None:
    with pytest.raises(StsError) as refused:
        _assume(Answering(0, b"", OutboundError(Failure.CONNECTION, "Could not connect")))
    assert (refused.value.message, refused.value.answered) == ("Could not connect", False)

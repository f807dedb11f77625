"""Hand-made AWS JSON 1.1 requests signed with botocore's SigV4Auth, for tests that need to tamper with
what a boto3 client would send (the body, the date, the headers)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support.bridge import ENDPOINT, REGION

TARGET_PREFIX = "AWSCognitoIdentityProviderService."


class _Omitting(SigV4Auth):
    """botocore's signer, leaving ``omit`` out of SignedHeaders (the headers are still sent)."""

    def __init__(self, credentials: Credentials, region: str, omit: tuple[str, ...]) -> None:
        super().__init__(credentials, "cognito-idp", region)
        self._omit = omit

    def headers_to_sign(self, request: AWSRequest) -> Any:
        headers = super().headers_to_sign(request)
        for name in self._omit:
            del headers[name]
        return headers


def signed_request(
    operation: str,
    body: bytes | dict[str, Any],
    access_key: str,
    secret_key: str,
    region: str = REGION,
    token: str | None = None,
    omit: tuple[str, ...] = (),
) -> AWSRequest:
    """An AWSRequest for ``operation`` as boto3 would send it, signed with the given key; the headers named
    in ``omit`` are sent but not signed."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = AWSRequest(
        method="POST",
        url=ENDPOINT + "/",
        data=data,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": TARGET_PREFIX + operation,
        },
    )
    _Omitting(Credentials(access_key, secret_key, token), region, omit).add_auth(request)
    return request


def send(test_client: Any, request: AWSRequest, body: bytes | None = None) -> Any:
    """Send ``request`` through a Starlette TestClient; ``body`` replaces the signed body when given."""
    headers = {k: v for k, v in request.headers.items()}
    # SigV4Auth signs the host of the URL without adding a Host header; send the one it signed.
    headers["Host"] = urlsplit(request.url).netloc
    content = request.data if body is None else body
    return test_client.post("/", headers=headers, content=content)

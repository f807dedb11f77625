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


def signed_request(
    operation: str,
    body: bytes | dict[str, Any],
    access_key: str,
    secret_key: str,
    region: str = REGION,
    token: str | None = None,
) -> AWSRequest:
    """An AWSRequest for ``operation`` as boto3 would send it, signed with the given key."""
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
    SigV4Auth(Credentials(access_key, secret_key, token), "cognito-idp", region).add_auth(request)
    return request


def send(test_client: Any, request: AWSRequest, body: bytes | None = None) -> Any:
    """Send ``request`` through a Starlette TestClient; ``body`` replaces the signed body when given."""
    headers = {k: v for k, v in request.headers.items()}
    # SigV4Auth signs the host of the URL without adding a Host header; send the one it signed.
    headers["Host"] = urlsplit(request.url).netloc
    content = request.data if body is None else body
    return test_client.post("/", headers=headers, content=content)

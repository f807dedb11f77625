"""pycognito's high-level client, unchanged: ``Cognito(...).authenticate`` signs in with USER_SRP_AUTH and then
verifies both tokens itself, against ``<endpoint>/<poolId>/.well-known/jwks.json`` and issuer
``<endpoint>/<poolId>``, so the server must be reached at its public URL. Plain and email-as-username pools,
public clients and clients with a secret (pycognito sends SECRET_HASH)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pycognito import Cognito
from pycognito.exceptions import TokenVerificationException

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.support.auth import PASSWORD, make_client, make_user, payload, served_at_public_url
from tests.support.bridge import socket_client
from tests.support.errors import fails

pytestmark = pytest.mark.socket

EMAIL = "ann@example.com"
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass(frozen=True)
class Setup:
    url: str
    pool_id: str
    client: dict[str, Any]
    username: str  # what the user types
    internal: str  # cognito:username: the sub in an email-as-username pool

    def cognito(self, **kwargs: Any) -> Cognito:
        """pycognito as an application builds it: no admin credentials, the server as its endpoint."""
        return Cognito(
            self.pool_id,
            self.client["ClientId"],
            client_secret=self.client.get("ClientSecret"),
            boto3_client_kwargs={
                "endpoint_url": self.url,
                "region_name": "us-east-1",
                "aws_access_key_id": "x",
                "aws_secret_access_key": "x",
            },
            **kwargs,
        )


@pytest.fixture
def public_url(tmp_path: Path, database_url: str) -> Iterator[str]:
    """A server on a loopback socket whose public URL (so its issuer base) is that socket's URL."""
    with served_at_public_url(make_settings(tmp_path / "data", database_url)) as url:
        yield url


@pytest.fixture(params=["username-pool", "email-pool"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param).removesuffix("-pool")


@pytest.fixture(params=["public-client", "secret-client"])
def setup(request: pytest.FixtureRequest, public_url: str, kind: str) -> Setup:
    idp = socket_client(public_url, ACCESS_KEY, SECRET_KEY)
    config: dict[str, Any] = {"UsernameAttributes": ["email"]} if kind == "email" else {}
    pool_id = idp.create_user_pool(PoolName="pycognito", **config)["UserPool"]["Id"]
    secret = request.param == "secret-client"
    client = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS, GenerateSecret=secret)
    assert ("ClientSecret" in client) is secret
    username = EMAIL if kind == "email" else "ann"
    make_user(idp, pool_id, username, attributes={"email": EMAIL, "email_verified": "true"})
    internal = idp.admin_get_user(UserPoolId=pool_id, Username=username)["Username"]
    return Setup(public_url, pool_id, client, username, internal)


def test_authenticate__tokens_verified_by_pycognito(setup: Setup) -> None:
    user = setup.cognito(username=setup.username)
    user.authenticate(PASSWORD)  # verifies both tokens (signature, iss, exp, aud, token_use)
    user.verify_tokens()
    issuer = f"{setup.url}/{setup.pool_id}"  # the public URL (no trailing slash) and the pool id
    assert user.id_claims["iss"] == user.access_claims["iss"] == issuer  # exactly: no doubled or trailing "/"
    assert user.id_claims["cognito:username"] == setup.internal
    assert user.id_claims["email"] == EMAIL
    assert user.access_claims["username"] == setup.internal
    assert user.access_claims["client_id"] == setup.client["ClientId"]

    # The issuer check is real: the same tokens and keys, read as another pool URL's, are refused.
    elsewhere = Cognito(
        setup.pool_id,
        setup.client["ClientId"],
        id_token=user.id_token,
        access_token=user.access_token,
        boto3_client_kwargs={"endpoint_url": "http://elsewhere.invalid"},
    )
    elsewhere.pool_jwk = user.get_keys()
    with pytest.raises(TokenVerificationException):
        elsewhere.verify_tokens()


def test_authenticate__wrong_password_refused(setup: Setup) -> None:
    user = setup.cognito(username=setup.username)
    assert fails(user.authenticate, password="Wrong-Pass-1") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )


def test_renew_access_token(setup: Setup, kind: str) -> None:
    """REFRESH_TOKEN_AUTH with the refresh token: pycognito hashes the username it was given for the
    SECRET_HASH. That is the internal username except in an email-as-username pool with a secret client,
    where Cognito refuses the email's hash (pycognito issue #196): the app must use the sub there."""
    user = setup.cognito(username=setup.username)
    user.authenticate(PASSWORD)
    first = dict(user.access_claims)
    if kind == "email" and "ClientSecret" in setup.client:
        code, message = fails(user.renew_access_token)
        assert code == "NotAuthorizedException", message
        user.username = setup.internal
    user.renew_access_token()  # verifies the new tokens as authenticate does
    assert user.access_claims["jti"] != first["jti"]
    assert user.access_claims["origin_jti"] == first["origin_jti"]
    assert user.access_claims["username"] == setup.internal
    assert payload(user.id_token)["cognito:username"] == setup.internal

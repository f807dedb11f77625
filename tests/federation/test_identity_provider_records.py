"""CreateIdentityProvider through boto3 against real identity providers: an OIDC provider given only its
issuer gets the endpoints the provider itself publishes (npm oidc-provider's discovery document)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import make_settings, running_server
from tests.federation.conftest import OidcIdp
from userpool.config import FederationSettings


@pytest.fixture
def idp(tmp_path: Path, database_url: str) -> Iterator[Any]:
    """boto3 against a server that may call identity providers over http on loopback."""
    federation = FederationSettings(allow_http_idp_urls=True)
    with running_server(make_settings(tmp_path / "data", database_url, federation=federation)) as server:
        yield server.client()


def test_create_identity_provider__oidc_endpoints_from_the_providers_discovery(idp: Any, oidc_idp: OidcIdp) -> None:
    pool_id = idp.create_user_pool(PoolName="federated")["UserPool"]["Id"]
    details = {
        "client_id": oidc_idp.client_id,
        "client_secret": oidc_idp.secret,
        "authorize_scopes": "openid email profile",
        "oidc_issuer": oidc_idp.issuer,
    }
    created = idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Corp", ProviderType="OIDC", ProviderDetails=details
    )["IdentityProvider"]
    published = httpx.get(oidc_idp.issuer + "/.well-known/openid-configuration").json()
    assert created["ProviderDetails"] == {
        **details,
        "attributes_request_method": "GET",
        "attributes_url_add_attributes": "false",
        "authorize_url": published["authorization_endpoint"],
        "token_url": published["token_endpoint"],
        "attributes_url": published["userinfo_endpoint"],
        "jwks_uri": published["jwks_uri"],
    }
    assert created["ProviderDetails"]["token_url"] == oidc_idp.token_url
    assert created["ProviderDetails"]["attributes_url"] == oidc_idp.userinfo_url

"""What CreateIdentityProvider and UpdateIdentityProvider fetch, through boto3 against a loopback web server
(a server allowing http identity-provider URLs on loopback addresses): an OIDC provider's endpoints from
``<oidc_issuer>/.well-known/openid-configuration``, and a SAML provider's metadata from MetadataURL; and an
update whose fetch outlasts another update of the same provider."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_identity_providers import create, describe
from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings, running_server
from tests.support.bridge import serve_in_thread, socket_client
from tests.support.documents import Documents, serving_documents
from tests.support.errors import fails
from tests.support.saml_metadata import REDIRECT, metadata
from userpool.app import build_runtime, create_app
from userpool.config import FederationSettings


@pytest.fixture
def documents() -> Iterator[Documents]:
    with serving_documents() as found:
        yield found


@pytest.fixture
def local(tmp_path: Path, database_url: str) -> Iterator[tuple[Any, str]]:
    """A boto3 client of a server that may call identity providers over http on loopback, and a pool."""
    federation = FederationSettings(allow_http_idp_urls=True)
    with running_server(make_settings(tmp_path / "data", database_url, federation=federation)) as server:
        idp = server.client()
        yield idp, idp.create_user_pool(PoolName="federated")["UserPool"]["Id"]


def _oidc(issuer: str, **more: str) -> dict[str, str]:
    return {"client_id": "rp", "client_secret": "s", "authorize_scopes": "openid email", "oidc_issuer": issuer, **more}


def _refused(idp: Any, pool_id: str, provider_type: str, details: dict[str, str]) -> str:
    code, message = fails(
        idp.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType=provider_type,
        ProviderDetails=details,
    )
    assert code == "InvalidParameterException", message
    assert idp.list_identity_providers(UserPoolId=pool_id)["Providers"] == []
    return message


def test_create_identity_provider__oidc_endpoints_discovered(local: tuple[Any, str], documents: Documents) -> None:
    idp, pool_id = local
    documents.discovery("/issuer")
    issuer = documents.base + "/issuer"
    created = create(idp, pool_id, "Corp", "OIDC", _oidc(issuer), AttributeMapping={"email": "email"})
    assert created["ProviderDetails"] == {
        **_oidc(issuer),
        "attributes_request_method": "GET",
        "attributes_url_add_attributes": "false",
        "authorize_url": f"{issuer}/auth",
        "token_url": f"{issuer}/token",
        "attributes_url": f"{issuer}/me",
        "jwks_uri": f"{issuer}/jwks",
    }
    assert created["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert describe(idp, pool_id, "Corp") == created
    # Endpoints given win over discovered ones; the rest is discovered.
    given = _oidc(issuer, token_url=f"{issuer}/other-token")
    mixed = create(idp, pool_id, "Mixed", "OIDC", given)["ProviderDetails"]
    assert mixed["token_url"] == f"{issuer}/other-token" and mixed["authorize_url"] == f"{issuer}/auth"


def test_update_identity_provider__oidc_endpoints_discovered_again(
    local: tuple[Any, str], documents: Documents
) -> None:
    idp, pool_id = local
    documents.discovery("/issuer")
    issuer = documents.base + "/issuer"
    create(idp, pool_id, "Corp", "OIDC", _oidc(issuer))
    documents.discovery("/issuer", token_endpoint=f"{issuer}/token-v2")
    unchanged = idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp", IdpIdentifiers=["x.example"])
    assert unchanged["IdentityProvider"]["ProviderDetails"]["token_url"] == f"{issuer}/token"  # no details sent
    updated = idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp", ProviderDetails=_oidc(issuer))
    assert updated["IdentityProvider"]["ProviderDetails"]["token_url"] == f"{issuer}/token-v2"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_create_identity_provider__oidc_discovery_failures(local: tuple[Any, str], documents: Documents) -> None:
    idp, pool_id = local
    base = documents.base
    assert "Unable to discover" in _refused(idp, pool_id, "OIDC", _oidc(f"http://127.0.0.1:{_closed_port()}"))
    assert "Unable to discover" in _refused(idp, pool_id, "OIDC", _oidc(f"{base}/nothing-here"))
    documents.put("/garbage/.well-known/openid-configuration", b"<html>not json</html>")
    assert "Unable to discover" in _refused(idp, pool_id, "OIDC", _oidc(f"{base}/garbage"))
    documents.discovery("/mismatch", issuer="https://elsewhere.example")
    assert "does not match" in _refused(idp, pool_id, "OIDC", _oidc(f"{base}/mismatch"))
    documents.discovery("/no-token", token_endpoint=None)
    assert "token_endpoint" in _refused(idp, pool_id, "OIDC", _oidc(f"{base}/no-token"))
    documents.discovery("/public-token", token_endpoint="http://idp.example.com/token")
    assert "token_url" in _refused(idp, pool_id, "OIDC", _oidc(f"{base}/public-token"))
    documents.discovery("/no-userinfo", userinfo_endpoint=None)
    assert "attributes_url" in _refused(idp, pool_id, "OIDC", _oidc(f"{base}/no-userinfo"))
    # With attributes_url given, a provider without a userinfo endpoint is fine.
    given = _oidc(f"{base}/no-userinfo", attributes_url=f"{base}/no-userinfo/attributes")
    assert create(idp, pool_id, "Corp", "OIDC", given)["ProviderDetails"]["jwks_uri"] == f"{base}/no-userinfo/jwks"


def test_create_identity_provider__saml_metadata_url(local: tuple[Any, str], documents: Documents) -> None:
    idp, pool_id = local
    documents.put("/metadata", metadata(sso={REDIRECT: f"{documents.base}/sso"}, slo={}))
    details = {"MetadataURL": f"{documents.base}/metadata", "IDPSignout": "false"}
    created = create(idp, pool_id, "Corp", "SAML", details)
    shown = dict(created["ProviderDetails"])
    assert shown.pop("ActiveEncryptionCertificate")
    assert shown == {**details, "SSORedirectBindingURI": f"{documents.base}/sso"}
    assert describe(idp, pool_id, "Corp") == created
    # The document is fetched again on update.
    documents.put("/metadata", metadata(sso={REDIRECT: f"{documents.base}/sso2"}))
    updated = idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp", ProviderDetails=details)
    assert updated["IdentityProvider"]["ProviderDetails"]["SSORedirectBindingURI"] == f"{documents.base}/sso2"


def test_create_identity_provider__saml_metadata_url_failures(local: tuple[Any, str], documents: Documents) -> None:
    idp, pool_id = local
    base = documents.base
    message = _refused(idp, pool_id, "SAML", {"MetadataURL": f"http://127.0.0.1:{_closed_port()}/metadata"})
    assert "Unable to fetch the SAML metadata" in message
    assert "HTTP 404" in _refused(idp, pool_id, "SAML", {"MetadataURL": f"{base}/missing"})
    documents.put("/broken", b"<md:EntityDescriptor")
    assert "not well-formed" in _refused(idp, pool_id, "SAML", {"MetadataURL": f"{base}/broken"})
    documents.put("/binary", b"\xff\xfe\x00")
    assert "not UTF-8" in _refused(idp, pool_id, "SAML", {"MetadataURL": f"{base}/binary"})


@pytest.mark.every_database
def test_update_identity_provider__concurrent_update_is_refused(
    tmp_path: Path, database_url: str, documents: Documents
) -> None:
    """An update that read the provider before another update wrote it does not overwrite that write."""
    settings = make_settings(tmp_path / "data", database_url, federation=FederationSettings(allow_http_idp_urls=True))
    runtime = build_runtime(settings)
    documents.put("/metadata", metadata())
    arrived, release = threading.Event(), threading.Event()
    documents.held["/slow-metadata"] = (arrived, release)
    documents.put("/slow-metadata", metadata(sso={REDIRECT: f"{documents.base}/slow-sso"}))
    try:
        with serve_in_thread(create_app(settings, runtime=runtime)) as url:
            idp = socket_client(url, ACCESS_KEY, SECRET_KEY)
            pool_id = idp.create_user_pool(PoolName="race")["UserPool"]["Id"]
            create(idp, pool_id, "Corp", "SAML", {"MetadataURL": f"{documents.base}/metadata"})
            slow = {"MetadataURL": f"{documents.base}/slow-metadata"}
            outcome: list[str] = []

            def slow_update() -> None:
                other = socket_client(url, ACCESS_KEY, SECRET_KEY)
                code, _ = fails(
                    other.update_identity_provider, UserPoolId=pool_id, ProviderName="Corp", ProviderDetails=slow
                )
                outcome.append(code)

            worker = threading.Thread(target=slow_update)
            worker.start()
            assert arrived.wait(timeout=30)  # the slow update has read the provider and is fetching
            idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Corp", IdpIdentifiers=["corp.example"])
            release.set()
            worker.join(timeout=30)
            assert outcome == ["ConcurrentModificationException"]
            found = describe(idp, pool_id, "Corp")
            assert found["IdpIdentifiers"] == ["corp.example"]
            assert found["ProviderDetails"]["MetadataURL"] == f"{documents.base}/metadata"
    finally:
        release.set()
        runtime.store.dispose()

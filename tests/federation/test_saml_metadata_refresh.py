"""A SAML provider created from a MetadataURL follows its IdP's key rotation (Cognito developer guide: 'Adding
and managing SAML identity providers in a user pool', 'SAML signing and encryption'): pysaml2's IdP is
restarted on the same port with a new signing key, and sign-ins keep working, once the metadata is read
again after a signature that no stored certificate verifies, or once the stored copy is older than the
refresh interval. A Response signed by a key that no metadata lists is still refused, and bad Responses
cannot make the server fetch the metadata more than once per retry interval."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.federation.browser_sign_in import FederationServer, callback_params, federation_server, start, users_of
from tests.federation.saml_idps import SamlIdp, der_base64, key_and_certificate, start_pysaml2_idp
from tests.federation.test_saml_sign_in import MAPPINGS, SIGNATURE_INVALID, app_error, client_for, deliver, saml_pool
from userpool.context import Ctx
from userpool.model.identity_providers import IdentityProvider
from userpool.model.saml_service_provider import sp_entity_id
from userpool.services.federation.steps.saml_exchanges import pool_metadata
from userpool.services.federation.steps.saml_metadata_refresh import METADATA_REFRESH_SECONDS, METADATA_RETRY_SECONDS


class RotatingIdp:
    """pysaml2's IdP that can be restarted on its port with another signing key: its metadata then lists
    only the new certificate. The SPs it was told to trust are trusted again after each restart."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._stack = ExitStack()
        self._trusted: list[str] = []
        self.idp: SamlIdp | None = None
        self.certificate = ""

    def start(self, key: tuple[str, str]) -> SamlIdp:
        port = urlsplit(self.idp.base_url).port or 0 if self.idp else 0
        self._stack.close()
        self._stack = ExitStack()
        self.idp = self._stack.enter_context(
            start_pysaml2_idp(self._log_dir, key=key, port=port, sp_metadata=self._trusted)
        )
        self.certificate = der_base64(key[1])
        return self.idp

    def trust(self, document: str) -> None:
        assert self.idp is not None
        self._trusted.append(document)
        self.idp.trust(document)

    def metadata_fetches(self) -> int:
        assert self.idp is not None
        return int(httpx.get(self.idp.base_url + "/metadata-fetches", timeout=10).text)

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("saml-refresh"), social=False) as running:
        yield running


@pytest.fixture
def rotating(idp_logs: Path) -> Iterator[RotatingIdp]:
    idp = RotatingIdp(idp_logs)
    idp.start(key_and_certificate("key A"))
    try:
        yield idp
    finally:
        idp.close()


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def stored(server: FederationServer, pool_id: str) -> IdentityProvider:
    ctx = Ctx(deps=server.runtime.deps, request_id="test", now=time.time(), region="us-east-1")
    with ctx.store.read() as tx:
        provider = tx.identity_providers.get(pool_id, "Corp")
    assert provider is not None and provider.saml is not None
    return provider


def url_provider(server: FederationServer, rotating: RotatingIdp) -> tuple[str, dict[str, str]]:
    """A pool with provider Corp created from the IdP's MetadataURL, trusted by the IdP, and its client."""
    assert rotating.idp is not None
    pool_id = saml_pool(server)
    server.idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="SAML",
        ProviderDetails={"MetadataURL": rotating.idp.metadata_url},
        AttributeMapping=MAPPINGS["pysaml2"],
    )
    ctx = Ctx(deps=server.runtime.deps, request_id="test", now=time.time(), region="us-east-1")
    rotating.trust(pool_metadata(ctx, pool_id, server.url, stored(server, pool_id)))
    return pool_id, client_for(server, pool_id, ["Corp"])


def signed_in(browser: httpx.Client, server: FederationServer, client: dict[str, str], idp: SamlIdp) -> None:
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    params = callback_params(deliver(browser, idp.sign_in(to_provider.headers["location"])))
    assert params.get("code") and params["state"] == app.state, params


@pytest.fixture
def clock_reset(server: FederationServer) -> Iterator[None]:
    try:
        yield
    finally:
        server.clock.offset = 0


def test_saml_sign_in__rotated_idp_key_accepted_after_refetch_on_a_bad_signature(
    server: FederationServer, browser: httpx.Client, rotating: RotatingIdp, clock_reset: None
) -> None:
    pool_id, client = url_provider(server, rotating)
    signed_in(browser, server, client, rotating.idp)  # type: ignore[arg-type]
    old = rotating.certificate
    assert stored(server, pool_id).saml.signing_certificates == (old,)  # type: ignore[union-attr]

    idp = rotating.start(key_and_certificate("key B"))
    # Within the retry interval of the fetch at creation the stored certificate is all there is.
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    refused = app_error(deliver(browser, idp.sign_in(to_provider.headers["location"])))
    assert refused["error_description"] == SIGNATURE_INVALID
    assert rotating.metadata_fetches() == 1  # the test harness's own read at start

    server.clock.advance(METADATA_RETRY_SECONDS + 1)
    signed_in(browser, server, client, idp)
    assert rotating.metadata_fetches() == 2
    provider = stored(server, pool_id)
    assert provider.saml.signing_certificates == (rotating.certificate,) != (old,)  # type: ignore[union-attr]
    assert len(users_of(server, pool_id)) == 1
    # DescribeIdentityProvider is unchanged by the refresh: the operator's keys and the derived endpoints.
    described = server.idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")["IdentityProvider"]
    assert described["ProviderDetails"]["MetadataURL"] == idp.metadata_url
    assert described["ProviderDetails"]["SSORedirectBindingURI"] == idp.sso_url


def test_saml_sign_in__rotated_idp_key_accepted_after_the_refresh_interval(
    server: FederationServer, browser: httpx.Client, rotating: RotatingIdp, clock_reset: None
) -> None:
    pool_id, client = url_provider(server, rotating)
    idp = rotating.start(key_and_certificate("key B"))
    # The server's clock past the refresh interval: starting a sign-in reads the metadata again.
    server.clock.advance(METADATA_REFRESH_SECONDS + 1)
    start(browser, server, client, identity_provider="Corp")
    assert rotating.metadata_fetches() == 2
    assert stored(server, pool_id).saml.signing_certificates == (rotating.certificate,)  # type: ignore[union-attr]
    # Back to the IdP's time: the new certificate verifies at once, with no fetch.
    server.clock.offset = 0
    signed_in(browser, server, client, idp)
    assert rotating.metadata_fetches() == 2


def test_saml_sign_in__key_in_no_metadata_refused_with_at_most_one_refetch(
    server: FederationServer, browser: httpx.Client, rotating: RotatingIdp, idp_logs: Path, clock_reset: None
) -> None:
    pool_id, client = url_provider(server, rotating)
    assert rotating.idp is not None
    listed = rotating.idp
    # An impostor: the same entity ID and endpoints as the listed IdP, but a key of its own (key C).
    with start_pysaml2_idp(idp_logs, key=key_and_certificate("key C"), public_base=listed.base_url) as unlisted:
        ctx = Ctx(deps=server.runtime.deps, request_id="test", now=time.time(), region="us-east-1")
        unlisted.trust(pool_metadata(ctx, pool_id, server.url, stored(server, pool_id)))
        server.clock.advance(METADATA_RETRY_SECONDS + 1)
        before = rotating.metadata_fetches()
        # One fetch for the first bad signature; none for the next ones within the retry interval.
        for fetches in (before + 1, before + 1, before + 1):
            to_provider, _ = start(browser, server, client, identity_provider="Corp")
            # Our AuthnRequest, taken to the impostor, is answered with a Response signed with key C.
            location = to_provider.headers["location"].replace(listed.base_url, unlisted.base_url)
            refused = app_error(deliver(browser, unlisted.sign_in(location)))
            assert refused["error"] == "server_error" and refused["error_description"] == SIGNATURE_INVALID
            assert rotating.metadata_fetches() == fetches
    assert stored(server, pool_id).saml.signing_certificates == (rotating.certificate,)  # type: ignore[union-attr]
    assert users_of(server, pool_id) == []


def test_saml_logout__idp_request_signed_with_a_rotated_key_accepted_after_refetch(
    server: FederationServer, browser: httpx.Client, rotating: RotatingIdp, clock_reset: None
) -> None:
    pool_id, client = url_provider(server, rotating)
    assert rotating.idp is not None
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    post = rotating.idp.sign_in(to_provider.headers["location"])
    index = re.search(r'SessionIndex="([^"]+)"', post.xml)
    assert index is not None and callback_params(deliver(browser, post)).get("code")

    idp = rotating.start(key_and_certificate("key B"))
    server.clock.advance(METADATA_RETRY_SECONDS + 1)
    request = idp.idp_logout(sp_entity_id(pool_id), "alice", index.group(1), "idp-relay")
    answered = browser.post(request.action, data=request.fields)
    assert answered.status_code == 302 and answered.headers["location"].startswith(idp.slo_url + "?")
    assert rotating.metadata_fetches() == 2
    signed_out, _ = start(browser, server, client)
    assert signed_out.headers["location"].startswith("/login?")


def test_saml_sign_in__unreadable_metadata_keeps_the_stored_copy(
    server: FederationServer, browser: httpx.Client, rotating: RotatingIdp, clock_reset: None
) -> None:
    pool_id, client = url_provider(server, rotating)
    assert rotating.idp is not None
    idp = rotating.idp
    before = stored(server, pool_id)
    rotating.close()  # the IdP is down: its metadata cannot be fetched
    server.clock.advance(METADATA_REFRESH_SECONDS + 1)
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    assert to_provider.headers["location"].startswith(idp.sso_url + "?")
    after = stored(server, pool_id)
    assert after.saml.signing_certificates == before.saml.signing_certificates  # type: ignore[union-attr]
    assert after.saml.fetched_at == before.saml.fetched_at  # type: ignore[union-attr]

"""A SAML provider's own LogoutRequest posted to /saml2/logout (OASIS saml-profiles-2.0-os §4.4; Cognito's single
logout is started by the application, 'Signing out SAML users with single sign-out'). Over HTTPS the IdP's
cross-site POST carries no SameSite=Lax session cookie, so the request is acted on because it is signed by the
provider: the sessions its sign-ins opened for the NameID and SessionIndex it names end, in every browser.
An unsigned, tampered, replayed request, or one signed by a key the metadata does not list, ends nothing."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from tests.federation.browser_sign_in import FederationServer, callback_params, federation_server, start
from tests.federation.saml_idps import SamlIdp, SamlPost, key_and_certificate, start_pysaml2_idp
from tests.federation.test_saml_sign_in import (
    NS,
    SUCCESS,
    client_for,
    deliver,
    saml_pool,
    saml_provider,
    to_idp,
)
from tests.oauth.conftest import CALLBACK
from userpool.model.saml_service_provider import sp_entity_id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("saml-idp-logout"), social=False) as running:
        yield running


def new_browser() -> httpx.Client:
    return httpx.Client(follow_redirects=False, timeout=30)


@pytest.fixture
def browsers() -> Iterator[list[httpx.Client]]:
    opened: list[httpx.Client] = []
    yield opened
    for browser in opened:
        browser.close()


def signed_in_browser(
    server: FederationServer, idp: SamlIdp, pool_id: str, client: dict[str, str], browsers: list[httpx.Client]
) -> tuple[httpx.Client, str]:
    """A browser signed in through ``idp``, and the SessionIndex of its sign-in."""
    browser = new_browser()
    browsers.append(browser)
    post, _ = to_idp(browser, server, client, idp)
    statement = etree.fromstring(base64.b64decode(post.saml_response)).find(".//saml:AuthnStatement", NS)
    assert statement is not None
    assert "code" in callback_params(deliver(browser, post))
    return browser, str(statement.get("SessionIndex"))


def still_signed_in(browser: httpx.Client, server: FederationServer, client: dict[str, str]) -> bool:
    answer, _ = start(browser, server, client)
    location = answer.headers["location"]
    assert location.startswith((CALLBACK + "?code=", "/login?")), location
    return location.startswith(CALLBACK)


def post_cookieless(post: SamlPost, **replaced: str) -> httpx.Response:
    """The IdP's auto-posted form from a browser that sends no cookie to us (a cross-site POST over HTTPS)."""
    with new_browser() as bare:
        return bare.post(post.action, data={**post.fields, **replaced})


def xml_of(post: SamlPost) -> str:
    return base64.b64decode(post.saml_request).decode()


def encoded(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


@pytest.fixture
def logout_setup(server: FederationServer, pysaml2_idp: SamlIdp) -> tuple[str, dict[str, str]]:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp, IDPSignout="true")
    return pool_id, client_for(server, pool_id, ["COGNITO", "Corp"])


def test_saml_logout__idp_request_without_cookie_ends_the_named_sessions(
    server: FederationServer,
    pysaml2_idp: SamlIdp,
    logout_setup: tuple[str, dict[str, str]],
    browsers: list[httpx.Client],
) -> None:
    pool_id, client = logout_setup
    first, index = signed_in_browser(server, pysaml2_idp, pool_id, client, browsers)
    second, other_index = signed_in_browser(server, pysaml2_idp, pool_id, client, browsers)
    request = pysaml2_idp.idp_logout(sp_entity_id(pool_id), "alice", index, "idp-relay")
    answered = post_cookieless(request)
    assert answered.status_code == 302 and answered.headers["location"].startswith(pysaml2_idp.slo_url + "?")
    assert "Signature=" in answered.headers["location"] and "RelayState=idp-relay" in answered.headers["location"]
    assert pysaml2_idp.answered(answered.headers["location"]).startswith(SUCCESS)
    # The session of that SessionIndex ended, though no cookie named it; the other sign-in's did not.
    assert not still_signed_in(first, server, client)
    assert still_signed_in(second, server, client)

    # Without a SessionIndex, every session of alice's through this provider ends.
    everything = pysaml2_idp.idp_logout(sp_entity_id(pool_id), "alice", None, "idp-relay")
    assert post_cookieless(everything).headers["location"].startswith(pysaml2_idp.slo_url + "?")
    assert not still_signed_in(second, server, client)
    assert other_index != index


def test_saml_logout__unsigned_tampered_or_replayed_idp_request_ends_nothing(
    server: FederationServer,
    pysaml2_idp: SamlIdp,
    logout_setup: tuple[str, dict[str, str]],
    browsers: list[httpx.Client],
) -> None:
    pool_id, client = logout_setup
    browser, index = signed_in_browser(server, pysaml2_idp, pool_id, client, browsers)
    request = pysaml2_idp.idp_logout(sp_entity_id(pool_id), "alice", index, "idp-relay")
    xml = xml_of(request)
    root = etree.fromstring(xml.encode())
    [signature] = root.findall("ds:Signature", NS)
    root.remove(signature)
    unsigned = etree.tostring(root).decode()
    # Another user's sign-out turned into alice's: the signature no longer verifies.
    retargeted = pysaml2_idp.idp_logout(sp_entity_id(pool_id), "bob", index, "idp-relay")
    tampered = xml_of(retargeted).replace(">bob<", ">alice<")
    for forged in (unsigned, tampered):
        refused = post_cookieless(request, SAMLRequest=encoded(forged))
        assert refused.status_code == 302 and refused.headers["location"] == "/error?error=saml_logout"
    assert still_signed_in(browser, server, client)

    assert post_cookieless(request).headers["location"].startswith(pysaml2_idp.slo_url + "?")
    assert not still_signed_in(browser, server, client)
    # The same request again is not acted on a second time.
    replayed = post_cookieless(request)
    assert replayed.headers["location"] == "/error?error=saml_logout"


def test_saml_logout__idp_request_signed_by_an_unlisted_key_ends_nothing(
    server: FederationServer,
    pysaml2_idp: SamlIdp,
    logout_setup: tuple[str, dict[str, str]],
    idp_logs: Path,
    browsers: list[httpx.Client],
) -> None:
    pool_id, client = logout_setup
    browser, index = signed_in_browser(server, pysaml2_idp, pool_id, client, browsers)
    # An impostor: the provider's entity ID and endpoints, a key of its own.
    with (
        start_pysaml2_idp(idp_logs, key=key_and_certificate("impostor"), public_base=pysaml2_idp.base_url) as impostor,
    ):
        impostor.trust(_sp_metadata(server, pool_id))
        forged = impostor.idp_logout(sp_entity_id(pool_id), "alice", index, "idp-relay")
        refused = post_cookieless(forged)
        assert refused.headers["location"] == "/error?error=saml_logout"
        assert still_signed_in(browser, server, client)


def _sp_metadata(server: FederationServer, pool_id: str) -> str:
    answer = httpx.get(
        server.url + "/saml2/metadata", params={"user_pool_id": pool_id, "identity_provider": "Corp"}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer.text

"""SAML 2.0 sign-in through the hosted pages, end to end (Cognito developer guide: 'SAML session initiation in
Amazon Cognito user pools', 'Using IdP-initiated SAML sign-in', 'Signing out SAML users with single sign-out'):
a browser stand-in (httpx, cookies, no automatic redirects) goes from the application's authorization request
through a real SAML IdP (PyPI pysaml2's, npm samlify) to /saml2/idpresponse and on to the application's
callback; the application redeems the code. Forged, replayed, stale and misdirected Responses are refused,
the application is told at its redirect URI where the sign-in is known, and no user is created."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from lxml import etree

from tests.federation.browser_sign_in import (
    FederationServer,
    attributes,
    callback_params,
    federated_client,
    federation_server,
    new_pool,
    redeem,
    start,
    users_of,
)
from tests.federation.saml_idps import OID_EMAIL, OID_GIVEN_NAME, SamlIdp, SamlPost, der_base64, key_and_certificate
from tests.oauth.conftest import CALLBACK
from userpool.context import Ctx
from userpool.model.saml_service_provider import sp_entity_id
from userpool.services.federation.steps.saml_exchanges import pool_metadata

LOGOUT_URI = "http://localhost:8123/signed-out"
SIGNATURE_INVALID = "Invalid SAML response received: SAML Assertion signature is invalid."
UNSOLICITED_REFUSED = "Invalid samlResponse or relayState from identity provider"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
# How each IdP names the attributes it sends: pysaml2 by OID, samlify by basic names.
MAPPINGS = {
    "pysaml2": {"email": OID_EMAIL, "given_name": OID_GIVEN_NAME, "custom:groups": "groups"},
    "samlify": {"email": "email", "given_name": "given_name", "custom:groups": "groups"},
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    with federation_server(tmp_path_factory.mktemp("saml-sign-in"), social=False) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


@pytest.fixture(params=["pysaml2", "samlify"])
def any_idp(request: pytest.FixtureRequest) -> SamlIdp:
    idp = request.getfixturevalue(f"{request.param}_idp")
    assert isinstance(idp, SamlIdp)
    return idp


def saml_pool(server: FederationServer) -> str:
    pool_id = new_pool(server, "Saml")
    server.idp.add_custom_attributes(
        UserPoolId=pool_id, CustomAttributes=[{"Name": "groups", "AttributeDataType": "String", "Mutable": True}]
    )
    return pool_id


def saml_provider(
    server: FederationServer,
    pool_id: str,
    idp: SamlIdp,
    name: str = "Corp",
    metadata: str | None = None,
    trusted_at: str | None = None,
    **details: str,
) -> None:
    """A SAML provider record for ``idp``; the IdP is given the pool's SP metadata (ACS on ``trusted_at``)."""
    server.idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName=name,
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": metadata or idp.metadata, **details},
        AttributeMapping=MAPPINGS[idp.kind],
        IdpIdentifiers=["example.test"] if name == "Corp" else [],
    )
    ctx = Ctx(deps=server.runtime.deps, request_id="test", now=time.time(), region="us-east-1")
    with ctx.store.read() as tx:
        provider = tx.identity_providers.get(pool_id, name)
    assert provider is not None
    idp.trust(pool_metadata(ctx, pool_id, trusted_at or server.url, provider))


def client_for(server: FederationServer, pool_id: str, providers: list[str]) -> dict[str, Any]:
    return federated_client(
        server,
        pool_id,
        providers,
        LogoutURLs=[LOGOUT_URI],
        WriteAttributes=["email", "given_name", "custom:groups"],
        ReadAttributes=["email", "given_name", "custom:groups"],
    )


def to_idp(
    browser: httpx.Client, server: FederationServer, client: dict[str, Any], idp: SamlIdp
) -> tuple[SamlPost, Any]:
    """The application's request, our AuthnRequest redirect, and the IdP's auto-posting form."""
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    assert to_provider.status_code == 302, to_provider.text
    location = to_provider.headers["location"]
    assert location.startswith(idp.sso_url + "?"), location
    sent = dict(parse_qsl(urlsplit(location).query))
    # RelayState is an opaque reference: nothing of the application's request travels.
    assert "=" not in sent["RelayState"] and app.state not in location and CALLBACK not in location
    post = idp.sign_in(location)
    assert post.action == server.url + "/saml2/idpresponse"
    return post, app


def deliver(browser: httpx.Client, post: SamlPost, **replaced: str) -> httpx.Response:
    return browser.post(post.action, data={**post.fields, **replaced})


def app_error(response: httpx.Response) -> dict[str, str]:
    params = callback_params(response)
    assert "code" not in params, params
    return params


def encoded(root: etree._Element) -> str:
    return base64.b64encode(etree.tostring(root)).decode()


def test_saml_sign_in__sp_initiated_lands_on_the_callback_with_mapped_attributes(
    server: FederationServer, browser: httpx.Client, any_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, any_idp)
    client = client_for(server, pool_id, ["Corp"])
    post, app = to_idp(browser, server, client, any_idp)
    params = callback_params(deliver(browser, post))
    assert params["state"] == app.state
    claims = server.verify(pool_id, redeem(server, client, params["code"], app)["id_token"])
    subject = "alice" if any_idp.kind == "pysaml2" else "alice@example.test"
    assert claims["cognito:username"] == f"corp_{subject}" and claims["nonce"] == app.nonce
    assert claims["email"] == "alice@example.test" and claims["given_name"] == "Alice"
    assert claims["custom:groups"] == "[admins, staff]"
    assert claims["cognito:groups"] == [f"{pool_id}_Corp"]
    [identity] = claims["identities"]
    assert identity["userId"] == subject and identity["providerType"] == "SAML"
    assert identity["providerName"] == "Corp" and identity["issuer"] == any_idp.entity_id
    [user] = users_of(server, pool_id)
    assert user["UserStatus"] == "EXTERNAL_PROVIDER" and attributes(user)["email"] == "alice@example.test"


def test_saml_sign_in__signed_authn_request_and_encrypted_assertion(
    server: FederationServer, browser: httpx.Client, pysaml2_encrypting_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(
        server, pool_id, pysaml2_encrypting_idp, EncryptedResponses="true", RequestSigningAlgorithm="rsa-sha256"
    )
    client = client_for(server, pool_id, ["Corp"])
    post, app = to_idp(browser, server, client, pysaml2_encrypting_idp)
    assert "EncryptedAssertion" in post.xml
    params = callback_params(deliver(browser, post))
    claims = server.verify(pool_id, redeem(server, client, params["code"], app)["id_token"])
    assert claims["cognito:username"] == "corp_alice" and claims["email"] == "alice@example.test"


def _idp_initiated_relay(client: dict[str, Any], provider: str = "Corp") -> str:
    return urlencode(
        {
            "identity_provider": provider,
            "client_id": client["ClientId"],
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "openid email",
        }
    )


def test_saml_sign_in__idp_initiated_with_idp_init(
    server: FederationServer, browser: httpx.Client, any_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, any_idp, IDPInit="true")
    client = client_for(server, pool_id, ["Corp"])
    post = any_idp.idp_initiated(sp_entity_id(pool_id), _idp_initiated_relay(client))
    params = callback_params(deliver(browser, post))
    tokens = httpx.post(
        f"{server.url}/oauth2/token",
        data={"grant_type": "authorization_code", "code": params["code"], "redirect_uri": CALLBACK},
        auth=(client["ClientId"], client["ClientSecret"]),
    )
    assert tokens.status_code == 200, tokens.text
    assert server.verify(pool_id, tokens.json()["id_token"])["email"] == "alice@example.test"
    # The same Response again: its assertion was used.
    refused = app_error(deliver(browser, post))
    assert refused["error"] == "invalid_request" and "used already" in refused["error_description"]
    assert len(users_of(server, pool_id)) == 1


def test_saml_sign_in__idp_initiated_refused_without_idp_init(
    server: FederationServer, browser: httpx.Client, any_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, any_idp)
    client = client_for(server, pool_id, ["Corp"])
    post = any_idp.idp_initiated(sp_entity_id(pool_id), _idp_initiated_relay(client))
    refused = app_error(deliver(browser, post))
    assert refused == {"error": "invalid_request", "error_description": UNSOLICITED_REFUSED}
    assert users_of(server, pool_id) == []


def test_saml_sign_in__idp_initiated_with_an_unregistered_redirect_uri_shows_the_error_page(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp, IDPInit="true")
    client = client_for(server, pool_id, ["Corp"])
    relay = _idp_initiated_relay(client).replace("localhost%3A8123", "evil.example")
    answer = deliver(browser, pysaml2_idp.idp_initiated(sp_entity_id(pool_id), relay))
    assert answer.status_code == 302 and answer.headers["location"].startswith("/error?")
    assert users_of(server, pool_id) == []


def test_saml_sign_in__sp_initiated_response_replayed_shows_the_error_page(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp, IDPInit="true")
    client = client_for(server, pool_id, ["Corp"])
    post, _ = to_idp(browser, server, client, pysaml2_idp)
    assert "code" in callback_params(deliver(browser, post))
    again = deliver(browser, post)
    assert again.status_code == 302 and again.headers["location"] == "/error?error=idp_response"
    # Nor is it taken as IdP-initiated with an authorize query for a RelayState: it answers our request.
    refused = app_error(deliver(browser, post, RelayState=_idp_initiated_relay(client)))
    assert refused["error"] == "invalid_request"
    assert len(users_of(server, pool_id)) == 1


def _refused_sp_initiated(
    server: FederationServer, browser: httpx.Client, idp: SamlIdp, change: Any, error: str, **details: str
) -> dict[str, str]:
    """A sign-in whose Response ``change`` alters (None: as it is): the application's error, nobody created."""
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, idp, **details)
    client = client_for(server, pool_id, ["Corp"])
    post, app = to_idp(browser, server, client, idp)
    answer = deliver(browser, post, SAMLResponse=change(post) if change else post.saml_response)
    refused = app_error(answer)
    assert refused["error"] == error and refused["state"] == app.state, refused
    assert users_of(server, pool_id) == []
    return refused


def test_saml_sign_in__tampered_assertion_refused(
    server: FederationServer, browser: httpx.Client, any_idp: SamlIdp
) -> None:
    def tamper(post: SamlPost) -> str:
        return base64.b64encode(post.xml.replace("Alice", "Mallory").encode()).decode()

    refused = _refused_sp_initiated(server, browser, any_idp, tamper, "server_error")
    assert refused["error_description"] == SIGNATURE_INVALID


def test_saml_sign_in__signature_by_another_key_refused(
    server: FederationServer, browser: httpx.Client, any_idp: SamlIdp
) -> None:
    _, other = key_and_certificate("another IdP")
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, any_idp, metadata=any_idp.metadata.replace(any_idp.certificate, der_base64(other)))
    client = client_for(server, pool_id, ["Corp"])
    post, _ = to_idp(browser, server, client, any_idp)
    refused = app_error(deliver(browser, post))
    assert refused["error"] == "server_error" and refused["error_description"] == SIGNATURE_INVALID
    assert users_of(server, pool_id) == []


def test_saml_sign_in__signature_wrapping_refused(
    server: FederationServer, browser: httpx.Client, any_idp: SamlIdp
) -> None:
    def wrap(post: SamlPost) -> str:
        root = etree.fromstring(base64.b64decode(post.saml_response))
        assertion = root.find("saml:Assertion", NS)
        assert assertion is not None
        forged = etree.fromstring(etree.tostring(assertion))
        forged.set("ID", "_forged")
        for signature in forged.findall("ds:Signature", NS):
            forged.remove(signature)
        name_id = forged.find("saml:Subject/saml:NameID", NS)
        assert name_id is not None
        name_id.text = "mallory"
        root.insert(list(root).index(assertion), forged)
        return encoded(root)

    # pysaml2 signs the Response too, whose signature the insertion breaks; samlify signs only the assertion.
    expected = "server_error" if any_idp.kind == "pysaml2" else "invalid_request"
    _refused_sp_initiated(server, browser, any_idp, wrap, expected)


def test_saml_sign_in__wrong_recipient_refused(
    server: FederationServer, browser: httpx.Client, samlify_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    # The IdP knows the pool's ACS under another host name: its Response names that one.
    saml_provider(server, pool_id, samlify_idp, trusted_at=server.url.replace("127.0.0.1", "localhost"))
    client = client_for(server, pool_id, ["Corp"])
    to_provider, _ = start(browser, server, client, identity_provider="Corp")
    post = samlify_idp.sign_in(to_provider.headers["location"])
    assert post.action != server.url + "/saml2/idpresponse"
    answer = browser.post(server.url + "/saml2/idpresponse", data=post.fields)
    refused = app_error(answer)
    assert refused["error"] == "invalid_request" and "assertion consumer service" in refused["error_description"]
    assert users_of(server, pool_id) == []


def test_saml_sign_in__wrong_audience_refused(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    """A Response the IdP made for another pool, brought to this one's client."""
    other = saml_pool(server)
    saml_provider(server, other, pysaml2_idp, IDPInit="true")
    pool_id = saml_pool(server)
    server.idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": pysaml2_idp.metadata, "IDPInit": "true"},
        AttributeMapping=MAPPINGS["pysaml2"],
    )
    client = client_for(server, pool_id, ["Corp"])
    post = pysaml2_idp.idp_initiated(sp_entity_id(other), _idp_initiated_relay(client))
    refused = app_error(deliver(browser, post))
    assert refused["error"] == "invalid_request" and sp_entity_id(pool_id) in refused["error_description"]
    assert users_of(server, pool_id) == [] and users_of(server, other) == []


def test_saml_sign_in__expired_assertion_refused(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    # The server's clock runs ten minutes ahead: the sign-in it starts is live, the IdP's assertion is not.
    server.clock.advance(600)
    try:
        refused = _refused_sp_initiated(server, browser, pysaml2_idp, None, "invalid_request")
    finally:
        server.clock.advance(-600)
    assert "expired" in refused["error_description"]


def test_saml_sign_in__sha1_signature_refused(
    server: FederationServer, browser: httpx.Client, pysaml2_sha1_idp: SamlIdp
) -> None:
    refused = _refused_sp_initiated(server, browser, pysaml2_sha1_idp, None, "server_error")
    assert refused["error_description"] == SIGNATURE_INVALID


def test_saml_sign_in__external_entity_refused(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    def with_entity(post: SamlPost) -> str:
        body = post.xml.split("?>", 1)[-1] if post.xml.startswith("<?xml") else post.xml
        doctype = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        return base64.b64encode((doctype + body.replace("Alice", "&x;")).encode()).decode()

    refused = _refused_sp_initiated(server, browser, pysaml2_idp, with_entity, "invalid_request")
    assert "DOCTYPE" in refused["error_description"]


def test_saml_sign_in__single_logout_round_trip(
    server: FederationServer, browser: httpx.Client, any_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, any_idp, IDPSignout="true")
    client = client_for(server, pool_id, ["COGNITO", "Corp"])
    post, _ = to_idp(browser, server, client, any_idp)
    assert "code" in callback_params(deliver(browser, post))
    # Signed in: the hosted session answers the next request at once.
    again, _ = start(browser, server, client)
    assert again.headers["location"].startswith(CALLBACK + "?code=")

    bye = browser.get(f"{server.url}/logout", params={"client_id": client["ClientId"], "logout_uri": LOGOUT_URI})
    assert bye.status_code == 302 and bye.headers["location"].startswith(any_idp.slo_url + "?")
    assert "Signature=" in bye.headers["location"]
    answer = any_idp.logout(bye.headers["location"])
    assert answer.action == server.url + "/saml2/logout"
    landed = browser.post(answer.action, data=answer.fields)
    assert landed.status_code == 302 and landed.headers["location"] == LOGOUT_URI
    # Our session is gone: the login page, not a code.
    after, _ = start(browser, server, client)
    assert after.headers["location"].startswith("/login?")
    # The LogoutResponse a second time: its transaction was used.
    replayed = browser.post(answer.action, data=answer.fields)
    assert replayed.headers["location"].startswith("/error?")


def test_saml_sign_in__idp_initiated_logout_request_refused(server: FederationServer, browser: httpx.Client) -> None:
    answer = browser.post(server.url + "/saml2/logout", data={"SAMLRequest": "PHg+", "RelayState": "x"})
    assert answer.status_code == 302 and answer.headers["location"] == "/error?error=saml_logout"
    answer = browser.get(server.url + "/saml2/logout", params={"SAMLRequest": "PHg+"})
    assert answer.status_code == 302 and answer.headers["location"] == "/error?error=saml_logout"


def test_saml_sign_in__unknown_relay_state_shows_the_error_page(
    server: FederationServer, browser: httpx.Client
) -> None:
    answer = browser.post(server.url + "/saml2/idpresponse", data={"SAMLResponse": "PHg+", "RelayState": "unknown"})
    assert answer.status_code == 302 and answer.headers["location"] == "/error?error=idp_response"


def test_saml_sign_in__login_page_routes_a_corporate_email_by_its_domain(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp)
    client = client_for(server, pool_id, ["COGNITO", "Corp"])
    login, app = start(browser, server, client)
    page = browser.get(server.url + login.headers["location"])
    assert 'name="corporate_email"' in page.text and "Continue with Corp" not in page.text
    # The page's form action may lead to the IdP: Chromium checks form-action through the redirects.
    assert pysaml2_idp.base_url in page.headers["content-security-policy"]
    query = dict(parse_qsl(urlsplit(login.headers["location"]).query))
    routed = browser.get(server.url + "/login", params={**query, "corporate_email": "alice@Example.TEST"})
    assert routed.status_code == 302
    to_authorize = dict(parse_qsl(urlsplit(routed.headers["location"]).query))
    assert to_authorize["idp_identifier"] == "example.test" and to_authorize["state"] == app.state
    to_provider = browser.get(server.url + routed.headers["location"])
    assert to_provider.headers["location"].startswith(pysaml2_idp.sso_url + "?")
    params = callback_params(deliver(browser, pysaml2_idp.sign_in(to_provider.headers["location"])))
    assert params["state"] == app.state and params["code"]

    refused = browser.get(server.url + "/login", params={**query, "corporate_email": "not-an-address"})
    assert refused.status_code == 400 and "corporate email address" in refused.text


def test_saml_sign_in__login_page_shows_buttons_when_a_saml_provider_has_no_identifier(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp, name="Partner")
    client = client_for(server, pool_id, ["COGNITO", "Partner"])
    login, _ = start(browser, server, client)
    page = browser.get(server.url + login.headers["location"])
    assert "Continue with Partner" in page.text and 'name="corporate_email"' not in page.text


def test_saml_sign_in__idp_initiated_logout_ends_the_browser_session(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp, IDPSignout="true")
    client = client_for(server, pool_id, ["COGNITO", "Corp"])
    post, _ = to_idp(browser, server, client, pysaml2_idp)
    statement = etree.fromstring(base64.b64decode(post.saml_response)).find(".//saml:AuthnStatement", NS)
    assert statement is not None
    assert "code" in callback_params(deliver(browser, post))

    # Another user's logout, or another session of alice's, leaves this browser's session alone (the
    # provider is told Success: this pool holds no such session).
    for user, index in (("bob", statement.get("SessionIndex")), ("alice", "another-session")):
        other = pysaml2_idp.idp_logout(sp_entity_id(pool_id), user, index, "idp-relay")
        answered = browser.post(other.action, data=other.fields)
        assert answered.headers["location"].startswith(pysaml2_idp.slo_url + "?")
        assert pysaml2_idp.answered(answered.headers["location"]).startswith(SUCCESS)
    signed_in, _ = start(browser, server, client)
    assert signed_in.headers["location"].startswith(CALLBACK + "?code=")

    request = pysaml2_idp.idp_logout(sp_entity_id(pool_id), "alice", statement.get("SessionIndex"), "idp-relay")
    answered = browser.post(request.action, data=request.fields)
    assert answered.status_code == 302 and answered.headers["location"].startswith(pysaml2_idp.slo_url + "?")
    assert pysaml2_idp.answered(answered.headers["location"]).startswith(SUCCESS)
    after, _ = start(browser, server, client)
    assert after.headers["location"].startswith("/login?")


def test_saml_sign_in__response_brought_to_another_browser_or_too_late_shows_the_error_page(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp)
    client = client_for(server, pool_id, ["Corp"])
    post, _ = to_idp(browser, server, client, pysaml2_idp)
    with httpx.Client(follow_redirects=False, timeout=30) as other_browser:
        carried = deliver(other_browser, post)
    assert carried.headers["location"] == "/error?error=idp_response"
    # Five minutes and more after the application's request, its sign-in is gone.
    late, _ = to_idp(browser, server, client, pysaml2_idp)
    server.clock.advance(301)
    try:
        answer = deliver(browser, late)
    finally:
        server.clock.advance(-301)
    assert answer.headers["location"] == "/error?error=idp_response"
    assert users_of(server, pool_id) == []


def test_saml_sign_in__oversized_response_refused(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    refused = _refused_sp_initiated(server, browser, pysaml2_idp, lambda post: "A" * 100_004, "invalid_request")
    assert "100000 characters" in refused["error_description"]


def test_saml_sign_in__idp_initiated_naming_the_provider_by_identifier_with_implicit_tokens(
    server: FederationServer, browser: httpx.Client, samlify_idp: SamlIdp
) -> None:
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, samlify_idp, IDPInit="true")
    client = federated_client(server, pool_id, ["Corp"], AllowedOAuthFlows=["implicit"], GenerateSecret=False)
    relay = urlencode(
        {
            "idp_identifier": "example.test",
            "client_id": client["ClientId"],
            "redirect_uri": CALLBACK,
            "response_type": "token",
            "scope": "openid email",
            "state": "app-state",
        }
    )
    answer = deliver(browser, samlify_idp.idp_initiated(sp_entity_id(pool_id), relay))
    assert answer.status_code == 302 and answer.headers["location"].startswith(CALLBACK + "#")
    fragment = dict(parse_qsl(urlsplit(answer.headers["location"]).fragment))
    assert fragment["state"] == "app-state" and fragment["token_type"] == "Bearer"
    claims = server.verify(pool_id, fragment["id_token"])
    assert claims["cognito:username"] == "corp_alice@example.test"
    assert claims["identities"][0]["issuer"] == samlify_idp.entity_id


def test_saml_sign_in__four_byte_utf8_attribute_value_refused(
    server: FederationServer, browser: httpx.Client, pysaml2_idp: SamlIdp
) -> None:
    # 'Integrating third-party SAML identity providers with Amazon Cognito user pools': 4-byte UTF-8
    # characters (emoji) in attribute values are not accepted; the IdP should send them base64-encoded.
    pool_id = saml_pool(server)
    saml_provider(server, pool_id, pysaml2_idp)
    client = client_for(server, pool_id, ["Corp"])
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    post = pysaml2_idp.sign_in(to_provider.headers["location"], user="carol")
    refused = app_error(deliver(browser, post))
    assert refused["error"] == "invalid_request" and refused["state"] == app.state
    assert "4-byte UTF-8 character" in refused["error_description"] and "Base64" in refused["error_description"]
    assert users_of(server, pool_id) == []

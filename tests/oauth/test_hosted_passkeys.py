"""The hosted pages' passkey screens over plain HTTP, with the test's software authenticator standing in for
the browser's (tests/support/passkeys.py): the offer after a password sign-in, a sign-in with the passkey,
the passkeys page behind the hosted session and its CSRF checks (Cognito developer guide: 'Passkey sign-in')."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx

from tests.oauth.conftest import CALLBACK, PASSWORD, OAuthServer, confirmed_user, oauth_client
from tests.support import hosted
from tests.support.passkeys import SoftwareAuthenticator

# Managed login offers choice-based sign-in to clients that allow USER_AUTH.
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
_OPTIONS = re.compile(r'data-options="([^"]*)"')


def _client(server: OAuthServer, **client: Any) -> str:
    client.setdefault("ExplicitAuthFlows", FLOWS)
    policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    pool_id = server.idp.create_user_pool(PoolName="Acme", Policies=policies)["UserPool"]["Id"]
    config = {"RelyingPartyId": "localhost", "UserVerification": "required"}
    server.idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=config)
    confirmed_user(server.idp, pool_id)
    return str(oauth_client(server.idp, pool_id, **client)["ClientId"])


def _authorize(server: OAuthServer, client_id: str) -> str:
    query = {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid", "state": "s"}
    return f"{server.url}/oauth2/authorize?{urlencode(query)}"


def _options(page: httpx.Response) -> dict[str, Any]:
    found = _OPTIONS.search(page.text)
    assert found, page.text
    return dict(json.loads(html.unescape(found.group(1))))


def _follow(http: httpx.Client, response: httpx.Response) -> httpx.Response:
    assert response.status_code == 302, response.text
    return http.get(urljoin(str(response.url), response.headers["location"]))


def _registered(server: OAuthServer, http: httpx.Client, client_id: str) -> SoftwareAuthenticator:
    """A password sign-in, the offer of a passkey accepted; the application gets its code."""
    offer = _follow(http, hosted.sign_in(http, _authorize(server, client_id), "alice", PASSWORD))
    assert offer.status_code == 200 and "/passkeys/add?" in str(offer.url), offer.text
    assert "Not now" in offer.text and "script-src 'self'" in offer.headers["content-security-policy"]
    authenticator = SoftwareAuthenticator()
    credential = authenticator.register(_options(offer))
    added = hosted.submit(http, offer, {"credential": json.dumps(credential)})
    assert hosted.callback_params(_follow(http, added), CALLBACK)["code"]
    return authenticator


def _passkey_page(server: OAuthServer, http: httpx.Client, client_id: str, username: str = "alice") -> httpx.Response:
    login = _follow(http, http.get(_authorize(server, client_id)))
    assert "Sign in with a passkey" in login.text
    form = hosted.forms_of(login.text)[0]
    action = urljoin(str(login.url), form.action.replace("/login?", "/login/choose?"))
    return http.post(action, data={**form.fields, "username": username, "password": "", "factor": "WEB_AUTHN"})


def test_hosted_passkeys__offered_after_a_password_then_signs_in_alone(oauth_server: OAuthServer) -> None:
    client_id = _client(oauth_server)
    with httpx.Client(follow_redirects=False) as http:
        authenticator = _registered(oauth_server, http, client_id)
    with httpx.Client(follow_redirects=False) as http:
        page = _passkey_page(oauth_server, http, client_id)
        assert page.status_code == 200 and "Use my passkey" in page.text, page.text
        options = _options(page)
        wrong = hosted.submit(http, page, {"credential": SoftwareAuthenticator().assertion(options)})
        assert wrong.status_code == 400 and "Incorrect passkey credential" in wrong.text
        done = hosted.submit(http, wrong, {"credential": authenticator.assertion(options)})
        assert hosted.callback_params(done, CALLBACK)["state"] == "s"
    with httpx.Client(follow_redirects=False) as http:
        # A later password sign-in is not offered a passkey again: the user has one.
        again = hosted.sign_in(http, _authorize(oauth_server, client_id), "alice", PASSWORD)
        assert hosted.callback_params(again, CALLBACK)["code"]


def test_hosted_passkeys__not_now_goes_on_to_the_application(oauth_server: OAuthServer, http: httpx.Client) -> None:
    client_id = _client(oauth_server)
    offer = _follow(http, hosted.sign_in(http, _authorize(oauth_server, client_id), "alice", PASSWORD))
    later = re.search(r'<a href="([^"]+)">Not now</a>', offer.text)
    assert later, offer.text
    answer = http.get(urljoin(str(offer.url), html.unescape(later.group(1))))
    assert hosted.callback_params(answer, CALLBACK)["code"]


def test_hosted_passkeys__page_needs_the_session_and_the_csrf_token(
    oauth_server: OAuthServer, http: httpx.Client
) -> None:
    client_id = _client(oauth_server)
    query = _authorize(oauth_server, client_id).split("?", 1)[1]
    to_login = http.get(f"{oauth_server.url}/passkeys?{query}")
    assert to_login.status_code == 302 and "/login?" in to_login.headers["location"]
    assert "next=passkeys" in to_login.headers["location"]
    # Signed in from there, the browser comes back to the passkeys page rather than to the application.
    login = http.get(urljoin(oauth_server.url, to_login.headers["location"]))
    listing = _follow(http, hosted.submit(http, login, {"username": "alice", "password": PASSWORD}))
    assert listing.status_code == 200 and "You have no passkeys yet." in listing.text, listing.text
    authenticator = SoftwareAuthenticator()
    add = http.get(f"{oauth_server.url}/passkeys/add?{query}")
    hosted.submit(http, add, {"credential": json.dumps(authenticator.register(_options(add)))})
    listing = http.get(f"{oauth_server.url}/passkeys?{query}")
    assert listing.text.count('class="passkey"') == 1
    remove = hosted.forms_of(listing.text)[0]
    assert remove.fields["credential_id"] == authenticator.id
    forged = http.post(
        urljoin(str(listing.url), remove.action), data={**remove.fields, "_csrf": "0" * 64, "confirm": "yes"}
    )
    assert forged.status_code == 403
    confirm = hosted.submit(http, listing, {})
    assert confirm.status_code == 200 and "Remove the passkey" in confirm.text
    assert http.get(f"{oauth_server.url}/passkeys?{query}").text.count('class="passkey"') == 1
    removed = hosted.submit(http, confirm, {})
    assert removed.status_code == 302 and "notice=passkey_removed" in removed.headers["location"]
    assert 'class="passkey"' not in _follow(http, removed).text
    again = http.post(urljoin(str(listing.url), remove.action), data={**remove.fields, "confirm": "yes"})
    assert again.status_code == 404


def test_hosted_passkeys__hidden_users_and_users_without_passkeys_look_alike(
    oauth_server: OAuthServer, http: httpx.Client
) -> None:
    """With PreventUserExistenceErrors, a name no user has and a user without a passkey both get the passkey
    page; whatever passkey answers is refused."""
    client_id = _client(oauth_server, PreventUserExistenceErrors="ENABLED")
    for username in ("alice", "nobody"):
        page = _passkey_page(oauth_server, http, client_id, username)
        assert page.status_code == 200 and "Use my passkey" in page.text, page.text
        assert _options(page)["allowCredentials"] == []
        refused = hosted.submit(http, page, {"credential": SoftwareAuthenticator().assertion(_options(page))})
        assert refused.status_code == 400 and "Incorrect passkey credential" in refused.text


def test_hosted_passkeys__user_without_a_passkey_is_told_so(oauth_server: OAuthServer, http: httpx.Client) -> None:
    client_id = _client(oauth_server)
    refused = _passkey_page(oauth_server, http, client_id)
    assert refused.status_code == 400 and "not available for your account" in refused.text
    # The page's language links lead back to the login form, in that language.
    german = http.get(f"{refused.url}&lang=de")
    assert german.status_code == 302 and german.headers["location"].startswith("/login?")
    assert "lang=de" in german.headers["location"]


def test_hosted_passkeys__not_offered_to_a_client_without_user_auth(
    oauth_server: OAuthServer, http: httpx.Client
) -> None:
    client_id = _client(oauth_server, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    login = _follow(http, http.get(_authorize(oauth_server, client_id)))
    assert "passkey" not in login.text
    signed_in = hosted.submit(http, login, {"username": "alice", "password": PASSWORD})
    assert hosted.callback_params(signed_in, CALLBACK)["code"]

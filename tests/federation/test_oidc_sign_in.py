"""Sign-in through an OIDC identity provider in the browser, end to end against npm oidc-provider: the
application's /oauth2/authorize naming the provider, the provider's pages, /oauth2/idpresponse, the code and
the tokens (Cognito developer guide: 'OIDC user pool IdP authentication flow', 'Mapping IdP attributes to
profiles and tokens')."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.federation.browser_sign_in import (
    FederationServer,
    attributes,
    callback_params,
    deliver,
    federated_client,
    federation_server,
    new_pool,
    oidc_provider,
    redeem,
    refresh,
    sign_in,
    start,
    users_of,
    walk_provider,
)
from tests.oauth.conftest import CALLBACK, PASSWORD, confirmed_user
from userpool.config import TriggerTarget

HANDLERS = "tests.triggers.handlers"
TRIGGERS = {
    "PreSignUp": "pre_sign_up",
    "PostConfirmation": "post_confirmation",
    "PreAuthentication": "pre_authentication",
    "PostAuthentication": "post_authentication",
}


def _function(module: str) -> str:
    return "".join(part.capitalize() for part in module.split("_")) + "Fn"


def _events(module: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = importlib.import_module(f"{HANDLERS}.{module}").events
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationServer]:
    targets = tuple(TriggerTarget(_function(m), f"{HANDLERS}.{m}:handler") for m in TRIGGERS.values())
    with federation_server(tmp_path_factory.mktemp("oidc-sign-in"), social=False, triggers=targets) as running:
        yield running


@pytest.fixture
def pool_id(server: FederationServer) -> str:
    return new_pool(server)


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        yield client


def test_oidc_sign_in__first_sign_in_creates_the_user_with_mapped_attributes(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["COGNITO", "Corp"])
    to_provider, app = start(browser, server, client, identity_provider="Corp")
    location = urlsplit(to_provider.headers["location"])
    sent = dict(parse_qsl(location.query))
    assert f"{location.scheme}://{location.netloc}{location.path}" == server.oidc.authorize_url
    assert sent["response_type"] == "code" and sent["client_id"] == server.oidc.client_id
    assert sent["redirect_uri"] == server.idp_response and sent["scope"] == "openid email profile"
    assert sent["code_challenge_method"] == "S256" and len(sent["state"]) >= 22 and sent["nonce"]
    # The application's own state and nonce stay with us.
    assert app.state not in sent.values() and app.nonce not in sent.values()

    params = callback_params(deliver(browser, walk_provider(browser, server, to_provider)))
    assert params["state"] == app.state
    tokens = redeem(server, client, params["code"], app)
    claims = server.verify(pool_id, tokens["id_token"])
    assert claims["cognito:username"] == "corp_alice" and claims["nonce"] == app.nonce
    assert claims["email"] == "alice@example.test" and claims["email_verified"] is True
    assert claims["cognito:groups"] == [f"{pool_id}_Corp"]
    [identity] = claims["identities"]
    assert identity["userId"] == "alice" and identity["providerName"] == "Corp"
    assert identity["providerType"] == "OIDC" and identity["primary"] == "true"
    assert isinstance(identity["dateCreated"], str)

    [user] = users_of(server, pool_id)
    assert user["Username"] == "corp_alice" and user["UserStatus"] == "EXTERNAL_PROVIDER"
    stored = attributes(user)
    assert stored["given_name"] == "Alice" and stored["email_verified"] == "true"
    assert json.loads(stored["identities"])[0]["primary"] is True


def test_oidc_sign_in__second_sign_in_updates_the_mapped_attributes(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    sign_in(browser, server, client, "Corp")
    server.idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="corp_alice", UserAttributes=[{"Name": "given_name", "Value": "Changed"}]
    )
    with httpx.Client(follow_redirects=False, timeout=30) as other_browser:
        params, app = sign_in(other_browser, server, client, "Corp")
    [user] = users_of(server, pool_id)
    assert attributes(user)["given_name"] == "Alice"
    assert server.verify(pool_id, redeem(server, client, params["code"], app)["id_token"])["given_name"] == "Alice"


def test_oidc_sign_in__refresh_works_without_the_provider(tmp_path_factory: pytest.TempPathFactory) -> None:
    with federation_server(tmp_path_factory.mktemp("refresh"), social=False) as own:
        pool = new_pool(own, "Refresh")
        oidc_provider(own, pool)
        client = federated_client(own, pool, ["Corp"])
        with httpx.Client(follow_redirects=False, timeout=30) as browser:
            params, app = sign_in(browser, own, client, "Corp")
        tokens = redeem(own, client, params["code"], app)
        own.stop_providers()
        answer = refresh(own, client, tokens["refresh_token"])
        assert answer.status_code == 200, answer.text
        claims = own.verify(pool, answer.json()["id_token"])
        assert claims["cognito:username"] == "corp_alice" and claims["cognito:groups"] == [f"{pool}_Corp"]


def test_oidc_sign_in__triggers_of_first_and_later_sign_ins(server: FederationServer, browser: httpx.Client) -> None:
    for module in TRIGGERS.values():
        _events(module).clear()
    lambdas = {
        kind: f"arn:aws:lambda:{server.runtime.deps.settings.region}:123456789012:function:{_function(m)}"
        for kind, m in TRIGGERS.items()
    }
    pool = server.idp.create_user_pool(
        PoolName="Triggers", UsernameConfiguration={"CaseSensitive": False}, LambdaConfig=lambdas
    )["UserPool"]["Id"]
    oidc_provider(server, pool)
    client = federated_client(server, pool, ["Corp"])
    sign_in(browser, server, client, "Corp")
    [pre_sign_up] = _events("pre_sign_up")
    [post_confirmation] = _events("post_confirmation")
    assert pre_sign_up["triggerSource"] == "PreSignUp_ExternalProvider" and pre_sign_up["userName"] == "corp_alice"
    assert post_confirmation["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert _events("pre_authentication") == [] and _events("post_authentication") == []
    with httpx.Client(follow_redirects=False, timeout=30) as later:
        sign_in(later, server, client, "Corp")
    assert len(_events("pre_sign_up")) == 1 and len(_events("post_confirmation")) == 1
    [pre_auth] = _events("pre_authentication")
    [post_auth] = _events("post_authentication")
    assert pre_auth["triggerSource"] == "PreAuthentication_Authentication"
    assert post_auth["triggerSource"] == "PostAuthentication_Authentication"


def test_oidc_sign_in__implicit_flow_tokens_in_the_fragment(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"], AllowedOAuthFlows=["implicit"])
    to_provider, app = start(browser, server, client, identity_provider="Corp", response_type="token")
    done = deliver(browser, walk_provider(browser, server, to_provider))
    assert done.status_code == 302 and done.headers["location"].startswith(CALLBACK + "#")
    fragment = dict(parse_qsl(urlsplit(done.headers["location"]).fragment))
    assert fragment["state"] == app.state and "refresh_token" not in fragment and "code" not in fragment
    claims = server.verify(pool_id, fragment["id_token"])
    assert claims["cognito:username"] == "corp_alice" and claims["nonce"] == app.nonce


def test_authorize__named_provider_redirects_even_with_a_hosted_session(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    confirmed_user(server.idp, pool_id)
    client = federated_client(server, pool_id, ["COGNITO", "Corp"])
    page, _ = start(browser, server, client)
    assert page.headers["location"].startswith("/login?")
    form = browser.get(server.url + page.headers["location"])
    csrf = re.search(r'name="_csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    signed = browser.post(
        server.url + page.headers["location"],
        data={"username": "alice", "password": PASSWORD, "_csrf": csrf.group(1)},
    )
    assert signed.headers["location"].startswith(CALLBACK + "?code=")
    again, _ = start(browser, server, client)
    assert again.headers["location"].startswith(CALLBACK + "?code=")
    named, _ = start(browser, server, client, identity_provider="Corp")
    assert named.headers["location"].startswith(server.oidc.authorize_url + "?")


def test_authorize__idp_identifier_names_the_provider(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id, IdpIdentifiers=["corp.example"])
    client = federated_client(server, pool_id, ["COGNITO", "Corp"])
    to_provider, app = start(browser, server, client, idp_identifier="corp.example")
    assert to_provider.headers["location"].startswith(server.oidc.authorize_url + "?")
    params = callback_params(deliver(browser, walk_provider(browser, server, to_provider)))
    assert params["state"] == app.state and "code" in params


def test_authorize__prompt_none_with_a_named_provider_is_login_required(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    client = federated_client(server, pool_id, ["Corp"])
    refused, app = start(browser, server, client, identity_provider="Corp", prompt="none")
    params = callback_params(refused)
    assert params["error"] == "login_required" and params["state"] == app.state


def test_login__a_button_per_provider_and_the_form_only_with_cognito(
    server: FederationServer, pool_id: str, browser: httpx.Client
) -> None:
    oidc_provider(server, pool_id)
    both = federated_client(server, pool_id, ["COGNITO", "Corp"])
    page, _ = start(browser, server, both)
    html = browser.get(server.url + page.headers["location"]).text
    [button] = re.findall(r'href="(/oauth2/authorize\?[^"]+)"', html)
    assert "Continue with Corp" in html and 'name="password"' in html
    carried = dict(parse_qsl(urlsplit(button.replace("&amp;", "&")).query))
    assert carried["identity_provider"] == "Corp" and carried["client_id"] == both["ClientId"]
    to_provider = browser.get(server.url + button.replace("&amp;", "&"))
    assert to_provider.headers["location"].startswith(server.oidc.authorize_url + "?")

    only = federated_client(server, pool_id, ["Corp"])
    page, _ = start(browser, server, only, lang="de")
    html = browser.get(server.url + page.headers["location"]).text
    assert "Weiter mit Corp" in html and 'name="password"' not in html

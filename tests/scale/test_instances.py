"""Two ``userpool serve`` instances on one PostgreSQL database, behind no sticky sessions: whatever one
begins (a challenge Session, a confirmation code, a lockout, a hosted-UI sign-in) the other continues."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.support import hosted, postgres
from tests.support.auth import PASSWORD, make_client, make_user, payload, sign_in
from tests.support.bridge import free_port
from tests.support.mail import Inbox, Mail, smtp_inbox
from tests.support.pools import error_of
from tests.support.processes import Served, admin, serving

# One pytest-xdist worker runs the module, so that the instances below start once, not once per worker.
pytestmark = [pytest.mark.postgresql, pytest.mark.socket, pytest.mark.xdist_group("instances")]

LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
WRONG = ("NotAuthorizedException", "Incorrect username or password.")
CALLBACK = "https://app.example.com/callback"


@dataclass(frozen=True)
class Instances:
    a: Served
    b: Served
    inbox: Inbox
    database_url: str


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instances]:
    """Instances A and B: their own data directories and ports, one database, one SMTP server, and one
    public URL (a load balancer's, which the tokens' issuer derives from; A's port stands in for it). Shared
    by the tests of the module (each makes a pool of its own): starting them took most of a test's time."""
    folder = tmp_path_factory.mktemp("instances")
    with ExitStack() as stack:
        try:
            database_url = stack.enter_context(postgres.scratch_database(stack.enter_context(postgres.server_url())))
        except (RuntimeError, sa.exc.OperationalError) as exc:
            pytest.skip(f"PostgreSQL is not available for the tests: {exc}")
        inbox, smtp_port = stack.enter_context(smtp_inbox())
        shared = {"USERPOOL_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}"}
        port = free_port()
        shared["USERPOOL_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        a = stack.enter_context(serving(folder / "a", database_url, workers=1, port=port, **shared))
        b = stack.enter_context(serving(folder / "b", database_url, workers=1, **shared))
        yield Instances(a, b, inbox, database_url)


def _mails_to(inbox: Inbox, address: str) -> list[Mail]:
    """The mails to ``address``, once there is one. Either instance's outbox dispatcher delivers; it is woken
    on commit and polls every 5 s."""
    deadline = time.monotonic() + 30
    while not (found := [m for m in inbox.mails if address in m.recipients]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert found, f"no mail to {address}"
    return found


def _attempt(idp: Any, client: dict[str, Any], username: str, password: str) -> Any:
    return idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_two_instances__code_session_lockout_and_hosted_sign_in_continue_on_the_other(instances: Instances) -> None:
    a_server, b_server, inbox = instances.a, instances.b, instances.inbox
    a, b = admin(a_server.url), admin(b_server.url)
    pool_id = a.create_user_pool(PoolName="shared", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = make_client(b, pool_id)  # made on B, used on both

    # A confirmation code sent by A is confirmed on B; exactly one mail goes out for it, though both
    # instances run an outbox dispatcher.
    a.sign_up(
        ClientId=client["ClientId"],
        Username="carol",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
    )
    code = _mails_to(inbox, "carol@example.com")[0].code
    b.confirm_sign_up(ClientId=client["ClientId"], Username="carol", ConfirmationCode=code)
    assert a.admin_get_user(UserPoolId=pool_id, Username="carol")["UserStatus"] == "CONFIRMED"
    assert len(_mails_to(inbox, "carol@example.com")) == 1

    # A challenge Session opened on A is answered on B; B's tokens work on A (the keys are shared too).
    a.admin_create_user(
        UserPoolId=pool_id, Username="ann", TemporaryPassword="Temporary-Pass-1", MessageAction="SUPPRESS"
    )
    challenge = _attempt(a, client, "ann", "Temporary-Pass-1")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = b.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ann", "NEW_PASSWORD": PASSWORD},
    )
    tokens = answer["AuthenticationResult"]
    assert a.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ann"
    refreshed = a.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    # A sign-out on B revokes on A.
    b.global_sign_out(AccessToken=refreshed["AccessToken"])
    assert error_of(lambda: a.get_user(AccessToken=refreshed["AccessToken"]))[0] == "NotAuthorizedException"

    # Failed sign-ins count across instances: four on A and a fifth on B lock the user on both.
    make_user(a, pool_id, "bob")
    for _ in range(4):
        assert error_of(lambda: _attempt(a, client, "bob", "Wrong-Pass-1")) == WRONG
    assert error_of(lambda: _attempt(b, client, "bob", "Wrong-Pass-1")) == WRONG
    engine = sa.create_engine(instances.database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            failed, locked_until, last = conn.execute(
                sa.text(
                    "SELECT failed_sign_ins, locked_until, last_sign_in_attempt_at FROM users "
                    "WHERE pool_id = :pool AND username_norm = 'bob'"
                ),
                {"pool": pool_id},
            ).one()
    finally:
        engine.dispose()
    assert failed == 5 and locked_until is not None and locked_until > last
    # The lock lasts a second from the fifth failure: the very next attempt, with the right password, on A.
    assert error_of(lambda: _attempt(a, client, "bob", PASSWORD)) == LOCKED

    # A hosted-UI sign-in on A: its session cookie signs the browser in on B (prompt=none), and the code B
    # issues is redeemed on A.
    web = a.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    query = {"client_id": web["ClientId"], "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid"}
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        first = hosted.sign_in(browser, f"{a_server.url}/oauth2/authorize?{httpx.QueryParams(query)}", "ann", PASSWORD)
        assert "code" in hosted.callback_params(first, CALLBACK)
        again = browser.get(f"{b_server.url}/oauth2/authorize", params={**query, "prompt": "none", "state": "s"})
        params = hosted.callback_params(again, CALLBACK)
        assert params["state"] == "s" and "code" in params, params
        token = httpx.post(
            f"{a_server.url}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "client_id": web["ClientId"],
                "code": params["code"],
                "redirect_uri": CALLBACK,
            },
        )
        assert token.status_code == 200, token.text
        access = token.json()["access_token"]
        assert payload(access)["username"] == "ann"
        info = httpx.get(f"{b_server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {access}"})
        assert info.status_code == 200 and info.json()["sub"] == payload(access)["sub"], info.text
    sign_in(b, client, "ann")


def test_two_instances__an_unknown_names_lockout_and_code_cap_hold_on_both(instances: Instances) -> None:
    a_server, b_server = instances.a, instances.b
    a, b = admin(a_server.url), admin(b_server.url)
    pool_id = a.create_user_pool(PoolName="hidden", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = make_client(a, pool_id, PreventUserExistenceErrors="ENABLED")
    # Where the client hides users, a name no user has is locked out as a user is, whichever instance is asked.
    for _ in range(4):
        assert error_of(lambda: _attempt(a, client, "nobody", "Wrong-Pass-1")) == WRONG
    assert error_of(lambda: _attempt(b, client, "nobody", "Wrong-Pass-1")) == WRONG
    assert error_of(lambda: _attempt(a, client, "nobody", PASSWORD)) == LOCKED
    # Its password-reset codes count towards one hourly cap of five.
    for idp in (a, b, a, b, a):
        assert idp.forgot_password(ClientId=client["ClientId"], Username="nobody")["CodeDeliveryDetails"]
    limit = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    assert error_of(lambda: b.forgot_password(ClientId=client["ClientId"], Username="nobody")) == limit

"""Compromised-credentials detection through boto3 (Cognito developer guide: 'Working with compromised-credentials
detection'): a server with a small Pwned Passwords corpus imported, pools in ENFORCED and AUDIT mode, and the
risk configuration's EventFilter and EventAction; a second server with no corpus, where the built-in list
of the most common passwords still counts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import make_client, make_user
from tests.support.errors import fails
from tests.support.mail import Inbox, smtp_inbox
from tests.support.pwned import write_corpus

pytestmark = pytest.mark.xdist_group("compromised_credentials")

LEAKED = "Leaked-Passw0rd!"  # in the test corpus, not on the built-in list
ALSO_LEAKED = "Another-L3aked-one!"
COMMON = "P@ssw0rd"  # on the built-in list
CLEAN = "Unlisted-Passw0rd-7q!"
BLOCKED = ("InvalidPasswordException", "Provided password cannot be used for security reasons.")
RESET_REQUIRED = ("PasswordResetRequiredException", "Password reset required for the user")
ALL_EVENTS = {"Actions": {"EventAction": "BLOCK"}}


@dataclass(frozen=True)
class Served:
    server: Server
    idp: Any
    mail: Inbox


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("compromised")
    corpus = write_corpus(folder / "pwned.bin", [LEAKED, ALSO_LEAKED], others=3000)
    with smtp_inbox() as (inbox, smtp_port):
        settings = make_settings(
            folder / "data",
            f"sqlite:///{folder / 'userpool.sqlite3'}",
            breached_passwords_path=str(corpus),
            smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        )
        with running_server(settings) as server:
            yield Served(server, server.client(), inbox)


@pytest.fixture(scope="module")
def no_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("no-corpus")
    settings = make_settings(folder / "data", f"sqlite:///{folder / 'userpool.sqlite3'}")
    assert not settings.breached_passwords_file.exists()
    with running_server(settings) as server:
        yield server.client()


@pytest.fixture
def idp(served: Served) -> Any:
    return served.idp


def _pool(idp: Any, mode: str, compromised: dict[str, Any] | None = ALL_EVENTS, **config: Any) -> str:
    pool_id = str(
        idp.create_user_pool(
            PoolName=f"tp-{mode}",
            UserPoolAddOns={"AdvancedSecurityMode": mode},
            AutoVerifiedAttributes=["email"],
            **config,
        )["UserPool"]["Id"]
    )
    if compromised is not None:
        idp.set_risk_configuration(UserPoolId=pool_id, CompromisedCredentialsRiskConfiguration=compromised)
    return pool_id


def _sign_up(idp: Any, client: dict[str, Any], username: str, password: str) -> Any:
    return idp.sign_up(
        ClientId=client["ClientId"],
        Username=username,
        Password=password,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )


def _sign_in(idp: Any, client: dict[str, Any], username: str, password: str) -> Any:
    return idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def _status(idp: Any, pool_id: str, username: str) -> str:
    return str(idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


def _code_mailed_to(served: Served, address: str) -> str:
    """The code of the mail to ``address`` (sign-ups of other tests mail the same inbox)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [m for m in served.mail.mails if address in m.recipients]
        if found:
            return found[-1].code
        served.server.runtime.dispatcher.drain()
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address}")


def _events(idp: Any, pool_id: str, username: str) -> list[tuple[str, str, bool]]:
    """The user's auth events, newest first: type, response and CompromisedCredentialsDetected."""
    found = idp.admin_list_user_auth_events(UserPoolId=pool_id, Username=username)["AuthEvents"]
    return [(e["EventType"], e["EventResponse"], e["EventRisk"]["CompromisedCredentialsDetected"]) for e in found]


def _users(idp: Any, pool_id: str) -> list[str]:
    return [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]]


def test_sign_up__enforced_block_refuses_a_password_in_the_corpus_and_creates_nothing(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id)

    assert fails(_sign_up, idp=idp, client=client, username="ann", password=LEAKED) == BLOCKED

    assert _users(idp, pool_id) == []
    assert _sign_up(idp, client, "ann", CLEAN)["UserConfirmed"] is False
    assert _users(idp, pool_id) == ["ann"]


def test_sign_up__audit_mode_lets_a_password_in_the_corpus_through_and_marks_its_event(idp: Any) -> None:
    pool_id = _pool(idp, "AUDIT")
    client = make_client(idp, pool_id)

    _sign_up(idp, client, "bea", LEAKED)
    _sign_up(idp, client, "ben", CLEAN)

    assert sorted(_users(idp, pool_id)) == ["bea", "ben"]
    assert _events(idp, pool_id, "bea") == [("SignUp", "Pass", True)]
    assert _events(idp, pool_id, "ben") == [("SignUp", "Pass", False)]


def test_sign_up__enforced_no_action_and_an_event_filter_without_sign_up_let_it_through(idp: Any) -> None:
    no_action = _pool(idp, "ENFORCED", {"Actions": {"EventAction": "NO_ACTION"}})
    sign_in_only = _pool(idp, "ENFORCED", {"EventFilter": ["SIGN_IN", "PASSWORD_CHANGE"], **ALL_EVENTS})
    unconfigured = _pool(idp, "ENFORCED", None)
    off = _pool(idp, "OFF")

    for pool_id in (no_action, sign_in_only, unconfigured, off):
        _sign_up(idp, make_client(idp, pool_id), "cid", LEAKED)
        assert _users(idp, pool_id) == ["cid"]


def test_sign_up__a_client_configuration_replaces_the_pool_one(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED", {"Actions": {"EventAction": "NO_ACTION"}})
    strict, lax = make_client(idp, pool_id), make_client(idp, pool_id)
    idp.set_risk_configuration(
        UserPoolId=pool_id, ClientId=strict["ClientId"], CompromisedCredentialsRiskConfiguration=ALL_EVENTS
    )

    assert fails(_sign_up, idp=idp, client=strict, username="dan", password=LEAKED) == BLOCKED
    _sign_up(idp, lax, "dan", LEAKED)
    assert _users(idp, pool_id) == ["dan"]


def test_sign_up__built_in_list_with_no_corpus(no_corpus: Any) -> None:
    pool_id = _pool(no_corpus, "ENFORCED")
    client = make_client(no_corpus, pool_id)

    assert fails(_sign_up, idp=no_corpus, client=client, username="eve", password=COMMON) == BLOCKED
    _sign_up(no_corpus, client, "eve", LEAKED)  # in the other server's corpus only
    assert _users(no_corpus, pool_id) == ["eve"]


def test_change_password__enforced_block_refuses_and_keeps_the_old_password(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "fay", CLEAN)
    token = _sign_in(idp, client, "fay", CLEAN)["AuthenticationResult"]["AccessToken"]

    change = {"AccessToken": token, "PreviousPassword": CLEAN}
    assert fails(idp.change_password, ProposedPassword=ALSO_LEAKED, **change) == BLOCKED
    assert fails(idp.change_password, ProposedPassword=COMMON, **change) == BLOCKED

    assert "AuthenticationResult" in _sign_in(idp, client, "fay", CLEAN)
    idp.change_password(ProposedPassword="Another-Unlisted-1!", **change)
    assert _events(idp, pool_id, "fay") == [
        ("PasswordChange", "Pass", False),
        ("SignIn", "Pass", False),
        ("PasswordChange", "Fail", True),
        ("PasswordChange", "Fail", True),
        ("SignIn", "Pass", False),
    ]


def test_confirm_forgot_password__enforced_block_refuses_and_the_code_stays_usable(served: Served) -> None:
    idp = served.idp
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "gil", CLEAN, {"email": "gil@example.com", "email_verified": "true"})
    idp.forgot_password(ClientId=client["ClientId"], Username="gil")
    code = _code_mailed_to(served, "gil@example.com")

    confirm = {"ClientId": client["ClientId"], "Username": "gil", "ConfirmationCode": code}
    assert fails(idp.confirm_forgot_password, Password=LEAKED, **confirm) == BLOCKED

    idp.confirm_forgot_password(Password="Reset-Unlisted-1!", **confirm)
    assert "AuthenticationResult" in _sign_in(idp, client, "gil", "Reset-Unlisted-1!")
    assert _events(idp, pool_id, "gil")[1:3] == [("ForgotPassword", "Pass", False), ("ForgotPassword", "Fail", True)]


def test_respond_to_auth_challenge__new_password_required_refuses_a_compromised_password(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id)
    idp.admin_create_user(
        UserPoolId=pool_id, Username="hal", TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS"
    )
    session = _sign_in(idp, client, "hal", "Temp-Passw0rd!")["Session"]

    answer = {"ClientId": client["ClientId"], "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session}
    refused = fails(
        idp.respond_to_auth_challenge, ChallengeResponses={"USERNAME": "hal", "NEW_PASSWORD": LEAKED}, **answer
    )
    assert refused == BLOCKED

    done = idp.respond_to_auth_challenge(ChallengeResponses={"USERNAME": "hal", "NEW_PASSWORD": CLEAN}, **answer)
    assert "AuthenticationResult" in done


def test_admin_set_user_password__an_administrator_s_password_is_not_checked(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED", {"EventFilter": ["SIGN_UP", "PASSWORD_CHANGE"], **ALL_EVENTS})
    client = make_client(idp, pool_id)

    make_user(idp, pool_id, "ida", LEAKED)

    assert "AuthenticationResult" in _sign_in(idp, client, "ida", LEAKED)


def test_initiate_auth__enforced_block_makes_the_user_reset_its_password(served: Served) -> None:
    idp = served.idp
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "jon", LEAKED, {"email": "jon@example.com", "email_verified": "true"})

    assert fails(_sign_in, idp=idp, client=client, username="jon", password=LEAKED) == RESET_REQUIRED
    assert _status(idp, pool_id, "jon") == "RESET_REQUIRED"
    assert _events(idp, pool_id, "jon") == [("SignIn", "Fail", True)]
    assert fails(_sign_in, idp=idp, client=client, username="jon", password="Wrong-Passw0rd!") == RESET_REQUIRED

    idp.forgot_password(ClientId=client["ClientId"], Username="jon")
    code = _code_mailed_to(served, "jon@example.com")
    idp.confirm_forgot_password(ClientId=client["ClientId"], Username="jon", ConfirmationCode=code, Password=CLEAN)
    assert _status(idp, pool_id, "jon") == "CONFIRMED"
    assert "AuthenticationResult" in _sign_in(idp, client, "jon", CLEAN)


def test_initiate_auth__a_wrong_password_is_not_checked_and_blocks_nobody(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "kim", CLEAN)

    wrong = fails(_sign_in, idp=idp, client=client, username="kim", password=LEAKED)

    assert wrong == ("NotAuthorizedException", "Incorrect username or password.")
    assert _status(idp, pool_id, "kim") == "CONFIRMED"


def test_initiate_auth__hidden_users_get_the_answer_of_a_wrong_password(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    make_user(idp, pool_id, "lee", LEAKED)

    refused = fails(_sign_in, idp=idp, client=client, username="lee", password=LEAKED)

    assert refused == ("NotAuthorizedException", "Incorrect username or password.")
    assert _status(idp, pool_id, "lee") == "RESET_REQUIRED"


def test_admin_initiate_auth__enforced_block_and_audit(idp: Any) -> None:
    enforced, audit = _pool(idp, "ENFORCED"), _pool(idp, "AUDIT")
    for pool_id in (enforced, audit):
        make_user(idp, pool_id, "max", LEAKED)

    def admin_sign_in(pool_id: str) -> Any:
        return idp.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=make_client(idp, pool_id)["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "max", "PASSWORD": LEAKED},
        )

    assert fails(admin_sign_in, pool_id=enforced) == RESET_REQUIRED
    assert "AuthenticationResult" in admin_sign_in(audit)
    assert _status(idp, audit, "max") == "CONFIRMED"
    assert _events(idp, enforced, "max") == [("SignIn", "Fail", True)]
    assert _events(idp, audit, "max") == [("SignIn", "Pass", True)]


def test_initiate_auth__srp_sends_no_password_and_is_not_checked(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool_id, "ned", LEAKED)

    srp = AWSSRP(username="ned", password=LEAKED, pool_id=pool_id, client_id=client["ClientId"], client=idp)
    tokens = srp.authenticate_user()

    assert "AccessToken" in tokens["AuthenticationResult"]
    assert _status(idp, pool_id, "ned") == "CONFIRMED"
    assert _events(idp, pool_id, "ned") == [("SignIn", "Pass", False)]


def test_initiate_auth__user_auth_password_is_checked(idp: Any) -> None:
    pool_id = _pool(idp, "ENFORCED")
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool_id, "oli", LEAKED)

    def user_auth() -> Any:
        return idp.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": "oli", "PASSWORD": LEAKED, "PREFERRED_CHALLENGE": "PASSWORD"},
        )

    assert fails(user_auth) == RESET_REQUIRED
    assert _status(idp, pool_id, "oli") == "RESET_REQUIRED"

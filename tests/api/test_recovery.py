"""ForgotPassword and ConfirmForgotPassword through boto3, codes read from a real SMTP server."""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import ACCESS_KEY, SECRET_KEY, Server, make_settings, running_server
from tests.support.bridge import socket_client
from tests.support.errors import fails
from tests.support.existence import POOL_KINDS, hiding_pool, outcome
from tests.support.mail import Inbox
from userpool.clock import FixedClock
from userpool.services.lookup.records import find_user

PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd"
HOUR = 3600.0
MISMATCH = ("CodeMismatchException", "Invalid verification code provided, please try again.")
EXPIRED = ("ExpiredCodeException", "Invalid code provided, please request a code again.")
LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
REUSED = ("PasswordHistoryPolicyViolationException", "Password has previously been used")
GUESSERS = 20


@pytest.fixture
def idp(server: Server) -> Any:
    return server.client()


@pytest.fixture
def pool_id(idp: Any) -> str:
    return str(
        idp.create_user_pool(
            PoolName="recovery",
            AutoVerifiedAttributes=["email"],
            VerificationMessageTemplate={"EmailSubject": "Reset", "EmailMessage": "Reset code {####}"},
        )["UserPool"]["Id"]
    )


@pytest.fixture
def client_id(idp: Any, pool_id: str) -> str:
    return _client(idp, pool_id)


def _client(idp: Any, pool_id: str, **config: Any) -> str:
    return str(
        idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **config)["UserPoolClient"]["ClientId"]
    )


def _confirmed(idp: Any, pool_id: str, username: str, **attributes: str) -> None:
    """A CONFIRMED user with a password, made by the administrator without sending anything."""
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def _with_email(idp: Any, pool_id: str, username: str) -> None:
    _confirmed(idp, pool_id, username, email=f"{username}@example.com", email_verified="true")


def _password_is(server: Server, pool_id: str, username: str, password: str) -> bool:
    with server.runtime.store.read() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None
        user = find_user(tx, pool, username)
    assert user is not None
    return server.runtime.deps.hasher.verify(user.password_hash, password)


def _status(idp: Any, pool_id: str, username: str) -> str:
    return str(idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_forgot_password__mails_a_code_that_sets_a_new_password(
    server: Server, idp: Any, mail: Inbox, pool_id: str, client_id: str, clock: FixedClock
) -> None:
    _with_email(idp, pool_id, "amy")
    answer = idp.forgot_password(ClientId=client_id, Username="amy")
    assert answer["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    message = mail.next(server)
    assert (message.recipients, message.message["Subject"]) == (["amy@example.com"], "Reset")
    assert message.text.strip() == f"Reset code {message.code}"
    assert _status(idp, pool_id, "amy") == "CONFIRMED"
    idp.confirm_forgot_password(
        ClientId=client_id, Username="amy", ConfirmationCode=message.code, Password=NEW_PASSWORD
    )
    assert _password_is(server, pool_id, "amy", NEW_PASSWORD)
    # Tokens issued before the reset no longer pass the access-token check.
    with server.runtime.store.read() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None
        user = find_user(tx, pool, "amy")
        assert user is not None
        counters = tx.sign_in_counters.get(pool_id, user.sub)
    assert counters is not None and counters.signed_out_at == clock.now()
    # Single use.
    request = {"ClientId": client_id, "Username": "amy", "ConfirmationCode": message.code, "Password": PASSWORD}
    assert fails(idp.confirm_forgot_password, **request) == EXPIRED
    assert _password_is(server, pool_id, "amy", NEW_PASSWORD)


def test_confirm_forgot_password__accepts_the_code_admin_reset_sent(
    server: Server, idp: Any, mail: Inbox, pool_id: str, client_id: str
) -> None:
    _with_email(idp, pool_id, "ben")
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="ben")
    assert _status(idp, pool_id, "ben") == "RESET_REQUIRED"
    code = mail.next(server).code
    idp.confirm_forgot_password(ClientId=client_id, Username="ben", ConfirmationCode=code, Password=NEW_PASSWORD)
    assert _status(idp, pool_id, "ben") == "CONFIRMED"
    assert _password_is(server, pool_id, "ben", NEW_PASSWORD)


def test_confirm_forgot_password__admin_set_password_voids_the_code(
    server: Server, idp: Any, mail: Inbox, pool_id: str, client_id: str
) -> None:
    _with_email(idp, pool_id, "cat")
    idp.forgot_password(ClientId=client_id, Username="cat")
    code = mail.next(server).code
    idp.admin_set_user_password(UserPoolId=pool_id, Username="cat", Password=PASSWORD, Permanent=True)
    request = {"ClientId": client_id, "Username": "cat", "ConfirmationCode": code, "Password": NEW_PASSWORD}
    assert fails(idp.confirm_forgot_password, **request) == EXPIRED


def test_confirm_forgot_password__wrong_codes_reach_the_attempt_limit(
    server: Server, idp: Any, mail: Inbox, pool_id: str, client_id: str, clock: FixedClock
) -> None:
    _with_email(idp, pool_id, "dee")
    idp.forgot_password(ClientId=client_id, Username="dee")
    code = mail.next(server).code
    request = {"ClientId": client_id, "Username": "dee", "Password": NEW_PASSWORD}
    for _ in range(5):
        assert fails(idp.confirm_forgot_password, ConfirmationCode=_wrong(code), **request) == MISMATCH
    assert fails(idp.confirm_forgot_password, ConfirmationCode=code, **request) == LIMIT
    # A new code does not reset the count of wrong entries.
    idp.forgot_password(ClientId=client_id, Username="dee")
    assert fails(idp.confirm_forgot_password, ConfirmationCode=mail.next(server).code, **request) == LIMIT
    assert _password_is(server, pool_id, "dee", PASSWORD)
    # An hour on, the window has passed, and so has the code's life.
    clock.advance(HOUR)
    assert fails(idp.confirm_forgot_password, ConfirmationCode=mail.mails[-1].code, **request) == EXPIRED
    idp.forgot_password(ClientId=client_id, Username="dee")
    idp.confirm_forgot_password(ConfirmationCode=mail.next(server).code, **request)
    assert _password_is(server, pool_id, "dee", NEW_PASSWORD)


def test_confirm_forgot_password__bad_password_keeps_the_code(
    server: Server, idp: Any, mail: Inbox, pool_id: str, client_id: str
) -> None:
    _with_email(idp, pool_id, "eli")
    idp.forgot_password(ClientId=client_id, Username="eli")
    code = mail.next(server).code
    request = {"ClientId": client_id, "Username": "eli", "ConfirmationCode": code}
    assert fails(idp.confirm_forgot_password, Password="weakpass", **request) == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have uppercase characters",
    )
    idp.confirm_forgot_password(Password=NEW_PASSWORD, **request)
    assert _password_is(server, pool_id, "eli", NEW_PASSWORD)


def test_confirm_forgot_password__password_history_keeps_the_code(server: Server, idp: Any, mail: Inbox) -> None:
    """PasswordHistorySize 2: the reset may not bring back the current password or the one before; the code
    survives that refusal, as it survives a policy refusal."""
    pool_id = idp.create_user_pool(
        PoolName="history",
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}},
    )["UserPool"]["Id"]
    client_id = _client(idp, pool_id)
    _with_email(idp, pool_id, "fay")
    idp.forgot_password(ClientId=client_id, Username="fay")
    request = {"ClientId": client_id, "Username": "fay", "ConfirmationCode": mail.next(server).code}
    assert fails(idp.confirm_forgot_password, Password=PASSWORD, **request) == REUSED
    idp.confirm_forgot_password(Password=NEW_PASSWORD, **request)
    assert _password_is(server, pool_id, "fay", NEW_PASSWORD)
    idp.forgot_password(ClientId=client_id, Username="fay")
    request["ConfirmationCode"] = mail.next(server).code
    assert fails(idp.confirm_forgot_password, Password=PASSWORD, **request) == REUSED
    assert fails(idp.confirm_forgot_password, Password=NEW_PASSWORD, **request) == REUSED
    idp.confirm_forgot_password(Password="Third-Passw0rd", **request)
    assert _password_is(server, pool_id, "fay", "Third-Passw0rd")


def test_forgot_password__new_code_replaces_the_old(
    server: Server, idp: Any, mail: Inbox, pool_id: str, client_id: str, clock: FixedClock
) -> None:
    _with_email(idp, pool_id, "fox")
    idp.forgot_password(ClientId=client_id, Username="fox")
    first = mail.next(server).code
    idp.forgot_password(ClientId=client_id, Username="fox")
    second = mail.next(server).code
    request = {"ClientId": client_id, "Username": "fox", "Password": NEW_PASSWORD}
    if first != second:
        assert fails(idp.confirm_forgot_password, ConfirmationCode=first, **request) == MISMATCH
    clock.advance(HOUR)
    assert fails(idp.confirm_forgot_password, ConfirmationCode=second, **request) == EXPIRED


def test_forgot_password__limited_to_five_codes_an_hour(
    server: Server, idp: Any, mail: Inbox, pool_id: str, client_id: str
) -> None:
    _with_email(idp, pool_id, "gil")
    for _ in range(5):
        idp.forgot_password(ClientId=client_id, Username="gil")
    assert fails(idp.forgot_password, ClientId=client_id, Username="gil") == LIMIT
    mail.wait_for(5, server)
    server.runtime.dispatcher.drain()
    assert len(mail.mails) == 5


def test_forgot_password__refused_states(idp: Any, pool_id: str, client_id: str) -> None:
    _confirmed(idp, pool_id, "hank", email="hank@example.com")
    assert fails(idp.forgot_password, ClientId=client_id, Username="hank") == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="ivy",
        UserAttributes=[{"Name": "email", "Value": "ivy@example.com"}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    assert fails(idp.forgot_password, ClientId=client_id, Username="ivy") == (
        "NotAuthorizedException",
        "User password cannot be reset in the current state.",
    )
    _with_email(idp, pool_id, "jay")
    idp.admin_disable_user(UserPoolId=pool_id, Username="jay")
    assert fails(idp.forgot_password, ClientId=client_id, Username="jay") == (
        "NotAuthorizedException",
        "User is disabled.",
    )
    missing = ("UserNotFoundException", "User does not exist.")
    assert fails(idp.forgot_password, ClientId=client_id, Username="nobody") == missing
    request = {"ClientId": client_id, "Username": "nobody", "ConfirmationCode": "123456", "Password": NEW_PASSWORD}
    assert fails(idp.confirm_forgot_password, **request) == missing
    # No code was ever requested.
    assert fails(idp.confirm_forgot_password, **{**request, "Username": "hank"}) == EXPIRED


def test_forgot_password__admin_only_recovery(idp: Any) -> None:
    pool_id = idp.create_user_pool(
        PoolName="admin-only", AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]}
    )["UserPool"]["Id"]
    client_id = _client(idp, pool_id)
    _with_email(idp, pool_id, "kay")
    assert fails(idp.forgot_password, ClientId=client_id, Username="kay") == (
        "NotAuthorizedException",
        "Contact administrator to reset password.",
    )


def test_forgot_password__hidden_users(server: Server, idp: Any, pool_id: str) -> None:
    client_id = _client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    _confirmed(idp, pool_id, "lee", email="lee@example.com")  # no verified channel
    _with_email(idp, pool_id, "mo")
    idp.admin_disable_user(UserPoolId=pool_id, Username="mo")
    for username in ("nobody", "lee", "mo"):
        answer = idp.forgot_password(ClientId=client_id, Username=username)["CodeDeliveryDetails"]
        assert answer["Destination"].startswith(f"{username[0]}***@"), answer
        again = idp.forgot_password(ClientId=client_id, Username=username)["CodeDeliveryDetails"]
        assert again == answer
    assert idp.forgot_password(ClientId=client_id, Username="nobody@example.org")["CodeDeliveryDetails"] == {
        "Destination": "n***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    # Nothing was sent to anyone.
    with server.runtime.store.read() as tx:
        assert tx.outbox.recent(10) == []
    for username in ("nobody", "mo"):
        request = {"ClientId": client_id, "Username": username, "ConfirmationCode": "123456", "Password": NEW_PASSWORD}
        assert fails(idp.confirm_forgot_password, **request) == MISMATCH


def test_forgot_password__recovery_setting_picks_the_channel(server: Server, idp: Any) -> None:
    phone_first = idp.create_user_pool(
        PoolName="phone-first",
        AccountRecoverySetting={
            "RecoveryMechanisms": [
                {"Priority": 1, "Name": "verified_phone_number"},
                {"Priority": 2, "Name": "verified_email"},
            ]
        },
    )["UserPool"]["Id"]
    client_id = _client(idp, phone_first)
    _confirmed(
        idp,
        phone_first,
        "nia",
        email="nia@example.com",
        email_verified="true",
        phone_number="+15550001234",
        phone_number_verified="true",
    )
    answer = idp.forgot_password(ClientId=client_id, Username="nia")["CodeDeliveryDetails"]
    assert answer == {"Destination": "+*******1234", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    with server.runtime.store.read() as tx:
        [message] = tx.outbox.recent(10)
    assert (message.channel, message.destination) == ("SMS", "+15550001234")


def test_forgot_password__secret_hash(server: Server, idp: Any, mail: Inbox, pool_id: str) -> None:
    created = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", GenerateSecret=True)["UserPoolClient"]
    client_id, secret = created["ClientId"], created["ClientSecret"]
    _with_email(idp, pool_id, "oz")
    assert fails(idp.forgot_password, ClientId=client_id, Username="oz") == (
        "NotAuthorizedException",
        f"Client {client_id} is configured for secret but secret was not received",
    )
    assert fails(idp.forgot_password, ClientId=client_id, Username="oz", SecretHash="bm90IGl0") == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    right = AWSSRP.get_secret_hash("oz", client_id, secret)
    idp.forgot_password(ClientId=client_id, Username="oz", SecretHash=right)
    code = mail.next(server).code
    request = {"ClientId": client_id, "Username": "oz", "ConfirmationCode": code, "Password": NEW_PASSWORD}
    assert fails(idp.confirm_forgot_password, **request)[1] == (
        f"Client {client_id} is configured for secret but secret was not received"
    )
    idp.confirm_forgot_password(SecretHash=right, **request)
    assert _password_is(server, pool_id, "oz", NEW_PASSWORD)


def test_confirm_forgot_password__concurrent_guesses_stop_at_the_cap(live_server: str) -> None:
    admin = socket_client(live_server, ACCESS_KEY, SECRET_KEY)
    pool_id = admin.create_user_pool(PoolName="race")["UserPool"]["Id"]
    client_id = _client(admin, pool_id)
    _with_email(admin, pool_id, "pat")
    admin.forgot_password(ClientId=client_id, Username="pat")
    # One boto3 client per thread; a code of letters is never the right one.
    callers = [socket_client(live_server, ACCESS_KEY, SECRET_KEY) for _ in range(GUESSERS)]
    start = threading.Barrier(GUESSERS)

    def guess(client: Any) -> str:
        start.wait(timeout=60)
        request = {"ClientId": client_id, "Username": "pat", "ConfirmationCode": "letters", "Password": NEW_PASSWORD}
        return fails(client.confirm_forgot_password, **request)[0]

    try:
        with ThreadPoolExecutor(max_workers=GUESSERS) as executor:
            outcomes = Counter(executor.map(guess, callers))
    finally:
        for client in [admin, *callers]:
            client.close()
    assert outcomes == {"CodeMismatchException": 5, "LimitExceededException": GUESSERS - 5}


@pytest.mark.parametrize("kind", POOL_KINDS)
def test_confirm_forgot_password__hidden_users_answer_alike(server: Server, idp: Any, mail: Inbox, kind: str) -> None:
    hiding = hiding_pool(idp, kind)
    code = "123456"

    def confirm(name: str) -> Any:
        request = {"ClientId": hiding.client_id, "Username": name, "ConfirmationCode": code, "Password": NEW_PASSWORD}
        return outcome(idp.confirm_forgot_password, **request)

    # No code was asked for, by either.
    assert confirm(hiding.real) == confirm(hiding.unknown) == ("error", *EXPIRED)
    assert outcome(idp.forgot_password, ClientId=hiding.client_id, Username=hiding.real) == outcome(
        idp.forgot_password, ClientId=hiding.client_id, Username=hiding.unknown
    )
    code = _wrong(mail.next(server).code)
    for _ in range(5):
        assert confirm(hiding.real) == confirm(hiding.unknown) == ("error", *MISMATCH)
    assert confirm(hiding.real) == confirm(hiding.unknown) == ("error", *LIMIT)


@pytest.mark.parametrize("kind", POOL_KINDS)
def test_forgot_password__hidden_users_reach_the_hourly_cap_alike(
    server: Server, idp: Any, kind: str, clock: FixedClock
) -> None:
    hiding = hiding_pool(idp, kind)

    def forgot(name: str) -> Any:
        return outcome(idp.forgot_password, ClientId=hiding.client_id, Username=name)

    for _ in range(5):
        sent = forgot(hiding.real)
        assert sent == forgot(hiding.unknown) and sent != ("error", *LIMIT)
    assert forgot(hiding.real) == forgot(hiding.unknown) == ("error", *LIMIT)
    clock.advance(HOUR)
    assert (
        forgot(hiding.real)
        == forgot(hiding.unknown)
        == {"CodeDeliveryDetails": {"Destination": 9, "DeliveryMedium": 5, "AttributeName": 5}}
    )


def test_forgot_password__hidden_users_stand_in_destination_needs_the_server_secret(
    tmp_path: Path, database_url: str
) -> None:
    # A destination anyone could derive from the pool and the name would tell a name no user has from a
    # user whose address merely looks like it: it depends on the server's secret (the first one, which
    # rotating secrets in front of it replaces), and only on that.
    phone_first = {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_phone_number"}]}
    answers = []
    for secrets in (("first-secret",), ("second-secret", "first-secret"), ("second-secret",)):
        settings = make_settings(tmp_path / "data", database_url, secret_keys=secrets)
        with running_server(settings) as server:
            idp = server.client()
            if not answers:
                pool_id = idp.create_user_pool(
                    PoolName="stand-in", AutoVerifiedAttributes=["phone_number"], AccountRecoverySetting=phone_first
                )["UserPool"]["Id"]
                client_id = _client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
            answer = idp.forgot_password(ClientId=client_id, Username="nobody")["CodeDeliveryDetails"]
            answers.append(answer["Destination"])
    assert answers[0] != answers[1] == answers[2]
    assert re.fullmatch(r"\+\*{7}[0-9]{4}", answers[0])

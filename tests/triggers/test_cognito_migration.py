"""Live migration out of Amazon Cognito: a second server plays the old Cognito user pool (boto3 sets it up exactly
as against AWS: pool, app clients, users with passwords, attributes, groups and MFA factors) on a loopback port,
and the server under test has the built-in ``cognito-migration`` UserMigration function pointed at it (README
"Leaving Amazon Cognito (live migration)").

Users who never signed in here sign in with their old password and keep their attributes and groups; wrong
passwords, users the old pool would not sign in and SRP sign-ins move no one in; ForgotPassword moves a user in
and sends the code; a source app client that allows only SRP is signed in to with SRP; an old pool that refuses
the credentials, has stopped or never answers fails the sign-in as a function without an answer. Both servers are
shared by the module; each test has users and a target pool of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP

from tests.conftest import Server, make_settings, running_server
from tests.support.auth import payload
from tests.support.bridge import listening_socket, serve_in_thread, socket_client
from tests.support.errors import fails
from tests.support.hosted import code_flow_tokens, in_process_browser
from tests.support.mail import Inbox, smtp_inbox
from tests.support.pools import SMS_CONFIGURATION
from tests.triggers.sign_in_pools import password_sign_in
from userpool.app import build_runtime, create_app
from userpool.config import TriggerTarget
from userpool.migration_settings import CognitoSource

# The old pool's admin key: the server under test signs its Admin* calls with it, not with its own.
SOURCE_KEY = "AKIDSOURCEPOOL000001"
SOURCE_SECRET = "source-pool-secret-key-0123456789abcdef"
OLD_PASSWORD = "Old-Passw0rd!"
NEW_PASSWORD = "New-Passw0rd!"
ACCOUNT = "123456789012"
CALLBACK = "http://localhost:8123/callback"
# The UserMigration functions of the pools under test, each a cognito-migration target of its own.
BY_PASSWORD, BY_SRP, WRONG_KEY = "MigrateFn", "MigrateSrpFn", "MigrateWrongKeyFn"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
CUSTOM = [
    {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
    {"Name": "cognito_sub", "AttributeDataType": "String", "Mutable": True},
]


@dataclass
class SourcePool:
    """The old Cognito user pool: its server's URL, runtime and boto3 client, and its app clients."""

    url: str
    runtime: Any
    idp: Any
    pool_id: str
    password_client: dict[str, Any]
    srp_client: dict[str, Any]


def _source_pool(idp: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    pool_id = str(idp.create_user_pool(PoolName="old", AliasAttributes=["email"], Schema=[CUSTOM[0]])["UserPool"]["Id"])
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION},
        EmailMfaConfiguration={"Message": "Your code: {####}", "Subject": "Sign-in code"},
    )
    for group in ("admins", "editors", "only-in-the-old-pool"):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    # A server-side client that may sign users in with the admin flow, and a browser app's that allows only SRP;
    # both have a secret, so SECRET_HASH goes with every call.
    password_client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="backend",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    srp_client = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="spa",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return pool_id, dict(password_client), dict(srp_client)


@contextmanager
def old_pool(data_dir: Path) -> Iterator[SourcePool]:
    """The server playing Amazon Cognito, on a loopback socket, with its pool set up."""
    settings = make_settings(
        data_dir,
        f"sqlite:///{data_dir / 'source.sqlite3'}",
        admin_access_key_id=SOURCE_KEY,
        admin_secret_access_key=SOURCE_SECRET,
    )
    runtime = build_runtime(settings)
    with serve_in_thread(create_app(settings, runtime=runtime)) as url:
        idp = socket_client(url, SOURCE_KEY, SOURCE_SECRET)
        pool_id, password_client, srp_client = _source_pool(idp)
        yield SourcePool(url, runtime, idp, pool_id, password_client, srp_client)
    runtime.store.dispose()


def _target(function: str, source: SourcePool, client: dict[str, Any], secret: str = SOURCE_SECRET) -> TriggerTarget:
    return TriggerTarget(
        function,
        "cognito-migration",
        source=CognitoSource(
            user_pool_id=source.pool_id,
            client_id=client["ClientId"],
            client_secret=client["ClientSecret"],
            region=source.pool_id.split("_")[0],
            endpoint_url=source.url,
            access_key_id=SOURCE_KEY,
            secret_access_key=secret,
            sub_attribute="custom:cognito_sub",
        ),
    )


@contextmanager
def new_server(data_dir: Path, source: SourcePool, smtp_port: int) -> Iterator[Server]:
    """The server users move to, in process, its UserMigration functions pointed at ``source``."""
    triggers = (
        _target(BY_PASSWORD, source, source.password_client),
        _target(BY_SRP, source, source.srp_client),
        _target(WRONG_KEY, source, source.password_client, secret="not-the-source-secret"),
    )
    settings = make_settings(
        data_dir,
        f"sqlite:///{data_dir / 'target.sqlite3'}",
        triggers=triggers,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        trigger_timeout_seconds=3.0,
    )
    with running_server(settings) as server:
        yield server


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as found:
        yield found


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SourcePool]:
    with old_pool(tmp_path_factory.mktemp("old-pool")) as found:
        yield found


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, source: SourcePool, smtp: tuple[Inbox, int]) -> Iterator[Server]:
    with new_server(tmp_path_factory.mktemp("new-pool"), source, smtp[1]) as server:
        yield server


@pytest.fixture(scope="module")
def idp(target: Server) -> Any:
    return target.client()


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


def old_user(source: SourcePool, name: str, groups: tuple[str, ...] = (), **attributes: str) -> str:
    """A CONFIRMED user of the old pool with OLD_PASSWORD; its sub."""
    given = {"email": f"{name}@old.example", "email_verified": "true", **attributes}
    source.idp.admin_create_user(
        UserPoolId=source.pool_id,
        Username=name,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in given.items()],
    )
    source.idp.admin_set_user_password(UserPoolId=source.pool_id, Username=name, Password=OLD_PASSWORD, Permanent=True)
    for group in groups:
        source.idp.admin_add_user_to_group(UserPoolId=source.pool_id, Username=name, GroupName=group)
    return _attributes(source.idp, source.pool_id, name)["sub"]


def new_pool(idp: Any, function: str = BY_PASSWORD, **config: Any) -> str:
    """A pool of the new server whose UserMigration function is ``function``, with the old pool's custom attribute,
    one to keep the old sub in, and two of the old pool's groups; its users sign in with an email alias unless
    ``config`` says otherwise."""
    config = config or {"AliasAttributes": ["email"]}
    pool_id = str(
        idp.create_user_pool(
            PoolName="new",
            AutoVerifiedAttributes=["email"],
            Schema=CUSTOM,
            LambdaConfig={"UserMigration": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{function}"},
            **config,
        )["UserPool"]["Id"]
    )
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIGURATION},
        EmailMfaConfiguration={"Message": "Your code: {####}", "Subject": "Sign-in code"},
    )
    for group in ("admins", "editors"):
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    return pool_id


def app_client(idp: Any, pool_id: str, **config: Any) -> str:
    config.setdefault("PreventUserExistenceErrors", "ENABLED")
    created = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **config,
    )
    return str(created["UserPoolClient"]["ClientId"])


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {"status": found["UserStatus"]} | {a["Name"]: a["Value"] for a in found["UserAttributes"]}


def _groups(idp: Any, pool_id: str, username: str) -> list[str]:
    return sorted(
        g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]
    )


def _users(idp: Any, pool_id: str) -> list[str]:
    return [u["Username"] for u in idp.list_users(UserPoolId=pool_id)["Users"]]


def test_initiate_auth__first_sign_in_moves_the_user_in_with_attributes_and_groups(
    source: SourcePool, idp: Any
) -> None:
    old_sub = old_user(
        source, "ann", groups=("admins", "editors", "only-in-the-old-pool"), given_name="Ann", **{"custom:tier": "gold"}
    )
    pool_id = new_pool(idp)
    client_id = app_client(idp, pool_id)

    tokens = password_sign_in(idp, client_id, "ann", OLD_PASSWORD)["AuthenticationResult"]
    claims = payload(tokens["IdToken"])
    assert claims["cognito:username"] == "ann"
    assert (claims["email"], claims["email_verified"], claims["given_name"]) == ("ann@old.example", True, "Ann")
    assert claims["custom:tier"] == "gold"
    # The pool gives the user a sub of its own; the old one is kept where the target was told to keep it.
    assert claims["sub"] != old_sub and claims["custom:cognito_sub"] == old_sub
    # The groups this pool has; the one only the old pool has is not made here.
    assert sorted(claims["cognito:groups"]) == ["admins", "editors"]
    assert _groups(idp, pool_id, "ann") == ["admins", "editors"]
    assert _attributes(idp, pool_id, "ann")["status"] == "CONFIRMED"

    # The user is in: signed in again, by password and by SRP, with the password that moved in.
    assert "AuthenticationResult" in password_sign_in(idp, client_id, "ann", OLD_PASSWORD)
    srp = AWSSRP("ann", OLD_PASSWORD, pool_id, client_id, client=idp)
    assert payload(srp.authenticate_user()["AuthenticationResult"]["IdToken"])["sub"] == claims["sub"]
    # The email alias signs in too, as it did in the old pool.
    assert "AuthenticationResult" in password_sign_in(idp, client_id, "ann@old.example", OLD_PASSWORD)


def test_initiate_auth__wrong_password_or_unknown_name_moves_no_one_in(source: SourcePool, idp: Any) -> None:
    old_user(source, "bo")
    pool_id = new_pool(idp)
    client_id = app_client(idp, pool_id)
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="bo", password="Wrong-Passw0rd!") == (
        INCORRECT
    )
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="nobody", password=OLD_PASSWORD) == (
        INCORRECT
    )
    # A client that does not hide which users exist hears that the name is unknown.
    legacy = app_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")
    assert fails(password_sign_in, idp=idp, client_id=legacy, username="bo", password="Wrong-Passw0rd!") == (
        "UserNotFoundException",
        "User does not exist.",
    )
    # In a pool with an email alias, a name of email format cannot become a username: the user moves in by its
    # username, and signs in with the alias from then on.
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="bo@old.example", password=OLD_PASSWORD) == (
        INCORRECT
    )
    assert _users(idp, pool_id) == []
    assert "AuthenticationResult" in password_sign_in(idp, client_id, "bo", OLD_PASSWORD)
    assert _users(idp, pool_id) == ["bo"]
    assert "AuthenticationResult" in password_sign_in(idp, client_id, "bo@old.example", OLD_PASSWORD)


def test_initiate_auth__email_as_username_pool_moves_the_user_in_by_email(source: SourcePool, idp: Any) -> None:
    old_sub = old_user(source, "nia", groups=("editors",))
    pool_id = new_pool(idp, UsernameAttributes=["email"])
    client_id = app_client(idp, pool_id)
    # The old pool finds the user by its email alias; here the email is the sign-in name, the username a new sub.
    claims = payload(
        password_sign_in(idp, client_id, "nia@old.example", OLD_PASSWORD)["AuthenticationResult"]["IdToken"]
    )
    assert claims["cognito:username"] == claims["sub"] != old_sub
    assert (claims["email"], claims["custom:cognito_sub"], claims["cognito:groups"]) == (
        "nia@old.example",
        old_sub,
        ["editors"],
    )


def test_initiate_auth__users_the_old_pool_would_not_sign_in_stay_out(source: SourcePool, idp: Any) -> None:
    # One who never chose a password (the old pool answers NEW_PASSWORD_REQUIRED), a disabled one, and one with
    # MFA, whom the old pool would send a code nobody enters.
    source.idp.admin_create_user(
        UserPoolId=source.pool_id,
        Username="cy",
        TemporaryPassword=OLD_PASSWORD,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "cy@old.example"}],
    )
    old_user(source, "di")
    source.idp.admin_disable_user(UserPoolId=source.pool_id, Username="di")
    old_user(source, "ed", phone_number="+15555550123", phone_number_verified="true")
    source.idp.admin_set_user_mfa_preference(
        UserPoolId=source.pool_id, Username="ed", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    with source.runtime.store.read() as tx:
        messages_before = len(tx.outbox.recent(1000))

    pool_id = new_pool(idp)
    client_id = app_client(idp, pool_id)
    for name in ("cy", "di", "ed"):
        assert fails(password_sign_in, idp=idp, client_id=client_id, username=name, password=OLD_PASSWORD) == INCORRECT
    assert _users(idp, pool_id) == []
    with source.runtime.store.read() as tx:
        assert len(tx.outbox.recent(1000)) == messages_before


def test_user_srp_auth__sends_no_password_so_moves_no_one_in(source: SourcePool, idp: Any) -> None:
    old_user(source, "fay")
    pool_id = new_pool(idp)
    client_id = app_client(idp, pool_id)
    srp = AWSSRP("fay", OLD_PASSWORD, pool_id, client_id, client=idp)
    assert fails(srp.authenticate_user) == INCORRECT
    assert _users(idp, pool_id) == []


def test_initiate_auth__source_client_allowing_only_srp_is_signed_in_with_srp(source: SourcePool, idp: Any) -> None:
    old_user(source, "gil", groups=("editors",))
    pool_id = new_pool(idp, BY_SRP)
    client_id = app_client(idp, pool_id)
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="gil", password="Wrong-Passw0rd!") == (
        INCORRECT
    )
    tokens = password_sign_in(idp, client_id, "gil", OLD_PASSWORD)["AuthenticationResult"]
    assert payload(tokens["IdToken"])["cognito:groups"] == ["editors"]
    assert _attributes(idp, pool_id, "gil")["email"] == "gil@old.example"


def test_hosted_sign_in__moves_the_user_in(source: SourcePool, target: Server, idp: Any) -> None:
    old_user(source, "hal", groups=("admins",))
    pool_id = new_pool(idp)
    web = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    browser = in_process_browser(target.test_client.app)
    tokens = code_flow_tokens(browser, web, CALLBACK, "hal", OLD_PASSWORD, "openid email")
    claims = payload(tokens["id_token"])
    assert (claims["cognito:username"], claims["email"], claims["cognito:groups"]) == (
        "hal",
        "hal@old.example",
        ["admins"],
    )


def test_forgot_password__moves_the_user_in_and_sends_the_code(
    source: SourcePool, target: Server, idp: Any, inbox: Inbox
) -> None:
    old_user(source, "ivy", groups=("admins",), given_name="Ivy")
    pool_id = new_pool(idp)
    client_id = app_client(idp, pool_id)
    answer = idp.forgot_password(ClientId=client_id, Username="ivy")
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    moved = _attributes(idp, pool_id, "ivy")
    assert (moved["status"], moved["email"], moved["given_name"]) == ("RESET_REQUIRED", "ivy@old.example", "Ivy")
    assert _groups(idp, pool_id, "ivy") == ["admins"]

    delivered = inbox.next(target)
    assert delivered.recipients == ["ivy@old.example"]
    idp.confirm_forgot_password(
        ClientId=client_id, Username="ivy", ConfirmationCode=delivered.code, Password=NEW_PASSWORD
    )
    assert "AuthenticationResult" in password_sign_in(idp, client_id, "ivy", NEW_PASSWORD)
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="ivy", password=OLD_PASSWORD) == INCORRECT


def test_forgot_password__keeps_the_mfa_factors_and_preference(
    source: SourcePool, target: Server, idp: Any, inbox: Inbox
) -> None:
    old_user(source, "jo", phone_number="+15555550124")
    source.idp.admin_set_user_mfa_preference(
        UserPoolId=source.pool_id,
        Username="jo",
        SMSMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    pool_id = new_pool(idp)
    client_id = app_client(idp, pool_id)
    # Not by signing in (the old pool would ask for a code), but by resetting the password.
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="jo", password=OLD_PASSWORD) == INCORRECT
    idp.forgot_password(ClientId=client_id, Username="jo")
    moved = idp.admin_get_user(UserPoolId=pool_id, Username="jo")
    assert (moved["UserMFASettingList"], moved["PreferredMfaSetting"]) == (["SMS_MFA", "EMAIL_OTP"], "EMAIL_OTP")

    idp.confirm_forgot_password(
        ClientId=client_id, Username="jo", ConfirmationCode=inbox.next(target).code, Password=NEW_PASSWORD
    )
    assert password_sign_in(idp, client_id, "jo", NEW_PASSWORD)["ChallengeName"] == "EMAIL_OTP"


def test_initiate_auth__old_pool_refusing_the_credentials_is_a_function_without_answer(
    source: SourcePool, idp: Any
) -> None:
    old_user(source, "kim")
    pool_id = new_pool(idp, WRONG_KEY)
    client_id = app_client(idp, pool_id)
    assert fails(password_sign_in, idp=idp, client_id=client_id, username="kim", password=OLD_PASSWORD) == (
        "UnexpectedLambdaException",
        "UserMigration invocation failed due to error ServiceException.",
    )
    assert _users(idp, pool_id) == []


def test_initiate_auth__moved_users_sign_in_with_the_old_pool_gone(tmp_path: Path) -> None:
    with smtp_inbox() as (_, smtp_port), old_pool(tmp_path / "old") as source:
        old_user(source, "lu", groups=("admins",))
        old_user(source, "mo")
        with new_server(tmp_path / "new", source, smtp_port) as server:
            idp = server.client()
            pool_id = new_pool(idp)
            client_id = app_client(idp, pool_id)
            assert "AuthenticationResult" in password_sign_in(idp, client_id, "lu", OLD_PASSWORD)
    # The old pool's server has stopped; the new one starts again on its database.
    with new_server(tmp_path / "new", source, smtp_port) as server:
        idp = server.client()
        tokens = password_sign_in(idp, client_id, "lu", OLD_PASSWORD)["AuthenticationResult"]
        assert payload(tokens["IdToken"])["cognito:groups"] == ["admins"]
        # One who never moved in cannot now: the old pool does not answer.
        assert fails(password_sign_in, idp=idp, client_id=client_id, username="mo", password=OLD_PASSWORD) == (
            "UnexpectedLambdaException",
            "UserMigration invocation failed due to error ServiceException.",
        )


def test_sign_up__cognito_migration_answers_user_migration_only(source: SourcePool, idp: Any) -> None:
    pool_id = new_pool(idp)
    idp.update_user_pool(
        UserPoolId=pool_id,
        AutoVerifiedAttributes=["email"],
        LambdaConfig={"PreSignUp": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{BY_PASSWORD}"},
    )
    client_id = app_client(idp, pool_id)
    assert fails(idp.sign_up, ClientId=client_id, Username="olu", Password=NEW_PASSWORD) == (
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error ResourceNotFoundException.",
    )
    assert _users(idp, pool_id) == []


def test_initiate_auth__an_old_pool_that_never_answers_times_out(tmp_path: Path) -> None:
    silent = listening_socket()
    silent.listen()  # connections are taken into the backlog, and never answered
    host, port = silent.getsockname()
    source = CognitoSource("eu-west-1_Silent1", "client", "eu-west-1", f"http://{host}:{port}/", SOURCE_KEY, "x")
    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'target.sqlite3'}",
        triggers=(TriggerTarget(BY_PASSWORD, "cognito-migration", source=source),),
        trigger_timeout_seconds=0.2,
    )
    try:
        with running_server(settings) as server:
            idp = server.client()
            pool_id = new_pool(idp)
            client_id = app_client(idp, pool_id)
            assert fails(password_sign_in, idp=idp, client_id=client_id, username="pat", password=OLD_PASSWORD) == (
                "UnexpectedLambdaException",
                "UserMigration invocation failed due to error TimeoutError.",
            )
            assert _users(idp, pool_id) == []
    finally:
        silent.close()

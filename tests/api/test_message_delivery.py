"""Email and SMS as they leave the server and as they rest in its database: codes and temporary passwords are
never stored in clear text (sealed while queued, erased once delivered), and email carries the pool's
EmailConfiguration From and ReplyToEmailAddress (EmailConfigurationType in the Cognito API reference)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import Server, make_settings, running_server
from tests.support.mail import Inbox
from tests.support.outbox import sent
from userpool.app import build_runtime, create_app
from userpool.model.records import OutboxEntry

PASSWORD = "Passw0rd!"
TEMPORARY = "Temp-Passw0rd-7Qx"
NEW_PASSWORD = "N3w-Passw0rd!"


def _database_bytes(path: Path) -> bytes:
    """Everything SQLite keeps of the database on disk: the file and its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


@pytest.fixture
def held(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Server]:
    """A SQLite server that mails through ``inbox`` but whose outbox is delivered only when the test drains it
    (its lifespan, which starts the dispatcher thread, does not run): the database can be read with the
    messages still queued."""
    database = tmp_path / "userpool.sqlite3"
    settings = make_settings(tmp_path / "data", f"sqlite:///{database}", smtp_url=f"smtp://127.0.0.1:{inbox[1]}")
    runtime = build_runtime(settings)
    yield Server(settings, runtime, TestClient(create_app(settings, runtime=runtime)))
    runtime.store.dispose()


def test_outbox__codes_and_temporary_passwords_never_rest_in_clear_text(held: Server, mail: Inbox) -> None:
    idp = held.client()
    database = Path(held.settings.database_url.removeprefix("sqlite:///"))
    pool_id = idp.create_user_pool(PoolName="at-rest", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    # SignUp: a confirmation code.
    idp.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    # AdminCreateUser: an invitation with a temporary password.
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        TemporaryPassword=TEMPORARY,
        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    # ForgotPassword: a reset code, for a confirmed user with a verified address.
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="carol",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "carol@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username="carol", Password=PASSWORD, Permanent=True)
    idp.forgot_password(ClientId=client_id, Username="carol")
    queued = _database_bytes(database)

    sign_up, invitation, reset = mail.wait_for(3, held)
    assert (sign_up.recipients, invitation.recipients, reset.recipients) == (
        ["alice@example.com"],
        ["bob@example.com"],
        ["carol@example.com"],
    )
    assert TEMPORARY in invitation.text
    delivered = _database_bytes(database)
    secrets = (sign_up.code, reset.code, TEMPORARY)
    assert [s for s in secrets if s.encode() in queued] == [], "in clear text in the database before delivery"
    assert [s for s in secrets if s.encode() in delivered] == [], "in clear text in the database after delivery"

    # They were the real ones.
    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=sign_up.code)
    idp.confirm_forgot_password(
        ClientId=client_id, Username="carol", ConfirmationCode=reset.code, Password=NEW_PASSWORD
    )
    started = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": TEMPORARY},
    )
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_admin_create_user__without_a_mail_server_the_kept_invitation_is_sealed(tmp_path: Path) -> None:
    # No SMTP URL: the log sender leaves messages in the outbox, for `userpool outbox` to show.
    database = tmp_path / "userpool.sqlite3"
    with running_server(make_settings(tmp_path / "data", f"sqlite:///{database}")) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="log-sender")["UserPool"]["Id"]
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username="dan",
            TemporaryPassword=TEMPORARY,
            UserAttributes=[{"Name": "email", "Value": "dan@example.com"}],
            DesiredDeliveryMediums=["EMAIL"],
        )
        [entry] = sent(server.runtime, 1)
        in_clear = TEMPORARY.encode() in _database_bytes(database)
        assert not in_clear, "the temporary password is in clear text in the database"
        with server.runtime.store.read() as tx:
            [kept] = tx.outbox.recent_texts(10)
        assert (entry.destination, entry.status) == ("dan@example.com", "sent")
        assert TEMPORARY in kept.body


def test_admin_create_user__mail_carries_the_pools_from_and_reply_to(server: Server, mail: Inbox) -> None:
    idp = server.client()
    pool_id = idp.create_user_pool(
        PoolName="branded",
        AutoVerifiedAttributes=["email"],
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
            "From": "Example Support <support@example.com>",
            "ReplyToEmailAddress": "help@example.com",
        },
    )["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="erin",
        UserAttributes=[{"Name": "email", "Value": "erin@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    idp.sign_up(
        ClientId=client_id,
        Username="fred",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "fred@example.com"}],
    )
    invitation, code = mail.wait_for(2, server)
    assert (invitation.recipients, code.recipients) == (["erin@example.com"], ["fred@example.com"])
    for sent_mail in (invitation, code):
        assert sent_mail.message["From"] == "Example Support <support@example.com>"
        assert sent_mail.message["Reply-To"] == "help@example.com"
        # The envelope stays the server's sender: the address the relay accepts and bounces return to.
        assert sent_mail.envelope_from == server.settings.mail_from


def test_admin_create_user__mail_from_the_server_when_the_pool_sets_no_sender(server: Server, mail: Inbox) -> None:
    idp = server.client()
    config = {"ReplyToEmailAddress": "help@example.com"}
    pool_id = idp.create_user_pool(PoolName="plain", EmailConfiguration=config)["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="finn",
        UserAttributes=[{"Name": "email", "Value": "finn@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    message = mail.next(server).message
    assert message["From"] == server.settings.mail_from
    assert message["Reply-To"] == "help@example.com"


def test_admin_create_user__a_from_that_is_no_address_is_not_sent(server: Server, mail: Inbox) -> None:
    idp = server.client()
    # From is a free string in the API: a line break in it must not become a header of its own.
    config = {"From": "Support <support@example.com>\r\nBcc: everyone@example.com"}
    pool_id = idp.create_user_pool(PoolName="broken", EmailConfiguration=config)["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="gina",
        UserAttributes=[{"Name": "email", "Value": "gina@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    entry = _first_attempt(server)
    assert entry.status == "pending" and entry.last_error is not None and "From" in entry.last_error
    assert mail.mails == []


def _first_attempt(server: Server) -> OutboxEntry:
    """The only message, once a dispatcher (the test's or the server's own) has tried to send it."""
    deadline = time.monotonic() + 10
    while True:
        server.runtime.dispatcher.drain()
        with server.runtime.store.read() as tx:
            [entry] = tx.outbox.recent(1)
        if (entry.status == "pending" and entry.attempts) or time.monotonic() > deadline:
            return entry
        time.sleep(0.05)

"""AdminCreateUser invitations delivered by email to a real SMTP server (aiosmtpd on a loopback port)."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server, make_settings, running_server
from tests.support.mail import Inbox, smtp_inbox
from userpool.services.lookup.records import find_user

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`+=- ")


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as found:
        yield found


@pytest.fixture
def mail_server(tmp_path: Path, database_url: str, inbox: tuple[Inbox, int]) -> Iterator[Server]:
    settings = make_settings(tmp_path / "data", database_url, smtp_url=f"smtp://127.0.0.1:{inbox[1]}")
    with running_server(settings) as server:
        yield server


def _password_hash(server: Server, pool_id: str, username: str) -> str | None:
    with server.runtime.store.read() as tx:
        pool = tx.pools.get(pool_id)
        assert pool is not None
        user = find_user(tx, pool, username)
    assert user is not None
    return user.password_hash


def test_admin_create_user__invitation_mail_carries_the_temporary_password(
    mail_server: Server, inbox: tuple[Inbox, int]
) -> None:
    idp = mail_server.client()
    pool_id = idp.create_user_pool(PoolName="mail")["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    [mail] = inbox[0].wait_for(1, mail_server)
    assert mail.recipients == ["alice@example.com"]
    assert mail.message["Subject"] == "Your temporary password"
    found = re.fullmatch(r"Your username is alice and temporary password is (\S+)\. \s*", mail.text)
    assert found is not None, mail.text
    password = found.group(1)
    # A generated password satisfies the pool's (default) policy: 8+ characters of every class.
    assert len(password) >= 8
    for required in (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS):
        assert any(c in required for c in password), password
    stored = _password_hash(mail_server, pool_id, "alice")
    assert mail_server.runtime.deps.hasher.verify(stored, password)


def test_admin_create_user__invitation_mail_uses_the_pool_template(
    mail_server: Server, inbox: tuple[Inbox, int]
) -> None:
    idp = mail_server.client()
    pool_id = idp.create_user_pool(
        PoolName="mail",
        UsernameAttributes=["email"],
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com",
        },
        AdminCreateUserConfig={
            "InviteMessageTemplate": {
                "EmailSubject": "Welcome aboard",
                "EmailMessage": "Sign in as {username}\nwith the password {####}\n",
            }
        },
    )["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pool_id, Username="bob@example.com", TemporaryPassword="Temp-Pass1", DesiredDeliveryMediums=["EMAIL"]
    )
    [mail] = inbox[0].wait_for(1, mail_server)
    assert mail.recipients == ["bob@example.com"]
    assert mail.message["Subject"] == "Welcome aboard"
    assert mail.text.splitlines() == ["Sign in as bob@example.com", "with the password Temp-Pass1"]


def test_admin_create_user__suppress_sends_no_mail(mail_server: Server, inbox: tuple[Inbox, int]) -> None:
    idp = mail_server.client()
    pool_id = idp.create_user_pool(PoolName="mail")["UserPool"]["Id"]
    for username, action in (("carol", {"MessageAction": "SUPPRESS"}), ("dave", {})):
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
            DesiredDeliveryMediums=["EMAIL"],
            **action,
        )
    # Messages go out in the order they were queued: had carol's been queued, it would arrive first.
    [mail] = inbox[0].wait_for(1, mail_server)
    mail_server.runtime.dispatcher.drain()
    assert mail.recipients == ["dave@example.com"]
    assert len(inbox[0].mails) == 1

"""The console's Outgoing messages page: who was sent what kind of message, when, and whether it went out;
never the text, which holds codes, temporary passwords and links carrying codes."""

from __future__ import annotations

import html
import re

from tests.console.conftest import Console
from tests.support.outbox import sent

TEMPORARY = "Temp-Passw0rd-9Zk"


def test_console__outbox_shows_recipients_and_status_but_no_message_text(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="messages")["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="gus",
        TemporaryPassword=TEMPORARY,
        UserAttributes=[{"Name": "email", "Value": "gus@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    sent(signed_in.runtime, 1)
    page = signed_in.http.get("/console/outbox")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "gus@example.com" in text and re.search(r'class="status status-sent"', page.text)
    assert TEMPORARY not in text
    assert "temporary password is" not in text

"""SMS goes through the outbox to an HTTP webhook; without one, messages stay readable with `userpool outbox`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import make_settings, running_server
from userpool.cli import main


class _Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Hook", (_Hook,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sms", received
    finally:
        server.shutdown()
        server.server_close()


def test_admin_create_user__sms_invitation_reaches_the_webhook(
    tmp_path: Path, database_url: str, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    with running_server(make_settings(tmp_path / "data", database_url, sms_webhook_url=url)) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="sms")["UserPool"]["Id"]
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username="bob",
            UserAttributes=[{"Name": "phone_number", "Value": "+14325551212"}],
            DesiredDeliveryMediums=["SMS"],
        )
        # Delivered by the background dispatcher after commit; the test only waits.
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(received) == 1
        assert received[0]["to"] == "+14325551212"
        assert "bob" in received[0]["message"]


def test_outbox_command__shows_messages_kept_by_the_log_sender(tmp_path: Path, database_url: str) -> None:
    with running_server(make_settings(tmp_path / "data", database_url)) as server:
        idp = server.client()
        pool_id = idp.create_user_pool(PoolName="log")["UserPool"]["Id"]
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username="carol",
            UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
            DesiredDeliveryMediums=["EMAIL"],
        )
        settings = server.settings
    # The command opens the sealed text with the server's secrets, as `serve` has them.
    result = CliRunner().invoke(
        main,
        ["outbox", "--data-dir", str(settings.data_dir), "--database-url", settings.database_url],
        env={"USERPOOL_SECRET_KEYS": ",".join(settings.secret_keys)},
    )
    assert result.exit_code == 0, result.output
    assert "EMAIL to carol@example.com" in result.output
    assert "Your username is carol and temporary password is" in result.output

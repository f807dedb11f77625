"""A server whose pools' Lambda ARNs run the handlers of ``tests.triggers.handlers``, as in-process Python
targets or behind a webhook (``transport``), on a real socket (handlers call the API back), mailing
through a real SMTP server.

Which transport: a trigger test runs with the Python target only, unless it is marked
``@pytest.mark.every_transport``: then it runs with both (``[python]`` and ``[webhook]``). Both targets get
the event as JSON and give their answer back as JSON, so what a handler does with an event is the same
either way; the marked tests are those where the way there matters: the event and context a handler
receives, answers of the wrong shape, failing, raising and slow functions. A test may still name its
transport itself (``@pytest.mark.parametrize("transport", ["webhook"])``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACCESS_KEY, SECRET_KEY, make_settings
from tests.support.bridge import REGION, serve_in_thread, socket_client
from tests.support.lambda_webhook import lambda_webhook
from tests.support.mail import Inbox, smtp_inbox
from userpool.app import Runtime, build_runtime, create_app
from userpool.config import TriggerTarget

HANDLERS = "tests.triggers.handlers"
MODULES = (
    "pre_sign_up",
    "post_confirmation",
    "custom_message",
    "failing",
    "slow",
    "garbage",
    "email_sender",
    "define_auth_challenge",
    "create_auth_challenge",
    "verify_auth_challenge",
    "pre_authentication",
    "post_authentication",
    "pre_token_v1",
    "pre_token_v2",
    "user_migration",
    "wrong_types",
    "inbound_federation",
    "link_on_sign_up",
)
WEBHOOK_SECRET = "webhook-signing-secret"


def function_name(module: str) -> str:
    """``pre_sign_up`` -> ``PreSignUpFn``: the Lambda function a handler module is deployed as."""
    return "".join(part.capitalize() for part in module.split("_")) + "Fn"


def arn(module: str) -> str:
    return f"arn:aws:lambda:{REGION}:123456789012:function:{function_name(module)}"


def events(module: str) -> list[dict[str, Any]]:
    """What the handler module received so far."""
    found: list[dict[str, Any]] = importlib.import_module(f"{HANDLERS}.{module}").events
    return found


@dataclass
class TriggerServer:
    url: str
    runtime: Runtime
    webhook_refusals: Callable[[], int]

    def client(self) -> Any:
        return socket_client(self.url, ACCESS_KEY, SECRET_KEY)


@pytest.fixture(autouse=True)
def _fresh_handlers() -> None:
    for module in MODULES:
        handler = importlib.import_module(f"{HANDLERS}.{module}")
        handler.events.clear()
        if hasattr(handler, "contexts"):
            handler.contexts.clear()


TRANSPORTS = ["python", "webhook"]


def _names_transport(metafunc: pytest.Metafunc) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        if "transport" in (names.replace(" ", "").split(",") if isinstance(names, str) else names):
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "transport" in metafunc.fixturenames and not _names_transport(metafunc):
        marked = metafunc.definition.get_closest_marker("every_transport") is not None
        metafunc.parametrize("transport", TRANSPORTS if marked else TRANSPORTS[:1], indirect=True)


@pytest.fixture
def transport(request: pytest.FixtureRequest) -> str:
    """``python`` or ``webhook``, as ``pytest_generate_tests`` (or the test itself) chose."""
    return str(request.param)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as found:
        yield found


@pytest.fixture
def mail(inbox: tuple[Inbox, int]) -> Inbox:
    return inbox[0]


@pytest.fixture
def start_server(
    tmp_path: Path, database_url: str, inbox: tuple[Inbox, int], transport: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., AbstractContextManager[TriggerServer]]]:
    """Starts the server with extra settings (e.g. a shorter trigger timeout)."""

    @contextmanager
    def start(**settings: Any) -> Iterator[TriggerServer]:
        with lambda_webhook(HANDLERS, WEBHOOK_SECRET) as (webhook_url, webhook):
            if transport == "python":
                targets = tuple(TriggerTarget(function_name(m), f"{HANDLERS}.{m}:handler") for m in MODULES)
            else:
                targets = tuple(TriggerTarget(function_name(m), f"{webhook_url}/{m}") for m in MODULES)
            config = make_settings(
                tmp_path / "data",
                database_url,
                smtp_url=f"smtp://127.0.0.1:{inbox[1]}",
                triggers=targets,
                trigger_secret=WEBHOOK_SECRET,
                trigger_timeout_seconds=3.0,
            ).replace(**settings)
            runtime = build_runtime(config)
            with serve_in_thread(create_app(config, runtime=runtime)) as url:
                # What a deployed PostConfirmation function is configured with to call Cognito back.
                monkeypatch.setenv("COGNITO_ENDPOINT", url)
                monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
                monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                yield TriggerServer(url, runtime, lambda: webhook.refused)
            runtime.store.dispose()

    yield start


@pytest.fixture
def server(start_server: Callable[..., AbstractContextManager[TriggerServer]]) -> Iterator[TriggerServer]:
    with start_server() as found:
        yield found


@pytest.fixture
def idp(server: TriggerServer) -> Any:
    return server.client()


def create_pool(idp: Any, triggers: dict[str, Any], **config: Any) -> str:
    """A pool whose LambdaConfig names the handler modules' ARNs: ``{"PreSignUp": "pre_sign_up"}``."""
    lambda_config = {name: arn(module) for name, module in triggers.items()}
    config.setdefault("AutoVerifiedAttributes", ["email"])
    return str(idp.create_user_pool(PoolName="triggers", LambdaConfig=lambda_config, **config)["UserPool"]["Id"])


def create_client(idp: Any, pool_id: str) -> str:
    created = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )
    return str(created["UserPoolClient"]["ClientId"])

"""The quick reads (services/registry.py QUICK_READS) are answered on the event loop where the store's reads never
wait (SQLite): without a worker thread, so while every one of them is taken (docs/architecture.md, Hot-path
rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from anyio import to_thread
from botocore.exceptions import ClientError

from tests.conftest import Server
from tests.support.auth import make_client, make_user, sign_in
from userpool.api.service_model import COGNITO_IDP
from userpool.services.registry import QUICK_READS, build_table

# Long enough for a request that needs no worker thread on a loaded machine; a request that waits for one
# waits for as long as the test holds them all.
ANSWER_SECONDS = 20


@contextmanager
def every_worker_thread_taken(server: Server) -> Iterator[None]:
    """No worker thread free for the app's requests (Starlette's run_in_threadpool waits for anyio's default
    limiter) until the block ends."""
    portal = server.test_client.portal
    assert portal is not None
    limiter = portal.call(to_thread.current_default_thread_limiter)
    total = limiter.total_tokens
    holder = object()
    portal.call(setattr, limiter, "total_tokens", 1)
    portal.call(limiter.acquire_on_behalf_of, holder)
    try:
        yield
    finally:
        portal.call(limiter.release_on_behalf_of, holder)
        portal.call(setattr, limiter, "total_tokens", total)


def _signed_in(idp: Any, pool_id: str) -> str:
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool_id, "alice")
    return str(sign_in(idp, client, "alice")["AccessToken"])


def _error(call: Callable[[], Any]) -> str:
    try:
        call()
    except ClientError as err:
        return str(err.response["Error"]["Code"])
    raise AssertionError("no error")


def test_quick_reads__each_an_implemented_operation() -> None:
    assert QUICK_READS <= build_table(COGNITO_IDP.operations()).keys()


def test_quick_reads__answered_while_every_worker_thread_is_taken(app_server: Server, idp: Any, pool_id: str) -> None:
    access_token = _signed_in(idp, pool_id)
    calls = {
        "GetUser": lambda: idp.get_user(AccessToken=access_token)["Username"],
        "AdminGetUser": lambda: idp.admin_get_user(UserPoolId=pool_id, Username="alice")["Username"],
        "GetUser refused": lambda: _error(lambda: idp.get_user(AccessToken="x.y.z")),
        "AdminGetUser not found": lambda: _error(lambda: idp.admin_get_user(UserPoolId=pool_id, Username="nobody")),
    }
    assert {name.split()[0] for name in calls} == QUICK_READS
    caller = ThreadPoolExecutor(1)
    try:
        with every_worker_thread_taken(app_server):
            answers = {name: caller.submit(call).result(timeout=ANSWER_SECONDS) for name, call in calls.items()}
    finally:
        caller.shutdown()
    assert answers == {
        "GetUser": "alice",
        "AdminGetUser": "alice",
        "GetUser refused": "NotAuthorizedException",
        "AdminGetUser not found": "UserNotFoundException",
    }

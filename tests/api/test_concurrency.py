"""Concurrent AdminCreateUser calls over a real socket: the database, not luck, keeps usernames unique."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ACCESS_KEY, SECRET_KEY
from tests.support.bridge import socket_client

CALLERS = 50

pytestmark = pytest.mark.every_database


def test_admin_create_user__concurrent_duplicates_create_one_user(live_server: str) -> None:
    admin = socket_client(live_server, ACCESS_KEY, SECRET_KEY)
    pool_id = admin.create_user_pool(PoolName="race")["UserPool"]["Id"]
    # boto3 sessions are not thread-safe, clients are: build them here, use one per thread.
    clients = [socket_client(live_server, ACCESS_KEY, SECRET_KEY) for _ in range(CALLERS)]
    start = threading.Barrier(CALLERS)

    def attempt(client: Any) -> tuple[str, int]:
        start.wait(timeout=60)
        try:
            response = client.admin_create_user(UserPoolId=pool_id, Username="racer", MessageAction="SUPPRESS")
        except ClientError as exc:
            return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
        return "created", response["ResponseMetadata"]["HTTPStatusCode"]

    try:
        with ThreadPoolExecutor(max_workers=CALLERS) as pool:
            outcomes = Counter(pool.map(attempt, clients))
    finally:
        for client in clients:
            client.close()

    assert outcomes == {("created", 200): 1, ("UsernameExistsException", 400): CALLERS - 1}
    users = admin.list_users(UserPoolId=pool_id)["Users"]
    assert [u["Username"] for u in users] == ["racer"]

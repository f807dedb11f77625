"""The hot paths stay cheap (docs/architecture.md, Hot-path rules): how many statements GetUser and a refresh send to
the database, that they take the pool and client from the process's configuration cache, and that the
per-transaction counter read along with a user's row never hides a sign-out."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Server
from tests.support.auth import make_client, make_user, sign_in
from tests.support.plans import captured_sql, traced_round_trips

# The statements are the store's, written for each dialect.
pytestmark = pytest.mark.every_database


def _signed_in(idp: Any, pool_id: str) -> tuple[str, dict[str, Any]]:
    client = make_client(idp, pool_id, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    make_user(idp, pool_id, "alice")
    return client["ClientId"], sign_in(idp, client, "alice")


def _queries(statements: list[Any]) -> list[str]:
    return [s.sql for s in statements if not s.sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def _configuration_reads(queries: list[str]) -> list[str]:
    return [q for q in queries if re.search(r"\bFROM (pools|clients|signing_keys)\b", q)]


def test_get_user_and_refresh__statement_counts(idp: Any, app_server: Server, pool_id: str) -> None:
    client_id, tokens = _signed_in(idp, pool_id)
    idp.get_user(AccessToken=tokens["AccessToken"])  # the verifying key is now parsed and cached
    engine = app_server.runtime.store.engine
    with captured_sql(engine) as statements:
        assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    # the configuration generation (client and pool from the cache), user row (with its sign-in counters, its
    # attributes and aliases beside it), sign-in session
    assert len(_queries(statements)) == 3, _queries(statements)
    assert not _configuration_reads(_queries(statements))
    with captured_sql(engine) as statements:
        refreshed = idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )["AuthenticationResult"]
    # one transaction: the configuration generation (client, pool and current keys from the cache), refresh
    # token with its session, user row with its attributes and aliases, groups (signed with no transaction of
    # its own)
    assert len(_queries(statements)) == 4, _queries(statements)
    assert not _configuration_reads(_queries(statements))
    assert idp.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"


def test_get_user_and_refresh__no_transaction_round_trips_on_postgresql(
    idp: Any, app_server: Server, pool_id: str, backend: str
) -> None:
    """On PostgreSQL a read sends its statements and nothing else: at READ COMMITTED a BEGIN and a COMMIT around
    them would be two more waits for the server that change nothing the statements see."""
    if backend != "postgresql":
        pytest.skip("SQLite has no round trips: its reads are one transaction, for one snapshot")
    client_id, tokens = _signed_in(idp, pool_id)
    idp.get_user(AccessToken=tokens["AccessToken"])  # the verifying key is now parsed and cached
    engine = app_server.runtime.store.engine
    with traced_round_trips(engine) as trips:
        assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    # the three statements of test_get_user_and_refresh__statement_counts, each prepared on a connection the
    # first time it runs there
    assert [trip for trip in trips if trip != "prepare"] == ["execute"] * 3, trips
    with traced_round_trips(engine) as trips:
        idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert [trip for trip in trips if trip != "prepare"] == ["execute"] * 4, trips


def test_get_user__sign_out_seen_right_after_user_read(idp: Any, pool_id: str) -> None:
    _, tokens = _signed_in(idp, pool_id)
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.get_user(AccessToken=tokens["AccessToken"])

"""The sign-in repositories on SQLite and PostgreSQL: one key generation per pool, single-use challenge
Sessions, refresh-token supersession, session revocation and pruning, the sign-in counters, single-use
authorization codes."""

from __future__ import annotations

import pytest

from tests.conftest import Server
from tests.support.users import add_user
from userpool.crypto.keys import generate_private_pem, public_jwk
from userpool.model.oauth_records import AuthorizationCode
from userpool.model.records import Client
from userpool.model.token_records import ChallengeSession, RefreshToken, SignInCounters, SigningKey, SignInSession
from userpool.store.base import Conflict

NOW = 1_700_000_000.0


def _pool_client_user(server: Server) -> tuple[str, str, str]:
    idp = server.client()
    pool_id = str(idp.create_user_pool(PoolName="repos")["UserPool"]["Id"])
    client_id = str(idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"])
    user = add_user(server.runtime.store, pool_id, "ann")
    return pool_id, client_id, user.sub


def _key(pool_id: str, use: str, generation: int) -> SigningKey:
    pem = generate_private_pem()
    jwk = public_jwk(pem)
    return SigningKey(jwk["kid"], pool_id, use, generation, "current", pem, jwk, NOW)


def test_signing_keys__one_generation_per_pool_and_sealed(app_server: Server) -> None:
    pool_id, _, _ = _pool_client_user(app_server)
    store = app_server.runtime.store
    first = [_key(pool_id, "id", 1), _key(pool_id, "access", 1)]
    with store.write() as tx:
        tx.signing_keys.add(first)
    with pytest.raises(Conflict), store.write() as tx:
        tx.signing_keys.add([_key(pool_id, "id", 1)])
    with store.read() as tx:
        assert tx.signing_keys.current_kids(pool_id) == {"id": first[0].kid, "access": first[1].kid}
        assert tx.signing_keys.private_pem(first[0].kid) == first[0].private_pem
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT private_sealed FROM signing_keys").scalars().all()
    assert all("PRIVATE KEY" not in value for value in stored)


def test_signing_keys__retired_keys_published_until_expiry(app_server: Server) -> None:
    pool_id, _, _ = _pool_client_user(app_server)
    store = app_server.runtime.store
    old = _key(pool_id, "id", 1)
    new = _key(pool_id, "id", 2)
    with store.write() as tx:
        tx.signing_keys.add([old])
        tx.signing_keys.retire_current(pool_id, NOW, NOW + 100)
        tx.signing_keys.add([new])
    with store.read() as tx:
        assert [k.kid for k in tx.signing_keys.published(pool_id, NOW + 50)] == [new.kid, old.kid]
        assert [k.kid for k in tx.signing_keys.published(pool_id, NOW + 100)] == [new.kid]
        assert tx.signing_keys.latest_generation(pool_id) == 2
    with store.write() as tx:
        tx.signing_keys.delete_expired(pool_id, NOW + 100)
    with store.read() as tx:
        assert tx.signing_keys.published_key(old.kid) is None


def test_auth_challenges__consumed_once(app_server: Server) -> None:
    pool_id, client_id, sub = _pool_client_user(app_server)
    store = app_server.runtime.store
    challenge = ChallengeSession("a" * 64, pool_id, client_id, sub, "NEW_PASSWORD_REQUIRED", NOW, NOW + 180)
    with store.write() as tx:
        tx.auth_challenges.add(challenge)
    with store.write() as tx:
        assert tx.auth_challenges.get("a" * 64) == challenge
        assert tx.auth_challenges.consume("a" * 64) is True
        assert tx.auth_challenges.consume("a" * 64) is False
    with store.write() as tx:
        tx.auth_challenges.add(challenge)
        tx.auth_challenges.delete_expired(NOW + 180)
        assert tx.auth_challenges.get("a" * 64) is None


def test_sign_in_sessions__refresh_tokens_revocation_and_pruning(app_server: Server) -> None:
    pool_id, client_id, sub = _pool_client_user(app_server)
    store = app_server.runtime.store
    session = SignInSession("0" * 36, pool_id, client_id, sub, NOW, NOW, NOW + 3600)
    with store.write() as tx:
        tx.sign_in_sessions.add(session)
        tx.refresh_tokens.add(RefreshToken("b" * 64, session.origin_jti, NOW, NOW + 3600))
        tx.refresh_tokens.supersede("b" * 64, NOW + 1)
        tx.refresh_tokens.supersede("b" * 64, NOW + 2)  # the first supersession starts the grace period
    with store.write() as tx:
        token = tx.refresh_tokens.get("b" * 64)
        assert token is not None and token.superseded_at == NOW + 1
        tx.sign_in_sessions.revoke_user(pool_id, sub, NOW + 5)
        revoked = tx.sign_in_sessions.get(session.origin_jti)
        assert revoked is not None and revoked.revoked_at == NOW + 5
        tx.sign_in_sessions.extend(session.origin_jti, NOW + 7200)
        tx.sign_in_sessions.delete_expired(pool_id, sub, NOW + 3600)
        assert tx.sign_in_sessions.get(session.origin_jti) is not None
        tx.sign_in_sessions.delete_expired(pool_id, sub, NOW + 7200)
        assert tx.sign_in_sessions.get(session.origin_jti) is None
        assert tx.refresh_tokens.get("b" * 64) is None


def test_sign_in_counters__separate_from_user_updates(app_server: Server) -> None:
    pool_id, _, sub = _pool_client_user(app_server)
    store = app_server.runtime.store
    with store.write() as tx:
        assert tx.sign_in_counters.get(pool_id, sub, for_update=True) == SignInCounters()
        tx.sign_in_counters.set_attempts(pool_id, sub, SignInCounters(3, NOW, NOW + 1))
        tx.sign_in_counters.sign_out(pool_id, sub, NOW + 2)
        user = tx.users.get_by_sub(pool_id, sub)
        assert user is not None
        tx.users.update(user)  # a profile write must leave the counters alone
    with store.read() as tx:
        assert tx.sign_in_counters.get(pool_id, sub) == SignInCounters(3, NOW, NOW + 1, NOW + 2)
        assert tx.sign_in_counters.get(pool_id, "no-such-sub") is None


def test_sign_in_sessions__go_with_their_client(app_server: Server) -> None:
    pool_id, client_id, sub = _pool_client_user(app_server)
    store = app_server.runtime.store
    with store.write() as tx:
        tx.sign_in_sessions.add(SignInSession("1" * 36, pool_id, client_id, sub, NOW, NOW, NOW + 60))
    with store.write() as tx:
        client = tx.clients.get(client_id)
        assert isinstance(client, Client)
        tx.clients.delete(client_id)
    with store.read() as tx:
        assert tx.sign_in_sessions.get("1" * 36) is None


def _code(pool_id: str, client_id: str, sub: str, code_hash: str) -> AuthorizationCode:
    return AuthorizationCode(code_hash, pool_id, client_id, sub, "https://app/cb", ("openid",), NOW, NOW, NOW + 300)


def test_authorization_codes__redeemed_once_and_burnt_codes_never(app_server: Server) -> None:
    pool_id, client_id, sub = _pool_client_user(app_server)
    store = app_server.runtime.store
    with store.write() as tx:
        tx.authorization_codes.add(_code(pool_id, client_id, sub, "a" * 64))
        tx.authorization_codes.add(_code(pool_id, client_id, sub, "b" * 64))
    with store.write() as tx:
        assert tx.authorization_codes.redeem("a" * 64, NOW + 1, "origin-1") is True
        assert tx.authorization_codes.redeem("a" * 64, NOW + 2, "origin-2") is False
        tx.authorization_codes.burn("b" * 64, NOW + 3)
        assert tx.authorization_codes.redeem("b" * 64, NOW + 4, "origin-3") is False
        # Burning a redeemed code keeps the sign-in it started, which a second redemption ends.
        tx.authorization_codes.burn("a" * 64, NOW + 5)
    with store.read() as tx:
        redeemed, burnt = tx.authorization_codes.get("a" * 64), tx.authorization_codes.get("b" * 64)
    assert redeemed is not None and (redeemed.used_at, redeemed.origin_jti) == (NOW + 1, "origin-1")
    assert burnt is not None and (burnt.used_at, burnt.origin_jti) == (NOW + 3, None)

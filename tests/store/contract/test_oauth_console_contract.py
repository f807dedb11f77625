"""The pool domain's and the console's repositories on SQLite and PostgreSQL: authorization codes redeemed
once, hosted and console sessions expiring at their boundary, operators unique by name, and the console's
attempt counters exact when sign-ins race."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_client, new_pool, new_user, race, rows_in
from userpool.clock import FixedClock
from userpool.model.oauth_records import AuthorizationCode, HostedSession, SamlSessionLink
from userpool.model.operators import AttemptCount, Operator, OperatorSession
from userpool.model.saml_service_provider import NameId
from userpool.store.base import Conflict, NotFound
from userpool.store.sql.store import SqlStore


@covers(
    "AuthorizationCodeRepo.add",
    "AuthorizationCodeRepo.get",
    "AuthorizationCodeRepo.redeem",
    "AuthorizationCodeRepo.burn",
)
def test_authorization_codes__round_trip_and_redeemed_once(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        client = new_client(tx, pool)
        ann = new_user(tx, pool, "ann")
    full = AuthorizationCode(
        "a" * 64,
        pool.id,
        client.id,
        ann.sub,
        "https://app.example/cb?x=ü",
        ("openid", "email", "https://api/read"),
        NOW - 3,
        NOW,
        NOW + 300,
        nonce="n-0S6_WzA2Mj",
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method="S256",
        sso_session_id="sso" + "0123456789" * 2 + "abcde",
    )
    bare = AuthorizationCode("b" * 64, pool.id, client.id, ann.sub, "http://localhost/", (), NOW, NOW, NOW + 300)
    with store.write() as tx:
        tx.authorization_codes.add(full)
        tx.authorization_codes.add(bare)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.authorization_codes.add(full)
    assert caught.value.field == "code_hash"
    with store.read() as tx:
        assert tx.authorization_codes.get(full.code_hash) == full
        assert tx.authorization_codes.get(bare.code_hash) == bare
        assert tx.authorization_codes.get("c" * 64) is None
    jtis = iter(f"44444444-0000-4000-8000-00000000000{i}" for i in range(10))
    wins = race(store, lambda tx: tx.authorization_codes.redeem(full.code_hash, NOW + 1, next(jtis)))
    assert wins.count(True) == 1
    with store.write() as tx:
        assert tx.authorization_codes.redeem(full.code_hash, NOW + 2, "late") is False
        tx.authorization_codes.burn(bare.code_hash, NOW + 3)
        assert tx.authorization_codes.redeem(bare.code_hash, NOW + 4, "after-burn") is False
        tx.authorization_codes.burn(full.code_hash, NOW + 5)  # a redeemed code keeps its redemption
        tx.authorization_codes.burn("c" * 64, NOW + 5)  # no such code: nothing to do
    with store.read() as tx:
        redeemed, burnt = tx.authorization_codes.get(full.code_hash), tx.authorization_codes.get(bare.code_hash)
    assert redeemed is not None and redeemed.used_at == NOW + 1 and redeemed.origin_jti is not None
    assert redeemed.origin_jti.startswith("44444444-")
    assert burnt == replace(bare, used_at=NOW + 3)


@covers("AuthorizationCodeRepo.delete_expired")
def test_authorization_codes__deleted_from_their_expiry(store: SqlStore) -> None:
    clock = FixedClock(NOW)
    with store.write() as tx:
        pool = new_pool(tx)
        client = new_client(tx, pool)
        ann = new_user(tx, pool, "ann")
        for i, lifetime in enumerate((60, 300)):
            code = AuthorizationCode(
                str(i) * 64, pool.id, client.id, ann.sub, "https://a/", (), NOW, NOW, NOW + lifetime
            )
            tx.authorization_codes.add(code)
    with store.write() as tx:
        clock.advance(59.5)
        tx.authorization_codes.delete_expired(clock.now())
        assert tx.authorization_codes.get("0" * 64) is not None
        clock.advance(0.5)
        tx.authorization_codes.delete_expired(clock.now())
        assert tx.authorization_codes.get("0" * 64) is None
        assert tx.authorization_codes.get("1" * 64) is not None


@covers(
    "HostedSessionRepo.add",
    "HostedSessionRepo.get",
    "HostedSessionRepo.delete",
    "HostedSessionRepo.delete_expired",
)
def test_hosted_sessions__round_trip_delete_and_expiry(store: SqlStore) -> None:
    clock = FixedClock(NOW)
    with store.write() as tx:
        pool = new_pool(tx)
        ann = new_user(tx, pool, "ann")
        short = HostedSession("a" * 64, pool.id, ann.sub, NOW - 10.25, NOW, NOW + 60)
        # A session from a SAML sign-in keeps what a LogoutRequest must name.
        saml = SamlSessionLink("Okta", NameId("AD\\Ann", NAMEID_PERSISTENT, "idp", "sp"), "_session-1")
        long = HostedSession(
            "b" * 64,
            pool.id,
            ann.sub,
            NOW,
            NOW,
            NOW + 3600,
            saml,
            client_id="contractclient0001",
            last_active_at=NOW + 0.25,
            last_ip="192.0.2.7",
            device_type="Chrome 120 on Windows",
        )
        tx.hosted_sessions.add(short)
        tx.hosted_sessions.add(long)
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.hosted_sessions.add(short)
    assert caught.value.field == "session_hash"
    with store.read() as tx:
        assert tx.hosted_sessions.get(short.session_hash) == short
        assert tx.hosted_sessions.get("c" * 64) is None
    with store.write() as tx:
        clock.advance(60)
        tx.hosted_sessions.delete_expired(clock.now())
        assert tx.hosted_sessions.get(short.session_hash) is None
        assert tx.hosted_sessions.get(long.session_hash) == long
        tx.hosted_sessions.delete(long.session_hash)
        tx.hosted_sessions.delete(long.session_hash)  # gone already: nothing to do
    assert rows_in(store, "hosted_sessions") == 0


@covers("HostedSessionRepo.live_for_user", "HostedSessionRepo.touch")
def test_hosted_sessions__a_users_live_ones_and_their_activity(store: SqlStore) -> None:
    with store.write() as tx:
        pool, other_pool = new_pool(tx), new_pool(tx, "us-east-1_Contract2")
        ann, bo = new_user(tx, pool, "ann"), new_user(tx, pool, "bo")
        new_user(tx, other_pool, "ann", sub=ann.sub)
        later = HostedSession("b" * 64, pool.id, ann.sub, NOW, NOW + 1, NOW + 3600, client_id="web")
        earlier = HostedSession("c" * 64, pool.id, ann.sub, NOW, NOW, NOW + 3600)
        ending = HostedSession("d" * 64, pool.id, ann.sub, NOW, NOW, NOW + 30)
        for session in (
            later,
            earlier,
            ending,
            HostedSession("e" * 64, pool.id, bo.sub, NOW, NOW, NOW + 3600),
            HostedSession("f" * 64, other_pool.id, ann.sub, NOW, NOW, NOW + 3600),
        ):
            tx.hosted_sessions.add(session)
    with store.read() as tx:
        assert tx.hosted_sessions.live_for_user(pool.id, ann.sub, NOW + 29) == [earlier, ending, later]
        assert tx.hosted_sessions.live_for_user(pool.id, ann.sub, NOW + 30) == [earlier, later]
    with store.write() as tx:
        tx.hosted_sessions.touch(later.session_hash, NOW + 40, "2001:db8::2", "Edge 120 on macOS")
        tx.hosted_sessions.touch("0" * 64, NOW + 40, None, None)  # no such session: nothing to do
    with store.read() as tx:
        touched = replace(later, last_active_at=NOW + 40, last_ip="2001:db8::2", device_type="Edge 120 on macOS")
        assert tx.hosted_sessions.get(later.session_hash) == touched
        assert tx.hosted_sessions.get(earlier.session_hash) == earlier


NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


@covers("HostedSessionRepo.delete_saml")
def test_hosted_sessions__saml_sessions_ended_by_provider_name_id_and_session_index(store: SqlStore) -> None:
    with store.write() as tx:
        pool, other_pool = new_pool(tx), new_pool(tx, "us-east-1_Contract2")
        ann, bob = new_user(tx, pool, "ann"), new_user(tx, pool, "bob")
        elsewhere = new_user(tx, other_pool, "ann")

        def session(key: str, pool_id: str, sub: str, provider: str, name: str, index: str | None) -> HostedSession:
            link = SamlSessionLink(provider, NameId(name, NAMEID_PERSISTENT, None, None), index)
            return HostedSession(key * 64, pool_id, sub, NOW, NOW, NOW + 3600, link)

        sessions = [
            session("a", pool.id, ann.sub, "Okta", "ann", "_s1"),
            session("b", pool.id, ann.sub, "Okta", "ann", "_s2"),
            session("c", pool.id, ann.sub, "Okta", "ann", None),
            session("d", pool.id, bob.sub, "Okta", "bob", "_s1"),
            session("e", pool.id, ann.sub, "Entra", "ann", "_s1"),
            session("f", other_pool.id, elsewhere.sub, "Okta", "ann", "_s1"),
            HostedSession("0" * 64, pool.id, ann.sub, NOW, NOW, NOW + 3600),
        ]
        for each in sessions:
            tx.hosted_sessions.add(each)
    with store.write() as tx:
        assert tx.hosted_sessions.delete_saml(pool.id, "Okta", "ann", ("_s1", "_s9")) == 1
        assert tx.hosted_sessions.get("a" * 64) is None
        assert tx.hosted_sessions.get("b" * 64) is not None
        # No SessionIndex listed: every session of that NameID through that provider in that pool.
        assert tx.hosted_sessions.delete_saml(pool.id, "Okta", "ann", ()) == 2
        assert tx.hosted_sessions.delete_saml(pool.id, "Okta", "ann", ()) == 0
    with store.read() as tx:
        left = [s.session_hash[0] for s in sessions if tx.hosted_sessions.get(s.session_hash) is not None]
    assert left == ["d", "e", "f", "0"]


@covers("OperatorRepo.add", "OperatorRepo.get", "OperatorRepo.list", "OperatorRepo.update", "OperatorRepo.delete")
def test_operators__unique_names_listed_in_order_deleted_with_sessions(store: SqlStore) -> None:
    admin = Operator("admin", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", NOW)
    zoe = Operator("zoë", "$argon2id$hash2", NOW + 1, last_sign_in_at=NOW + 2)
    with store.write() as tx:
        tx.operators.add(zoe)
        tx.operators.add(admin)
        tx.operator_sessions.add(OperatorSession("a" * 64, "admin", NOW, NOW, NOW + 60))
    with pytest.raises(Conflict) as caught, store.write() as tx:
        tx.operators.add(replace(admin, password_hash="other"))
    assert caught.value.field == "username"
    with store.read() as tx:
        assert tx.operators.get("admin") == admin
        assert tx.operators.get("ADMIN") is None
        assert tx.operators.list() == [admin, zoe]
    signed_in = replace(admin, password_hash="$argon2id$new", last_sign_in_at=NOW + 5)
    with store.write() as tx:
        assert tx.operators.get("admin", for_update=True) == admin
        tx.operators.update(signed_in)
    with store.read() as tx:
        assert tx.operators.get("admin") == signed_in
    with store.write() as tx:
        tx.operators.delete("admin")
        assert tx.operator_sessions.get("a" * 64) is None
    with pytest.raises(NotFound), store.write() as tx:
        tx.operators.delete("admin")
    with store.read() as tx:
        assert tx.operators.list() == [zoe]


@covers(
    "OperatorSessionRepo.add",
    "OperatorSessionRepo.get",
    "OperatorSessionRepo.touch",
    "OperatorSessionRepo.delete",
    "OperatorSessionRepo.delete_expired",
)
def test_operator_sessions__touched_and_ended_by_lifetime_or_idleness(store: SqlStore) -> None:
    clock = FixedClock(NOW)
    with store.write() as tx:
        tx.operators.add(Operator("admin", "$argon2id$hash", NOW))
        for key, expires in (("a", 100), ("b", 1000), ("c", 1000)):
            tx.operator_sessions.add(OperatorSession(key * 64, "admin", NOW, NOW, NOW + expires))
    with store.read() as tx:
        assert tx.operator_sessions.get("a" * 64) == OperatorSession("a" * 64, "admin", NOW, NOW, NOW + 100)
        assert tx.operator_sessions.get("d" * 64) is None
    clock.advance(100)
    with store.write() as tx:
        tx.operator_sessions.touch("b" * 64, clock.now())
        tx.operator_sessions.touch("d" * 64, clock.now())  # no such session: nothing to do
        # Lifetime over for "a" (at its end), "c" unused since before the idle limit, "b" used just then.
        tx.operator_sessions.delete_expired(clock.now(), idle_before=clock.now())
    with store.read() as tx:
        assert tx.operator_sessions.get("a" * 64) is None
        assert tx.operator_sessions.get("c" * 64) is None
        assert tx.operator_sessions.get("b" * 64) == OperatorSession("b" * 64, "admin", NOW, NOW + 100, NOW + 1000)
    with store.write() as tx:
        tx.operator_sessions.delete("b" * 64)
        tx.operator_sessions.delete("b" * 64)
    assert rows_in(store, "console_sessions") == 0


@covers(
    "ConsoleAttemptRepo.take", "ConsoleAttemptRepo.get", "ConsoleAttemptRepo.give_back", "ConsoleAttemptRepo.forget"
)
def test_console_attempts__counted_to_the_limit_per_period(store: SqlStore) -> None:
    clock = FixedClock(NOW)
    with store.write() as tx:
        assert tx.console_attempts.get("k", clock.now()) is None
        assert [tx.console_attempts.take("k", 3, clock.now(), 60, 100) for _ in range(4)] == [True, True, True, False]
        assert tx.console_attempts.get("k", clock.now()) == AttemptCount(3, NOW + 60)
        tx.console_attempts.give_back("k", clock.now())
        assert tx.console_attempts.get("k", clock.now()) == AttemptCount(2, NOW + 60)
        clock.advance(10)
        assert tx.console_attempts.take("k", 3, clock.now(), 60, 100) is True  # each attempt extends the count
        assert tx.console_attempts.get("k", clock.now()) == AttemptCount(3, NOW + 70)
        clock.advance(60)
        assert tx.console_attempts.get("k", clock.now()) is None  # ended at its end
        tx.console_attempts.give_back("k", clock.now())  # an ended count is not given anything back
        assert tx.console_attempts.take("k", 3, clock.now(), 60, 100) is True  # starts again from one
        assert tx.console_attempts.get("k", clock.now()) == AttemptCount(1, NOW + 130)
        tx.console_attempts.forget("k")
        assert tx.console_attempts.get("k", clock.now()) is None
        tx.console_attempts.forget("k")


@covers("ConsoleAttemptRepo.take")
def test_console_attempts__exact_under_races_and_bounded_in_number(store: SqlStore) -> None:
    wins = race(store, lambda tx: tx.console_attempts.take("raced", 3, NOW, 60, 100), contenders=6)
    assert wins.count(True) == 3
    with store.read() as tx:
        assert tx.console_attempts.get("raced", NOW) == AttemptCount(3, NOW + 60)
    with store.write() as tx:
        tx.console_attempts.take("dead", 3, NOW - 100, 60, 100)
        for i in range(4):
            tx.console_attempts.take(f"key-{i}", 3, NOW + i, 60, 100)
        # A new key first deletes the dead counters, then those nearest their end beyond max_keys.
        tx.console_attempts.take("newest", 3, NOW + 10, 60, 3)
        assert tx.console_attempts.get("dead", NOW - 90) is None
        live = [k for k in ("raced", "key-0", "key-1", "key-2", "key-3", "newest") if tx.console_attempts.get(k, NOW)]
    assert live == ["key-2", "key-3", "newest"]

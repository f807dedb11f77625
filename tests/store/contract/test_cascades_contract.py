"""What hangs on a pool, a user or a client goes with it, on SQLite (foreign keys switched on per
connection) as on PostgreSQL; the rows of other pools and users stay."""

from __future__ import annotations

from tests.store.contract.coverage import covers
from tests.store.contract.records import NOW, new_client, new_pool, new_user, rows_in
from userpool.model.codes import SIGNUP, OneTimeCode
from userpool.model.devices import Device
from userpool.model.federated_identities import COGNITO_SUBJECT, FederatedIdentity
from userpool.model.identity_providers import IdentityProvider
from userpool.model.oauth_records import ALL_CLIENTS, AuthorizationCode, HostedSession, UICustomization
from userpool.model.passkeys import Passkey
from userpool.model.records import Domain, Group, Pool, ResourceServer
from userpool.model.saml_service_provider import SamlSigningKey
from userpool.model.token_records import ChallengeSession, RefreshToken, SignInCounters, SigningKey, SignInSession
from userpool.store.base import Tx
from userpool.store.sql.store import SqlStore

# Every table that holds rows of a pool (the outbox keeps messages already queued; console tables and admin
# keys belong to no pool).
POOL_TABLES = (
    "pools",
    "clients",
    "users",
    "user_attributes",
    "user_aliases",
    "federated_identities",
    "groups",
    "group_members",
    "domains",
    "resource_servers",
    "one_time_codes",
    "password_history",
    "signing_keys",
    "sign_in_sessions",
    "refresh_tokens",
    "auth_challenges",
    "user_stand_ins",
    "devices",
    "software_tokens",
    "webauthn_credentials",
    "authorization_codes",
    "hosted_sessions",
    "ui_customizations",
    "identity_providers",
    "identity_provider_identifiers",
    "saml_signing_keys",
    "saml_assertions",
)
USER_TABLES = (
    "users",
    "user_attributes",
    "user_aliases",
    "federated_identities",
    "group_members",
    "one_time_codes",
    "password_history",
    "sign_in_sessions",
    "refresh_tokens",
    "auth_challenges",
    "devices",
    "software_tokens",
    "webauthn_credentials",
    "authorization_codes",
    "hosted_sessions",
)
CLIENT_TABLES = ("sign_in_sessions", "refresh_tokens", "auth_challenges", "authorization_codes")


def _populate(tx: Tx, pool: Pool, tag: str) -> None:
    """One row in every table of POOL_TABLES, for the pool's user ``tag``."""
    client = new_client(tx, pool, f"client-{tag}")
    user = new_user(tx, pool, tag, attributes={"email": f"{tag}@x.org"}, alias_kinds=("email",))
    sub = user.sub
    tx.federated_identities.add(
        FederatedIdentity(pool.id, "Google", COGNITO_SUBJECT, f"g-{tag}", sub, "Google", None, True, 1)
    )
    tx.groups.add(Group(pool.id, "g", None, None, None, NOW, NOW))
    tx.groups.add_member(pool.id, "g", sub)
    tx.domains.add(Domain(f"domain-{tag}", pool.id, {}, NOW, NOW))
    tx.resource_servers.add(ResourceServer(pool.id, "api", "api", [], NOW, NOW))
    tx.codes.put(OneTimeCode(pool.id, sub, SIGNUP, "a" * 64, "email", NOW + 60, 0, None, 1, NOW, NOW))
    tx.password_history.record(pool.id, sub, "old-hash", NOW, keep=5)
    tx.signing_keys.add([SigningKey(f"kid-{tag}", pool.id, "id", 1, "current", "pem", {"kid": tag}, NOW)])
    jti = f"{tag:0>8}-0000-4000-8000-000000000000"
    tx.sign_in_sessions.add(SignInSession(jti, pool.id, client.id, sub, NOW, NOW, NOW + 60))
    tx.refresh_tokens.add(RefreshToken(f"{tag:r>64}", jti, NOW, NOW + 60))
    tx.auth_challenges.add(ChallengeSession(f"{tag:c>64}", pool.id, client.id, sub, "SMS_MFA", NOW, NOW + 60))
    tx.stand_ins.counters.set_attempts(pool.id, "stand-in-sub", SignInCounters(1, NOW, None))
    tx.devices.add(Device(f"device-{tag}", pool.id, sub, "-g", NOW, NOW))
    tx.software_tokens.associate(pool.id, sub, "JBSWY3DPEHPK3PXP", NOW)
    tx.webauthn_credentials.add(Passkey(pool.id, sub, tag.encode(), b"cose", 0, "localhost", "Passkey", (), NOW))
    code = AuthorizationCode(f"{tag:a>64}", pool.id, client.id, sub, "https://a/", (), NOW, NOW, NOW + 60)
    tx.authorization_codes.add(code)
    tx.hosted_sessions.add(HostedSession(f"{tag:h>64}", pool.id, sub, NOW, NOW, NOW + 60))
    tx.ui_customizations.put(UICustomization(pool.id, ALL_CLIENTS, "", None, None, "1", NOW, NOW))
    details = {"client_id": "c", "client_secret": "s", "authorize_scopes": "openid"}
    tx.identity_providers.add(IdentityProvider(pool.id, "Google", "Google", details, {}, ("corp",), {}, NOW, NOW))
    tx.saml_signing_keys.add(SamlSigningKey(pool.id, 1, "MIIC", "pem", NOW))
    tx.saml_assertions.remember(pool.id, "https://idp.example", f"_{tag}", NOW + 60, NOW)


def _rows(store: SqlStore, tables: tuple[str, ...]) -> dict[str, int]:
    return {table: rows_in(store, table) for table in tables}


@covers("PoolRepo.delete")
def test_deleting_a_pool_deletes_everything_of_the_pool(store: SqlStore) -> None:
    with store.write() as tx:
        doomed = new_pool(tx, "us-east-1_doomed")
        kept = new_pool(tx, "us-east-1_kept")
        _populate(tx, doomed, "ann")
        _populate(tx, kept, "bo")
    before = _rows(store, POOL_TABLES)
    assert all(count > 0 and count % 2 == 0 for count in before.values()), before
    with store.write() as tx:
        tx.pools.delete(doomed.id)
    assert _rows(store, POOL_TABLES) == {table: count // 2 for table, count in before.items()}
    with store.read() as tx:
        assert tx.groups.count(kept.id) == 1 and tx.users.count(kept.id) == 1


@covers("UserRepo.delete")
def test_deleting_a_user_deletes_everything_of_the_user(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        _populate(tx, pool, "ann")
    with store.write() as tx:
        client = new_client(tx, pool, "client-bo")
        bo = new_user(tx, pool, "bo", attributes={"email": "bo@x.org"}, alias_kinds=("email",))
        tx.groups.add_member(pool.id, "g", bo.sub)
        tx.sign_in_sessions.add(SignInSession("bo", pool.id, client.id, bo.sub, NOW, NOW, NOW + 60))
        tx.refresh_tokens.add(RefreshToken("bo", "bo", NOW, NOW + 60))
    with store.write() as tx:
        ann = tx.users.get_by_username(pool.id, "ann")
        assert ann is not None
        tx.users.delete(pool.id, ann.sub)
    remaining = _rows(store, USER_TABLES)
    assert remaining == {
        **dict.fromkeys(USER_TABLES, 0),
        "users": 1,
        "user_attributes": 2,  # bo's sub and email
        "user_aliases": 1,
        "group_members": 1,
        "sign_in_sessions": 1,
        "refresh_tokens": 1,
    }
    assert rows_in(store, "groups") == 1  # the group stays, without ann


@covers("ClientRepo.delete")
def test_deleting_a_client_ends_its_sign_ins(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx)
        _populate(tx, pool, "ann")
        _populate(tx, new_pool(tx, "us-east-1_other"), "bo")
    with store.write() as tx:
        tx.clients.delete("client-ann")
    assert _rows(store, CLIENT_TABLES) == dict.fromkeys(CLIENT_TABLES, 1)
    assert rows_in(store, "users") == 2  # its users stay

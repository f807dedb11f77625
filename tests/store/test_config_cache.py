"""The configuration generation and the configuration each process keeps (store/sql/config_generation.py,
config_cache.py), on SQLite and PostgreSQL: every write to a configuration table changes the generation, by the
database's own triggers, whoever writes; a store keeps what it read until the generation changes, so that a
change made through another store (another worker or instance) is read by its next transaction."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from tests.store.conftest import SECRETS
from tests.store.contract.records import NOW, OVERLAP_SECONDS, new_client, new_pool, user_record
from tests.support.plans import captured_sql
from userpool.crypto.sealing import Sealer
from userpool.model.frozen import FrozenDict, FrozenList, frozen
from userpool.model.records import AdminKey, ClientSecret, Domain, Pool
from userpool.model.risk_configuration import RiskConfiguration
from userpool.model.token_records import ACCESS_TOKEN, CURRENT, ID_TOKEN, SigningKey
from userpool.store.sql.config_cache import ABSENT, MISSING, CachedRead, ConfigCache
from userpool.store.sql.config_generation import CONFIGURATION_TABLES, EVENTS, OTHER_TABLES, read_generation
from userpool.store.sql.engine import make_engine
from userpool.store.sql.store import SqlStore
from userpool.store.sql.tables import admin_keys, clients, metadata, pools, users

POOL = "us-east-1_Cached1"


@pytest.fixture
def other(store: SqlStore) -> Iterator[SqlStore]:
    """A second store on the same database, with a cache of its own: another worker process or instance."""
    second = SqlStore(make_engine(store.engine.url.render_as_string(hide_password=False)), Sealer(SECRETS))
    yield second
    second.dispose()


def generation(store: SqlStore) -> int:
    with store.read() as tx:
        return read_generation(tx.link)


def _keys(pool_id: str, generation: int) -> list[SigningKey]:
    jwk = {"kty": "RSA", "kid": "x"}
    return [
        SigningKey(f"{pool_id}-{use}-{generation}", pool_id, use, generation, CURRENT, "pem", jwk, NOW)
        for use in (ID_TOKEN, ACCESS_TOKEN)
    ]


def test_config_tables__every_table_of_the_schema_is_classified() -> None:
    names = {t.name for t in metadata.sorted_tables}
    assert not CONFIGURATION_TABLES & OTHER_TABLES
    assert names == CONFIGURATION_TABLES | OTHER_TABLES, "a new table: decide in config_generation.py"


def test_config_generation__every_configuration_table_has_its_triggers(store: SqlStore) -> None:
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            found = set(conn.exec_driver_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"))
            expected = {(t, f"config_generation_{t}_{e.lower()}") for t in CONFIGURATION_TABLES for e in EVENTS}
            expected.add(("config_generation", "config_generation_kept"))
        else:
            rows = conn.exec_driver_sql(
                "SELECT tgrelid::regclass::text, tgname, tgdeferrable AND tginitdeferred FROM pg_trigger"
                " WHERE NOT tgisinternal"
            )
            found = set(rows)
            expected = {
                (t, name, deferred)
                for t in CONFIGURATION_TABLES
                for name, deferred in (("config_generation_bump", True), ("config_generation_truncate", False))
            }
    assert found == expected


def test_config_generation__each_write_to_a_configuration_table_bumps_it_and_no_other_write_does(
    store: SqlStore,
) -> None:
    seen = [generation(store)]

    def bumped() -> bool:
        seen.append(generation(store))
        return seen[-1] > seen[-2]

    # Past the repositories, as a pool import or an operator's SQL writes.
    row = {"id": POOL, "name": "p", "config": {}, "created_at": NOW, "updated_at": NOW}
    with store.bulk_write() as conn:
        conn.execute(pools.insert().values(**row))
    assert bumped()
    with store.bulk_write() as conn:
        conn.execute(pools.update().where(pools.c.id == POOL).values(name="q"))
    assert bumped()
    with store.write() as tx:
        pool = tx.pools.get(POOL)
        assert pool is not None
        new_client(tx, pool)
    assert bumped()
    with store.write() as tx:
        tx.users.add(user_record(pool, "ann"))
    assert not bumped()
    with store.bulk_write() as conn:
        conn.execute(users.update().values(updated_at=NOW + 1))
    assert not bumped()
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.pools.update(replace(pool, name="rolled back"))
        raise RuntimeError("rolled back")
    assert not bumped()
    with store.bulk_write() as conn:
        conn.execute(clients.update().where(clients.c.id == "nothing").values(name="none"))  # no row: no change
    assert not bumped()
    with store.write() as tx:  # and its client with it
        tx.pools.delete(POOL)
    assert bumped()


def test_config_generation__never_comes_back_when_its_row_is_lost(store: SqlStore, backend: str) -> None:
    with store.write() as tx:
        new_pool(tx, POOL)
    # One statement writing many rows steps the generation far past SQLite's clock (milliseconds, and read
    # once per statement): each row is a write.
    n = sa.select(sa.literal(1).label("i")).cte("n", recursive=True)
    n = n.union_all(sa.select(n.c.i + 1).where(n.c.i < 3000))
    made = sa.select(sa.literal("AKIDMANY") + sa.cast(n.c.i, sa.String), sa.literal("sealed"), sa.literal(NOW))
    with store.bulk_write() as conn:
        conn.execute(admin_keys.insert().from_select(["access_key_id", "secret_sealed", "created_at"], made))
    before = generation(store)
    with store.bulk_write() as conn:
        conn.exec_driver_sql("DELETE FROM config_generation")
    if backend == "sqlite":
        assert generation(store) > before  # put back at once, one past
    else:
        assert generation(store) == 0  # made again by the next configuration write
    with store.write() as tx:
        pool = tx.pools.get(POOL)
        assert pool is not None
        tx.pools.update(replace(pool, name="again"))
    # Past every earlier value: at least the database's clock in microseconds, and one more than the last.
    assert generation(store) > before


def test_config_generation__writers_of_configuration_wait_for_each_other_without_deadlock(
    store: SqlStore, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time: there is nothing to interleave")
    with store.write() as tx:
        first_pool = new_pool(tx, "us-east-1_First1")
        second_pool = new_pool(tx, "us-east-1_Second1")
    wrote = threading.Event()

    def second() -> None:
        with store.write() as tx:
            tx.pools.update(replace(second_pool, name="second"))
            wrote.set()
            threading.Event().wait(OVERLAP_SECONDS)

    # The first writer changes a pool, then the pool the second has changed since: it waits for the second
    # to commit. Had the first writer's change bumped the generation at once, the second's bump would wait
    # for the first to commit, and each would wait for the other.
    with store.write() as tx:
        tx.pools.update(replace(first_pool, name="first"))
        thread = threading.Thread(target=second)
        thread.start()
        wrote.wait(OVERLAP_SECONDS)
        tx.pools.update(replace(second_pool, name="first"))
    thread.join()
    with store.read() as tx:
        assert [tx.pools.get(p.id).name for p in (first_pool, second_pool)] == ["first", "first"]  # type: ignore[union-attr]


def test_config_cache__a_store_keeps_what_it_read_until_the_generation_changes(store: SqlStore) -> None:
    with store.write() as tx:
        pool = new_pool(tx, POOL, Policies={"PasswordPolicy": {"MinimumLength": 8}})
        new_client(tx, pool, secret="s3cret")
    with store.read() as tx:
        first = tx.pools.get(POOL)
        pair = tx.clients.with_pool("contractclient0001")
    with store.read() as tx:
        assert tx.pools.get(POOL) is first
        assert tx.clients.with_pool("contractclient0001") is pair
    assert first == pool and pair is not None and pair[1].secrets == (ClientSecret("s3cret", NOW),)
    # Shared by every request of the process, so it refuses changes; a copy is an ordinary document.
    with pytest.raises(TypeError):
        first.config["Policies"]["PasswordPolicy"]["MinimumLength"] = 6  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        pair[1].config["ExplicitAuthFlows"].append("ALLOW_USER_PASSWORD_AUTH")
    mine = copy.deepcopy(first.config)  # type: ignore[union-attr]
    mine["Policies"]["PasswordPolicy"]["MinimumLength"] = 6
    assert type(mine) is dict and type(mine["Policies"]) is dict
    # A write transaction reads the database, and gets documents of its own.
    with store.write() as tx:
        written = tx.pools.get(POOL)
        assert written is not first and written == pool
        written.config["Policies"]["PasswordPolicy"]["MinimumLength"] = 6  # type: ignore[union-attr]
        tx.pools.update(written)  # type: ignore[arg-type]
    with store.read() as tx:
        again = tx.pools.get(POOL)
    assert again is not first and again is not None
    assert again.config["Policies"]["PasswordPolicy"]["MinimumLength"] == 6


def test_config_cache__a_change_through_one_store_is_read_by_the_next_transaction_of_another(
    store: SqlStore, other: SqlStore
) -> None:
    with store.write() as tx:
        pool = new_pool(tx, POOL, MfaConfiguration="OFF")
        client = new_client(tx, pool, secret="first-secret")
        tx.domains.add(Domain("auth.example.com", POOL, {"ManagedLoginVersion": 1}, NOW, NOW))
        tx.signing_keys.add(_keys(POOL, 1))

    def seen() -> tuple[object, ...]:
        with other.read() as tx:
            found = tx.pools.get(POOL)
            pair = tx.clients.with_pool(client.id)
            single = tx.clients.get(client.id)
            domain = tx.domains.get("auth.example.com")
            kids = tx.signing_keys.current_kids(POOL)
        return (
            found.config.get("MfaConfiguration") if found else None,
            pair[0].config.get("MfaConfiguration") if pair else None,
            pair[1].secrets[0].value if pair else None,
            single.config.get("ExplicitAuthFlows") if single else None,
            domain.config.get("ManagedLoginVersion") if domain else None,
            kids.get(ID_TOKEN),
        )

    assert seen() == ("OFF", "OFF", "first-secret", ["ALLOW_REFRESH_TOKEN_AUTH"], 1, f"{POOL}-id-1")
    assert seen() == ("OFF", "OFF", "first-secret", ["ALLOW_REFRESH_TOKEN_AUTH"], 1, f"{POOL}-id-1")
    with store.write() as tx:
        tx.pools.update(replace(pool, config={**pool.config, "MfaConfiguration": "OPTIONAL"}))
    assert seen()[:2] == ("OPTIONAL", "OPTIONAL")
    with store.write() as tx:
        flows = ["ALLOW_USER_PASSWORD_AUTH"]
        tx.clients.update(
            replace(client, secrets=(ClientSecret("second-secret", NOW),), config={"ExplicitAuthFlows": flows})
        )
    assert seen()[2:4] == ("second-secret", ["ALLOW_USER_PASSWORD_AUTH"])
    with store.write() as tx:
        tx.domains.update(Domain("auth.example.com", POOL, {"ManagedLoginVersion": 2}, NOW, NOW + 1))
        tx.signing_keys.retire_current(POOL, NOW, NOW + 60)
        tx.signing_keys.add(_keys(POOL, 2))
    assert seen()[4:] == (2, f"{POOL}-id-2")
    with store.write() as tx:
        tx.clients.delete(client.id)
        tx.domains.delete("auth.example.com")
    assert seen() == ("OPTIONAL", None, None, None, None, f"{POOL}-id-2")


def test_config_cache__admin_keys_and_risk_configurations_found_or_not_are_read_again_once_changed(
    store: SqlStore, other: SqlStore
) -> None:
    with store.write() as tx:
        pool = new_pool(tx, POOL)
        client = new_client(tx, pool)
        tx.admin_keys.add(AdminKey("AKIDCACHED0001", "first", "ci", NOW))

    def seen() -> tuple[str | None, object, object]:
        with other.read() as tx:
            key = tx.admin_keys.get("AKIDCACHED0001")
            found = tx.risk_configurations.for_client(POOL, client.id)
        return key.secret_access_key if key else None, found.client_id if found else None, found is not None

    assert seen() == seen() == ("first", None, False)
    with store.write() as tx:
        tx.risk_configurations.put(RiskConfiguration(POOL, None, {"AccountTakeoverRiskConfiguration": {}}, NOW))
    assert seen() == ("first", None, True)
    with store.write() as tx:
        tx.risk_configurations.put(RiskConfiguration(POOL, client.id, {}, NOW))
    assert seen() == ("first", client.id, True)
    with store.write() as tx:
        tx.admin_keys.delete("AKIDCACHED0001")
    assert seen() == (None, client.id, True)


def test_config_cache__a_host_that_names_no_domain_is_kept_until_a_domain_is_made(
    store: SqlStore, other: SqlStore
) -> None:
    # The server's own URL names no domain: every client_credentials grant there asks (hosted/oauth_clients.py).
    with store.write() as tx:
        new_pool(tx, POOL)

    def domain_reads() -> tuple[Domain | None, int]:
        with captured_sql(other.engine) as statements, other.read() as tx:
            found = tx.domains.get("localhost")
        return found, sum(1 for s in statements if "domains" in s.sql)

    assert domain_reads() == (None, 1)
    assert domain_reads() == (None, 0)  # kept as absent
    made = Domain("localhost", POOL, {"CustomDomainConfig": {"CertificateArn": "arn"}}, NOW, NOW)
    with store.write() as tx:
        tx.domains.add(made)
    assert domain_reads() == (made, 1)  # the next read of another store finds it
    assert domain_reads() == (made, 0)
    with store.write() as tx:
        tx.domains.delete("localhost")
    assert domain_reads() == (None, 1)


def test_config_cache__a_pool_deleted_and_made_again_under_its_id_is_read_again(
    store: SqlStore, other: SqlStore
) -> None:
    with store.write() as tx:
        new_client(tx, new_pool(tx, POOL, MfaConfiguration="OFF"))
    with other.read() as tx:
        assert tx.pools.get(POOL).config["MfaConfiguration"] == "OFF"  # type: ignore[union-attr]
        assert tx.clients.with_pool("contractclient0001")[0].config["MfaConfiguration"] == "OFF"  # type: ignore[index]
    with store.write() as tx:
        tx.pools.delete(POOL)
    with store.write() as tx:
        pool = new_pool(tx, POOL, MfaConfiguration="ON")
        new_client(tx, pool)
    with other.read() as tx:
        assert tx.pools.get(POOL).config["MfaConfiguration"] == "ON"  # type: ignore[union-attr]
        assert tx.clients.with_pool("contractclient0001")[0].config["MfaConfiguration"] == "ON"  # type: ignore[index]


def test_cached_read__refuses_a_statement_that_reads_other_tables() -> None:
    CachedRead(sa.select(pools).where(pools.c.id == sa.bindparam("pool_id")))
    with pytest.raises(ValueError, match="users"):
        CachedRead(sa.select(pools).join(users, users.c.pool_id == pools.c.id))
    with pytest.raises(ValueError, match="users"):
        CachedRead(sa.select(pools.c.id, sa.select(users.c.sub).limit(1).scalar_subquery()))


def test_config_cache__holds_one_generation_and_a_bounded_number_of_records() -> None:
    cache = ConfigCache(capacity=2)
    cache.put(5, "a", 1)
    cache.put(5, "b", 2)
    assert (cache.get(5, "a"), cache.get(5, "b")) == (1, 2)
    cache.put(5, "c", 3)  # the first in goes first
    assert (cache.get(5, "a"), cache.get(5, "b"), cache.get(5, "c")) == (MISSING, 2, 3)
    assert cache.get(6, "c") is MISSING
    # Any other generation starts it over, an earlier one too (a backup restored).
    cache.put(4, "a", 10)
    assert (cache.get(4, "a"), cache.get(4, "c"), cache.get(5, "c")) == (10, MISSING, MISSING)


def test_config_cache__absent_entries_are_bounded_apart_and_never_crowd_out_records() -> None:
    cache = ConfigCache(capacity=2, absent_capacity=2)
    cache.put(5, "a", 1)
    cache.put(5, "b", 2)
    for invented in ("x", "y", "z"):  # Hosts a caller may invent
        cache.put(5, invented, ABSENT)
    assert (cache.get(5, "a"), cache.get(5, "b")) == (1, 2)
    assert (cache.get(5, "x"), cache.get(5, "y"), cache.get(5, "z")) == (MISSING, ABSENT, ABSENT)
    # The last read of a key is what is kept, found or absent.
    cache.put(5, "y", 3)
    assert cache.get(5, "y") == 3
    cache.put(5, "b", ABSENT)
    assert cache.get(5, "b") is ABSENT
    assert cache.get(6, "z") is MISSING
    cache.put(6, "a", 1)
    assert (cache.get(6, "z"), cache.get(6, "b")) == (MISSING, MISSING)


def test_frozen__every_dict_and_list_refuses_changes_and_copies_are_ordinary() -> None:
    value = frozen(Pool(POOL, "p", {"A": [1, {"B": []}], "C": {"D": "e"}}, NOW, NOW))
    assert isinstance(value.config, FrozenDict) and isinstance(value.config["A"], FrozenList)
    for change in (
        lambda: value.config.update(A=1),
        lambda: value.config["C"].pop("D"),
        lambda: value.config["A"].append(2),
        lambda: value.config["A"][1]["B"].extend([1]),
        lambda: value.config.setdefault("X", 1),
    ):
        with pytest.raises(TypeError):
            change()
    assert value.config == {"A": [1, {"B": []}], "C": {"D": "e"}}
    copied = {**value.config, "X": 1}
    assert type(copy.deepcopy(value.config)["A"]) is list and type(dict(value.config)) is dict
    assert type(copy.copy(value.config["A"])) is list and copied["X"] == 1

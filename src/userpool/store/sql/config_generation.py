"""The configuration generation: one number that changes with every write to a pool's or the server's
configuration, so that a process may keep configuration it has read and parsed for as long as the number it
read with it is still the database's (config_cache.py; docs/architecture.md, "Configuration cache").

The database bumps it itself: every table in ``CONFIGURATION_TABLES`` has triggers (migration 0027) that
bump it for each row inserted, updated or deleted, whoever writes (a repository, a pool import, a cascade
from a deleted pool, an operator's SQL), in the writing transaction. On PostgreSQL they run at its commit
(deferred constraint triggers), after every other lock the transaction takes, so the one row that every
configuration write updates adds no lock-order cycle. The new value is at least the database's clock in
microseconds as well as one more than the last, so that no value comes back: neither after the row was
deleted nor after a backup from an earlier time was restored. SQLite's clock reads only milliseconds, which
several writes within one millisecond can step past, so there a deleted row is put back at once, one past
its last value (migration 0028); on PostgreSQL the next configuration write makes it again.
``tests/store/test_config_cache.py`` checks that every table of the schema is classified below and that each
configuration table has its triggers, on both databases.
"""

from __future__ import annotations

import sqlalchemy as sa

from userpool.store.sql.columns import metadata
from userpool.store.sql.driver import DriverStatement, Link

# One row (id 1). Created by migration 0027; if it is missing, a configuration write makes it again
# (on SQLite, deleting it puts it back).
config_generation = sa.Table(
    "config_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
)

# What a pool's requests read as its configuration, and the server's own: writes to these bump the
# generation, and only reads of these may be cached (config_cache.CachedRead refuses any other table).
CONFIGURATION_TABLES = frozenset(
    {
        "pools",
        "clients",
        "domains",
        "resource_servers",
        "ui_customizations",
        "risk_configurations",
        "identity_providers",
        "identity_provider_identifiers",
        "signing_keys",
        "saml_signing_keys",
        "admin_keys",
        "identity_pools",
        "identity_signing_keys",
    }
)

# The rest of the schema: what users, sign-ins and the server's work keep. Writes to these leave the
# generation alone (several happen on every sign-in); nothing read from them is cached across requests.
OTHER_TABLES = frozenset(
    {
        "config_generation",
        "users",
        "user_attributes",
        "user_aliases",
        "groups",
        "group_members",
        "federated_identities",
        "federation_transactions",
        "saml_assertions",
        "outbox_messages",
        "one_time_codes",
        "password_history",
        "sign_in_sessions",
        "refresh_tokens",
        "auth_challenges",
        "user_stand_ins",
        "devices",
        "webauthn_credentials",
        "software_tokens",
        "authorization_codes",
        "hosted_sessions",
        "console_operators",
        "console_sign_in_attempts",
        "console_sessions",
        "auth_events",
        "user_import_jobs",
        "user_import_results",
        "identities",
        "identity_logins",
    }
)

_READ = DriverStatement(sa.select(config_generation.c.generation).where(config_generation.c.id == 1))

# The next generation: one more than the last, and at least the database's clock in microseconds.
_SQLITE_NEXT = "max(generation + 1, CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))"
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION config_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_us bigint := (extract(epoch FROM clock_timestamp()) * 1000000)::bigint;
BEGIN
    UPDATE config_generation SET generation = greatest(generation + 1, now_us) WHERE id = 1;
    IF NOT FOUND THEN
        INSERT INTO config_generation (id, generation) VALUES (1, now_us)
        ON CONFLICT (id) DO UPDATE
        SET generation = greatest(config_generation.generation + 1, excluded.generation);
    END IF;
    RETURN NULL;
END
$$
"""
EVENTS = ("INSERT", "UPDATE", "DELETE")


def trigger_statements(dialect: str, table: str) -> list[str]:
    """The DDL that makes writes to ``table`` bump the generation (after ``POSTGRES_FUNCTION`` on PostgreSQL).

    SQLite: a trigger per event (its names are the schema's, not the table's), run with each row written; a
    SQLite database has one writer at a time, so where in the transaction the row is locked does not matter.
    PostgreSQL: a constraint trigger deferred to the commit, and one for TRUNCATE, which fires no row trigger.
    """
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER config_generation_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "  # noqa: S608 (the schema's names)
            "INSERT INTO config_generation (id, generation) VALUES (1, 0) ON CONFLICT (id) DO NOTHING; "
            f"UPDATE config_generation SET generation = {_SQLITE_NEXT} WHERE id = 1; END"
            for event in EVENTS
        ]
    return [
        f"CREATE CONSTRAINT TRIGGER config_generation_bump AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION config_generation_bump()",
        f"CREATE TRIGGER config_generation_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION config_generation_bump()",
    ]


def read_generation(link: Link) -> int:
    """The database's configuration generation as ``link``'s transaction sees it (0 without its row).

    On the driver's connection (driver.py): through SQLAlchemy the statement costs about five times as much
    CPU as it does in sqlite3 or psycopg."""
    row = link.first(_READ, {})
    return int(row[0]) if row is not None and row[0] is not None else 0

"""What a pool export carries, table by table: the record kinds of the file in the order they are written and
read (parents before the rows that refer to them), their fields, which of them are sealed under the file's key,
and the tables left out with the reason (docs/pool-export.md lists the same).

A record holds its table's columns under their own names, without ``pool_id`` (the file's header names the
pool), without what is derived from other columns, and with each sealed column under its name without
``_sealed``. tests/api/test_pool_export.py checks that every column of the schema is carried, derived or left
out here, so that a new column or table has to be decided on.

The contexts below are those the repositories seal each value with (clients.py, users.py, devices.py,
software_tokens.py, identity_providers.py, signing_keys.py, saml.py): on import a value is sealed again under
the target server's secrets, bound to its row as the repository that reads it expects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from userpool.store.sql import tables as t

Row = Mapping[Any, Any]  # a row as read (RowMapping) or about to be written (dict)


@dataclass(frozen=True)
class Sealed:
    """A column whose value the file seals under its own key. ``context``: what the server's sealer binds the
    stored value to; None for a column the server keeps in clear (password hashes: argon2id)."""

    column: str
    context: Callable[[Row], str] | None

    @property
    def field(self) -> str:
        return self.column.removesuffix("_sealed")


@dataclass(frozen=True)
class Part:
    kind: str
    table: sa.Table
    # The column naming the pool (``id`` for the pools table itself), left out of records.
    scope: str = "pool_id"
    sealed: tuple[Sealed, ...] = ()
    # Columns not carried but computed again on import from the record's other fields.
    derived: Mapping[str, Callable[[Row], Any]] = field(default_factory=dict)
    # Rows carried: those still in force when the export is made (None: all of the pool's).
    live: Callable[[sa.Table, float], sa.ColumnElement[bool]] | None = None

    @cached_property
    def key(self) -> tuple[str, ...]:
        """The columns that tell the part's rows of one pool apart: its primary key but the pool."""
        return tuple(str(c.name) for c in self.table.primary_key.columns if c.name != self.scope)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """The table's columns a record carries (sealed ones included, under their column names)."""
        # str(): a column's name is a str subclass, which orjson does not take for a key.
        return tuple(str(c.name) for c in self.table.columns if c.name != self.scope and c.name not in self.derived)

    def field_of(self, column: str) -> str:
        for sealed in self.sealed:
            if sealed.column == column:
                return sealed.field
        return column

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.field_of(c) for c in self.columns)

    @cached_property
    def layout(self) -> tuple[tuple[str, str, bool], ...]:
        """(column, field, binary) of each column a record carries, worked out once: a row's conversion is on
        the path of every record of a million-user pool."""
        return tuple((c, self.field_of(c), isinstance(self.table.c[c].type, sa.LargeBinary)) for c in self.columns)

    @property
    def global_key(self) -> bool:
        """Whether the part's key is unique across the server rather than within a pool (app client ids, key ids,
        device keys, domains): on import, one held by another pool is reported instead of written."""
        return self.scope not in (c.name for c in self.table.primary_key.columns)


def _client(row: Row) -> str:
    return str(row["id"])


def _user_srp(row: Row) -> str:
    return f"srp:{row['pool_id']}:{row['sub']}"


def _device_srp(row: Row) -> str:
    return f"device-srp:{row['pool_id']}:{row['sub']}:{row['device_key']}"


def _totp(row: Row) -> str:
    return f"totp:{row['pool_id']}:{row['sub']}"


def _provider(what: str) -> Callable[[Row], str]:
    return lambda row: f"identity-provider:{what}:{row['pool_id']}:{row['name']}"


def _signing_key(row: Row) -> str:
    return str(row["kid"])


def _saml_signing_key(row: Row) -> str:
    return f"saml-signing-key:{row['pool_id']}:{row['generation']}"


def _value_prefix(row: Row) -> str:
    return str(row["value"])[: t.VALUE_PREFIX_CHARS]


def _assertion_in_force(table: sa.Table, now: float) -> sa.ColumnElement[bool]:
    return table.c.keep_until > now


PARTS: tuple[Part, ...] = (
    Part("pool", t.pools, scope="id"),
    Part("client", t.clients, sealed=(Sealed("secret_sealed", _client), Sealed("next_secret_sealed", _client))),
    Part("domain", t.domains),
    Part("resource_server", t.resource_servers),
    Part("ui_customization", t.ui_customizations),
    Part("risk_configuration", t.risk_configurations),
    Part("signing_key", t.signing_keys, sealed=(Sealed("private_sealed", _signing_key),)),
    Part("saml_signing_key", t.saml_signing_keys, sealed=(Sealed("private_sealed", _saml_signing_key),)),
    # Accepted SAML assertions still kept against replay: a move does not open a window for replaying them.
    Part("saml_assertion", t.saml_assertions, live=_assertion_in_force),
    Part(
        "identity_provider",
        t.identity_providers,
        sealed=(
            Sealed("secrets_sealed", _provider("secrets")),
            Sealed("encryption_key_sealed", _provider("encryption")),
        ),
    ),
    Part("identity_provider_identifier", t.identity_provider_identifiers),
    Part("group", t.groups),
    Part(
        "user",
        t.users,
        sealed=(Sealed("password_hash", None), Sealed("srp_verifier_sealed", _user_srp)),
    ),
    Part("user_attribute", t.user_attributes, derived={"value_prefix": _value_prefix}),
    Part("user_alias", t.user_aliases),
    Part("group_member", t.group_members),
    Part("password_history", t.password_history, sealed=(Sealed("password_hash", None),)),
    Part(
        "software_token",
        t.software_tokens,
        sealed=(Sealed("secret_sealed", _totp), Sealed("pending_secret_sealed", _totp)),
    ),
    Part("device", t.devices, sealed=(Sealed("srp_verifier_sealed", _device_srp),)),
    Part("passkey", t.webauthn_credentials),
    Part("federated_identity", t.federated_identities),
)

# The tables of a pool that an export leaves out, and why (docs/pool-export.md, "What is not carried").
NOT_CARRIED: dict[str, str] = {
    t.sign_in_sessions.name: "sign-ins in progress: users sign in again on the new server",
    t.refresh_tokens.name: "belong to the sign-in sessions, which are not carried",
    t.auth_challenges.name: "challenge Sessions of sign-ins in progress, minutes long",
    t.authorization_codes.name: "single-use codes of sign-ins in progress, minutes long",
    t.hosted_sessions.name: "browsers' hosted sign-in sessions: they sign in again",
    t.federation_transactions.name: "sign-ins waiting at an identity provider, minutes long",
    t.one_time_codes.name: "codes sent for confirmation or recovery, keyed by the server's secret; sent again",
    t.user_stand_ins.name: "what answers for names no user has, kept minutes to hours; made again as needed",
    t.outbox_messages.name: "messages queued by the exporting server, which delivers them",
    t.auth_events.name: "threat protection's event history, a log kept by the server that recorded it",
    t.user_import_jobs.name: "CSV import jobs: the work of the server that holds their files, and its record of it",
    t.user_import_results.name: "the skipped and failed lines of those jobs",
}

# Tables that belong to the server, not to a pool: identity pools too, which an account has beside its user pools
# (an identity pool may trust several user pools, or none), and the configuration generation, which an import
# bumps as any other configuration write does.
SERVER_TABLES = frozenset(
    {
        t.admin_keys.name,
        t.config_generation.name,
        t.console_operators.name,
        t.console_sessions.name,
        t.console_sign_in_attempts.name,
        t.identity_pools.name,
        t.identities.name,
        t.identity_logins.name,
        t.identity_signing_keys.name,
    }
)

PART_BY_KIND: dict[str, Part] = {p.kind: p for p in PARTS}

"""The database schema: the single source that Alembic migrations are checked against.

Every row belongs to a pool (``pool_id``); times are epoch seconds (``*_at``); secrets are sealed or hashed.
Text that ListUsers matches by prefix uses the C collation on PostgreSQL so that byte-order range scans
(``value >= p AND value < p || U+10FFFF``) run through the btree index.
"""

from __future__ import annotations

import sqlalchemy as sa

from userpool.store.sql.columns import EPOCH_SECONDS as _time
from userpool.store.sql.columns import JSON as _json
from userpool.store.sql.columns import byte_text as _text
from userpool.store.sql.columns import metadata as metadata

# The federation, threat protection, user import and identity pool tables are defined beside their kind, and the
# configuration generation beside what reads it; imported here, so that this module's metadata holds the whole
# schema.
from userpool.store.sql.config_generation import config_generation as config_generation
from userpool.store.sql.federation_tables import federated_identities as federated_identities
from userpool.store.sql.federation_tables import federation_transactions as federation_transactions
from userpool.store.sql.federation_tables import identity_provider_identifiers as identity_provider_identifiers
from userpool.store.sql.federation_tables import identity_providers as identity_providers
from userpool.store.sql.federation_tables import saml_assertions as saml_assertions
from userpool.store.sql.federation_tables import saml_signing_keys as saml_signing_keys
from userpool.store.sql.identity_pool_tables import identities as identities
from userpool.store.sql.identity_pool_tables import identity_logins as identity_logins
from userpool.store.sql.identity_pool_tables import identity_pools as identity_pools
from userpool.store.sql.identity_pool_tables import identity_signing_keys as identity_signing_keys
from userpool.store.sql.import_tables import user_import_jobs as user_import_jobs
from userpool.store.sql.import_tables import user_import_results as user_import_results
from userpool.store.sql.threat_protection_tables import auth_events as auth_events
from userpool.store.sql.threat_protection_tables import risk_configurations as risk_configurations

VALUE_PREFIX_CHARS = 256

pools = sa.Table(
    "pools",
    metadata,
    sa.Column("id", sa.String(55), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("config", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
)

clients = sa.Table(
    "clients",
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("secret_sealed", sa.Text, nullable=True),
    sa.Column("config", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
    # The secret's creation time (NULL: the client's, for secrets made before migration 0021), and a second
    # secret while the two are rotated (AddUserPoolClientSecret: two at most), sealed like the first.
    sa.Column("secret_created_at", _time, nullable=True),
    sa.Column("next_secret_sealed", sa.Text, nullable=True),
    sa.Column("next_secret_created_at", _time, nullable=True),
    sa.Index(None, "pool_id", "id"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(128), nullable=False),
    # Lower-cased in case-insensitive pools; the unique key that makes duplicate sign-ups impossible.
    sa.Column("username_norm", _text(512), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("password_expires_at", _time, nullable=True),
    sa.Column("mfa", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
    # Sign-in state (migration 0002_tokens), written only by the sign-in repository: failed password attempts and the
    # lock they cause, and the last global sign-out (Cognito developer guide: 'Lockout behavior for failed sign-in
    # attempts', 'Ending user sessions with token revocation').
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("last_sign_in_attempt_at", _time, nullable=True),
    sa.Column("locked_until", _time, nullable=True),
    sa.Column("signed_out_at", _time, nullable=True),
    # SRP salt (hex) and verifier, the verifier sealed because it allows offline guessing like a password
    # hash (migration 0004; docs/srp.md, Enrolment).
    sa.Column("srp_salt", sa.String(64), nullable=True),
    sa.Column("srp_verifier_sealed", sa.Text, nullable=True),
    # AdminDisableProviderForUser (ProviderName Cognito): the password no longer signs the user in (migration 0013).
    sa.Column("password_sign_in_disabled", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.UniqueConstraint("pool_id", "username_norm"),
    sa.Index(None, "pool_id", "status", "username_norm"),
    sa.Index(None, "pool_id", "enabled", "username_norm"),
)

user_attributes = sa.Table(
    "user_attributes",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(2048), nullable=False),
    # The first VALUE_PREFIX_CHARS characters: a 2048-character value does not fit in a PostgreSQL btree
    # entry, its prefix does, and every ListUsers match can be decided on the prefix first.
    sa.Column("value_prefix", _text(VALUE_PREFIX_CHARS), nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_user_attributes_user"
    ),
    # ListUsers: `name = v` and `name ^= v`, paged by (value, sub) without touching other users.
    sa.Index(None, "pool_id", "name", "value_prefix", "sub"),
    # On SQLite the primary key then holds the values too: without it, the index above covers every query of
    # this table, and SQLite's planner (no statistics) reads all of a pool's rows through it to load one user.
    sqlite_with_rowid=False,
)

# Sign-in identifiers other than the username: verified email/phone aliases, preferred_username, and
# email/phone when they are the pool's UsernameAttributes. Unique per pool in the database.
user_aliases = sa.Table(
    "user_aliases",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("alias", _text(600), primary_key=True),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_user_aliases_user"
    ),
    sa.Index(None, "pool_id", "sub"),
)


groups = sa.Table(
    "groups",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", _text(128), primary_key=True),
    sa.Column("description", sa.String(2048), nullable=True),
    sa.Column("role_arn", sa.String(2048), nullable=True),
    sa.Column("precedence", sa.Integer, nullable=True),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
)

group_members = sa.Table(
    "group_members",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("group_name", _text(128), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.ForeignKeyConstraint(
        ["pool_id", "group_name"],
        ["groups.pool_id", "groups.name"],
        ondelete="CASCADE",
        name="fk_group_members_group",
    ),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_group_members_user"
    ),
    sa.Index(None, "pool_id", "sub", "group_name"),
)

domains = sa.Table(
    "domains",
    metadata,
    sa.Column("domain", sa.String(253), primary_key=True),
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    sa.Column("config", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
    sa.Index(None, "pool_id"),
)

resource_servers = sa.Table(
    "resource_servers",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("identifier", _text(256), primary_key=True),
    sa.Column("name", sa.String(256), nullable=False),
    sa.Column("scopes", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
)

outbox_messages = sa.Table(
    "outbox_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pool_id", sa.String(55), nullable=True),
    sa.Column("channel", sa.String(8), nullable=False),  # EMAIL | SMS
    sa.Column("destination", sa.String(2048), nullable=False),
    # Subject and body, sealed: they hold codes and temporary passwords. NULL once delivered, given up on,
    # or (kept for `userpool outbox` by the log sender) past their retention (delivery/dispatcher.py).
    sa.Column("content_sealed", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending | sending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("next_attempt_at", _time, nullable=False),
    sa.Column("sent_at", _time, nullable=True),
    sa.Index(None, "status", "next_attempt_at"),
)

admin_keys = sa.Table(
    "admin_keys",
    metadata,
    sa.Column("access_key_id", sa.String(128), primary_key=True),
    sa.Column("secret_sealed", sa.Text, nullable=False),
    sa.Column("description", sa.String(256), nullable=True),
    sa.Column("created_at", _time, nullable=False),
)

# The live one-time code of each (pool, user, purpose): signup | forgot_password | verify_email |
# verify_phone_number. Only a keyed SHA-256 of the code is kept. ``attempts`` counts wrong entries and
# ``issued`` codes sent, each in a window opened at ``*_since`` (see model/codes.py).
one_time_codes = sa.Table(
    "one_time_codes",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("purpose", sa.String(32), primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("attribute", sa.String(32), nullable=True),
    sa.Column("expires_at", _time, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("attempts_since", _time, nullable=True),
    sa.Column("issued", sa.Integer, nullable=False),
    sa.Column("issued_since", _time, nullable=True),
    sa.Column("created_at", _time, nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_one_time_codes_user"
    ),
)

# The argon2id hashes of a user's previous passwords, newest ``position`` first, for the pool's
# PasswordHistorySize (migration 0010). The current password stays in ``users``; at most size - 1 rows per user.
password_history = sa.Table(
    "password_history",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("replaced_at", _time, nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_password_history_user"
    ),
)

# Token signing keys: per pool one current key for ID tokens and one for access
# tokens; a rotation adds a generation and keeps the previous keys published until their tokens expired.
# The unique generation per (pool, token use) makes two concurrent first sign-ins end with one key pair.
signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("kid", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), nullable=False),
    sa.Column("token_use", sa.String(8), nullable=False),  # id | access
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # current | previous
    sa.Column("private_sealed", sa.Text, nullable=False),
    sa.Column("public_jwk", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("retired_at", _time, nullable=True),
    sa.Column("expires_at", _time, nullable=True),
    sa.UniqueConstraint("pool_id", "token_use", "generation"),
)

# One row per sign-in: its origin_jti, shared by all tokens derived from it.
sign_in_sessions = sa.Table(
    "sign_in_sessions",
    metadata,
    sa.Column("origin_jti", sa.String(36), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("client_id", sa.String(128), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("auth_time", _time, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    sa.Column("revoked_at", _time, nullable=True),
    sa.Column("device_key", sa.String(55), nullable=True),
    sa.Column("scopes", _json, nullable=True),
    # Session management (migration 0024): last activity, where from, and the hosted session it came through.
    sa.Column("last_active_at", _time, nullable=True),
    sa.Column("last_ip", sa.String(128), nullable=True),
    sa.Column("device_type", sa.String(1024), nullable=True),
    sa.Column("sso_session_id", sa.String(28), nullable=True),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_sign_in_sessions_user"
    ),
    sa.Index(None, "pool_id", "sub"),
)

# Refresh tokens by the SHA-256 of their value; the value itself is never stored.
refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "origin_jti",
        sa.String(36),
        sa.ForeignKey("sign_in_sessions.origin_jti", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("issued_at", _time, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    sa.Column("superseded_at", _time, nullable=True),
    sa.Index(None, "origin_jti"),
)

# Challenge Session values by their SHA-256: single use, expiring.
auth_challenges = sa.Table(
    "auth_challenges",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("client_id", sa.String(128), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("challenge", sa.String(32), nullable=False),
    sa.Column("state", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_auth_challenges_user"
    ),
    sa.Index(None, "expires_at"),
)

# What a user would have, kept for a name no user has where an app client hides which users exist
# (services/users/steps/stand_ins.py): by pool, ``kind`` (the lockout's counter, a code's purpose) and ``subject`` (the
# name's stand-in sub), the record as JSON. No user row backs it; each row is deleted once ``forget_at`` has
# passed, when it could no longer change an answer.
user_stand_ins = sa.Table(
    "user_stand_ins",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("state", _json, nullable=False),
    sa.Column("forget_at", _time, nullable=False),
    sa.Index(None, "forget_at"),
)

# A user's tracked devices. A row is made when a sign-in hands out
# NewDeviceMetadata; ConfirmDevice adds the device's SRP salt and verifier (sealed, like the user's).
devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_key", sa.String(55), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("group_key", sa.String(64), nullable=False),
    sa.Column("name", sa.String(1024), nullable=True),
    sa.Column("srp_salt", sa.String(64), nullable=True),
    sa.Column("srp_verifier_sealed", sa.Text, nullable=True),
    sa.Column("remembered", sa.Boolean, nullable=True),
    sa.Column("last_ip", sa.String(64), nullable=True),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
    sa.Column("confirmed_at", _time, nullable=True),
    sa.Column("authenticated_at", _time, nullable=True),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_devices_user"
    ),
    sa.Index(None, "pool_id", "sub", "device_key"),
)

# Each user's passkeys (WebAuthn credentials). The credential id is unique in a pool, so an authenticator's
# credential cannot be registered twice, nor to two users; the COSE public key is public, stored as is.
webauthn_credentials = sa.Table(
    "webauthn_credentials",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("credential_id", sa.LargeBinary(1023), primary_key=True),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("public_key", sa.LargeBinary(2048), nullable=False),
    sa.Column("sign_count", sa.BigInteger, nullable=False),
    sa.Column("relying_party_id", sa.String(255), nullable=False),
    sa.Column("friendly_name", sa.String(255), nullable=False),
    sa.Column("transports", _json, nullable=False),
    sa.Column("authenticator_attachment", sa.String(32), nullable=True),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("last_used_at", _time, nullable=True),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_webauthn_credentials_user"
    ),
    sa.Index(None, "pool_id", "sub", "credential_id"),
)

# Each user's TOTP authenticator: the verified secret sign-in codes are checked against
# and a pending one from AssociateSoftwareToken, both sealed like SRP verifiers. ``last_step`` is the last
# accepted time step, so no code is accepted twice; ``generation`` changes on every association and
# verification, and the conditional updates that accept a code compare it.
software_tokens = sa.Table(
    "software_tokens",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("sub", sa.String(36), primary_key=True),
    sa.Column("secret_sealed", sa.Text, nullable=True),
    sa.Column("pending_secret_sealed", sa.Text, nullable=True),
    sa.Column("last_step", sa.BigInteger, nullable=True),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("friendly_name", sa.Text, nullable=True),
    sa.Column("verified_at", _time, nullable=True),
    sa.Column("associated_at", _time, nullable=True),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_software_tokens_user"
    ),
)

# Authorization codes of /oauth2/authorize by the SHA-256 of their value: five
# minutes, redeemed once (``used_at``); ``origin_jti`` names the sign-in the redemption started.
authorization_codes = sa.Table(
    "authorization_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("client_id", sa.String(128), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("scopes", _json, nullable=False),
    sa.Column("nonce", sa.Text, nullable=True),
    sa.Column("code_challenge", sa.String(128), nullable=True),
    sa.Column("code_challenge_method", sa.String(8), nullable=True),
    sa.Column("auth_time", _time, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    sa.Column("used_at", _time, nullable=True),
    sa.Column("origin_jti", sa.String(36), nullable=True),
    sa.Column("sso_session_id", sa.String(28), nullable=True),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_authorization_codes_user"
    ),
    sa.Index(None, "expires_at"),
)

# Hosted-UI sign-in sessions (the managed-login cookie) by the SHA-256 of the cookie value.
hosted_sessions = sa.Table(
    "hosted_sessions",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("auth_time", _time, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    # A session opened by a SAML sign-in: the provider, and the NameID (value, Format, NameQualifier,
    # SPNameQualifier) and SessionIndex a LogoutRequest names.
    sa.Column("saml_provider", _text(32), nullable=True),
    sa.Column("saml_name_id", _json, nullable=True),
    sa.Column("saml_session_index", sa.Text, nullable=True),
    # Session management (migration 0024): the client whose sign-in opened it, last activity and where from.
    sa.Column("client_id", sa.String(128), nullable=True),
    sa.Column("last_active_at", _time, nullable=True),
    sa.Column("last_ip", sa.String(128), nullable=True),
    sa.Column("device_type", sa.String(1024), nullable=True),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_hosted_sessions_user"
    ),
    sa.Index(None, "expires_at"),
    # A user's sessions, listed and revoked one by one (ListUserSessions).
    sa.Index(None, "pool_id", "sub"),
    # A provider's signed LogoutRequest ends the sessions its sign-ins opened, in whatever browser.
    sa.Index("ix_hosted_sessions_saml_provider", "pool_id", "saml_provider"),
)


# SetUICustomization: CSS and logo of the hosted pages, per pool ("ALL") or per client.
ui_customizations = sa.Table(
    "ui_customizations",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("client_id", sa.String(128), primary_key=True),
    sa.Column("css", sa.Text, nullable=True),
    sa.Column("image", sa.LargeBinary, nullable=True),
    sa.Column("image_type", sa.String(32), nullable=True),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
)

# Admin console operators (not users of any pool) and their argon2id password hashes. ``failed_sign_ins``
# and ``locked_until`` are no longer read: since revision 0009 the console counts guesses in
# console_sign_in_attempts, for unknown names too. They stay because dropping a column makes SQLite copy
# the table, and dropping the old copy would cascade to every console session.
console_operators = sa.Table(
    "console_operators",
    metadata,
    sa.Column("username", sa.String(128), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False),
    sa.Column("locked_until", _time, nullable=True),
    sa.Column("last_sign_in_at", _time, nullable=True),
)

# The console's sign-in attempt counters, by the SHA-256 of what they count (a name typed at the sign-in
# page, or that name from one client address), whether or not an operator has the name. A row is dead
# from ``expires_at`` on and is deleted by the next new counter.
console_sign_in_attempts = sa.Table(
    "console_sign_in_attempts",
    metadata,
    sa.Column("counter_key", sa.String(64), primary_key=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    sa.Index(None, "expires_at"),
)

# Signed-in console browsers by the SHA-256 of their cookie value; ``last_seen_at`` drives the idle timeout.
console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column(
        "username",
        sa.String(128),
        sa.ForeignKey("console_operators.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("last_seen_at", _time, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    sa.Index(None, "expires_at"),
)

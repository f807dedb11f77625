"""The schema's tables of identity pools: the pools, their identities and the logins linked to them, and the keys
of the identity pools' OpenID tokens. tables.py imports them, so its metadata holds the whole schema."""

from __future__ import annotations

import sqlalchemy as sa

from userpool.store.sql.columns import EPOCH_SECONDS as _time
from userpool.store.sql.columns import JSON as _json
from userpool.store.sql.columns import metadata

# An identity pool (model/identity_pools.py): CreateIdentityPool's members under their wire names (``config``),
# SetIdentityPoolRoles' Roles and RoleMappings (``roles``) and its tags.
identity_pools = sa.Table(
    "identity_pools",
    metadata,
    sa.Column("id", sa.String(55), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("config", _json, nullable=False),
    sa.Column("roles", _json, nullable=False),
    sa.Column("tags", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
)

# A pool's identities, listed in id order per pool (the index); ``disabled`` once merged into another.
identities = sa.Table(
    "identities",
    metadata,
    sa.Column("id", sa.String(55), primary_key=True),
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("identity_pools.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Index(None, "pool_id", "id"),
)

# The logins linked to identities: one identity per (pool, provider, subject). The key is the SHA-256 of the
# provider and subject, since a developer user identifier may have 1,024 characters (more than an index entry
# of PostgreSQL holds); provider and subject are kept as they are, for the answers that show them.
identity_logins = sa.Table(
    "identity_logins",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("login_key", sa.String(64), primary_key=True),
    sa.Column("provider", sa.String(128), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("identity_id", sa.String(55), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Index(None, "identity_id", "provider", "login_key"),
)

# The keys of the identity pools' OpenID tokens, private keys sealed (bound to their kid): one current
# generation, and retired ones published until ``expires_at``.
identity_signing_keys = sa.Table(
    "identity_signing_keys",
    metadata,
    sa.Column("kid", sa.String(64), primary_key=True),
    sa.Column("generation", sa.Integer, nullable=False, unique=True),
    sa.Column("current", sa.Boolean, nullable=False),
    sa.Column("private_sealed", sa.Text, nullable=False),
    sa.Column("public_jwk", _json, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("retired_at", _time, nullable=True),
    sa.Column("expires_at", _time, nullable=True),
)

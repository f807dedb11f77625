"""The schema's tables of federation: identity providers and their IdpIdentifiers, the external identities
that sign users in, browser transactions toward a provider, and the SAML service provider's keys and
accepted assertions. tables.py imports them, so its metadata holds the whole schema."""

from __future__ import annotations

import sqlalchemy as sa

from userpool.store.sql.columns import EPOCH_SECONDS as _time
from userpool.store.sql.columns import JSON as _json
from userpool.store.sql.columns import byte_text as _text
from userpool.store.sql.columns import metadata

# External identity providers of a pool (CreateIdentityProvider), by ProviderName. ``details`` holds the
# ProviderDetails the operator supplied but the secrets, which are sealed together in ``secrets_sealed``
# (client_secret, Sign in with Apple's private_key); a SAML provider's encryption key is sealed too.
# ``discovered``: OIDC endpoints found by discovery; ``saml``: what its metadata says. ``version`` grows
# with every update, which is conditional on it.
identity_providers = sa.Table(
    "identity_providers",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name", _text(64), primary_key=True),
    sa.Column("provider_type", sa.String(16), nullable=False),
    sa.Column("details", _json, nullable=False),
    sa.Column("secrets_sealed", sa.Text, nullable=True),
    sa.Column("attribute_mapping", _json, nullable=False),
    sa.Column("idp_identifiers", _json, nullable=False),
    sa.Column("acr_mapping", _json, nullable=False),
    sa.Column("discovered", _json, nullable=False),
    sa.Column("saml", _json, nullable=True),
    sa.Column("encryption_certificate", sa.Text, nullable=True),
    sa.Column("encryption_key_sealed", sa.Text, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("updated_at", _time, nullable=False),
)

# IdpIdentifiers, unique within a pool across all its providers: the primary key refuses a second holder,
# however the requests race.
identity_provider_identifiers = sa.Table(
    "identity_provider_identifiers",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("identifier", _text(64), primary_key=True),
    sa.Column("provider_name", _text(64), nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "provider_name"],
        ["identity_providers.pool_id", "identity_providers.name"],
        ondelete="CASCADE",
        name="fk_identity_provider_identifiers_provider",
    ),
    sa.Index(None, "pool_id", "provider_name"),
)

# The external identities that sign a user in (model/federated_identities.py): a federated user's own, created
# by its first sign-in, and those AdminLinkProviderForUser linked to a user. Keyed by provider and subject
# (``Cognito_Subject``), or by the pool attribute a link not yet used names; unique per pool, so that two
# racing first sign-ins through one identity make one user. The user's ``identities`` attribute lists them.
federated_identities = sa.Table(
    "federated_identities",
    metadata,
    sa.Column("pool_id", sa.String(55), primary_key=True),
    sa.Column("provider_name", _text(32), primary_key=True),
    sa.Column("attribute_name", _text(64), primary_key=True),
    sa.Column("attribute_value", _text(512), primary_key=True),
    sa.Column("sub", sa.String(36), nullable=False),
    sa.Column("provider_type", sa.String(32), nullable=False),
    sa.Column("issuer", sa.String(2048), nullable=True),
    sa.Column("is_primary", sa.Boolean, nullable=False),
    sa.Column("created_at_ms", sa.BigInteger, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.ForeignKeyConstraint(
        ["pool_id", "sub"], ["users.pool_id", "users.sub"], ondelete="CASCADE", name="fk_federated_identities_user"
    ),
    sa.Index(None, "pool_id", "sub"),
)

# Sign-ins sent to an external identity provider, by the SHA-256 of the state sent with them; the PKCE
# verifier toward the provider sealed, bound to the row.
federation_transactions = sa.Table(
    "federation_transactions",
    metadata,
    sa.Column("state_hash", sa.String(64), primary_key=True),
    sa.Column("pool_id", sa.String(55), nullable=False),
    sa.Column("client_id", sa.String(128), sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider_name", _text(32), nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("response_type", sa.String(16), nullable=False),
    sa.Column("scopes", _json, nullable=False),
    sa.Column("app_state", sa.Text, nullable=True),
    sa.Column("app_nonce", sa.Text, nullable=True),
    sa.Column("code_challenge", sa.String(128), nullable=True),
    sa.Column("code_challenge_method", sa.String(8), nullable=True),
    sa.Column("nonce", sa.String(128), nullable=False),
    sa.Column("code_verifier_sealed", sa.Text, nullable=False),
    sa.Column("idp_redirect_uri", sa.Text, nullable=False),
    sa.Column("binding_hash", sa.String(64), nullable=False),
    sa.Column("created_at", _time, nullable=False),
    sa.Column("expires_at", _time, nullable=False),
    sa.Index(None, "expires_at"),
)

# A pool's SAML signing keys: the newest generation signs; one generation 1 however many first uses race.
saml_signing_keys = sa.Table(
    "saml_signing_keys",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("generation", sa.Integer, primary_key=True),
    sa.Column("certificate", sa.Text, nullable=False),
    sa.Column("private_sealed", sa.Text, nullable=False),
    sa.Column("created_at", _time, nullable=False),
)

# SAML assertions accepted, per pool and identity provider entity ID, until they expire: the primary key
# refuses a replay, on every instance sharing the database.
saml_assertions = sa.Table(
    "saml_assertions",
    metadata,
    sa.Column("pool_id", sa.String(55), sa.ForeignKey("pools.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("issuer", _text(1024), primary_key=True),
    sa.Column("assertion_id", _text(256), primary_key=True),
    sa.Column("keep_until", _time, nullable=False),
    sa.Index(None, "keep_until"),
)

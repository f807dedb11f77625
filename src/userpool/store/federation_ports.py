"""The storage port of federation (store/base.py's Tx hangs these repositories on a transaction): identity
providers, the external identities that sign users in, browser transactions toward a provider, and the SAML
service provider's keys and accepted assertions. Errors are base.py's NotFound and Conflict."""

from __future__ import annotations

from typing import Protocol

from userpool.model.federated_identities import FederatedIdentity
from userpool.model.federation_transactions import FederationTransaction
from userpool.model.identity_providers import IdentityProvider
from userpool.model.records import Page
from userpool.model.saml_service_provider import SamlSigningKey


class FederatedIdentityRepo(Protocol):
    """The external identities that sign users in, by (pool, provider, attribute name, value): unique per pool."""

    def add(self, identity: FederatedIdentity) -> None:
        """Insert the identity; Conflict("identity") when the pool has one with its key."""
        ...

    def get(
        self, pool_id: str, provider_name: str, attribute_name: str, attribute_value: str
    ) -> FederatedIdentity | None:
        """The identity with this key, compared exactly (case included)."""
        ...

    def of_user(self, pool_id: str, sub: str) -> list[FederatedIdentity]:
        """The identities that sign in as user ``sub``, oldest first."""
        ...

    def update(self, identity: FederatedIdentity) -> None:
        """Replace what is stored for the identity's key (its user, type, issuer, flags); NotFound if none."""
        ...

    def delete(self, pool_id: str, provider_name: str, attribute_name: str, attribute_value: str) -> bool:
        """True when the identity existed."""
        ...


class IdentityProviderRepo(Protocol):
    """A pool's external identity providers (model/identity_providers.py), by (pool, ProviderName), names
    compared exactly. Each IdpIdentifier belongs to at most one provider of a pool; the database holds
    both rules, so racing writes cannot break them. Secrets come back unsealed."""

    def add(self, provider: IdentityProvider) -> None:
        """Insert the provider and its IdpIdentifiers; Conflict("name") when the pool has a provider of that
        name, Conflict("identifier") when another provider holds one of its identifiers."""
        ...

    def get(self, pool_id: str, name: str) -> IdentityProvider | None: ...
    def find_by_identifier(self, pool_id: str, identifier: str) -> IdentityProvider | None:
        """The provider holding ``identifier`` among its IdpIdentifiers (exact match)."""
        ...

    def update(self, provider: IdentityProvider, expected_version: int) -> bool:
        """Replace the stored record by ``provider`` (type and creation date stay) if its version is still
        ``expected_version``; False, nothing written, when it changed or is gone meanwhile.
        Conflict("identifier") when another provider holds one of the new identifiers."""
        ...

    def delete(self, pool_id: str, name: str) -> None:
        """Delete the provider and its identifiers; NotFound when there is none."""
        ...

    def list(self, pool_id: str, limit: int, after: str | None) -> Page[IdentityProvider]:
        """The pool's providers in byte order of their names."""
        ...

    def count(self, pool_id: str) -> int: ...


class FederationTransactionRepo(Protocol):
    """Sign-ins waiting for an identity provider's answer, by the SHA-256 of the ``state`` sent to it; the
    PKCE verifier is sealed at rest."""

    def add(self, transaction: FederationTransaction) -> None:
        """Insert it; Conflict("state_hash") when that state is taken."""
        ...

    def take(self, state_hash: str) -> FederationTransaction | None:
        """Delete the transaction and return it, to one caller only: of racing callers, the others get None.
        An expired one is returned too (and so deleted); the caller compares ``expires_at``."""
        ...

    def delete_expired(self, now: float) -> None: ...


class SamlSigningKeyRepo(Protocol):
    """Each pool's SAML signing keys (the private key sealed at rest), by generation."""

    def add(self, key: SamlSigningKey) -> None:
        """Insert it; Conflict("generation") when the pool has that generation already."""
        ...

    def newest(self, pool_id: str) -> SamlSigningKey | None:
        """The pool's key of the highest generation; None before the first."""
        ...


class SamlAssertionRepo(Protocol):
    """The IDs of the SAML assertions a pool accepted, per identity provider entity ID, kept until they
    could no longer be accepted anyway: a second use of one is refused by the primary key, so two
    instances sharing the database cannot both accept it."""

    def remember(self, pool_id: str, issuer: str, assertion_id: str, keep_until: float, now: float) -> None:
        """Record a use; Conflict("assertion_id") when the ID was recorded already and is kept still."""
        ...

    def delete_expired(self, now: float) -> None: ...

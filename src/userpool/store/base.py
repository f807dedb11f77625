"""The storage port: what services may ask of a store, and the two errors it may raise.

Services open a transaction (``store.read()`` or ``store.write()``) and use the repositories hung on it.
The SQL adapter in ``store/sql`` implements these Protocols; nothing else does.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from userpool.model.codes import OneTimeCode
from userpool.model.devices import Device
from userpool.model.federated_identities import FederatedIdentity
from userpool.model.federation_transactions import FederationTransaction
from userpool.model.identity_providers import IdentityProvider
from userpool.model.oauth_records import AuthorizationCode, HostedSession, UICustomization
from userpool.model.operators import AttemptCount, Operator, OperatorSession
from userpool.model.passkeys import Passkey
from userpool.model.records import (
    AdminKey,
    Client,
    Domain,
    Group,
    NewMessage,
    OutboxEntry,
    OutboxMessage,
    Page,
    Pool,
    ResourceServer,
    User,
    UserQuery,
)
from userpool.model.saml_service_provider import SamlSigningKey
from userpool.model.token_records import (
    ChallengeSession,
    PublishedKey,
    RefreshToken,
    SignInCounters,
    SigningKey,
    SignInSession,
)
from userpool.model.user_mfa import SoftwareToken


class NotFound(Exception):
    """The row asked for does not exist."""


class Conflict(Exception):
    """A uniqueness rule of the database refused a write; ``field`` names which one."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


class PoolRepo(Protocol):
    def add(self, pool: Pool) -> None: ...
    def get(self, pool_id: str, for_update: bool = False) -> Pool | None:
        """The pool; ``for_update`` locks its row until commit, for read-modify-write of its config."""
        ...

    def update(self, pool: Pool) -> None: ...
    def delete(self, pool_id: str) -> None: ...
    def list(self, limit: int, after: str | None) -> Page[Pool]: ...


class ClientRepo(Protocol):
    def add(self, client: Client) -> None: ...
    def get(self, client_id: str) -> Client | None: ...
    def with_pool(self, client_id: str) -> tuple[Pool, Client] | None:
        """The client and its pool, read together: most requests resolve both (docs/architecture.md, Hot-path rules)."""
        ...

    def update(self, client: Client) -> None: ...
    def delete(self, client_id: str) -> None: ...
    def list(self, pool_id: str, limit: int, after: str | None) -> Page[Client]: ...
    def count(self, pool_id: str) -> int: ...


class UserRepo(Protocol):
    def add(self, user: User) -> None:
        """Insert the user, its attributes and aliases; Conflict("username") or Conflict("alias")."""
        ...

    def update(self, user: User) -> None:
        """Replace the user's row, attributes and aliases; Conflict("alias") on a taken alias."""
        ...

    def delete(self, pool_id: str, sub: str) -> None: ...

    # In a write transaction, the three reads of one user lock its row until commit (read-modify-write).
    def get_by_sub(self, pool_id: str, sub: str) -> User | None: ...
    def get_by_username(self, pool_id: str, username_norm: str) -> User | None: ...
    def find(self, pool_id: str, username_norm: str, aliases: tuple[str, ...], sub: str | None) -> User | None:
        """The user a Username parameter names: the one with ``username_norm``, else the holder of the first
        of ``aliases`` held, else the one whose sub is ``sub``. The same statements whether anyone is found
        or not, so that a name no user has takes as long to look up as a user's."""
        ...

    def alias_holder(self, pool_id: str, alias: str) -> str | None:
        """The sub of the user holding ``alias``, read without locking that user."""
        ...

    def get_many(self, pool_id: str, subs: list[str]) -> list[User]: ...
    def list(self, pool_id: str, query: UserQuery | None, limit: int, after: str | None) -> Page[User]: ...
    def count(self, pool_id: str) -> int: ...


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


class GroupRepo(Protocol):
    def add(self, group: Group) -> None: ...
    def get(self, pool_id: str, name: str) -> Group | None: ...
    def update(self, group: Group) -> None: ...
    def delete(self, pool_id: str, name: str) -> None: ...
    def list(self, pool_id: str, limit: int, after: str | None) -> Page[Group]: ...
    def count(self, pool_id: str) -> int: ...
    def add_member(self, pool_id: str, name: str, sub: str) -> None: ...
    def remove_member(self, pool_id: str, name: str, sub: str) -> None: ...
    def groups_of(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page[Group]: ...
    def count_groups_of(self, pool_id: str, sub: str) -> int: ...
    def members(self, pool_id: str, name: str, limit: int, after: str | None) -> Page[User]: ...


class DomainRepo(Protocol):
    def add(self, domain: Domain) -> None: ...
    def get(self, domain: str) -> Domain | None: ...
    def for_pool(self, pool_id: str) -> list[Domain]: ...
    def update(self, domain: Domain) -> None: ...
    def delete(self, domain: str) -> None: ...


class ResourceServerRepo(Protocol):
    def add(self, server: ResourceServer) -> None: ...
    def get(self, pool_id: str, identifier: str) -> ResourceServer | None: ...
    def update(self, server: ResourceServer) -> None: ...
    def delete(self, pool_id: str, identifier: str) -> None: ...
    def list(self, pool_id: str, limit: int, after: str | None) -> Page[ResourceServer]: ...
    def count(self, pool_id: str) -> int: ...


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


class OutboxRepo(Protocol):
    """Outgoing messages. Their text is kept sealed, and only while it is needed (store/sql/outbox.py)."""

    def add(self, message: NewMessage, now: float) -> int: ...
    def claim_due(self, now: float, limit: int, lease_seconds: float) -> list[OutboxMessage]:
        """Mark up to ``limit`` due messages as being sent (by this caller only) and return them, unsealed."""
        ...

    def mark_sent(self, message_id: int, now: float, keep_text: bool = False) -> None:
        """Record the delivery, and forget the text unless ``keep_text`` (the log sender's messages, read
        with ``userpool outbox`` until ``purge`` forgets them)."""
        ...

    def mark_failed(self, message_id: int, error: str, retry_at: float | None) -> None:
        """Retry at ``retry_at``; None gives up, and forgets the text."""
        ...

    def purge(self, texts_sent_before: float, rows_created_before: float) -> None:
        """Forget the kept text of messages sent before ``texts_sent_before``, and delete the delivered and
        failed messages queued before ``rows_created_before``."""
        ...

    def recent(self, limit: int) -> list[OutboxEntry]:
        """The newest messages, newest first, without their text (what an operator may see)."""
        ...

    def recent_texts(self, limit: int) -> list[OutboxMessage]:
        """The newest messages that still hold their text, unsealed: for ``userpool outbox`` and tests."""
        ...


class AdminKeyRepo(Protocol):
    def add(self, key: AdminKey) -> None: ...
    def get(self, access_key_id: str) -> AdminKey | None: ...
    def list(self) -> list[AdminKey]: ...
    def delete(self, access_key_id: str) -> None: ...


class CodeRepo(Protocol):
    """One-time codes: at most one live code per (pool, user, purpose)."""

    def get(self, pool_id: str, sub: str, purpose: str, for_update: bool = False) -> OneTimeCode | None:
        """The live code; ``for_update`` locks its row until commit, so that concurrent guesses are
        counted one after the other and none slips past the attempt cap."""
        ...

    def put(self, code: OneTimeCode) -> None:
        """Insert the code, or replace the one the user holds for that purpose."""
        ...

    def delete(self, pool_id: str, sub: str, purpose: str) -> None: ...


class SigningKeyRepo(Protocol):
    def add(self, keys: list[SigningKey]) -> None:
        """Insert one generation of keys; Conflict("generation") when it exists already."""
        ...

    def current_kids(self, pool_id: str) -> dict[str, str]:
        """token_use ("id" | "access") -> kid of the pool's current keys."""
        ...

    def private_pem(self, kid: str) -> str | None: ...
    def published_key(self, kid: str) -> PublishedKey | None: ...
    def published(self, pool_id: str, now: float) -> list[PublishedKey]:
        """Keys that may have signed a token still alive at ``now``, newest first."""
        ...

    def latest_generation(self, pool_id: str) -> int: ...
    def retire_current(self, pool_id: str, now: float, expires_at: float) -> None: ...
    def delete_expired(self, pool_id: str, now: float) -> None: ...


class SignInSessionRepo(Protocol):
    def add(self, session: SignInSession) -> None: ...
    def get(self, origin_jti: str) -> SignInSession | None: ...
    def revoke(self, origin_jti: str, now: float) -> None: ...
    def revoke_user(self, pool_id: str, sub: str, now: float) -> None: ...
    def extend(self, origin_jti: str, expires_at: float) -> None:
        """Move the session's expiry (a rotated refresh token lives longer than the first one)."""
        ...

    def delete_expired(self, pool_id: str, sub: str, now: float) -> None:
        """Forget the user's sessions whose refresh tokens have all expired (their refresh tokens go with them)."""
        ...


class RefreshTokenRepo(Protocol):
    def add(self, token: RefreshToken) -> None: ...
    def get(self, token_hash: str) -> RefreshToken | None: ...
    def supersede(self, token_hash: str, now: float) -> bool: ...


class AuthChallengeRepo(Protocol):
    def add(self, session: ChallengeSession) -> None: ...
    def get(self, session_hash: str) -> ChallengeSession | None: ...
    def consume(self, session_hash: str) -> bool:
        """Delete the Session; True for the single caller that did."""
        ...

    def delete_expired(self, now: float) -> None: ...


class AttemptCounterRepo(Protocol):
    """Failed sign-in counters by (pool, sub), which the lockout reads and writes."""

    def get(self, pool_id: str, sub: str, for_update: bool = False) -> SignInCounters | None:
        """The counters, None if none are kept; ``for_update`` locks them until commit (read-modify-write)."""
        ...

    def set_attempts(self, pool_id: str, sub: str, counters: SignInCounters) -> None: ...


class SignInCounterRepo(AttemptCounterRepo, Protocol):
    """A user's counters, and when it last signed out everywhere."""

    def sign_out(self, pool_id: str, sub: str, now: float) -> None: ...


class StandInRepo(Protocol):
    """What a user would have, kept for a name no user has (services/users/steps/stand_ins.py), by the name's stand-in
    sub: its lockout counter and its codes; and the challenges simulated for such names. No user row backs
    them."""

    @property
    def counters(self) -> AttemptCounterRepo: ...
    @property
    def codes(self) -> CodeRepo: ...
    def add_session(self, pool_id: str, session_hash: str, record: dict[str, Any], expires_at: float) -> None:
        """Write down a challenge simulated for such a name, by the SHA-256 of its Session (or SECRET_BLOCK),
        as a real one is (AuthChallengeRepo.add), until it expires."""
        ...

    def session(self, pool_id: str, session_hash: str, now: float) -> dict[str, Any] | None:
        """The record of a simulated challenge not yet expired at ``now``."""
        ...

    def consume_session(self, pool_id: str, session_hash: str) -> bool:
        """Forget a simulated challenge; True for the single caller that did."""
        ...

    def delete_expired(self, now: float) -> None:
        """Forget every record that could no longer change an answer."""
        ...


class DeviceRepo(Protocol):
    def add(self, device: Device) -> None: ...
    def get(self, pool_id: str, sub: str, device_key: str, for_update: bool = False) -> Device | None: ...
    def update(self, device: Device) -> None: ...
    def delete(self, pool_id: str, sub: str, device_key: str) -> bool:
        """True when the device existed."""
        ...

    def list_confirmed(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page[Device]: ...


class WebAuthnCredentialRepo(Protocol):
    """Each user's passkeys (model/passkeys.py): a credential id is unique in a pool (Conflict("credential_id")
    for a second one), listed per user in credential-id order. ``record_use`` is a conditional write: of
    several sign-ins presenting the same counter, one advances it."""

    def add(self, passkey: Passkey) -> None: ...
    def get(self, pool_id: str, credential_id: bytes) -> Passkey | None: ...
    def of_user(self, pool_id: str, sub: str, limit: int, after: bytes | None) -> Page[Passkey]:
        """A page of the user's passkeys after the credential id ``after``; the cursor is the last id, base64url."""
        ...

    def count(self, pool_id: str, sub: str) -> int: ...
    def delete(self, pool_id: str, sub: str, credential_id: bytes) -> bool:
        """True when the user had that passkey."""
        ...

    def record_use(self, passkey: Passkey, sign_count: int, now: float) -> bool:
        """Set the signature counter to ``sign_count`` if it is still ``passkey.sign_count``; False otherwise."""
        ...


class PasswordHistoryRepo(Protocol):
    """The hashes of each user's previous passwords (never the current one, which is the user's own)."""

    def recent(self, pool_id: str, sub: str, limit: int) -> list[str]:
        """The newest ``limit`` hashes, newest first."""
        ...

    def record(self, pool_id: str, sub: str, password_hash: str | None, replaced_at: float, keep: int) -> None:
        """Add ``password_hash`` (the password just replaced; None for none) as the newest entry, then keep only
        the newest ``keep`` entries (none for ``keep`` 0)."""
        ...


class SoftwareTokenRepo(Protocol):
    """Each user's TOTP authenticator: at most one row per (pool, user), secrets sealed at rest.

    ``promote`` and ``accept_step`` are conditional writes: each succeeds for exactly one of several
    concurrent callers holding the same ``token``, which is what keeps a TOTP code from being used twice.
    """

    def get(self, pool_id: str, sub: str) -> SoftwareToken | None: ...
    def associate(self, pool_id: str, sub: str, secret: str, now: float) -> None:
        """Make ``secret`` the pending secret (replacing any earlier pending one); a verified secret stays."""
        ...

    def promote(self, token: SoftwareToken, step: int, friendly_name: str | None, now: float) -> bool:
        """Make ``token``'s pending secret the verified one, with ``step`` accepted; False (nothing written)
        when the row changed since ``token`` was read."""
        ...

    def accept_step(self, token: SoftwareToken, step: int, now: float) -> bool:
        """Record ``step`` as the last accepted step of the verified secret; False (nothing written) when the
        row changed since ``token`` was read or a step at or after ``step`` was accepted meanwhile."""
        ...


class AuthorizationCodeRepo(Protocol):
    """Authorization codes of /oauth2/authorize by the SHA-256 of their value."""

    def add(self, code: AuthorizationCode) -> None: ...
    def get(self, code_hash: str) -> AuthorizationCode | None: ...
    def redeem(self, code_hash: str, now: float, origin_jti: str) -> bool:
        """Mark the code used by the sign-in ``origin_jti``; True for the single caller that did."""
        ...

    def burn(self, code_hash: str, now: float) -> None:
        """Mark the code used by a refused attempt: no sign-in came of it, and none will."""
        ...

    def delete_expired(self, before: float) -> None: ...


class HostedSessionRepo(Protocol):
    """The hosted pages' sign-in sessions by the SHA-256 of their cookie value."""

    def add(self, session: HostedSession) -> None: ...
    def get(self, session_hash: str) -> HostedSession | None: ...
    def delete(self, session_hash: str) -> None: ...
    def delete_expired(self, now: float) -> None: ...
    def delete_saml(self, pool_id: str, provider_name: str, name_id: str, session_indexes: tuple[str, ...]) -> int:
        """Delete the sessions of ``pool_id`` that a sign-in through ``provider_name`` opened for the NameID
        value ``name_id`` (and, when ``session_indexes`` lists any, with one of those SessionIndexes, as a
        SAML LogoutRequest names them); how many there were."""
        ...


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


class UICustomizationRepo(Protocol):
    def put(self, customization: UICustomization) -> None:
        """Insert or replace the customization of (pool, client)."""
        ...

    def get(self, pool_id: str, client_id: str) -> UICustomization | None: ...


class OperatorRepo(Protocol):
    """Admin console operators by username."""

    def add(self, operator: Operator) -> None:
        """Insert the operator; Conflict("username") when the name is taken."""
        ...

    def get(self, username: str, for_update: bool = False) -> Operator | None: ...
    def list(self) -> list[Operator]: ...
    def update(self, operator: Operator) -> None: ...
    def delete(self, username: str) -> None:
        """Remove the operator and its sessions; NotFound when there is none."""
        ...


class OperatorSessionRepo(Protocol):
    """Signed-in console browsers by the SHA-256 of their cookie value."""

    def add(self, session: OperatorSession) -> None: ...
    def get(self, session_hash: str) -> OperatorSession | None: ...
    def touch(self, session_hash: str, now: float) -> None: ...
    def delete(self, session_hash: str) -> None: ...
    def delete_expired(self, now: float, idle_before: float) -> None:
        """Forget sessions past their lifetime or unused since ``idle_before``."""
        ...


class ConsoleAttemptRepo(Protocol):
    """The console's sign-in attempt counters, by key (a digest of what they count)."""

    def take(self, key: str, limit: int, now: float, period: float, max_keys: int) -> bool:
        """Count one attempt against ``key`` and keep the count until ``now + period``; False, with nothing
        written, when the count already holds ``limit`` attempts. Exact when callers race. A new key first
        deletes the dead counters, then the ones nearest their end while more than ``max_keys`` live."""
        ...

    def give_back(self, key: str, now: float) -> None:
        """Take one attempt off a live count (an attempt that turned out right)."""
        ...

    def forget(self, key: str) -> None: ...
    def get(self, key: str, now: float) -> AttemptCount | None:
        """The live count of ``key``; None when there is none or it has ended."""
        ...


class Tx(Protocol):
    """One database transaction and the repositories that work inside it."""

    def rolled_back(self) -> AbstractContextManager[None]:
        """Writes made in the block are undone when it ends (a savepoint rolled back): what such a write
        costs, without its effect."""
        ...

    @property
    def pools(self) -> PoolRepo: ...
    @property
    def clients(self) -> ClientRepo: ...
    @property
    def users(self) -> UserRepo: ...
    @property
    def groups(self) -> GroupRepo: ...
    @property
    def federated_identities(self) -> FederatedIdentityRepo: ...
    @property
    def domains(self) -> DomainRepo: ...
    @property
    def resource_servers(self) -> ResourceServerRepo: ...
    @property
    def identity_providers(self) -> IdentityProviderRepo: ...
    @property
    def outbox(self) -> OutboxRepo: ...
    @property
    def admin_keys(self) -> AdminKeyRepo: ...
    @property
    def codes(self) -> CodeRepo: ...
    @property
    def signing_keys(self) -> SigningKeyRepo: ...
    @property
    def sign_in_sessions(self) -> SignInSessionRepo: ...
    @property
    def refresh_tokens(self) -> RefreshTokenRepo: ...
    @property
    def auth_challenges(self) -> AuthChallengeRepo: ...
    @property
    def sign_in_counters(self) -> SignInCounterRepo: ...
    @property
    def stand_ins(self) -> StandInRepo: ...
    @property
    def devices(self) -> DeviceRepo: ...
    @property
    def software_tokens(self) -> SoftwareTokenRepo: ...
    @property
    def webauthn_credentials(self) -> WebAuthnCredentialRepo: ...
    @property
    def password_history(self) -> PasswordHistoryRepo: ...
    @property
    def authorization_codes(self) -> AuthorizationCodeRepo: ...
    @property
    def hosted_sessions(self) -> HostedSessionRepo: ...
    @property
    def federation_transactions(self) -> FederationTransactionRepo: ...
    @property
    def saml_signing_keys(self) -> SamlSigningKeyRepo: ...
    @property
    def saml_assertions(self) -> SamlAssertionRepo: ...
    @property
    def ui_customizations(self) -> UICustomizationRepo: ...
    @property
    def operators(self) -> OperatorRepo: ...
    @property
    def operator_sessions(self) -> OperatorSessionRepo: ...
    @property
    def console_attempts(self) -> ConsoleAttemptRepo: ...


class Store(Protocol):
    def read(self) -> AbstractContextManager[Tx]:
        """A transaction for reads only."""
        ...

    def write(self) -> AbstractContextManager[Tx]:
        """A write transaction: committed on normal exit, rolled back on any exception."""
        ...

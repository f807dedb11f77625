"""Linking a user to identities from external providers, and taking them away: AdminLinkProviderForUser,
AdminDisableProviderForUser (their API references; Cognito developer guide: 'Linking federated users to an existing
user profile').

A user is named ``{ProviderName, ProviderAttributeName, ProviderAttributeValue}``: ``Cognito`` and a username for
the pool's own users, else an IdP record's name and the identity's subject (``Cognito_Subject``) or, for a SAML
or OIDC provider, a pool attribute its AttributeMapping fills and the value it will carry. Subjects keep the
provider's case. Only an identity that has not signed in yet may be linked, to one user, at most five per user;
a sign-in through it is then that user's. UserPoolId is an unconstrained string here: one no pool has is a
ResourceNotFoundException, whatever its form.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from userpool.context import Ctx
from userpool.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from userpool.model.attribute_mapping import SUBJECT_KEY
from userpool.model.federated_identities import (
    COGNITO_PROVIDER,
    COGNITO_SUBJECT,
    MAX_IDENTITY_VALUE,
    MAX_LINKED_IDENTITIES,
    SOCIAL_TYPES,
    FederatedIdentity,
)
from userpool.model.records import Pool, User
from userpool.services.federation.steps.identity_records import with_identities
from userpool.services.lookup.records import find_user, pool_or_404
from userpool.services.tokens.revocation import sign_out_user
from userpool.store.base import Conflict, Tx

NOT_SIGNED_IN_YET = "Merging is not currently supported, provide a SourceUser that has not been used to sign in"
NO_SUCH_USER = "User does not exist."


@dataclass(frozen=True, slots=True)
class _Named:
    """A ProviderUserIdentifierType as given."""

    provider: str
    attribute: str
    value: str


@dataclass(frozen=True, slots=True)
class _Provider:
    """What linking needs of an IdP record: its type and the pool attributes its AttributeMapping fills."""

    type: str
    mapped: frozenset[str]
    issuer: str | None


def _named(req: dict[str, Any], member: str, *, attribute_required: bool) -> _Named:
    given = req.get(member) or {}
    provider, attribute = given.get("ProviderName"), given.get("ProviderAttributeName")
    value = given.get("ProviderAttributeValue")
    if not provider or not value or (attribute_required and not attribute):
        raise InvalidParameterException(
            f"{member} requires ProviderName, ProviderAttributeName and ProviderAttributeValue."
            if attribute_required
            else f"{member} requires ProviderName and ProviderAttributeValue."
        )
    if any("\x00" in str(part) for part in (provider, attribute or "", value)):
        raise InvalidParameterException(f"{member} holds a NUL character.")
    return _Named(str(provider), str(attribute or ""), str(value))


def _pool(tx: Tx, pool_id: str) -> Pool:
    if "\x00" in pool_id:  # a text no database key can hold, so no pool's
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool_or_404(tx, pool_id)


def _provider(tx: Tx, pool: Pool, name: str) -> _Provider:
    """The IdP record ``name`` of the pool (compared exactly), as linking sees it; InvalidParameterException when
    the pool has none ("The value of ProviderName must match the name of a user pool IdP")."""
    record = tx.identity_providers.get(pool.id, name)
    if record is None:
        raise InvalidParameterException(f"The provider {name} does not exist for User Pool {pool.id}")
    mapped = frozenset(record.attribute_mapping) - {SUBJECT_KEY}
    return _Provider(record.provider_type, mapped, record.saml.entity_id if record.saml is not None else None)


def _destination(tx: Tx, pool: Pool, named: _Named) -> User:
    """DestinationUser: a user of the pool by username, or a federated user by its provider and subject."""
    if named.provider == COGNITO_PROVIDER:
        user = find_user(tx, pool, named.value)
    else:
        identity = tx.federated_identities.get(pool.id, named.provider, COGNITO_SUBJECT, named.value)
        user = None if identity is None else tx.users.get_by_sub(pool.id, identity.sub)
    if user is None:
        raise UserNotFoundException(NO_SUCH_USER)
    return user


def _check_source(provider: _Provider, source: _Named) -> None:
    if source.attribute != COGNITO_SUBJECT:
        if provider.type in SOCIAL_TYPES:
            raise InvalidParameterException(
                f"ProviderAttributeName must be {COGNITO_SUBJECT} for a {provider.type} identity."
            )
        if source.attribute not in provider.mapped:
            raise InvalidParameterException(
                f"ProviderAttributeName must be {COGNITO_SUBJECT} or a user pool attribute mapped from "
                f"{source.provider}; {source.attribute} is not."
            )
    if len(source.value) > MAX_IDENTITY_VALUE:
        raise InvalidParameterException(f"ProviderAttributeValue must be at most {MAX_IDENTITY_VALUE} characters.")


def _link(tx: Tx, pool: Pool, destination: User, source: _Named, provider: _Provider, now: float) -> None:
    existing = tx.federated_identities.get(pool.id, source.provider, source.attribute, source.value)
    if existing is not None:
        if existing.primary:
            raise InvalidParameterException(NOT_SIGNED_IN_YET)
        if existing.sub == destination.sub:
            return  # linked already, to this very user
        raise InvalidParameterException("The SourceUser is already linked to another user.")
    linked = [i for i in tx.federated_identities.of_user(pool.id, destination.sub) if not i.primary]
    if len(linked) >= MAX_LINKED_IDENTITIES:
        raise LimitExceededException(f"A user can be linked to at most {MAX_LINKED_IDENTITIES} identities.")
    identity = FederatedIdentity(
        pool_id=pool.id,
        provider_name=source.provider,
        attribute_name=source.attribute,
        attribute_value=source.value,
        sub=destination.sub,
        provider_type=provider.type,
        issuer=provider.issuer,
        primary=False,
        created_at_ms=int(now * 1000),
    )
    try:
        tx.federated_identities.add(identity)
    except Conflict:
        raise InvalidParameterException("The SourceUser is already linked to another user.") from None
    tx.users.update(with_identities(tx, replace(destination, updated_at=now)))


def admin_link_provider_for_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Link an external identity that has not signed in yet to a user: AdminLinkProviderForUser."""
    destination_named = _named(req, "DestinationUser", attribute_required=False)
    source = _named(req, "SourceUser", attribute_required=True)
    with ctx.store.write() as tx:
        pool = _pool(tx, req["UserPoolId"])
        destination = _destination(tx, pool, destination_named)
        if source.provider == COGNITO_PROVIDER:
            raise InvalidParameterException(
                "A user of the user pool cannot be a SourceUser; name a federated identity."
            )
        provider = _provider(tx, pool, source.provider)
        _check_source(provider, source)
        _link(tx, pool, destination, source, provider, ctx.now)
    return {}


def _disable_password(tx: Tx, pool: Pool, named: _Named, now: float) -> None:
    if named.attribute != COGNITO_SUBJECT:
        raise InvalidParameterException(f"ProviderAttributeName must be {COGNITO_SUBJECT} for a user of the user pool.")
    user = find_user(tx, pool, named.value)
    if user is None:
        raise UserNotFoundException(NO_SUCH_USER)
    if not user.password_sign_in_disabled:
        tx.users.update(replace(user, password_sign_in_disabled=True, updated_at=now))


def admin_disable_provider_for_user(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Stop a user signing in with an identity: AdminDisableProviderForUser. ``Cognito``: the user's password no
    longer signs it in. A linked identity: the link is removed (its next sign-in makes a federated user of
    its own). A federated user's own identity: sign-in through it is refused from now on, and the user's
    sessions end."""
    named = _named(req, "User", attribute_required=True)
    with ctx.store.write() as tx:
        pool = _pool(tx, req["UserPoolId"])
        if named.provider == COGNITO_PROVIDER:
            _disable_password(tx, pool, named, ctx.now)
            return {}
        _provider(tx, pool, named.provider)
        identity = tx.federated_identities.get(pool.id, named.provider, named.attribute, named.value)
        if identity is None:
            raise UserNotFoundException(NO_SUCH_USER)
        if identity.primary:
            if not identity.disabled:
                tx.federated_identities.update(replace(identity, disabled=True))
                # The provider was the user's only way in: what it signed in ends too, refresh tokens included.
                sign_out_user(tx, pool.id, identity.sub, ctx.now)
            return {}
        tx.federated_identities.delete(
            pool.id, identity.provider_name, identity.attribute_name, identity.attribute_value
        )
        user = tx.users.get_by_sub(pool.id, identity.sub)
        if user is not None:
            tx.users.update(with_identities(tx, replace(user, updated_at=ctx.now)))
    return {}

"""A sign-in through an identity the pool knows: its federated user, or the user it was linked to
(Cognito developer guide: 'Adding user pool sign-in through a third party'; 'Linking federated users to an existing
user profile').

A disabled user, or an identity AdminDisableProviderForUser disabled, is refused. Otherwise PreAuthentication
runs, every mapped attribute the provider sent is written again, and PostAuthentication follows; neither runs
inside the write transaction. A link made by a mapped attribute (SAML) becomes a link to the provider's subject
at its first use, as AdminDisableProviderForUser then names it by ``Cognito_Subject`` and the NameID.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from userpool.context import Ctx
from userpool.errors import NotAuthorizedException, UserNotFoundException
from userpool.model.attribute_mapping import later_sign_in_attributes
from userpool.model.attributes import aliases_for
from userpool.model.client_config import write_attributes
from userpool.model.federated_identities import COGNITO_SUBJECT, MAX_IDENTITY_VALUE, FederatedIdentity
from userpool.model.records import User
from userpool.model.vocabulary import UserStatus
from userpool.services.federation.steps.federated_calls import FederatedCall
from userpool.services.federation.steps.identity_records import join_provider_group, with_identities
from userpool.services.users.admin_attributes import claim_aliases
from userpool.store.base import Tx
from userpool.triggers.sign_in import post_authentication, pre_authentication

DISABLED = "User is disabled."


@dataclass(frozen=True, slots=True)
class SignedInAs:
    """The stored identity a sign-in is, and the user it signs in as."""

    identity: FederatedIdentity
    user: User


def find_signed_in_as(tx: Tx, call: FederatedCall) -> SignedInAs | None:
    """The identity of this sign-in, by the provider's subject, else a link by one of the attributes it maps,
    with its user; None for an identity the pool has never seen (a first sign-in)."""
    pool_id, provider = call.pool.id, call.provider.name
    identity = tx.federated_identities.get(pool_id, provider, COGNITO_SUBJECT, call.subject)
    for attribute, value in sorted(call.attributes.items()):
        if identity is not None:
            break
        if len(value) <= MAX_IDENTITY_VALUE:
            identity = tx.federated_identities.get(pool_id, provider, attribute, value)
    if identity is None:
        return None
    user = tx.users.get_by_sub(pool_id, identity.sub)
    return None if user is None else SignedInAs(identity, user)


def _settle(tx: Tx, call: FederatedCall, identity: FederatedIdentity) -> None:
    """Record what this sign-in learnt of the identity: its subject (for a link by attribute), type and issuer."""
    learnt = replace(identity, provider_type=call.provider.type, issuer=call.provider.issuer)
    if not identity.by_subject:
        tx.federated_identities.delete(
            identity.pool_id, identity.provider_name, identity.attribute_name, identity.attribute_value
        )
        tx.federated_identities.add(replace(learnt, attribute_name=COGNITO_SUBJECT, attribute_value=call.subject))
    elif learnt != identity:
        tx.federated_identities.update(learnt)


def _refuse_disabled(identity: FederatedIdentity, user: User) -> None:
    if identity.disabled or not user.enabled:
        raise NotAuthorizedException(DISABLED)


def returning_sign_in(ctx: Ctx, call: FederatedCall, found: SignedInAs) -> User:
    """Sign ``found``'s user in: PreAuthentication, the mapped attributes written, PostAuthentication."""
    pool, client = call.pool, call.client
    _refuse_disabled(found.identity, found.user)
    pre_authentication(
        ctx.triggers,
        pool,
        found.user,
        found.user.username,
        client_id=client.id,
        hides_users=False,
        validation_data=None,
    )
    key = (found.identity.pool_id, found.identity.provider_name)
    with ctx.store.write() as tx:
        current = tx.users.get_by_sub(pool.id, found.user.sub)
        identity = tx.federated_identities.get(*key, found.identity.attribute_name, found.identity.attribute_value)
        if current is None or identity is None or identity.sub != current.sub:
            raise UserNotFoundException("User does not exist.")
        _refuse_disabled(identity, current)
        _settle(tx, call, identity)
        attributes = later_sign_in_attributes(pool, current.attributes, call.attributes, write_attributes(client))
        # A federated user signs in through its provider only, and holds no alias; a linked user keeps its own.
        federated = current.status == UserStatus.EXTERNAL_PROVIDER
        aliases = current.aliases if federated else aliases_for(pool, attributes)
        updated = with_identities(tx, replace(current, attributes=attributes, aliases=aliases, updated_at=ctx.now))
        claim_aliases(tx, pool, updated, force=False, now=ctx.now, creating=False)
        tx.users.update(updated)
        if identity.primary:
            join_provider_group(tx, pool.id, call.provider.name, updated.sub, ctx.now)
    post_authentication(ctx.triggers, pool, updated, client_id=client.id, new_device_used=False, client_metadata=None)
    return updated

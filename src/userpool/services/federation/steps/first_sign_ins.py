"""The first sign-in through an identity: the federated user it creates (Cognito developer guide: 'Adding user pool
sign-in through a third party'; 'Pre sign-up Lambda trigger', PreSignUp_ExternalProvider; 'Post confirmation Lambda
trigger').

The user is ``<ProviderName>_<subject>`` (lower-cased in a case-insensitive pool), with a fresh sub, status
EXTERNAL_PROVIDER, no password, the mapped attributes and ``identities``; it joins the group
``<UserPoolId>_<ProviderName>``. Required attributes missing refuse the sign-in before PreSignUp. PreSignUp
may link the identity to an existing user (AdminLinkProviderForUser): the sign-in is then that user's, where
AWS fails it with "Already found an entry for username". PostConfirmation follows the commit.

Two first sign-ins through one identity at once make one user: the identity is unique in the database, and the
one that loses the race signs in as the user the other made.
"""

from __future__ import annotations

from dataclasses import replace

from userpool.context import Ctx
from userpool.errors import InvalidParameterException, NotAuthorizedException, UsernameExistsException
from userpool.model.attribute_mapping import first_sign_in_attributes
from userpool.model.client_config import write_attributes
from userpool.model.federated_identities import (
    COGNITO_SUBJECT,
    IDENTITIES,
    FederatedIdentity,
    federated_username,
    identities_attribute,
)
from userpool.model.pool_config import admin_create_user_only
from userpool.model.records import User
from userpool.model.vocabulary import UserStatus
from userpool.services.federation.steps.federated_calls import FederatedCall
from userpool.services.federation.steps.identity_records import join_provider_group
from userpool.services.federation.steps.returning_users import find_signed_in_as, returning_sign_in
from userpool.services.users.admin_attributes import USER_EXISTS
from userpool.services.users.steps.new_users import new_user
from userpool.store.base import Conflict
from userpool.triggers.sign_up import post_confirmation, pre_sign_up
from userpool.triggers.sources import Source

# UsernameType: at most 128 characters, the provider's name and "_" included.
MAX_USERNAME = 128
# Write attempts: one more than a race with a concurrent first sign-in needs.
_ATTEMPTS = 3


def _new_federated_user(ctx: Ctx, call: FederatedCall) -> User:
    pool = call.pool
    if admin_create_user_only(pool):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    username = federated_username(pool, call.provider.name, call.subject)
    if len(username) > MAX_USERNAME:
        raise InvalidParameterException(f"The username {call.provider.name}_<subject> is longer than {MAX_USERNAME}.")
    attributes = first_sign_in_attributes(pool, call.attributes, write_attributes(call.client))
    user = new_user(pool, username, None, attributes, UserStatus.EXTERNAL_PROVIDER, ctx.now)
    # A federated user signs in through its provider only: it holds no alias, whatever its email.
    return replace(user, aliases=())


def _stored(ctx: Ctx, call: FederatedCall, user: User, identity: FederatedIdentity) -> User | None:
    """Write the new user, its identity and its group membership; None when the identity (or the username) is
    taken meanwhile."""
    key = (identity.pool_id, identity.provider_name, identity.attribute_name, identity.attribute_value)
    stored = replace(user, attributes={**user.attributes, IDENTITIES: identities_attribute([identity])})
    for _ in range(_ATTEMPTS):
        try:
            with ctx.store.write() as tx:
                if tx.federated_identities.get(*key) is not None:
                    return None
                if tx.users.get_by_username(user.pool_id, user.username_norm) is not None:
                    return None
                tx.users.add(stored)
                tx.federated_identities.add(identity)
                join_provider_group(tx, user.pool_id, identity.provider_name, user.sub, ctx.now)
            return stored
        except Conflict:
            continue  # a concurrent sign-in wrote the identity, the username or the group first: look again
    return None


def first_sign_in(ctx: Ctx, call: FederatedCall) -> User:
    """Create the federated user of ``call``'s identity (or sign in as the user PreSignUp linked it to)."""
    pool = call.pool
    user = _new_federated_user(ctx, call)
    decision = pre_sign_up(
        ctx.triggers,
        pool,
        user,
        Source.PRE_SIGN_UP_EXTERNAL_PROVIDER,
        client_id=call.client.id,
        validation_data=None,
        client_metadata=None,
    )
    user = replace(decision.applied(pool, user, may_confirm=False), aliases=())
    with ctx.store.read() as tx:
        linked = find_signed_in_as(tx, call)
    if linked is not None:
        return returning_sign_in(ctx, call, linked)
    identity = FederatedIdentity(
        pool_id=pool.id,
        provider_name=call.provider.name,
        attribute_name=COGNITO_SUBJECT,
        attribute_value=call.subject,
        sub=user.sub,
        provider_type=call.provider.type,
        issuer=call.provider.issuer,
        primary=True,
        created_at_ms=int(ctx.now * 1000),
    )
    created = _stored(ctx, call, user, identity)
    if created is None:
        with ctx.store.read() as tx:
            found = find_signed_in_as(tx, call)
        if found is None:
            # The name <ProviderName>_<subject> belongs to a user of the pool's own.
            raise UsernameExistsException(USER_EXISTS)
        return returning_sign_in(ctx, call, found)
    post_confirmation(
        ctx.triggers,
        pool,
        created,
        Source.POST_CONFIRMATION_CONFIRM_SIGN_UP,
        client_id=call.client.id,
        client_metadata=None,
    )
    return created

"""What the hosted pages' passkey screens ask of the user pool, for the user of the browser's hosted session:
the offer to add a passkey after a password sign-in, registering one (the ceremonies of
StartWebAuthnRegistration and CompleteWebAuthnRegistration), and listing and removing the user's passkeys
(Cognito developer guide: 'Passkey sign-in', 'User pool managed login').
"""

from __future__ import annotations

import json
from typing import Any

from userpool.context import Ctx
from userpool.crypto.passkey_ceremonies import CeremonyRefused, base64url_decode, base64url_encode
from userpool.errors import InvalidParameterException
from userpool.model.client_config import effective_auth_flows
from userpool.model.first_factors import allowed_factors
from userpool.model.passkeys import MAX_PASSKEYS_PER_USER, credential_description, relying_party
from userpool.model.records import Client, Pool, User
from userpool.model.vocabulary import ChallengeName, ExplicitAuthFlow
from userpool.services.directory.domains import pool_domain_host
from userpool.services.users.steps.passkeys import BAD_CREDENTIAL, complete_registration, start_registration

_MAX_CREDENTIAL = 16_384


def choice_based(client: Client) -> bool:
    """Whether the client's managed login offers choice-based sign-in (passkeys, one-time codes): it allows
    ALLOW_USER_AUTH (Cognito developer guide: 'Configure authentication methods for managed login')."""
    return ExplicitAuthFlow.ALLOW_USER_AUTH in effective_auth_flows(client.config)


def passkeys_enabled(ctx: Ctx, pool: Pool, client: Client) -> bool:
    """Whether the pool allows passkeys as a first factor and has a relying party to register them for, and
    the client signs in with them."""
    if ChallengeName.WEB_AUTHN not in allowed_factors(pool) or not choice_based(client):
        return False
    with ctx.store.read() as tx:
        return relying_party(pool, pool_domain_host(ctx, tx, pool.id)) is not None


def offer_due(ctx: Ctx, pool: Pool, client: Client, user: User) -> bool:
    """Whether the page after a password sign-in offers to add a passkey: the pool and client allow them and
    the user has none yet (as managed login does)."""
    if not passkeys_enabled(ctx, pool, client):
        return False
    with ctx.store.read() as tx:
        return tx.webauthn_credentials.count(pool.id, user.sub) == 0


def creation_options(ctx: Ctx, pool: Pool, client_id: str, user: User) -> dict[str, Any]:
    """StartWebAuthnRegistration's CredentialCreationOptions for the session's user."""
    return start_registration(ctx, pool, client_id, user)


def add_passkey(ctx: Ctx, pool: Pool, client_id: str, user: User, credential_json: str) -> None:
    """CompleteWebAuthnRegistration for the session's user with the browser's RegistrationResponseJSON."""
    try:
        credential = json.loads(credential_json) if len(credential_json) <= _MAX_CREDENTIAL else None
    except (ValueError, RecursionError):
        credential = None
    if not isinstance(credential, dict):
        raise InvalidParameterException(BAD_CREDENTIAL)
    complete_registration(ctx, pool, client_id, user, credential)


def passkeys_of(ctx: Ctx, pool: Pool, user: User) -> list[dict[str, Any]]:
    """The user's passkeys as ListWebAuthnCredentials describes them (every one: a user has at most 20)."""
    with ctx.store.read() as tx:
        found = tx.webauthn_credentials.of_user(pool.id, user.sub, MAX_PASSKEYS_PER_USER, None).items
    return [credential_description(p, base64url_encode(p.credential_id)) for p in found]


def remove_passkey(ctx: Ctx, pool: Pool, user: User, credential_id: str) -> bool:
    """DeleteWebAuthnCredential for the session's user; False when it has no such passkey."""
    try:
        raw = base64url_decode(credential_id)
    except CeremonyRefused:
        return False
    with ctx.store.write() as tx:
        return bool(raw) and tx.webauthn_credentials.delete(pool.id, user.sub, raw)

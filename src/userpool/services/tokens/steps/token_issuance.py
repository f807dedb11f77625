"""Issuing tokens with the triggers around them: PreTokenGeneration before they are signed, and, at the end of a
sign-in, PostAuthentication after (Cognito developer guide: 'Pre token generation Lambda trigger', 'Post authentication
Lambda trigger').

Every function here runs after the sign-in or refresh committed and outside any transaction (docs/architecture.md,
Storage): a function may take seconds and may call this server back. The ``source`` says what fired the trigger:
TokenGeneration_Authentication, _NewPasswordChallenge, _AuthenticateDevice (the API's sign-ins), _HostedAuth (tokens the
OAuth endpoints issue for a hosted-page sign-in), _RefreshTokens (every refresh).

A sign-in whose tokens are never handed out leaves no usable session behind: when PreTokenGeneration or
PostAuthentication fails, the session it started is revoked and a device it began tracking forgotten. The
caller gets the function's error instead of the tokens (Cognito fails the sign-in response when PostAuthentication
fails).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from userpool.context import Ctx
from userpool.errors import CognitoError
from userpool.model.claim_overrides import ClaimOverrides
from userpool.model.claims import SIGN_IN_SCOPE
from userpool.model.records import Client, Pool, User
from userpool.services.tokens.steps.tokens import Grant, OAuthIssue, authentication_result
from userpool.triggers.pre_token_generation import pre_token_generation
from userpool.triggers.sign_in import post_authentication
from userpool.triggers.sources import Source


def claim_overrides(
    ctx: Ctx, grant: Grant, source: Source, client_metadata: Mapping[str, Any] | None = None
) -> ClaimOverrides | None:
    """What the pool's PreTokenGeneration function changes in ``grant``'s tokens (None: nothing). The
    ``scopes`` it is shown are those the access token would carry: the OAuth grant's, else the API's."""
    return pre_token_generation(
        ctx.triggers,
        grant.pool,
        grant.user,
        grant.groups,
        source,
        client_id=grant.client.id,
        scopes=grant.session.scopes or (SIGN_IN_SCOPE,),
        client_metadata=client_metadata,
    )


def abandon(ctx: Ctx, grant: Grant) -> None:
    """Undo the session (and new device) of a sign-in whose tokens will not be handed out."""
    with ctx.store.write() as tx:
        tx.sign_in_sessions.revoke(grant.session.origin_jti, ctx.now)
        if grant.new_device is not None:
            tx.devices.delete(grant.pool.id, grant.user.sub, grant.new_device[0])


def issue_tokens(
    ctx: Ctx,
    grant: Grant,
    source: Source,
    *,
    client_metadata: Mapping[str, Any] | None = None,
    oauth: OAuthIssue | None = None,
) -> dict[str, Any]:
    """AuthenticationResultType for ``grant``, as the pool's PreTokenGeneration function shapes it.

    The OAuth endpoints call it with TokenGeneration_HostedAuth for a code or implicit grant (with their
    ``oauth`` issue) and TokenGeneration_RefreshTokens for a refresh. If the function fails, a sign-in's
    new session is abandoned (a refresh's session stays: the user is still signed in) and the error raised.
    """
    try:
        overrides = claim_overrides(ctx, grant, source, client_metadata)
    except CognitoError:
        if source is not Source.TOKEN_GENERATION_REFRESH_TOKENS:
            abandon(ctx, grant)
        raise
    return authentication_result(ctx, grant, oauth, overrides)


def sign_in_tokens(
    ctx: Ctx, grant: Grant, source: Source, client_metadata: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The end of an API sign-in: PreTokenGeneration, the tokens, then PostAuthentication, whose failure
    fails the response (and abandons the session: the tokens are never seen)."""
    result = issue_tokens(ctx, grant, source, client_metadata=client_metadata)
    try:
        post_authentication(
            ctx.triggers,
            grant.pool,
            grant.user,
            client_id=grant.client.id,
            new_device_used=grant.new_device is not None,
            client_metadata=client_metadata,
        )
    except CognitoError:
        abandon(ctx, grant)
        raise
    return result


def hosted_post_authentication(ctx: Ctx, pool: Pool, client: Client, user: User) -> None:
    """PostAuthentication for a sign-in on the hosted pages, once every factor is proven and before the
    application gets its code; a failure is shown on the page and the sign-in goes no further."""
    post_authentication(ctx.triggers, pool, user, client_id=client.id, new_device_used=False, client_metadata=None)

"""A sign-in handed to an external identity provider and not yet back (Cognito developer guide: 'OIDC user pool IdP
authentication flow'; OpenID Connect Core 1.0 §3.1.2.1, RFC 7636).

It is kept server-side under the SHA-256 of the ``state`` sent to the provider (a random value the provider
returns to ``/oauth2/idpresponse``), so the application's request never travels in a form anyone can read or
alter. It is taken once: the answer that takes it is the only one that can use it. ``binding_hash`` ties it to
the browser that started it (the SHA-256 of a cookie set on the redirect to the provider), so a provider answer
carried into another browser signs nobody in there. Cognito gives up on a federation after five minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

LIFETIME_SECONDS = 300
# What a transaction waits for, as its ``response_type``: the application's own response type for a sign-in
# (``code`` or ``token``), or this for a single logout sent to a SAML provider (``redirect_uri`` is then where
# the browser goes when the LogoutResponse arrives).
SAML_LOGOUT = "saml_logout"
SIGN_IN = "sign_in"


@dataclass(frozen=True, slots=True)
class FederationTransaction:
    """The application's authorization request (``redirect_uri`` … ``code_challenge_method``), the provider it
    went to, and what the provider's answer must match: ``nonce`` (in its ID token; for a SAML provider the ID
    of our AuthnRequest or LogoutRequest, which the answer's InResponseTo must name) and ``code_verifier`` (our
    PKCE secret toward it; sealed at rest), sent from ``idp_redirect_uri`` (for SAML, our ACS or SLO URL)."""

    state_hash: str
    pool_id: str
    client_id: str
    provider_name: str
    redirect_uri: str
    response_type: str
    scopes: tuple[str, ...]
    app_state: str | None
    app_nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str
    code_verifier: str
    idp_redirect_uri: str
    binding_hash: str
    created_at: float
    expires_at: float

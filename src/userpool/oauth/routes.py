"""The OAuth 2.0 / OIDC routes: on every host; the pool comes from the Host (pool domain) or the client_id."""

from __future__ import annotations

from starlette.routing import Route

from userpool.context import Deps
from userpool.oauth import identity_wellknown, wellknown
from userpool.oauth.authorize import make_authorize
from userpool.oauth.idpresponse import make_idp_response
from userpool.oauth.logout import make_logout
from userpool.oauth.saml2 import make_saml_logout, make_saml_metadata, make_saml_response
from userpool.oauth.token import make_revoke, make_token
from userpool.oauth.userinfo import make_userinfo

TOKEN_PATH = "/oauth2/token"  # noqa: S105 (a path, not a secret)


def routes(deps: Deps) -> list[Route]:
    return [
        Route("/oauth2/authorize", make_authorize(deps), methods=["GET"]),
        Route("/oauth2/idpresponse", make_idp_response(deps), methods=["GET", "POST"]),
        Route(TOKEN_PATH, make_token(deps), methods=["POST", "OPTIONS"]),
        Route("/oauth2/revoke", make_revoke(deps), methods=["POST", "OPTIONS"]),
        Route("/oauth2/userInfo", make_userinfo(deps), methods=["GET", "POST", "OPTIONS"]),
        Route("/logout", make_logout(deps), methods=["GET"]),
        Route("/saml2/idpresponse", make_saml_response(deps), methods=["POST"]),
        Route("/saml2/logout", make_saml_logout(deps), methods=["GET", "POST"]),
        Route("/saml2/metadata", make_saml_metadata(deps), methods=["GET"]),
        # Before the user pools' /{pool_id}/.well-known/...: "identity" is no user pool id.
        *identity_wellknown.routes(deps),
        *wellknown.routes(deps),
    ]

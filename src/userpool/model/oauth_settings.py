"""An app client's OAuth 2.0 settings: redirect URLs, grant types and scopes (AWS: CreateUserPoolClient API reference).

Pure rules; whether a custom scope exists is decided by the caller, who can read resource servers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from userpool.errors import InvalidOAuthFlowException, InvalidParameterException

STANDARD_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})
BROWSER_FLOWS = frozenset({"code", "implicit"})
CLIENT_CREDENTIALS = "client_credentials"

# Cognito accepts plain HTTP only for loopback redirect targets, which exist for local testing
# (CreateUserPoolClient, CallbackURLs: "http://localhost, http://127.0.0.1 and http://[::1]").
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Schemes a browser would execute or read locally instead of navigating to an application.
_UNSAFE_SCHEMES = frozenset({"javascript", "data", "vbscript", "file", "blob"})
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


def check_redirect_url(url: str, member: str) -> None:
    """Refuse a CallbackURLs / LogoutURLs / DefaultRedirectURI entry that Cognito refuses.

    An absolute URI without a fragment; HTTPS, or HTTP to a loopback host, or an app scheme such as
    ``myapp://callback`` (CreateUserPoolClient, CallbackURLs).
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidParameterException(f"{member} {url} is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if not scheme or not _SCHEME.fullmatch(scheme) or not (parts.netloc or parts.path):
        raise InvalidParameterException(f"{member} {url} is not an absolute URI.")
    if "#" in url:
        raise InvalidParameterException(f"{member} {url} must not include a fragment.")
    if scheme in _UNSAFE_SCHEMES:
        raise InvalidParameterException(f"{member} {url} uses a scheme that is not allowed.")
    if scheme in ("http", "https") and not host:
        raise InvalidParameterException(f"{member} {url} is not an absolute URI.")
    if scheme == "http" and host not in _LOOPBACK_HOSTS:
        raise InvalidParameterException(
            f"{member} {url} must use HTTPS; HTTP is allowed only for localhost, 127.0.0.1 and [::1]."
        )


def split_custom_scope(scope: str) -> tuple[str, str] | None:
    """``<resource server identifier>/<scope name>`` -> both parts; None for a scope of another form.

    Identifiers may themselves contain ``/`` (they are often URLs) while scope names may not, so the
    scope name is what follows the last slash.
    """
    identifier, slash, name = scope.rpartition("/")
    if not slash or not identifier or not name:
        return None
    return identifier, name


def check_oauth_flows(
    flows: Iterable[str],
    scopes: Iterable[str],
    callback_urls: Iterable[str],
    has_secret: bool,
    enabled: bool,
) -> None:
    """Refuse an OAuth grant configuration Cognito refuses, with InvalidOAuthFlowException.

    Only clients with AllowedOAuthFlowsUserPoolClient=true use the authorization server, so only they
    are held to these rules (CallbackURLs in the CreateUserPoolClient API reference).
    """
    if not enabled:
        return
    flow_set, scope_list = set(flows), list(scopes)
    if not flow_set:
        raise InvalidOAuthFlowException(
            "AllowedOAuthFlows can not be empty when AllowedOAuthFlowsUserPoolClient is true."
        )
    if not scope_list:
        raise InvalidOAuthFlowException(
            "AllowedOAuthScopes can not be empty when AllowedOAuthFlowsUserPoolClient is true."
        )
    if CLIENT_CREDENTIALS in flow_set:
        _check_client_credentials(flow_set, scope_list, has_secret)
    elif not list(callback_urls):
        raise InvalidOAuthFlowException("CallbackUrls can not be empty when code flow or implicit flow is selected")


def _check_client_credentials(flows: set[str], scopes: list[str], has_secret: bool) -> None:
    # "To create an app client that generates client credentials grants, you must add
    # client_credentials as the only allowed OAuth flow" (CreateUserPoolClient, AllowedOAuthFlows).
    if flows & BROWSER_FLOWS:
        raise InvalidOAuthFlowException(
            "client_credentials flow can not be selected along with code flow or implicit flow."
        )
    if not has_secret:
        raise InvalidOAuthFlowException(
            "client_credentials flow can not be selected if client does not have a client secret."
        )
    for scope in scopes:
        if scope in STANDARD_SCOPES:
            raise InvalidOAuthFlowException(f"{scope} is not supported with client_credentials flow")

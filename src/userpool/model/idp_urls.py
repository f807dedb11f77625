"""Which operator-supplied identity-provider URLs the server may fetch or send a browser to.

AWS requires OIDC provider endpoints to be HTTPS on port 443 ("Using OIDC identity providers with a user
pool", Amazon Cognito developer guide). The server fetches these URLs itself (discovery, token, userinfo,
JWKS, SAML metadata), so the same rule also keeps it from being pointed at plain-http services inside the
network. ``allow_http`` (``federation.allow_http_idp_urls``) relaxes the scheme and port for identity
providers run beside the server in tests, and only for loopback or private addresses named literally (or
``localhost``), so that no name lookup can turn an allowed URL into a different host.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

HTTPS_PORT = 443


def idp_url_refusal(url: str, *, allow_http: bool) -> str | None:
    """Why ``url`` may not be used for an identity provider, or None when it may.

    The reason is a short phrase that reads after the URL's name, e.g. "token_url must use https".
    """
    # urlsplit would silently drop them.
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return "must not contain whitespace or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "is not an absolute https URL"
    if parts.username is not None or parts.password is not None:
        return "must not contain user credentials"
    if parts.fragment or url.endswith("#"):
        return "must not contain a fragment"
    if parts.scheme == "https" and port in (None, HTTPS_PORT):
        return None
    if not allow_http:
        return "must use https" if parts.scheme == "http" else "must use port 443"
    if not _is_local_host(parts):
        return "may use http or a port other than 443 only on a loopback or private address"
    return None


# Private address ranges: RFC 1918 and RFC 4193 (unique local IPv6). Not ipaddress's "is_private", which also
# counts documentation, reserved and link-local ranges (cloud metadata services live at 169.254.169.254).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _is_local_host(parts: SplitResult) -> bool:
    """A loopback or private address written as a literal IP, or ``localhost`` (RFC 6761 §6.3)."""
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or any(address in network for network in PRIVATE_NETWORKS)

"""The browser pages' defences (docs/architecture.md, Security invariants), shared by the hosted UI and the admin
console: CSRF tokens, cookie attributes and response headers.

CSRF: a random ``XSRF-TOKEN`` cookie (as AWS's hosted UI has) and, in every form, ``_csrf`` = HMAC of that
cookie under a server key. A cross-site form can neither read the cookie nor compute the HMAC, and a token
copied from one browser is useless in another.

Headers: a Content-Security-Policy that allows no scripts at all, styles and images from the page's own
origin only, framing by nobody, and form submissions to this origin plus the origin of the application's
redirect URI (Chromium applies ``form-action`` to the redirect that follows a submission). Chromium applies
it to every later redirect of that navigation too, so a redirect URI that is a user pool's federation
endpoint (``/oauth2/idpresponse``: this pool is another pool's identity provider) gets no ``form-action``:
that endpoint sends the browser on to its own application, whose origin this page cannot know.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Literal
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from userpool.services.hosted.federated_authorize import IDP_RESPONSE_PATH

CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9a-fA-F:]+\](?::[0-9]{1,5})?")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


def csrf_key(code_key: bytes) -> bytes:
    """The CSRF HMAC key, derived from the server's secret material."""
    return hashlib.sha256(b"userpool-hosted-ui-csrf:" + code_key).digest()


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(key: bytes, cookie: str) -> str:
    return hmac.new(key, cookie.encode(), hashlib.sha256).hexdigest()


def csrf_ok(key: bytes, cookie: str | None, given: str | None) -> bool:
    """Whether the form's token belongs to this browser's cookie (constant-time)."""
    if not cookie or not given or len(cookie) > 128 or len(given) > 128:
        return False
    return hmac.compare_digest(csrf_token(key, cookie).encode(), given.encode("utf-8", "surrogatepass"))


def secure_cookies(request: Request) -> bool:
    """Cookies are ``Secure`` except on plain HTTP to a loopback host (local development)."""
    if request.url.scheme == "https":
        return True
    host = (request.url.hostname or "").lower()
    return not (host in _LOOPBACK or host.endswith(".localhost"))


def set_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    max_age: int | None,
    path: str = "/",
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=path, httponly=True, samesite=samesite, secure=secure_cookies(request)
    )


def source_of(uri: str) -> str | None:
    """The CSP source expression for a redirect URI's origin (``myapp:`` for an app scheme); None when the
    URI does not give a clean one."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        origin = f"{scheme}://{parts.netloc.rpartition('@')[2]}"
        return origin if _ORIGIN.fullmatch(origin) else None
    return f"{scheme}:" if _SCHEME.fullmatch(scheme) else None


def _federation_endpoint(uri: str) -> bool:
    """Whether ``uri`` is a user pool's ``/oauth2/idpresponse`` (this server's or Amazon Cognito's), which
    redirects the browser on to another origin."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.path == IDP_RESPONSE_PATH


def page_headers(
    redirect_uri: str | None = None, scripts: bool = False, form_sources: tuple[str, ...] = ()
) -> dict[str, str]:
    """The headers of every page; ``scripts`` allows the page's own origin's script files (never inline);
    ``form_sources``: more origins a submission may end up at (the SSO endpoints of the SAML providers the
    login page's corporate e-mail box leads to, through /oauth2/authorize's redirect)."""
    form_action = "'self'"
    source = source_of(redirect_uri) if redirect_uri else None
    for extra in (source, *form_sources):
        if extra and extra not in form_action.split(" "):
            form_action += f" {extra}"
    script_src = "'self'" if scripts else "'none'"
    directives = ["default-src 'none'", f"script-src {script_src}", "style-src 'self'", "img-src 'self' data:"]
    if not (redirect_uri and _federation_endpoint(redirect_uri)):
        directives.append(f"form-action {form_action}")
    directives += ["frame-ancestors 'none'", "base-uri 'none'"]
    policy = "; ".join(directives)
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }

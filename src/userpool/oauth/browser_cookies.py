"""The cookies the OAuth endpoints set in a browser during a federated sign-in: the hosted session (the same
cookie the hosted pages set, web/security.py's rules) and the binding cookie that ties a federation
transaction to the browser that started it (RFC 6265bis §4.1.2.7: SameSite).

A provider that answers by ``response_mode=form_post`` (Sign in with Apple) makes a cross-site POST to
``/oauth2/idpresponse``, and a SAML provider posts to ``/saml2/idpresponse`` and ``/saml2/logout``; a
``SameSite=Lax`` cookie is not sent with those, so over HTTPS the binding cookie is ``SameSite=None`` (which
browsers accept only with ``Secure``). Plain HTTP happens on loopback development hosts only, where ``Lax`` is
all a browser allows.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from userpool.model.federation_transactions import LIFETIME_SECONDS

BINDING_COOKIE = "userpool_federation"
_MAX_BINDING = 128
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _secure(request: Request) -> bool:
    """``Secure`` except on plain HTTP to a loopback host (local development)."""
    if request.url.scheme == "https":
        return True
    host = (request.url.hostname or "").lower()
    return not (host in _LOOPBACK or host.endswith(".localhost"))


def binding_of(request: Request) -> str | None:
    """The browser's binding cookie, when it holds a plausible one."""
    value = request.cookies.get(BINDING_COOKIE)
    return value if value and len(value) <= _MAX_BINDING else None


def set_binding_cookie(response: Response, request: Request, value: str) -> None:
    secure = _secure(request)
    response.set_cookie(
        BINDING_COOKIE,
        value,
        max_age=LIFETIME_SECONDS,
        # Sent to /oauth2/idpresponse and to the SAML endpoints under /saml2/.
        path="/",
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
    )


def set_session_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, secure=_secure(request), samesite="lax")

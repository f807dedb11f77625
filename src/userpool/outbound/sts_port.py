"""The port through which GetCredentialsForIdentity asks a Security Token Service for credentials
(``ctx.deps.sts``): AssumeRoleWithWebIdentity with the identity's OpenID token, as Cognito does on the caller's
behalf in the enhanced flow (Cognito developer guide: 'Identity pools authentication flow'). ``app.py`` chooses
the adapter (``sts_query.py``, AWS's query API over the outbound HTTP client)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StsCredentials:
    """Temporary credentials, as STS issues them; ``expiration`` in epoch seconds."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float


class StsError(Exception):
    """STS refused the request (``code``: its error code, ``AccessDenied``, ``InvalidIdentityToken``, ...), or
    gave no usable answer (``answered`` False: unreachable, timed out, or not STS's answer). ``message`` names no
    token or secret."""

    def __init__(self, code: str, message: str, answered: bool = True) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.answered = answered


class SecurityTokenService(Protocol):
    def assume_role_with_web_identity(
        self, region: str, role_arn: str, session_name: str, web_identity_token: str, duration_seconds: int
    ) -> StsCredentials:
        """Credentials of ``role_arn`` for the holder of ``web_identity_token``, from the STS of ``region``;
        StsError when there are none."""
        ...


class NoSts:
    """The STS of a server that was built without one: every request fails as unreachable."""

    def assume_role_with_web_identity(
        self, region: str, role_arn: str, session_name: str, web_identity_token: str, duration_seconds: int
    ) -> StsCredentials:
        raise StsError("ServiceUnavailable", "No Security Token Service is configured.", answered=False)

"""GetSigningCertificate (AWS: GetSigningCertificate API reference): the certificate of the pool's SAML
signing key, which signs AuthnRequests (when a provider has RequestSigningAlgorithm) and every
LogoutRequest; identity providers import it to check them."""

from __future__ import annotations

from typing import Any

from userpool.context import Ctx
from userpool.services.federation.steps.saml_keys import saml_signing_key


def get_signing_certificate(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """GetSigningCertificate: base64 DER, without PEM armour; the key is made on the pool's first use."""
    return {"Certificate": saml_signing_key(ctx, req["UserPoolId"]).certificate}

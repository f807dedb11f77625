"""Where a one-time code goes, and how its destination is shown back: CodeDeliveryDetails of SignUp,
ResendConfirmationCode and ForgotPassword.

Cognito masks destinations as ``j***@e***`` and ``+*******1212`` and prefers SMS when both attributes are auto-verified
(Cognito developer guide: 'Configuring email or phone verification'). With PreventUserExistenceErrors a missing user
gets a normal-looking answer derived from the username's shape and the pool's settings (Cognito developer guide:
'Managing user existence error responses').
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from userpool.model.attributes import is_email, is_phone
from userpool.model.records import Pool
from userpool.model.usernames import normalise
from userpool.model.vocabulary import DeliveryMedium

MEDIUM_OF = {"email": DeliveryMedium.EMAIL, "phone_number": DeliveryMedium.SMS}
# Pools created without AccountRecoverySetting prefer the phone over email (legacy behaviour; AWS:
# AccountRecoverySettingType API reference).
LEGACY_RECOVERY = ("verified_phone_number", "verified_email")
_RECOVERY_ATTRIBUTE = {"verified_email": "email", "verified_phone_number": "phone_number"}


@dataclass(frozen=True, slots=True)
class Channel:
    """A user's address a code is sent to: ``attribute`` is ``email`` or ``phone_number``."""

    attribute: str
    address: str

    @property
    def medium(self) -> str:
        return MEDIUM_OF[self.attribute]


def mask(attribute: str, address: str) -> str:
    """The address as CodeDeliveryDetails.Destination shows it."""
    if attribute == "email":
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    digits = address.lstrip("+")
    shown = digits[-4:] if len(digits) > 4 else ""
    return "+" + "*" * (len(digits) - len(shown)) + shown


def delivery_details(attribute: str, address: str) -> dict[str, Any]:
    """A CodeDeliveryDetailsType for a code sent to ``address``."""
    return {
        "Destination": mask(attribute, address),
        "DeliveryMedium": MEDIUM_OF[attribute],
        "AttributeName": attribute,
    }


def confirmation_channel(pool: Pool, attributes: Mapping[str, str]) -> Channel | None:
    """Where SignUp / ResendConfirmationCode send the confirmation code: an AutoVerifiedAttributes
    attribute the user has, the phone first."""
    auto = pool.config.get("AutoVerifiedAttributes") or []
    for attribute in ("phone_number", "email"):
        if attribute in auto and attributes.get(attribute):
            return Channel(attribute, attributes[attribute])
    return None


def recovery_mechanisms(pool: Pool) -> list[str]:
    """AccountRecoverySetting's mechanism names by priority, or the legacy order when it is absent."""
    setting = pool.config.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or [], key=lambda m: int(m.get("Priority", 0)))
    return [str(m.get("Name")) for m in mechanisms] or list(LEGACY_RECOVERY)


def recovery_channel(pool: Pool, attributes: Mapping[str, str]) -> Channel | None:
    """The first verified email / phone number that AccountRecoverySetting allows a reset code to go to."""
    for name in recovery_mechanisms(pool):
        attribute = _RECOVERY_ATTRIBUTE.get(name)
        if attribute and attributes.get(attribute) and attributes.get(f"{attribute}_verified") == "true":
            return Channel(attribute, attributes[attribute])
    return None


def _stand_in(pool: Pool, username: str, attribute: str, key: bytes) -> str:
    """A plausible address for a user that does not exist: stable per pool and username (as lookups
    normalise it), so that asking twice gives the same answer, as it would for a real user; and derived
    under ``key``, a server secret, since one anybody could derive would be recognised as a stand-in."""
    name = normalise(pool, username)
    message = f"stand-in address\x1f{pool.id}\x1f{name}".encode("utf-8", "surrogatepass")
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    if attribute == "email":
        # Addresses are written in lower case far more often than not.
        return f"{name[:1].lower() or 'u'}@{'abcdefghijklmnopqrstuvwxyz'[int(digest[:2], 16) % 26]}.invalid"
    return "+1" + "".join(str(int(c, 16) % 10) for c in digest[:10])


def simulated_details(pool: Pool, username: str, preferred: list[str], key: bytes) -> dict[str, Any]:
    """CodeDeliveryDetails for a user that does not exist (or may not be revealed).

    An email- or phone-shaped username is masked as itself; otherwise the first of ``preferred``
    attributes (the pool's recovery or auto-verification order) with a stand-in address derived under
    ``key`` (a server secret).
    """
    if is_email(username):
        return delivery_details("email", username)
    if is_phone(username):
        return delivery_details("phone_number", username)
    attribute = next((a for a in preferred if a in MEDIUM_OF), "email")
    return delivery_details(attribute, _stand_in(pool, username, attribute, key))


def recovery_preference(pool: Pool) -> list[str]:
    """The attributes ForgotPassword would use, in the pool's order; those the pool verifies on its own
    first, since they are the ones its users' verified addresses usually are."""
    order = [_RECOVERY_ATTRIBUTE[n] for n in recovery_mechanisms(pool) if n in _RECOVERY_ATTRIBUTE]
    auto = pool.config.get("AutoVerifiedAttributes") or []
    return [a for a in order if a in auto] or order


def confirmation_preference(pool: Pool) -> list[str]:
    """The attributes ResendConfirmationCode would use, in the order it tries them."""
    auto = pool.config.get("AutoVerifiedAttributes") or []
    return [a for a in ("phone_number", "email") if a in auto]

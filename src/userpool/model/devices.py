"""Tracked devices: what a pool's DeviceConfiguration decides, and a device as the API shows it (Cognito developer
guide: 'Working with user devices in your user pool'; DeviceType in the API reference)."""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid
from dataclasses import dataclass
from typing import Any

from userpool.model.records import Pool

REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"
DEVICE_NOT_FOUND = "Device does not exist."
_GROUP_KEY_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class Device:
    """One device of a user. ``srp_salt`` and ``srp_verifier`` (hex) arrive with ConfirmDevice; until then
    the device was only handed out in a NewDeviceMetadata. ``remembered`` is None before confirmation."""

    device_key: str
    pool_id: str
    sub: str
    group_key: str
    created_at: float
    updated_at: float
    name: str | None = None
    srp_salt: str | None = None
    srp_verifier: str | None = None
    remembered: bool | None = None
    last_ip: str | None = None
    confirmed_at: float | None = None
    authenticated_at: float | None = None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None and self.srp_verifier is not None


def tracks_devices(pool: Pool) -> bool:
    """Device tracking is on when the pool has a DeviceConfiguration."""
    return bool(pool.config.get("DeviceConfiguration"))


def remembered_on_user_prompt(pool: Pool) -> bool:
    """DeviceOnlyRememberedOnUserPrompt: a confirmed device is remembered only once the user says so
    (UpdateDeviceStatus); otherwise every confirmed device is remembered."""
    return bool((pool.config.get("DeviceConfiguration") or {}).get("DeviceOnlyRememberedOnUserPrompt"))


def skips_password_step(pool: Pool, device: Device) -> bool:
    """Whether a sign-in presenting this device proves it with DEVICE_SRP_AUTH (and so skips MFA)."""
    return device.confirmed and (device.remembered is True or not remembered_on_user_prompt(pool))


def device_step_key(client_id: str, sub: str, device_key: str) -> str:
    """The name of the pending DEVICE_SRP_AUTH step of one user, device and client. Clients that answer
    DEVICE_SRP_AUTH without the Session (pycognito) are matched to their password step by it."""
    return hashlib.sha256(f"device-srp\x1f{client_id}\x1f{sub}\x1f{device_key}".encode()).hexdigest()


def device_replaces_mfa(pool: Pool) -> bool:
    """ChallengeRequiredOnNewDevice: a remembered device's proof stands in for SMS / TOTP MFA. Without it a
    remembered device still proves itself, and the second factor follows."""
    return bool((pool.config.get("DeviceConfiguration") or {}).get("ChallengeRequiredOnNewDevice"))


def new_device_key(region: str) -> str:
    """``<region>_<uuid>``, the shape of Cognito's device keys (DeviceKeyType: max 55 characters)."""
    return f"{region}_{uuid.uuid4()}"


def new_group_key() -> str:
    """A DeviceGroupKey: ``-`` and random letters and digits, as Cognito's look."""
    return "-" + "".join(secrets.choice(_GROUP_KEY_ALPHABET) for _ in range(9))


def device_type(device: Device, owner: str, region: str, account: str) -> dict[str, Any]:
    """DeviceType: the key, the attributes Cognito reports, and the three dates."""
    attributes = [{"Name": "device_status", "Value": "valid"}]
    if device.name:
        attributes.append({"Name": "device_name", "Value": device.name})
    if device.last_ip:
        attributes.append({"Name": "last_ip_used", "Value": device.last_ip})
    attributes.append(
        {"Name": "dev:device_remembered_status", "Value": REMEMBERED if device.remembered else NOT_REMEMBERED}
    )
    owner_arn = f"arn:aws:cognito-idp:{region}:{account}:owner/{owner}.{device.pool_id}"
    attributes.append({"Name": "dev:device_arn", "Value": f"{owner_arn}/device/{device.device_key}"})
    attributes.append({"Name": "dev:device_owner", "Value": f"{owner}.{device.pool_id}"})
    answer: dict[str, Any] = {
        "DeviceKey": device.device_key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": device.created_at,
        "DeviceLastModifiedDate": device.updated_at,
    }
    if device.authenticated_at is not None:
        answer["DeviceLastAuthenticatedDate"] = device.authenticated_at
    return answer

"""A user's remembered devices: ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice
(access token) and AdminGetDevice, AdminListDevices, AdminUpdateDeviceStatus, AdminForgetDevice (SigV4).
Cognito developer guide: 'Working with user devices in your user pool'; docs/srp.md, Devices.

A device exists from the sign-in that handed out its NewDeviceMetadata; only confirmed devices (those with
an SRP verifier from ConfirmDevice) are shown or can be changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from userpool.context import Ctx
from userpool.crypto import srp
from userpool.errors import (
    DeviceKeyExistsException,
    InvalidParameterException,
    InvalidUserPoolConfigurationException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from userpool.model.devices import (
    DEVICE_NOT_FOUND,
    REMEMBERED,
    Device,
    device_type,
    remembered_on_user_prompt,
    tracks_devices,
)
from userpool.model.paging import page_limit
from userpool.model.records import Pool, User
from userpool.services.lookup.records import pool_or_404, user_or_404
from userpool.services.tokens.steps.tokens import INVALID_ACCESS_TOKEN, authenticate_access_token
from userpool.store.base import Tx

NOT_TRACKING = "Device tracking is not enabled for this user pool."


def _tracking(pool: Pool) -> None:
    if not tracks_devices(pool):
        raise InvalidUserPoolConfigurationException(NOT_TRACKING)


def _token_owner(ctx: Ctx, tx: Tx, token: str | None) -> tuple[Pool, User]:
    if not token:
        # GetDevice and ForgetDevice have an optional AccessToken in the model; without one there is no user.
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    access = authenticate_access_token(ctx, tx, token)
    _tracking(access.pool)
    return access.pool, access.user


def _admin_owner(tx: Tx, req: dict[str, Any]) -> tuple[Pool, User]:
    pool = pool_or_404(tx, req["UserPoolId"])
    _tracking(pool)
    return pool, user_or_404(tx, pool, req["Username"])


def _confirmed(tx: Tx, user: User, device_key: str, for_update: bool = False) -> Device:
    device = tx.devices.get(user.pool_id, user.sub, device_key, for_update=for_update)
    if device is None or not device.confirmed:
        raise ResourceNotFoundException(DEVICE_NOT_FOUND)
    return device


def _shown(ctx: Ctx, user: User, device: Device) -> dict[str, Any]:
    return device_type(device, user.username, ctx.region, ctx.settings.account_id)


def confirm_device(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Store the device's SRP salt and verifier for the key a sign-in handed out: ConfirmDevice. The answer
    says whether the user must still choose to remember it (DeviceOnlyRememberedOnUserPrompt)."""
    config = req.get("DeviceSecretVerifierConfig") or {}
    parsed = srp.device_verifier_config(config.get("PasswordVerifier") or "", config.get("Salt") or "")
    if parsed is None:
        raise InvalidParameterException("Invalid device secret verifier config.")
    salt, verifier = parsed
    with ctx.store.write() as tx:
        pool, user = _token_owner(ctx, tx, req["AccessToken"])
        device = tx.devices.get(pool.id, user.sub, req["DeviceKey"], for_update=True)
        if device is None:
            raise InvalidParameterException("Invalid device key given.")
        if device.confirmed:
            raise DeviceKeyExistsException("Device key already exists.")
        on_prompt = remembered_on_user_prompt(pool)
        confirmed = replace(
            device,
            name=req.get("DeviceName") or device.name,
            srp_salt=salt,
            srp_verifier=format(verifier, "x"),
            remembered=not on_prompt,
            last_ip=ctx.source_ip or device.last_ip,
            confirmed_at=ctx.now,
            authenticated_at=ctx.now,
            updated_at=ctx.now,
        )
        tx.devices.update(confirmed)
    return {"UserConfirmationNecessary": on_prompt}


def get_device(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        _, user = _token_owner(ctx, tx, req.get("AccessToken"))
        device = _confirmed(tx, user, req["DeviceKey"])
    return {"Device": _shown(ctx, user, device)}


def admin_get_device(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        _, user = _admin_owner(tx, req)
        device = _confirmed(tx, user, req["DeviceKey"])
    return {"Device": _shown(ctx, user, device)}


def _list(ctx: Ctx, tx: Tx, user: User, req: dict[str, Any]) -> dict[str, Any]:
    scope = f"ListDevices:{user.pool_id}:{user.sub}"
    after = ctx.deps.page_tokens.decode(req.get("PaginationToken"), scope)
    page = tx.devices.list_confirmed(user.pool_id, user.sub, page_limit(req.get("Limit")), after)
    answer: dict[str, Any] = {"Devices": [_shown(ctx, user, d) for d in page.items]}
    token = ctx.deps.page_tokens.encode(page.next_cursor, scope)
    if token is not None:
        answer["PaginationToken"] = token
    return answer


def list_devices(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        _, user = _token_owner(ctx, tx, req["AccessToken"])
        return _list(ctx, tx, user, req)


def admin_list_devices(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.read() as tx:
        _, user = _admin_owner(tx, req)
        return _list(ctx, tx, user, req)


def _set_status(ctx: Ctx, tx: Tx, user: User, req: dict[str, Any]) -> None:
    device = _confirmed(tx, user, req["DeviceKey"], for_update=True)
    status = req.get("DeviceRememberedStatus")
    if status is None:
        return
    tx.devices.update(replace(device, remembered=status == REMEMBERED, updated_at=ctx.now))


def update_device_status(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Remember or stop remembering one of the user's devices: UpdateDeviceStatus."""
    with ctx.store.write() as tx:
        _, user = _token_owner(ctx, tx, req["AccessToken"])
        _set_status(ctx, tx, user, req)
    return {}


def admin_update_device_status(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.write() as tx:
        _, user = _admin_owner(tx, req)
        _set_status(ctx, tx, user, req)
    return {}


def _forget(tx: Tx, user: User, device_key: str) -> None:
    device = tx.devices.get(user.pool_id, user.sub, device_key, for_update=True)
    if device is None or not device.confirmed or not tx.devices.delete(user.pool_id, user.sub, device_key):
        raise ResourceNotFoundException(DEVICE_NOT_FOUND)


def forget_device(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    """Delete one of the user's devices: it can no longer sign in with DEVICE_SRP_AUTH: ForgetDevice."""
    with ctx.store.write() as tx:
        _, user = _token_owner(ctx, tx, req.get("AccessToken"))
        _forget(tx, user, req["DeviceKey"])
    return {}


def admin_forget_device(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any]:
    with ctx.store.write() as tx:
        _, user = _admin_owner(tx, req)
        _forget(tx, user, req["DeviceKey"])
    return {}

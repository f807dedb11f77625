"""Remembered devices through boto3 and pycognito's SRP client: NewDeviceMetadata, ConfirmDevice, the device
operations and their Admin* variants, DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER, device-bound refresh
(Cognito developer guide: 'Working with user devices in your user pool'; docs/srp.md, Devices)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

from tests.support.auth import PASSWORD, make_client, make_user, payload
from tests.support.errors import fails

FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]
NOT_FOUND = ("ResourceNotFoundException", "Device does not exist.")


@dataclass
class Held:
    """What a client keeps of a confirmed device: its key, group key and random device password."""

    key: str
    group: str
    password: str


def _pool(idp: Any, on_prompt: bool) -> str:
    config = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": on_prompt}
    return str(idp.create_user_pool(PoolName="devices", DeviceConfiguration=config)["UserPool"]["Id"])


def _srp(idp: Any, pool_id: str, client: dict[str, Any], held: Held | None = None, password: str = PASSWORD) -> AWSSRP:
    device = {"device_key": held.key, "device_group_key": held.group, "device_password": held.password} if held else {}
    return AWSSRP("ann", password, pool_id, client["ClientId"], client=idp, **device)


def _confirm(idp: Any, tokens: dict[str, Any], name: str = "laptop") -> tuple[Held, bool]:
    meta = tokens["NewDeviceMetadata"]
    device_password, config = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    answer = idp.confirm_device(
        AccessToken=tokens["AccessToken"],
        DeviceKey=meta["DeviceKey"],
        DeviceName=name,
        DeviceSecretVerifierConfig=config,
    )
    return Held(meta["DeviceKey"], meta["DeviceGroupKey"], device_password), bool(answer["UserConfirmationNecessary"])


def _attributes(device: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


@pytest.fixture
def setup(idp: Any) -> tuple[str, dict[str, Any]]:
    pool_id = _pool(idp, on_prompt=True)
    client = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)
    make_user(idp, pool_id, "ann", attributes={"email": "ann@example.com"})
    return pool_id, client


def test_devices__remembered_on_prompt_then_device_srp(idp: Any, setup: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = setup
    first = _srp(idp, pool_id, client).authenticate_user()["AuthenticationResult"]
    meta = first["NewDeviceMetadata"]
    assert meta["DeviceKey"].startswith(pool_id.split("_")[0] + "_") and meta["DeviceGroupKey"]
    assert payload(first["AccessToken"])["device_key"] == meta["DeviceKey"]
    # Not listed until the client confirms it.
    assert idp.list_devices(AccessToken=first["AccessToken"])["Devices"] == []
    held, necessary = _confirm(idp, first)
    assert necessary is True

    listed = idp.list_devices(AccessToken=first["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in listed] == [held.key]
    attributes = _attributes(listed[0])
    assert attributes["device_name"] == "laptop"
    assert attributes["dev:device_remembered_status"] == "not_remembered"
    assert attributes["device_status"] == "valid"
    assert attributes["last_ip_used"]  # the peer address of ConfirmDevice

    # Not remembered yet: the device key is accepted, but it replaces no step and no new device is made.
    second = _srp(idp, pool_id, client, held).authenticate_user()["AuthenticationResult"]
    assert "NewDeviceMetadata" not in second
    assert payload(second["AccessToken"])["device_key"] == held.key

    idp.update_device_status(AccessToken=first["AccessToken"], DeviceKey=held.key, DeviceRememberedStatus="remembered")
    device = idp.get_device(AccessToken=first["AccessToken"], DeviceKey=held.key)["Device"]
    assert _attributes(device)["dev:device_remembered_status"] == "remembered"

    # Remembered: the sign-in goes on to DEVICE_SRP_AUTH (pycognito answers it without the Session).
    srp = _srp(idp, pool_id, client, held)
    answer = idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    step = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(answer["ChallengeParameters"], srp.get_auth_params()),
    )
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH" and step["Session"]
    third = _srp(idp, pool_id, client, held).authenticate_user()["AuthenticationResult"]
    assert payload(third["AccessToken"])["device_key"] == held.key
    assert "NewDeviceMetadata" not in third
    device = idp.admin_get_device(UserPoolId=pool_id, Username="ann", DeviceKey=held.key)["Device"]
    assert device["DeviceLastAuthenticatedDate"] >= device["DeviceCreateDate"]


def test_devices__device_srp_with_session_and_wrong_device_password(idp: Any) -> None:
    pool_id = _pool(idp, on_prompt=False)
    client = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)
    make_user(idp, pool_id, "ann")
    first = _srp(idp, pool_id, client).authenticate_user()["AuthenticationResult"]
    held, necessary = _confirm(idp, first)
    assert necessary is False  # always remembered

    def password_step(device_password: str) -> tuple[AWSSRP, dict[str, Any]]:
        srp = _srp(idp, pool_id, client, Held(held.key, held.group, device_password))
        params = srp.get_auth_params()
        answer = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters=params)
        step = idp.respond_to_auth_challenge(
            ClientId=client["ClientId"],
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=srp.process_challenge(answer["ChallengeParameters"], params),
        )
        assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
        return srp, step

    # As amazon-cognito-identity-js does it: the Session goes back with DEVICE_SRP_AUTH.
    srp, step = password_step(held.password)
    device_srp = {"USERNAME": "ann", "DEVICE_KEY": held.key, "SRP_A": format(srp.large_a_value, "x")}
    verifier = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"],
        ChallengeName="DEVICE_SRP_AUTH",
        Session=step["Session"],
        ChallengeResponses=device_srp,
    )
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    assert set(verifier["ChallengeParameters"]) == {"USERNAME", "DEVICE_KEY", "SRP_B", "SALT", "SECRET_BLOCK"}
    # The password step is used up.
    again = fails(
        idp.respond_to_auth_challenge,
        ClientId=client["ClientId"],
        ChallengeName="DEVICE_SRP_AUTH",
        Session=step["Session"],
        ChallengeResponses=device_srp,
    )
    assert again[0] == "NotAuthorizedException"
    proof = srp.process_device_challenge(verifier["ChallengeParameters"])
    tokens = idp.respond_to_auth_challenge(
        ClientId=client["ClientId"], ChallengeName="DEVICE_PASSWORD_VERIFIER", ChallengeResponses=proof
    )["AuthenticationResult"]
    assert payload(tokens["AccessToken"])["device_key"] == held.key
    # The device's SECRET_BLOCK is single use.
    replay = fails(
        idp.respond_to_auth_challenge,
        ClientId=client["ClientId"],
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        ChallengeResponses=proof,
    )
    assert replay == ("NotAuthorizedException", "Incorrect username or password.")

    # A device password that is not the confirmed one is refused at the device step.
    srp, _ = password_step("not-the-device-password")
    assert fails(srp.authenticate_user) == ("NotAuthorizedException", "Incorrect username or password.")
    # DEVICE_SRP_AUTH with no password step before it is refused.
    lone = fails(
        idp.respond_to_auth_challenge,
        ClientId=client["ClientId"],
        ChallengeName="DEVICE_SRP_AUTH",
        ChallengeResponses=device_srp,
    )
    assert lone[0] == "NotAuthorizedException"


def test_devices__forgotten_device_cannot_sign_in(idp: Any, setup: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = setup
    first = _srp(idp, pool_id, client).authenticate_user()["AuthenticationResult"]
    held, _ = _confirm(idp, first)
    idp.admin_update_device_status(
        UserPoolId=pool_id, Username="ann", DeviceKey=held.key, DeviceRememberedStatus="remembered"
    )
    assert "AuthenticationResult" in _srp(idp, pool_id, client, held).authenticate_user()
    idp.forget_device(AccessToken=first["AccessToken"], DeviceKey=held.key)
    assert fails(_srp(idp, pool_id, client, held).authenticate_user) == NOT_FOUND
    assert idp.admin_list_devices(UserPoolId=pool_id, Username="ann")["Devices"] == []
    assert fails(idp.get_device, AccessToken=first["AccessToken"], DeviceKey=held.key) == NOT_FOUND
    assert fails(idp.forget_device, AccessToken=first["AccessToken"], DeviceKey=held.key) == NOT_FOUND
    # Without the key the user signs in as on a new device.
    fresh = _srp(idp, pool_id, client).authenticate_user()["AuthenticationResult"]
    assert fresh["NewDeviceMetadata"]["DeviceKey"] != held.key
    # The same through the admin operation, and with a password sign-in.
    other, _ = _confirm(idp, fresh)
    idp.admin_forget_device(UserPoolId=pool_id, Username="ann", DeviceKey=other.key)
    code = fails(
        idp.initiate_auth,
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD, "DEVICE_KEY": other.key},
    )
    assert code == NOT_FOUND


def test_devices__refresh_needs_the_device_key(idp: Any, setup: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = setup
    tokens = _srp(idp, pool_id, client).authenticate_user()["AuthenticationResult"]
    held, _ = _confirm(idp, tokens)
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}
    again = idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={**refresh, "DEVICE_KEY": held.key}
    )["AuthenticationResult"]
    assert payload(again["AccessToken"])["device_key"] == held.key
    for params in (refresh, {**refresh, "DEVICE_KEY": "us-east-1_00000000-0000-4000-8000-000000000000"}):
        refused = fails(
            idp.initiate_auth, ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
        )
        assert refused == ("NotAuthorizedException", "Invalid Refresh Token")
    rotated = idp.get_tokens_from_refresh_token(
        ClientId=client["ClientId"], RefreshToken=tokens["RefreshToken"], DeviceKey=held.key
    )["AuthenticationResult"]
    assert payload(rotated["IdToken"])["cognito:username"] == "ann"


def test_devices__admin_flow_and_untracked_pool(idp: Any, setup: tuple[str, dict[str, Any]], pool_id: str) -> None:
    tracked, client = setup
    # Admin password flows do not start tracking a device.
    admin = idp.admin_initiate_auth(
        UserPoolId=tracked,
        ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert "NewDeviceMetadata" not in admin and "device_key" not in payload(admin["AccessToken"])
    # A pool without DeviceConfiguration tracks nothing, and its device operations say so.
    plain = make_client(idp, pool_id, ExplicitAuthFlows=FLOWS)
    make_user(idp, pool_id, "ann")
    tokens = _srp(idp, pool_id, plain).authenticate_user()["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens
    code, _ = fails(idp.list_devices, AccessToken=tokens["AccessToken"])
    assert code == "InvalidUserPoolConfigurationException"
    code, _ = fails(idp.admin_list_devices, UserPoolId=pool_id, Username="ann")
    assert code == "InvalidUserPoolConfigurationException"


def test_devices__confirm_errors_paging_and_admin_reads(idp: Any, setup: tuple[str, dict[str, Any]]) -> None:
    pool_id, client = setup
    first = _srp(idp, pool_id, client).authenticate_user()["AuthenticationResult"]
    second = _srp(idp, pool_id, client).authenticate_user()["AuthenticationResult"]
    _, config = generate_hash_device(first["NewDeviceMetadata"]["DeviceGroupKey"], "x")
    unknown = fails(
        idp.confirm_device,
        AccessToken=first["AccessToken"],
        DeviceKey="us-east-1_00000000-0000-4000-8000-000000000000",
        DeviceSecretVerifierConfig=config,
    )
    assert unknown == ("InvalidParameterException", "Invalid device key given.")
    garbage = fails(
        idp.confirm_device,
        AccessToken=first["AccessToken"],
        DeviceKey=first["NewDeviceMetadata"]["DeviceKey"],
        DeviceSecretVerifierConfig={"PasswordVerifier": "not base64!", "Salt": "AAAA"},
    )
    assert garbage[0] == "InvalidParameterException"
    one, _ = _confirm(idp, first, "phone")
    two, _ = _confirm(idp, second, "tablet")
    duplicate = fails(
        idp.confirm_device, AccessToken=first["AccessToken"], DeviceKey=one.key, DeviceSecretVerifierConfig=config
    )
    assert duplicate[0] == "DeviceKeyExistsException"

    page = idp.admin_list_devices(UserPoolId=pool_id, Username="ann", Limit=1)
    rest = idp.admin_list_devices(UserPoolId=pool_id, Username="ann", Limit=1, PaginationToken=page["PaginationToken"])
    assert "PaginationToken" not in rest
    assert sorted(d["DeviceKey"] for d in page["Devices"] + rest["Devices"]) == sorted([one.key, two.key])
    # A page token belongs to the listing that issued it.
    make_user(idp, pool_id, "bob")
    code, _ = fails(idp.admin_list_devices, UserPoolId=pool_id, Username="bob", PaginationToken=page["PaginationToken"])
    assert code == "InvalidParameterException"
    # Another user's device is not found for this one.
    assert fails(idp.admin_get_device, UserPoolId=pool_id, Username="bob", DeviceKey=one.key) == NOT_FOUND
    code, _ = fails(idp.admin_get_device, UserPoolId=pool_id, Username="nobody", DeviceKey=one.key)
    assert code == "UserNotFoundException"
    shown = idp.admin_get_device(UserPoolId=pool_id, Username="ann", DeviceKey=two.key)["Device"]
    assert _attributes(shown)["device_name"] == "tablet"
    assert _attributes(shown)["dev:device_arn"].endswith(f"/device/{two.key}")

"""The console's pages for clients and users running for years: an app client's secrets (listed with their dates,
a second one added and shown once, one deleted), a user's sessions (session tracking turned on, sessions listed
and one revoked), and removing a user's authenticator app."""

from __future__ import annotations

import html
import re
from typing import Any

import pyotp

from tests.console.conftest import Console
from tests.support.auth import make_client, make_user, sdk_secret_hash, sign_in
from tests.support.errors import fails

_SECRET_SHOWN = re.compile(r'<code id="copy-client-secret">([a-z0-9]{51})</code>')


def _confirmed(console: Console, path: str) -> Any:
    """GET the confirmation page at ``path``, then POST its form with the browser's CSRF token."""
    page = console.http.get(path)
    assert page.status_code == 200, page.text
    return console.http.post(path, data={"_csrf": console.csrf(path)})


def test_add_user_pool_client_secret__client_page_adds_lists_and_deletes(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="Rotation")["UserPool"]["Id"]
    client = make_client(idp, pool_id, GenerateSecret=True)
    public = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    page_url = f"/console/pools/{pool_id}/clients/{client['ClientId']}"
    page = signed_in.http.get(page_url).text
    assert page.count('class="client-secret"') == 1 and "The last secret cannot be deleted" in page
    assert "Add a secret" in page
    assert 'id="secrets"' not in signed_in.http.get(f"/console/pools/{pool_id}/clients/{public['ClientId']}").text

    refused = signed_in.http.post(f"{page_url}/secrets", data={"_csrf": "forged"})
    assert refused.status_code == 403
    added = signed_in.post(f"{page_url}/secrets", {})
    assert added.status_code == 201, added.text
    shown = _SECRET_SHOWN.search(added.text)
    assert shown is not None and shown.group(1) != client["ClientSecret"]
    new_secret = shown.group(1)
    assert added.text.count('class="client-secret"') == 2 and "Add a secret" not in added.text
    # Shown that once; the new secret works beside the old one.
    assert new_secret not in signed_in.http.get(page_url).text
    for secret in (client["ClientSecret"], new_secret):
        assert "AccessToken" in sign_in(idp, {**client, "ClientSecret": secret}, "ann")

    old_id = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client["ClientId"])["ClientSecrets"][0]
    delete = f"{page_url}/secrets/delete?secret={old_id['ClientSecretId']}"
    assert f"Delete the client secret {old_id['ClientSecretId']}" in html.unescape(signed_in.http.get(delete).text)
    answer = _confirmed(signed_in, delete)
    assert answer.status_code == 303 and answer.headers["location"].endswith("notice=secret_deleted")
    listed = idp.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client["ClientId"])["ClientSecrets"]
    assert [s["ClientSecretId"] for s in listed] != [old_id["ClientSecretId"]] and len(listed) == 1
    params = {"USERNAME": "ann", "PASSWORD": "Correct-Horse-9"}
    params["SECRET_HASH"] = sdk_secret_hash(client["ClientSecret"], "ann", client["ClientId"])
    code, _ = fails(
        idp.initiate_auth, ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
    )
    assert code == "NotAuthorizedException"
    assert signed_in.http.get(f"{page_url}/secrets/delete?secret={old_id['ClientSecretId']}").status_code == 404


def test_admin_list_user_sessions__user_page_lists_and_revokes(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="Sessions")["UserPool"]["Id"]
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    user_page = f"/console/pools/{pool_id}/user?username=ann"
    assert "Turn on session tracking" in signed_in.http.get(user_page).text
    turned = signed_in.post(f"/console/pools/{pool_id}/session-tracking?username=ann", {})
    assert turned.status_code == 303 and turned.headers["location"].endswith("notice=session_tracking_on")
    assert idp.get_user_pool_session_configuration(UserPoolId=pool_id)["UserSessionTracking"] == "ENABLED"

    kept, gone = sign_in(idp, client, "ann"), sign_in(idp, client, "ann")
    page = signed_in.http.get(user_page).text
    assert page.count('class="user-session"') == 2
    sessions = idp.admin_list_user_sessions(UserPoolId=pool_id, Username="ann")["Sessions"]
    target = sessions[1]["SessionId"]
    assert f'data-session="{target}"' in page
    revoke = f"/console/pools/{pool_id}/user/session?username=ann&session={target}"
    answer = _confirmed(signed_in, revoke)
    assert answer.status_code == 303 and answer.headers["location"].endswith("notice=session_revoked")
    refresh = {"REFRESH_TOKEN": gone["RefreshToken"]}
    assert fails(
        idp.initiate_auth, ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh
    ) == ("NotAuthorizedException", "Refresh Token has been revoked")
    assert idp.get_user(AccessToken=kept["AccessToken"])["Username"] == "ann"
    after = signed_in.http.get(user_page).text
    assert after.count('class="user-session"') == 1 and target not in after
    assert signed_in.http.get(revoke).status_code == 404


def test_admin_delete_software_token__user_page_removes_the_authenticator(signed_in: Console) -> None:
    idp = signed_in.idp
    pool_id = idp.create_user_pool(PoolName="Totp")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    client = make_client(idp, pool_id)
    make_user(idp, pool_id, "ann")
    token = sign_in(idp, client, "ann")["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    idp.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    user_page = f"/console/pools/{pool_id}/user?username=ann"
    assert "Remove authenticator" in signed_in.http.get(user_page).text

    answer = _confirmed(signed_in, f"/console/pools/{pool_id}/user/remove-authenticator?username=ann")
    assert answer.status_code == 303 and answer.headers["location"].endswith("notice=authenticator_removed")
    factors = idp.admin_get_user_auth_factors(UserPoolId=pool_id, Username="ann")
    assert "SOFTWARE_TOKEN" not in factors["ConfiguredUserAuthFactors"] and factors["UserMFASettingList"] == []
    page = signed_in.http.get(user_page).text
    assert "No authenticator app is registered." in page and "Remove authenticator" not in page
    # The next sign-in asks for no code.
    assert "AccessToken" in sign_in(idp, client, "ann")
